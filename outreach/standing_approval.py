"""A person's approval that stands for an incident's follow-ups, and a workaround's own pre-approval.

An incident keeps exposing customers after its first campaign was approved. Asking again for every batch
made each follow-up wait hours for a person (in one replay, 20 campaigns in 27 hours), while the
customers it was meant for wrote in. A follow-up therefore goes out under the approval of the latest
campaign a person (or the policy) approved for the same incident, within what that person saw:

* the same workaround, unchanged since (its content hash is in the approved campaign's evidence);
* while the incident keeps going: within ``standing_approval_hours`` of that approval or of the latest
  follow-up it covered (a rolling window, so a regression that exposes customers for a week is asked about
  once, and an incident that went quiet for that long and came back is asked about again);
* no campaign of the incident cancelled or rejected since;
* the incident's emailed customers, this batch included, within the bound the approver was shown
  (``outreach.follow_up_bound``: the customers at risk in the incident's scope, at least
  ``standing_approval_growth`` times what was approved and ``standing_approval_min_customers``, never above
  the send cap).

Anything else (a new incident, another or edited workaround, an audience past the bound, an expired
approval) asks a person again. The kill switch and cancellation still stop sending as always.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from outreach.follow_up_bound import FollowUpBound, growth_bound
from outreach.model import OutreachSettings
from outreach.workaround_matching import WorkaroundMatch
from sql import statement

STANDING_PREFIX = "standing:"
_DECIDED = ("approved", "sending", "sent")
_REFUSED = ("cancelled", "rejected")


@dataclass(frozen=True)
class Grant:
    """Who (which rule) approved a campaign without a person being asked, and why."""

    approved_by: str
    reason: str


def standing_grant(
    conn: Connection, incident_id: str, *, match: WorkaroundMatch, treated: int, as_of: datetime,
    settings: OutreachSettings,
) -> Grant | None:
    """The standing approval that covers a follow-up of ``incident_id`` emailing ``treated`` customers, or None."""
    rows = conn.execute(statement("campaign_select_decisions_by_incident"), {"incident_id": incident_id}).all()
    anchor = _latest_decision(rows)
    if anchor is None or anchor.workaround_id != match.workaround.workaround_id:
        return None
    evidence = _evidence(anchor)
    workaround = evidence.get("workaround") if isinstance(evidence.get("workaround"), dict) else {}
    if workaround.get("content_hash") != match.workaround.content_hash:
        return None  # the workaround was edited after the person read it
    expires = _last_covered(rows, anchor) + timedelta(hours=settings.standing_approval_hours)
    if as_of > expires:
        return None
    if any(r.status in _REFUSED and r.created_at >= anchor.created_at for r in rows):
        return None
    shown = FollowUpBound.from_evidence(evidence)
    # Approved before the bound was shown: what it would have been from the audience alone.
    bound = shown.customers if shown is not None else growth_bound(
        settings, int(anchor.audience_size or 0) - int(anchor.holdout_size or 0)
    )
    emailed = sum(
        int(r.audience_size or 0) - int(r.holdout_size or 0)
        for r in rows
        if r.status in _DECIDED and r.created_at >= anchor.created_at
    )
    if emailed + treated > bound:
        return None
    return Grant(
        approved_by=f"{STANDING_PREFIX}{anchor.campaign_id}",
        reason=(
            f"follow-up within the approval of {anchor.campaign_id} by {anchor.approved_by}: same workaround, "
            f"{emailed + treated} of at most {bound} customers, until {expires.isoformat(sep=' ')}"
        ),
    )


def pre_approval(match: WorkaroundMatch, *, treated: int) -> Grant | None:
    """The workaround's own pre-approval when it covers ``treated`` customers, or None."""
    bound = match.workaround.pre_approved_max_audience
    if bound is None or treated > bound:
        return None
    return Grant(
        approved_by=f"workaround:{match.workaround.workaround_id}",
        reason=f"pre-approved in workaround {match.workaround.workaround_id} for up to {bound} customers",
    )


def _latest_decision(rows: list[Any]) -> Any | None:
    """The latest campaign approved by a person or a policy (not itself standing on another approval)."""
    decided = [
        r for r in rows
        if r.status in _DECIDED and r.approved_at is not None and not str(r.approved_by or "").startswith(STANDING_PREFIX)
    ]
    return max(decided, key=lambda r: (r.approved_at, r.campaign_id), default=None)


def _last_covered(rows: list[Any], anchor: Any) -> datetime:
    """When the anchor's approval last let a campaign go: its own approval or its latest follow-up's."""
    standing = f"{STANDING_PREFIX}{anchor.campaign_id}"
    covered = [r.approved_at for r in rows if r.approved_by == standing and r.status in _DECIDED and r.approved_at]
    return max([anchor.approved_at, *covered])


def _evidence(row: Any) -> dict[str, Any]:
    try:
        evidence = json.loads(row.evidence or "{}")
    except ValueError:
        return {}
    return evidence if isinstance(evidence, dict) else {}
