"""The send ledger: each ``outreach_messages`` row moves queued → sending → sent | failed | unknown.

At most once, whatever happens: a message is claimed by a conditional UPDATE (``status = 'queued'``)
that is committed before any provider call, and the provider's answer is recorded afterwards in a
transaction of its own. A run that dies in between leaves the row in ``sending``;
:func:`reconcile_stale` later decides it from the provider's events (``sent``) or hands it to a
person (``unknown``). Nothing is ever put back to ``queued`` unless it certainly was not handed over.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine

from sql import expanding_texts, statement

log = logging.getLogger(__name__)

SENDABLE_CAMPAIGN_STATUSES = ("approved", "sending")
# Statuses that count against the send cap: anything that may have reached the provider.
COUNTED_STATUSES = ("sending", "sent", "unknown")


@dataclass(frozen=True)
class CampaignRow:
    """The campaign as a send run sees it."""

    campaign_id: str
    status: str
    send_cap: int | None
    evidence: str | None
    workaround_id: str | None
    workaround_title: str | None
    workaround_markdown: str | None
    workaround_status: str | None
    incident_status: str | None
    workaround_language: str | None = None
    workaround_translations: str | None = None  # JSON, see outreach.workaround_lint


@dataclass(frozen=True)
class Claim:
    """What one claim transaction did."""

    claimed: dict[str, int] = field(default_factory=dict)  # message_id -> attempts so far
    skipped: dict[str, str] = field(default_factory=dict)  # message_id -> reason
    blocked_status: str | None = None  # the campaign's status when it is no longer sendable
    cap_reached: bool = False
    exhausted: bool = False  # nothing queued is left after the cursor
    last_message_id: str = ""  # the cursor for the next claim


@dataclass(frozen=True)
class Outcome:
    """The end of one claimed message's attempt: ``sent``, ``failed``, ``unknown`` or ``released``."""

    message_id: str
    status: str
    error: str | None = None
    provider_message_id: str | None = None
    sent_at: datetime | None = None
    language: str | None = None  # what the rendered message was written in, and why
    language_reason: str | None = None


@dataclass(frozen=True)
class ReconcileSummary:
    """How many stale or unknown messages reconciliation settled."""

    sent: int
    unknown: int


def _run(conn: Connection, name: str, params: dict | list[dict] | None = None, *, expanding: str | None = None):
    clause = statement(name, conn.dialect.name)
    if expanding:
        clause = clause.bindparams(expanding_texts(expanding))
    return conn.execute(clause, params or {})


def load_campaign(engine: Engine, campaign_id: str) -> CampaignRow | None:
    """The campaign with its workaround, or None when no such campaign exists."""
    with engine.connect() as conn:
        row = _run(conn, "ledger_select_campaign", {"campaign_id": campaign_id}).mappings().first()
    return CampaignRow(**row) if row else None


def claim_batch(
    engine: Engine, campaign_id: str, *, claimed_at: datetime, limit: int, default_cap: int, after: str = ""
) -> Claim:
    """In one transaction: lock the campaign, skip messages that may no longer be sent, claim up to ``limit``.

    The campaign lock serialises claimers, so the cap (``campaigns.send_cap``, else ``default_cap``)
    counts every message another run has claimed too. ``after`` is a message_id cursor: only queued
    messages after it are looked at ("" = from the start).
    """
    with engine.begin() as conn:
        if _run(conn, "ledger_lock_campaign", {"campaign_id": campaign_id}).rowcount != 1:
            return Claim(blocked_status=_campaign_status(conn, campaign_id) or "missing")
        counts = _status_counts(conn, campaign_id)
        cap_row = _run(conn, "ledger_select_campaign", {"campaign_id": campaign_id}).mappings().one()
        cap = cap_row["send_cap"] if cap_row["send_cap"] is not None else default_cap
        room = max(0, cap - sum(counts.get(s, 0) for s in COUNTED_STATUSES))
        candidates = _run(conn, "ledger_select_candidates",
                          {"campaign_id": campaign_id, "after": after, "limit": limit,
                           "claimed_at": claimed_at}).all()
        if not candidates:
            return Claim(exhausted=True)
        skipped = {row.message_id: row.skip_reason for row in candidates if row.skip_reason}
        if skipped:
            _run(conn, "ledger_skip_message", [
                {"message_id": mid, "reason": reason, "claimed_at": claimed_at} for mid, reason in skipped.items()
            ])
        sendable = [row.message_id for row in candidates if not row.skip_reason][:room]
        claimed: dict[str, int] = {}
        if sendable:
            rows = _run(conn, "ledger_claim_messages",
                        {"campaign_id": campaign_id, "message_ids": sendable, "claimed_at": claimed_at},
                        expanding="message_ids").all()
            claimed = {row.message_id: row.attempts for row in rows}
        cap_reached = room == 0 and len(candidates) > len(skipped)
        return Claim(claimed=claimed, skipped=skipped, cap_reached=cap_reached,
                     last_message_id=candidates[-1].message_id)


