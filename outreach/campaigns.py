"""Build one campaign per incident: the workaround, the audience with its holdout, the evidence and a preview.

Campaign ids come from the incident id, so a rerun finds the same campaigns and adds no rows. A campaign may be
rebuilt only while nobody has decided on it (``needs_workaround`` or ``pending_approval``); from approval on its
audience is frozen, and customers exposed later go to a follow-up campaign (``<id>-2``, ``-3``, ...). A follow-up
goes out under the standing approval of the incident's approved campaign when it stays within what was approved
(``outreach.standing_approval``), and asks a person again otherwise.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from outreach.approval import policy_rule
from outreach.audience import Audience, select_audience
from outreach.campaign_evidence import build_evidence, language_preview, render_preview
from outreach.findings import Incident, read_example_tickets, read_incidents, read_pain_point_link
from outreach.follow_up_bound import follow_up_bound
from outreach.holdout import is_held_out, message_id_for
from outreach.model import OutreachSettings
from outreach.standing_approval import STANDING_PREFIX, Grant, pre_approval, standing_grant
from outreach.workaround_matching import IssueFacts, WorkaroundMatch, match_workaround
from outreach.workarounds import Workaround, read_workarounds
from sql import statement

log = logging.getLogger(__name__)

REBUILDABLE = ("needs_workaround", "pending_approval")
APPROVED_OR_LATER = ("approved", "sending", "sent")


@dataclass(frozen=True)
class CampaignSummary:
    """What ``build_campaigns`` did with one incident's campaign.

    ``action`` is ``created``, ``rebuilt`` (an undecided campaign brought up to date) or ``unchanged``
    (decided already: frozen). ``audience_size`` counts treated and holdout customers together.
    """

    campaign_id: str
    incident_id: str
    pain_point_id: str | None
    workaround_id: str | None
    status: str
    action: str
    audience_size: int
    holdout_size: int
    summary: str

    @property
    def treated(self) -> int:
        return self.audience_size - self.holdout_size


def campaign_id_for(incident_id: str, sequence: int = 1) -> str:
    """The deterministic campaign id of an incident's ``sequence``-th campaign (1 = the first)."""
    base = f"cmp-{incident_id}" if len(incident_id) <= 52 else f"cmp-{hashlib.sha256(incident_id.encode()).hexdigest()[:24]}"
    return base if sequence == 1 else f"{base}-{sequence}"


def build_campaigns(engine: Engine, *, as_of: datetime, settings: OutreachSettings) -> list[CampaignSummary]:
    """Create or refresh the campaigns of every open incident at ``as_of``, most severe first.

    An as-of earlier than one that built campaigns already builds nothing (a rerun of that as-of does).

    Returns:
        One summary per incident that has (or now gets) a campaign.
    """
    with engine.connect() as conn:
        newest = _built_after(conn, as_of)
        if newest is not None:
            # Built at a later as-of already: an older view would add customers who wrote in since, and the
            # send would email them now (a replayed demo interval sent 12 such emails).
            log.warning("campaigns were built as of %s already; nothing is built as of the earlier %s",
                        newest.isoformat(), as_of.isoformat())
            return []
        incidents = read_incidents(conn, as_of=as_of, lookback_days=settings.campaign_lookback_days)
        workarounds = read_workarounds(conn, approved_only=True)
    log.info("building campaigns for %s incidents with %s approved workarounds", len(incidents), len(workarounds))
    summaries = []
    for incident in incidents:
        # One transaction per incident: a failure leaves the others built, and a rerun picks up the rest.
        with engine.begin() as conn:
            summary = _build_for_incident(conn, incident, workarounds, as_of=as_of, settings=settings)
        if summary is not None:
            summaries.append(summary)
    if summaries:
        # Only a build that holds campaigns bars older as-ofs: a run for now that found no open incident
        # must not keep a source's history run (an earlier as-of, started after it) from asking.
        with engine.begin() as conn:
            conn.execute(statement("outreach_record_build"), {"as_of": as_of})
            conn.execute(statement("outreach_forget_older_builds"), {"as_of": as_of})
    return summaries


def built_after(engine: Engine, as_of: datetime) -> datetime | None:
    """The as-of of a build that held campaigns later than ``as_of`` (so ``as_of`` builds nothing), else None."""
    with engine.connect() as conn:
        return _built_after(conn, as_of)


def _built_after(conn: Connection, as_of: datetime) -> datetime | None:
    value = conn.execute(statement("outreach_select_newest_build")).scalar()
    if value is not None and not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value))  # SQLite returns an aggregate's timestamp as text
    return value if value is not None and value > as_of else None


