"""The human gate: the auto-approval policy, and approve / reject / cancel / expire with clear errors.

Transitions (anything else is an ``InvalidTransition``)::

    needs_workaround  -> rejected
    pending_approval  -> approved | rejected | cancelled | expired
    approved, sending -> cancelled          (mid-send: rows still queued stay unsent)
    expired           -> pending_approval   (a person reopens it: asked again, never sent by itself)

``approved -> sending -> sent`` belongs to delivery. ``expired`` never leads to sending by itself.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine

from outreach.campaign_store import (
    CampaignDetail,
    CampaignNotFound,
    CampaignRow,
    list_campaigns,
    read_campaign_row,
    show_campaign,
)
from outreach.model import OutreachSettings
from sql import statement

log = logging.getLogger(__name__)

__all__ = [
    "CampaignDetail",
    "CampaignNotFound",
    "CampaignRow",
    "InvalidTransition",
    "approve",
    "cancel",
    "expire",
    "expire_pending",
    "list_campaigns",
    "policy_rule",
    "reject",
    "reopen",
    "show_campaign",
]

_ALLOWED_FROM = {
    "approved": ("pending_approval",),
    "rejected": ("pending_approval", "needs_workaround"),
    "cancelled": ("pending_approval", "approved", "sending"),
    "expired": ("pending_approval",),
    "pending_approval": ("expired",),
}
_VERB = {
    "approved": "approved", "rejected": "rejected", "cancelled": "cancelled", "expired": "expired",
    "pending_approval": "reopened",
}


class InvalidTransition(ValueError):
    """The campaign's status does not allow this decision; the message says why and what to do."""


def policy_rule(settings: OutreachSettings, *, treated: int, severity: float | None) -> str | None:
    """The name of the auto-approval rule that lets a campaign go without a person, or None.

    A campaign is auto-approved only when the policy is on, it carries an approved workaround (the caller
    only asks for such campaigns), at most ``auto_approve_max_audience`` customers would be emailed, and the
    incident's severity is at least ``auto_approve_min_severity``.
    """
    if not settings.auto_approve:
        return None
    if treated > settings.auto_approve_max_audience:
        return None
    if severity is None or severity < settings.auto_approve_min_severity:
        return None
    return f"audience<={settings.auto_approve_max_audience},severity>={settings.auto_approve_min_severity:g}"


def approve(engine: Engine, campaign_id: str, by: str, now: datetime) -> CampaignRow:
    """Approve a pending campaign; its audience is frozen from now on.

    Raises:
        CampaignNotFound: unknown id.
        InvalidTransition: not pending, or its workaround is no longer approved.
    """
    with engine.begin() as conn:
        row = read_campaign_row(conn, campaign_id)
        _check(row.campaign_id, row.status, "approved")
        _check_workaround(conn, row.campaign_id, row.workaround_id)
        changed = conn.execute(
            statement("campaign_update_approved", conn.dialect.name),
            {"campaign_id": campaign_id, "approved_at": now, "approved_by": by, "decided_reason": f"approved by {by}"},
        ).rowcount
        _raise_if_raced(conn, campaign_id, changed, "approved")
    log.info("campaign %s approved by %s", campaign_id, by)
    return _row(engine, campaign_id)


def reject(engine: Engine, campaign_id: str, by: str, now: datetime, reason: str | None = None) -> CampaignRow:
    """Reject a campaign that is waiting (or that needs a workaround): it will never send, nor come back."""
    return _move(engine, campaign_id, "rejected", _reason("rejected", by, now, reason))


def cancel(engine: Engine, campaign_id: str, by: str, now: datetime, reason: str | None = None) -> CampaignRow:
    """Cancel a campaign before or during sending; rows still queued stay unsent."""
    return _move(engine, campaign_id, "cancelled", _reason("cancelled", by, now, reason))


def expire(engine: Engine, campaign_id: str, by: str, now: datetime, reason: str | None = None) -> CampaignRow:
    """Expire a waiting campaign nobody answered (an approval task that timed out): it never sends by itself,
    and unlike a rejection a person can still ``reopen`` it."""
    return _move(engine, campaign_id, "expired", _reason("expired", by, now, reason))


