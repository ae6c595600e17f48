"""Simulate what SendGrid's Event Webhook would post for the messages Forewarn sent (demo and tests).

The events follow the Event Webhook's JSON shape (``email``, ``timestamp``, ``event``, ``sg_event_id``,
``sg_message_id``, custom args at the top level) and go through the real ingestion path. Outcomes are
drawn from a seeded hash of the message id, so a rerun produces the same events with the same ids.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from sql import statement

# Shares per sent message, roughly what a proactive support email sees.
BOUNCE = 0.015
OPEN = 0.55
CLICK = 0.22
UNSUBSCRIBE = 0.01
SPAM = 0.002


def _draw(message_id: str, what: str, seed: int) -> float:
    digest = hashlib.sha256(f"{seed}:{message_id}:{what}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _event(row, event: str, minutes: float, seed: int) -> dict[str, object]:  # noqa: ANN001 - a SQL row
    sent_at = row.sent_at if isinstance(row.sent_at, datetime) else datetime.fromisoformat(str(row.sent_at))
    when = sent_at.replace(tzinfo=UTC) + timedelta(minutes=minutes)
    payload: dict[str, object] = {
        "email": row.email,
        "timestamp": int(when.timestamp()),
        "event": event,
        "sg_event_id": hashlib.sha1(f"{seed}:{row.message_id}:{event}".encode()).hexdigest()[:22],
        "sg_message_id": f"{row.provider_message_id or row.message_id}.filter0001",
        "message_id": row.message_id,
        "campaign_id": row.campaign_id,
        "customer_id": row.customer_id,
    }
    if event == "bounce":
        payload.update(type="bounce", reason="550 5.1.1 The email account that you tried to reach does not exist")
    if event == "click":
        payload["url"] = "https://support.forewarn.example/workaround"
    return payload


def simulate_email_events(engine: Engine, out_file: Path, *, seed: int = 7) -> int:
    """Write the webhook events of every sent message to ``out_file`` (JSON array); return the count."""
    with engine.connect() as connection:
        rows = connection.execute(statement("select_sent_messages_for_events")).all()
    events: list[dict[str, object]] = []
    for row in rows:
        events.append(_event(row, "processed", 0.1, seed))
        if _draw(row.message_id, "bounce", seed) < BOUNCE:
            events.append(_event(row, "bounce", 1, seed))
            continue
        events.append(_event(row, "delivered", 0.5, seed))
        if _draw(row.message_id, "spam", seed) < SPAM:
            events.append(_event(row, "spamreport", 90, seed))
            continue
        if _draw(row.message_id, "open", seed) < OPEN:
            events.append(_event(row, "open", 30 + 600 * _draw(row.message_id, "open-time", seed), seed))
            if _draw(row.message_id, "click", seed) < CLICK / OPEN:
                events.append(_event(row, "click", 700, seed))
            if _draw(row.message_id, "unsubscribe", seed) < UNSUBSCRIBE / OPEN:
                events.append(_event(row, "unsubscribe", 720, seed))
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(json.dumps(events), encoding="utf-8")
    return len(events)