def _build_for_incident(
    conn: Connection, incident: Incident, workarounds: list[Workaround], *, as_of: datetime, settings: OutreachSettings
) -> CampaignSummary | None:
    existing = conn.execute(
        statement("campaign_select_by_incident", conn.dialect.name), {"incident_id": incident.incident_id}
    ).all()
    by_id = {row.campaign_id: row for row in existing}
    sequence = max((_sequence(incident.incident_id, row.campaign_id) for row in existing), default=0)
    latest = by_id.get(campaign_id_for(incident.incident_id, sequence)) if sequence else None
    if latest is not None and latest.status not in REBUILDABLE and latest.status not in APPROVED_OR_LATER:
        # Rejected, cancelled or expired: a person said no (or nobody answered); never ask again by itself.
        return _unchanged(incident, latest)
    # A decided (approved or later) campaign is frozen: its newcomers go to the next campaign in the sequence.
    target = sequence + 1 if latest is None or latest.status in APPROVED_OR_LATER else sequence
    campaign_id = campaign_id_for(incident.incident_id, target)
    follow_up_of = campaign_id_for(incident.incident_id, target - 1) if target > 1 else None

    link = read_pain_point_link(conn, incident.incident_id)
    examples = read_example_tickets(
        conn, pain_point_id=link.pain_point_id if link else None, error_code=incident.error_code, as_of=as_of
    )
    text = " ".join(filter(None, [link.label if link else None, incident.event_words(), *(f"{t.subject} {t.body}" for t in examples)]))
    facts = IssueFacts(
        incident.error_code, incident.feature, incident.platform, incident.app_version, text,
        also_error_codes=incident.symptom_error_codes, also_features=incident.symptom_features,
    )
    approved = next((row.workaround_id for row in reversed(existing) if row.status in APPROVED_OR_LATER and row.workaround_id), None)
    match = match_workaround(workarounds, facts, min_score=settings.workaround_min_score, keep=approved)
    audience = select_audience(conn, incident, campaign_id=campaign_id, as_of=as_of, settings=settings)
    arms = {m.customer_id: is_held_out(campaign_id, m.customer_id, settings.holdout_share) for m in audience.members}
    holdout_size = sum(arms.values())
    treated = audience.eligible - holdout_size

    is_new = campaign_id not in by_id
    # A follow-up whose newcomers are all held out is still recorded: they are the holdout arm. Skipped, they
    # were held out of nothing on record, and those who then wrote in dropped out of the next follow-up's
    # audience (wrote since exposed), so the holdout lost exactly its writers (out-of-sample seed 19: a
    # customer held out at 13:00 who wrote at 14:16 appeared nowhere).
    held_out_only = target > 1 and holdout_size > 0
    if is_new and treated == 0 and not held_out_only and (match is not None or target > 1):
        # Nobody to email: propose nothing (a first campaign without a workaround is still listed below).
        log.info("incident %s: nobody to email (%s); no new campaign", incident.incident_id, audience.summary())
        return _unchanged(incident, latest) if latest is not None else None

    if match is None:
        status, approved_by, reason = "needs_workaround", None, "no approved workaround matches this issue"
    else:
        grant = _grant(conn, incident, match, treated=treated, as_of=as_of, settings=settings, follow_up=target > 1)
        if grant is None:
            status, approved_by, reason = "pending_approval", None, None
        else:
            status, approved_by, reason = "approved", grant.approved_by, grant.reason
    evidence = build_evidence(
        incident=incident, link=link, match=match, audience=audience, holdout_size=holdout_size,
        examples=examples, as_of=as_of, policy=approved_by, follow_up_of=follow_up_of,
    )
    if match is not None and not str(approved_by or "").startswith(STANDING_PREFIX):
        # A campaign a person (or a policy) decides on: what its yes covers, follow-ups included, is shown
        # with it and is what later follow-ups are held to.
        bound = follow_up_bound(conn, incident, treated=treated, as_of=as_of, settings=settings)
        evidence["follow_ups"] = bound.as_evidence()
    if match is not None:  # emails per language, fallbacks with their reason, one sample per language
        treated_members = [m for m in audience.members if not arms[m.customer_id]]
        evidence["languages"] = language_preview(conn, campaign_id=campaign_id, incident=incident, link=link,
                                                 match=match, members=treated_members, settings=settings)
    preview = None
    representative = next((m for m in audience.members if not arms[m.customer_id]), None)
    if match is not None and representative is not None:
        preview = render_preview(
            campaign_id=campaign_id, incident=incident, link=link, match=match, member=representative, settings=settings
        )
    written = conn.execute(
        statement("campaign_upsert", conn.dialect.name),
        {
            "campaign_id": campaign_id,
            "incident_id": incident.incident_id,
            "pain_point_id": link.pain_point_id if link else None,
            "workaround_id": match.workaround.workaround_id if match else None,
            "status": status,
            "created_at": as_of,
            "approved_at": as_of if approved_by else None,
            "approved_by": approved_by,
            "decided_reason": reason,
            "audience_size": audience.eligible if match else 0,
            "holdout_size": holdout_size if match else 0,
            "send_cap": settings.send_cap_per_campaign,
            "severity": incident.severity,
            "evidence": json.dumps(evidence, sort_keys=True),
            "preview_subject": preview.subject if preview else None,
            "preview_text": preview.text if preview else None,
            "preview_html": preview.html if preview else None,
        },
    )
    if written.rowcount == 0:
        # Someone decided on it between our read and this write: its audience is frozen now.
        log.info("campaign %s was decided meanwhile; left as it is", campaign_id)
        return None
    # A campaign without a workaround must never send: it keeps no rows at all.
    if match is None:
        _write_messages(conn, campaign_id, Audience(audience.affected, ()), {}, as_of)
    else:
        _write_messages(conn, campaign_id, audience, arms, as_of)
    action = "created" if is_new else "rebuilt"
    log.info("campaign %s %s: %s, %s", campaign_id, action, status, audience.summary())
    return CampaignSummary(
        campaign_id=campaign_id,
        incident_id=incident.incident_id,
        pain_point_id=link.pain_point_id if link else None,
        workaround_id=_workaround_id(match),
        status=status,
        action=action,
        audience_size=audience.eligible if match else 0,
        holdout_size=holdout_size if match else 0,
        summary=audience.summary(),
    )


