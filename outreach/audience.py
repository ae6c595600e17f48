"""Who a campaign may write to: customers exposed to an incident who have not written in, and may be emailed.

The filtering runs in the warehouse (``sql/audience_select_candidates.sql``): one row per exposed customer
with the first rule that excludes them, so every exclusion is counted by reason for the evidence.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection

from outreach.findings import Incident, like_pattern
from outreach.model import OutreachSettings
from sql import expanding_texts, statement

log = logging.getLogger(__name__)

CONTEXT_BATCH = 5_000  # customer ids per query: within every database's limit on bound parameters
_BEGINNING = datetime(1, 1, 1)  # before any exposure: nobody is too late

# Exclusion reasons in the order the SQL applies them, with how the evidence says them.
EXCLUSION_REASONS: dict[str, str] = {
    "usual_traffic": "hit it no more than its usual traffic does",
    "wrote_in": "already wrote in",
    "wrote_since_exposed": "wrote to support since they were affected",
    "open_ticket": "have an open ticket",
    "no_email": "have no email address",
    "opted_out": "opted out",
    "suppressed": "are suppressed",
    "contacted_before": "were contacted about it before",
    "frequency_cap": "hit the frequency cap",
    "too_late": "were affected too long ago for a proactive email",
}


@dataclass(frozen=True)
class AudienceMember:
    """An eligible customer and their own situation, taken from their events."""

    customer_id: str
    first_exposed_at: datetime
    platform: str | None = None
    app_version: str | None = None
    feature: str | None = None
    error_code: str | None = None

    def context(self) -> dict[str, str | None]:
        """The JSON-ready context stored with the customer's message."""
        return {
            "platform": self.platform,
            "app_version": self.app_version,
            "feature": self.feature,
            "error_code": self.error_code,
            "first_exposed_at": self.first_exposed_at.isoformat(),
        }


@dataclass(frozen=True)
class Audience:
    """The eligible customers of one campaign and the count of everyone left out, by reason."""

    affected: int
    members: tuple[AudienceMember, ...]
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def eligible(self) -> int:
        return len(self.members)

    def summary(self) -> str:
        """One line for people: "312 affected, 41 already wrote in, 9 opted out, 262 eligible"."""
        parts = [f"{self.affected} affected"]
        parts += [f"{self.excluded[r]} {EXCLUSION_REASONS[r]}" for r in EXCLUSION_REASONS if self.excluded.get(r)]
        parts.append(f"{self.eligible} eligible")
        return ", ".join(parts)


def select_audience(
    conn: Connection, incident: Incident, *, campaign_id: str, as_of: datetime, settings: OutreachSettings
) -> Audience:
    """The audience of ``campaign_id`` about ``incident`` at ``as_of``; the campaign's own rows never exclude anyone."""
    rows = conn.execute(
        statement("audience_select_candidates", conn.dialect.name),
        {
            "incident_id": incident.incident_id,
            "campaign_id": campaign_id,
            "as_of": as_of,
            "error_code_pattern": like_pattern(incident.error_code),
            "cap_since": as_of - timedelta(days=settings.frequency_cap_days),
            "cap_max": settings.max_emails_per_frequency_window,
            "fresh_since": _fresh_since(incident, as_of, settings),
        },
    ).all()
    excluded = Counter(row.reason for row in rows if row.reason is not None)
    unknown = set(excluded) - set(EXCLUSION_REASONS)
    if unknown:  # the SQL and this module must agree on the reasons
        raise RuntimeError(f"audience query returned unknown exclusion reasons {sorted(unknown)}")
    eligible = [row for row in rows if row.reason is None]
    # Only the eligible customers' events are read: most exposed customers of a long incident were emailed
    # by an earlier campaign already, and reading everyone's events cost a second per incident each hour.
    contexts = _contexts(conn, incident, as_of, [row.customer_id for row in eligible])
    members = tuple(
        _member(row.customer_id, row.first_exposed_at, incident, contexts.get(row.customer_id)) for row in eligible
    )
    audience = Audience(
        affected=len(rows), members=members, excluded={reason: excluded.get(reason, 0) for reason in EXCLUSION_REASONS}
    )
    log.info("audience of %s: %s", campaign_id, audience.summary())
    return audience


def _fresh_since(incident: Incident, as_of: datetime, settings: OutreachSettings) -> datetime:
    """The earliest exposure still emailed: a customer is too late once both their exposure and the incident's
    detection are more than ``max_exposure_age_hours`` old.

    The frequency cap holds a customer emailed about another incident for days; in the 30-day hourly replay
    such customers were emailed about a search outage three to six days after it ended (and each late batch
    past the standing approval's expiry asked a person again). An email that late tells them nothing they
    could act on before writing in.
    """
    if settings.max_exposure_age_hours <= 0:
        return _BEGINNING
    fresh_since = as_of - timedelta(hours=settings.max_exposure_age_hours)
    return fresh_since if incident.detected_at < fresh_since else _BEGINNING


def _contexts(conn: Connection, incident: Incident, as_of: datetime, customer_ids: list[str]) -> dict[str, tuple]:
    if not customer_ids:
        return {}
    if incident.signature_id:
        name = "audience_select_context_signature"
        params = {"incident_id": incident.incident_id, "signature_id": incident.signature_id, "as_of": as_of}
    elif incident.platform and incident.app_version:
        name = "audience_select_context_release"
        params = {
            "incident_id": incident.incident_id,
            "platform": incident.platform,
            "app_version": incident.app_version,
            "as_of": as_of,
        }
    else:
        return {}
    query = statement(name, conn.dialect.name).bindparams(expanding_texts("customer_ids"))
    contexts = {}
    for begin in range(0, len(customer_ids), CONTEXT_BATCH):
        batch = {**params, "customer_ids": customer_ids[begin:begin + CONTEXT_BATCH]}
        for row in conn.execute(query, batch):
            contexts[row.customer_id] = (row.platform, row.app_version, row.feature, row.error_code)
    return contexts


def _member(customer_id: str, first_exposed_at: datetime, incident: Incident, own: tuple | None) -> AudienceMember:
    # The customer's own event wins; the incident's facts fill what their events do not say. A version is
    # named only when the incident is about one (a release, a crash spike on a build): "Acme 4.34.0 has had
    # a problem with the calendar" told customers of a server-side calendar outage that their version was
    # at fault.
    platform, app_version, feature, error_code = own or (None, None, None, None)
    return AudienceMember(
        customer_id=customer_id,
        first_exposed_at=first_exposed_at,
        platform=platform or incident.platform,
        app_version=(app_version or incident.app_version) if incident.app_version else None,
        feature=feature or incident.feature,
        error_code=error_code or incident.error_code,
    )
