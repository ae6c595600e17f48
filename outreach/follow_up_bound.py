"""How many customers one approval of an incident's campaign covers in all, its follow-ups included.

A bound grown only from what the person approved (5x, at least 200) asked again each time a large incident
passed it: in a 30-day hourly replay of 10,000 customers, one new-signature incident whose first campaign had
16 customers (634 affected in the end) asked a person five times. When the person is asked, the population at
risk is already known: the customers who can be emailed and used what the incident breaks (its feature,
platform and app version, where it names them; a release regression's platform, as its version is still
rolling out) in the last days. The bound shown to the approver covers
them, so one yes covers the incident as it grows inside its scope, and an incident that grows past it (or
past the send cap) asks again. The audience itself is unchanged: only customers who hit the problem are
emailed; the bound limits how many of them one yes may cover.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from outreach.findings import Incident
from outreach.model import OutreachSettings
from sql import statement


@dataclass(frozen=True)
class FollowUpBound:
    """What the approver is told one yes covers, stored in the campaign's evidence as ``follow_ups``.

    ``customers`` is the most emailed customers (this campaign and its follow-ups together) the approval
    covers; ``at_risk`` how many customers who can be emailed used the incident's ``scope`` lately.
    """

    customers: int
    at_risk: int
    scope: str
    hours: float

    def as_evidence(self) -> dict[str, Any]:
        return {"bound": self.customers, "at_risk": self.at_risk, "scope": self.scope, "hours": self.hours}

    @classmethod
    def from_evidence(cls, evidence: dict[str, Any]) -> FollowUpBound | None:
        """The bound a campaign's approver was shown, or None for a campaign built before bounds were shown."""
        follow_ups = evidence.get("follow_ups")
        if not isinstance(follow_ups, dict):
            return None
        bound = follow_ups.get("bound")
        if not isinstance(bound, (int, float)) or isinstance(bound, bool):
            return None
        return cls(customers=int(bound), at_risk=int(follow_ups.get("at_risk") or 0),
                   scope=str(follow_ups.get("scope") or "in its scope"), hours=float(follow_ups.get("hours") or 0))

    def sentence(self) -> str:
        """One line for the approval request."""
        return (
            f"customers exposed later are emailed under this approval, up to {self.customers:,} in all "
            f"({self.at_risk:,} customers who can be emailed {self.scope}), while it keeps going "
            f"(each follow-up within {self.hours:g} h of the last)"
        )


def growth_bound(settings: OutreachSettings, treated: int) -> int:
    """The bound from what was approved alone: ``standing_approval_growth`` times it, at least the minimum."""
    return min(
        settings.send_cap_per_campaign,
        max(math.ceil(settings.standing_approval_growth * treated), settings.standing_approval_min_customers),
    )


def follow_up_bound(
    conn: Connection, incident: Incident, *, treated: int, as_of: datetime, settings: OutreachSettings
) -> FollowUpBound:
    """The bound a person approves with this campaign: the growth bound, raised to the treated share of the
    customers at risk, never above the send cap."""
    days = settings.standing_approval_at_risk_days
    at_risk = _at_risk(conn, incident, as_of=as_of, days=days) if days > 0 else 0
    expected_treated = math.floor(at_risk * (1.0 - settings.holdout_share))
    customers = min(settings.send_cap_per_campaign, max(growth_bound(settings, treated), expected_treated))
    return FollowUpBound(customers=customers, at_risk=at_risk, scope=_scope_words(incident, days),
                         hours=settings.standing_approval_hours)


def _scope(incident: Incident) -> dict[str, str | None]:
    if incident.kind == "release_regression":
        # A regression is found while its version rolls out: the customers on it then are a few of those
        # who will be (in the 30-day replay the bound from them asked a person four times); the platform's
        # customers are who the release reaches, whatever feature its symptoms are in.
        return {"feature": None, "platform": incident.platform, "app_version": None}
    return {"feature": incident.feature, "platform": incident.platform, "app_version": incident.app_version}


def _at_risk(conn: Connection, incident: Incident, *, as_of: datetime, days: float) -> int:
    row = conn.execute(
        statement("campaign_count_at_risk", conn.dialect.name),
        {"since": as_of - timedelta(days=days), "as_of": as_of, **_scope(incident)},
    ).first()
    return int(row.at_risk or 0) if row is not None else 0


def _scope_words(incident: Incident, days: float) -> str:
    scope = _scope(incident)
    where = " ".join(filter(None, [scope["platform"], scope["app_version"]]))
    what = f"used {scope['feature']}" if scope["feature"] else "used the app"
    return f"{what}{f' on {where}' if where else ''} in the last {days:g} days"