def _grant(
    conn: Connection, incident: Incident, match: WorkaroundMatch, *, treated: int, as_of: datetime,
    settings: OutreachSettings, follow_up: bool,
) -> Grant | None:
    """What lets this campaign go without asking a person: a standing approval (follow-ups), the policy,
    or the workaround's own pre-approval; None when a person must decide."""
    if follow_up:
        grant = standing_grant(conn, incident.incident_id, match=match, treated=treated, as_of=as_of, settings=settings)
        if grant is not None:
            return grant
    rule = policy_rule(settings, treated=treated, severity=incident.severity)
    if rule is not None:
        return Grant(f"policy:{rule}", f"auto-approved by policy {rule}")
    return pre_approval(match, treated=treated)


def _write_messages(conn: Connection, campaign_id: str, audience: Audience, arms: dict[str, bool], as_of: datetime) -> None:
    """Make the campaign's rows exactly its audience: drop customers who left it, add newcomers."""
    dialect = conn.dialect.name
    present = {
        row.customer_id: row.message_id
        for row in conn.execute(statement("campaign_select_message_keys", dialect), {"campaign_id": campaign_id})
    }
    stale = [{"message_id": mid} for cid, mid in present.items() if cid not in arms]
    if stale:
        conn.execute(statement("campaign_delete_unsent_message", dialect), stale)
    rows: list[dict[str, Any]] = [
        {
            "message_id": message_id_for(campaign_id, member.customer_id),
            "campaign_id": campaign_id,
            "customer_id": member.customer_id,
            "is_holdout": arms[member.customer_id],
            "status": "held_out" if arms[member.customer_id] else "queued",
            "created_at": as_of,
            "context": json.dumps(member.context(), sort_keys=True),
        }
        for member in audience.members
        if member.customer_id not in present
    ]
    if rows:
        conn.execute(statement("campaign_insert_message", dialect), rows)
    log.info("campaign %s: %s rows added, %s removed", campaign_id, len(rows), len(stale))


def _sequence(incident_id: str, campaign_id: str) -> int:
    base = campaign_id_for(incident_id)
    if campaign_id == base:
        return 1
    suffix = campaign_id.removeprefix(base + "-")
    return int(suffix) if suffix.isdigit() and campaign_id.startswith(base + "-") else 0


def _unchanged(incident: Incident, row: Any) -> CampaignSummary:
    return CampaignSummary(
        campaign_id=row.campaign_id,
        incident_id=incident.incident_id,
        pain_point_id=row.pain_point_id,
        workaround_id=row.workaround_id,
        status=row.status,
        action="unchanged",
        audience_size=int(row.audience_size or 0),
        holdout_size=int(row.holdout_size or 0),
        summary="frozen: decided already" if row.status not in REBUILDABLE else "nobody new to email",
    )


def _workaround_id(match: WorkaroundMatch | None) -> str | None:
    return match.workaround.workaround_id if match else None