def reopen(engine: Engine, campaign_id: str, by: str, now: datetime) -> CampaignRow:
    """Ask again about a campaign that expired because nobody decided in time.

    It waits for approval once more, its approval clock restarted; the next outreach run rebuilds its
    audience as of then (customers who wrote in or opted out meanwhile drop out) and matches its workaround
    again. A rejected or cancelled campaign stays closed: a person said no.

    Raises:
        CampaignNotFound: unknown id.
        InvalidTransition: not expired.
    """
    with engine.begin() as conn:
        row = read_campaign_row(conn, campaign_id)
        _check(row.campaign_id, row.status, "pending_approval")
        changed = conn.execute(
            statement("campaign_update_reopened", conn.dialect.name),
            {"campaign_id": campaign_id, "now": now,
             "decided_reason": f"reopened by {by} at {now.isoformat()} ({row.decided_reason or 'expired'})"},
        ).rowcount
        _raise_if_raced(conn, campaign_id, changed, "pending_approval")
    log.info("campaign %s reopened by %s", campaign_id, by)
    return _row(engine, campaign_id)


def expire_pending(engine: Engine, now: datetime, timeout_hours: float) -> list[str]:
    """Expire every campaign that waited for approval longer than ``timeout_hours``; returns their ids."""
    cutoff = now - timedelta(hours=timeout_hours)
    expired = []
    with engine.begin() as conn:
        rows = conn.execute(
            statement("campaign_select_pending_created_before", conn.dialect.name), {"cutoff": cutoff}
        ).all()
        for row in rows:
            changed = conn.execute(
                statement("campaign_update_status", conn.dialect.name),
                {
                    "campaign_id": row.campaign_id,
                    "from_status": "pending_approval",
                    "to_status": "expired",
                    "decided_reason": f"no decision within {timeout_hours:g} hours (expired at {now.isoformat()})",
                },
            ).rowcount
            if changed:
                expired.append(row.campaign_id)
    if expired:
        log.info("expired %s campaigns waiting since before %s", len(expired), cutoff.isoformat())
    return expired


def _move(engine: Engine, campaign_id: str, to_status: str, reason: str) -> CampaignRow:
    with engine.begin() as conn:
        row = read_campaign_row(conn, campaign_id)
        _check(row.campaign_id, row.status, to_status)
        changed = conn.execute(
            statement("campaign_update_status", conn.dialect.name),
            {"campaign_id": campaign_id, "from_status": row.status, "to_status": to_status, "decided_reason": reason},
        ).rowcount
        _raise_if_raced(conn, campaign_id, changed, to_status)
    log.info("campaign %s %s", campaign_id, to_status)
    return _row(engine, campaign_id)


def _check(campaign_id: str, status: str, to_status: str) -> None:
    if status in _ALLOWED_FROM[to_status]:
        return
    verb = _VERB[to_status]
    if status == to_status:
        raise InvalidTransition(f"campaign {campaign_id} is {status} already")
    if status == "needs_workaround":
        raise InvalidTransition(
            f"campaign {campaign_id} needs a workaround; it cannot be {verb}. Write one with status: approved, "
            "load it (forewarn outreach --workarounds DIR) and it becomes pending_approval; or reject it"
        )
    if status == "expired":
        raise InvalidTransition(
            f"campaign {campaign_id} is expired (nobody decided in time); it cannot be {verb}. "
            f"forewarn campaigns reopen {campaign_id} asks again, with the audience rebuilt by the next outreach run"
        )
    raise InvalidTransition(f"campaign {campaign_id} is {status}; it cannot be {verb}")


def _check_workaround(conn: Connection, campaign_id: str, workaround_id: str | None) -> None:
    row = None
    if workaround_id:
        row = conn.execute(
            statement("workaround_select_one", conn.dialect.name), {"workaround_id": workaround_id}
        ).first()
    if row is None or row.status != "approved":
        state = "missing" if row is None else row.status
        raise InvalidTransition(
            f"campaign {campaign_id} uses workaround {workaround_id!r}, which is {state} now; "
            "approve the workaround again or reject the campaign"
        )


def _raise_if_raced(conn: Connection, campaign_id: str, changed: int, to_status: str) -> None:
    if changed == 1:
        return
    now_status = read_campaign_row(conn, campaign_id).status
    raise InvalidTransition(
        f"campaign {campaign_id} changed to {now_status} while it was being {_VERB[to_status]}; look at it again"
    )


def _reason(verb: str, by: str, now: datetime, reason: str | None) -> str:
    text = f"{verb} by {by} at {now.isoformat()}"
    return f"{text}: {reason}" if reason else text


def _row(engine: Engine, campaign_id: str) -> CampaignRow:
    return show_campaign(engine, campaign_id).campaign
