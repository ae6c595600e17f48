"""Read SendGrid Event Webhook data into ``email_events``; bounces, spam reports and unsubscribes become suppressions.

Accepts what SendGrid POSTs (one JSON array per request) or a file of JSON lines. Idempotent by
``sg_event_id``: SendGrid retries a POST until it gets a 2xx, so the same event may come many times,
and only its first arrival changes anything. Events are matched to our message, campaign and customer
through the custom_args every message carries (top-level keys of the event).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine

from sql import expanding_texts, statement

log = logging.getLogger(__name__)

KNOWN_EVENTS = frozenset({
    "processed", "deferred", "delivered", "open", "click", "bounce", "dropped", "spamreport",
    "unsubscribe", "group_unsubscribe", "group_resubscribe",
})
SUPPRESSING_EVENTS = frozenset({"bounce", "dropped", "spamreport", "unsubscribe", "group_unsubscribe"})
CHUNK = 500


class EventPayloadError(ValueError):
    """The payload is not SendGrid Event Webhook JSON (an array, or JSON lines)."""


@dataclass(frozen=True)
class IngestCounts:
    """What one ingestion did."""

    received: int = 0
    inserted: int = 0
    duplicates: int = 0
    quarantined: int = 0
    suppressions_added: int = 0
    resubscribed: int = 0
    messages_confirmed: int = 0


@dataclass(frozen=True)
class _Event:
    sg_event_id: str
    event: str
    occurred_at: datetime
    message_id: str | None
    campaign_id: str | None
    customer_id: str | None
    email: str | None
    reason: str | None
    bounce_type: str | None
    sg_message_id: str | None
    raw: str


def parse_events(payload: bytes | str | list) -> list:
    """The list of event objects in ``payload`` (a JSON array, JSON lines of objects or arrays, or a list).

    Raises:
        EventPayloadError: not valid JSON; the message names the line.
    """
    if isinstance(payload, list):
        return payload
    text = payload.decode("utf-8") if isinstance(payload, bytes | bytearray) else str(payload)
    text = text.strip().lstrip("\ufeff")
    if not text:
        return []
    if text.startswith("["):
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise EventPayloadError(f"event payload is not valid JSON: {exc}") from None
        return value if isinstance(value, list) else [value]
    events: list = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as exc:
            raise EventPayloadError(f"line {number} of the event payload is not valid JSON: {exc}") from None
        events.extend(value if isinstance(value, list) else [value])
    return events


def ingest_email_events(
    engine: Engine, payload: bytes | str | list, *, now: datetime, source: str = "email_events"
) -> IngestCounts:
    """Store SendGrid events once each and apply their suppressions.

    Args:
        now: when they were received (naive UTC).
        source: where they came from (file path, "webhook"), recorded with quarantined events.

    Raises:
        EventPayloadError: the payload is not JSON.
    """
    items = parse_events(payload)
    counts = _Tally(received=len(items))
    good: list[_Event] = []
    rejects: list[dict] = []
    for number, item in enumerate(items, start=1):
        event, problem = _normalise(item)
        if event is None:
            rejects.append({"source": source, "row_number": number, "rule": problem, "detail": None,
                            "raw": _dump(item), "loaded_at": now})
        else:
            good.append(event)
    with engine.begin() as conn:
        if rejects:
            conn.execute(statement("email_events_insert_quarantine", conn.dialect.name), rejects)
            counts.quarantined += len(rejects)
        for start in range(0, len(good), CHUNK):
            _ingest_chunk(conn, good[start:start + CHUNK], now, counts)
    result = counts.freeze()
    log.info("email events: %s received, %s new, %s repeats, %s quarantined, %s suppressions added",
             result.received, result.inserted, result.duplicates, result.quarantined, result.suppressions_added)
    return result


class _Tally:
    def __init__(self, received: int) -> None:
        self.received, self.inserted, self.duplicates, self.quarantined = received, 0, 0, 0
        self.suppressions_added, self.resubscribed, self.messages_confirmed = 0, 0, 0

    def freeze(self) -> IngestCounts:
        return IngestCounts(**vars(self))


def _ingest_chunk(conn: Connection, events: list[_Event], now: datetime, counts: _Tally) -> None:
    dialect = conn.dialect.name
    ids = list(dict.fromkeys(e.sg_event_id for e in events))
    known = set(_select(conn, "email_events_select_known_ids", "sg_event_ids", ids))
    fresh: dict[str, _Event] = {}
    for e in events:
        if e.sg_event_id in known or e.sg_event_id in fresh:
            counts.duplicates += 1
        else:
            fresh[e.sg_event_id] = e
    if not fresh:
        return
    new_events = _resolve(conn, list(fresh.values()))
    conn.execute(statement("email_events_insert_event", dialect), [
        {"sg_event_id": e.sg_event_id, "message_id": e.message_id, "campaign_id": e.campaign_id,
         "customer_id": e.customer_id, "event": e.event, "occurred_at": e.occurred_at,
         "reason": e.reason, "raw": e.raw, "received_at": now}
        for e in new_events
    ])
    counts.inserted += len(new_events)
    # Effects in time order, so an unsubscribe then a resubscribe in one payload ends resubscribed.
    for e in sorted(new_events, key=lambda e: e.occurred_at):
        _apply_effects(conn, e, now, counts)


def _apply_effects(conn: Connection, e: _Event, now: datetime, counts: _Tally) -> None:
    dialect = conn.dialect.name
    if e.message_id:
        counts.messages_confirmed += conn.execute(statement("email_events_confirm_message", dialect),
                                                  {"message_id": e.message_id, "occurred_at": e.occurred_at}).rowcount
    if e.event == "group_resubscribe" and e.customer_id:
        counts.resubscribed += conn.execute(statement("email_events_delete_group_unsubscribe", dialect),
                                            {"customer_id": e.customer_id}).rowcount
        return
    if e.event not in SUPPRESSING_EVENTS or (e.event == "bounce" and e.bounce_type == "blocked"):
        return  # a "blocked" bounce is the receiving server refusing us for now, not a bad address
    customer_id = e.customer_id or _email_key(e.email)
    if not customer_id:
        log.warning("event %s (%s) names no customer and no email: no suppression possible", e.sg_event_id, e.event)
        return
    counts.suppressions_added += conn.execute(statement("email_events_insert_suppression", dialect), {
        "customer_id": customer_id, "reason": e.event, "email": e.email, "source": f"sendgrid:{e.sg_event_id}",
        "created_at": now,
    }).rowcount


def _resolve(conn: Connection, events: list[_Event]) -> list[_Event]:
    """Fill in message/campaign/customer for events without custom args (by X-Message-Id, then by email)."""
    by_provider = {}
    provider_ids = list({e.sg_message_id.split(".")[0] for e in events if not e.message_id and e.sg_message_id})
    if provider_ids:
        clause = statement("email_events_select_messages_by_provider_id", conn.dialect.name).bindparams(
            expanding_texts("provider_message_ids"))
        by_provider = {r.provider_message_id: r for r in conn.execute(clause, {"provider_message_ids": provider_ids})}
    emails = list({e.email.lower() for e in events if not e.customer_id and e.email})
    by_email = {}
    if emails:
        clause = statement("email_events_select_customers_by_email", conn.dialect.name).bindparams(
            expanding_texts("emails"))
        by_email = {r.email: r.customer_id for r in conn.execute(clause, {"emails": emails})}
    resolved = []
    for e in events:
        match = by_provider.get(e.sg_message_id.split(".")[0]) if e.sg_message_id and not e.message_id else None
        message_id = e.message_id or (match.message_id if match else None)
        campaign_id = e.campaign_id or (match.campaign_id if match else None)
        customer_id = e.customer_id or (match.customer_id if match else None)
        customer_id = customer_id or (by_email.get(e.email.lower()) if e.email else None)
        resolved.append(_Event(e.sg_event_id, e.event, e.occurred_at, message_id, campaign_id, customer_id,
                               e.email, e.reason, e.bounce_type, e.sg_message_id, e.raw))
    return resolved


def _normalise(item: object) -> tuple[_Event | None, str]:
    """The event, or None and the quarantine rule it breaks."""
    if not isinstance(item, dict):
        return None, "not_an_object"
    name = item.get("event")
    if not isinstance(name, str) or not name.strip():
        return None, "missing_event"
    try:
        occurred_at = datetime.fromtimestamp(float(item["timestamp"]), UTC).replace(tzinfo=None)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        return None, "bad_timestamp"
    raw = _dump(item)
    sg_event_id = _text(item.get("sg_event_id")) or "fw-" + hashlib.sha256(raw.encode()).hexdigest()[:40]
    reason = _text(item.get("reason")) or _text(item.get("response")) or _text(item.get("status"))
    return _Event(
        sg_event_id=sg_event_id[:128],
        event=name.strip().lower()[:32],
        occurred_at=occurred_at,
        message_id=_text(item.get("message_id")),
        campaign_id=_text(item.get("campaign_id")),
        customer_id=_text(item.get("customer_id")),
        email=_text(item.get("email")),
        reason=reason[:2000] if reason else None,
        bounce_type=(_text(item.get("type")) or "").lower() or None,
        sg_message_id=_text(item.get("sg_message_id")),
        raw=raw,
    ), ""


def _select(conn: Connection, name: str, param: str, values: Iterable[str]) -> list[str]:
    values = list(values)
    if not values:
        return []
    clause = statement(name, conn.dialect.name).bindparams(expanding_texts(param))
    return [row[0] for row in conn.execute(clause, {param: values})]


def _email_key(email: str | None) -> str | None:
    """A stable stand-in customer id for an address we do not know (the suppression still matches by email)."""
    if not email:
        return None
    return "email:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:40]


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _dump(item: object) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False, default=str)


def record_unsubscribe(engine: Engine, customer_id: str, *, now: datetime, source: str = "one_click") -> bool:
    """Suppress ``customer_id`` for reason ``unsubscribe`` (one-click link); False when already suppressed."""
    with engine.begin() as conn:
        email = conn.execute(statement("email_events_select_customer_email", conn.dialect.name),
                             {"customer_id": customer_id}).scalar()
        added = conn.execute(statement("email_events_insert_suppression", conn.dialect.name), {
            "customer_id": customer_id, "reason": "unsubscribe", "email": email, "source": source, "created_at": now,
        }).rowcount
    log.info("unsubscribe via %s for customer %s (%s)", source, customer_id, "new" if added else "already suppressed")
    return added == 1