def _campaign_status(conn: Connection, campaign_id: str) -> str | None:
    row = _run(conn, "ledger_select_campaign", {"campaign_id": campaign_id}).mappings().first()
    return row["status"] if row else None


def _status_counts(conn: Connection, campaign_id: str) -> dict[str, int]:
    return {row.status: row.messages for row in _run(conn, "ledger_count_messages", {"campaign_id": campaign_id})}


def status_counts(engine: Engine, campaign_id: str) -> dict[str, int]:
    """How many of the campaign's messages are in each status."""
    with engine.connect() as conn:
        return _status_counts(conn, campaign_id)


def load_message_rows(engine: Engine, message_ids: Iterable[str]) -> list:
    """The claimed rows joined with their customers (for rendering); order not guaranteed."""
    ids = list(message_ids)
    if not ids:
        return []
    with engine.connect() as conn:
        return _run(conn, "ledger_select_message_contexts", {"message_ids": ids}, expanding="message_ids").all()


def record_outcomes(engine: Engine, outcomes: Iterable[Outcome]) -> None:
    """Write the provider's answers for a batch in one transaction (each row only if still ``sending``)."""
    outcomes = list(outcomes)
    by_status: dict[str, list[dict]] = {"sent": [], "failed": [], "unknown": [], "released": []}
    for o in outcomes:
        if o.status == "sent":
            by_status["sent"].append(
                {"message_id": o.message_id, "sent_at": o.sent_at, "provider_message_id": o.provider_message_id}
            )
        else:
            by_status[o.status].append({"message_id": o.message_id, "error": (o.error or "")[:2000]})
    names = {"sent": "ledger_mark_sent", "failed": "ledger_mark_failed", "unknown": "ledger_mark_unknown",
             "released": "ledger_release_message"}
    languages = [
        {"message_id": o.message_id, "language": o.language, "language_reason": o.language_reason}
        for o in outcomes if o.language
    ]
    with engine.begin() as conn:
        for status, params in by_status.items():
            if params:
                _run(conn, names[status], params)
        if languages:
            _run(conn, "message_update_language", languages)


def finish_campaign(engine: Engine, campaign_id: str) -> bool:
    """Mark a ``sending`` campaign ``sent`` when nothing of it is queued; True when it changed."""
    with engine.begin() as conn:
        return _run(conn, "ledger_finish_campaign", {"campaign_id": campaign_id}).rowcount == 1


def reconcile_stale(engine: Engine, now: datetime, stale_after_minutes: float = 30.0) -> ReconcileSummary:
    """Settle messages a dead run left in ``sending`` (claimed more than ``stale_after_minutes`` ago).

    A message SendGrid reported any event for (``email_events`` matched by the custom_args message id)
    becomes ``sent``, as does an ``unknown`` one with events; the rest of the stale ones become
    ``unknown`` for a person to check. Never ``queued`` again: they may have been sent.
    """
    stale_before = now - timedelta(minutes=stale_after_minutes)
    with engine.begin() as conn:
        sent = _run(conn, "ledger_reconcile_sent", {"stale_before": stale_before}).rowcount
        unknown = _run(conn, "ledger_reconcile_unknown", {"stale_before": stale_before}).rowcount
    if sent or unknown:
        log.warning("reconciled interrupted sends: %s sent (provider events), %s unknown (need a person)",
                    sent, unknown)
    return ReconcileSummary(sent=max(sent, 0), unknown=max(unknown, 0))
