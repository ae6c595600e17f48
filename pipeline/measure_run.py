"""The measure loop's steps: ingest dropped SendGrid event files, settle crashed sends, expire approvals."""

from __future__ import annotations

import logging
import shutil
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from outreach.approval import expire_pending
from outreach.ledger import reconcile_stale
from outreach.model import OutreachSettings
from outreach.webhook import ingest_email_events

log = logging.getLogger(__name__)


def ingest_event_folder(engine: Engine, folder: str | None, *, now: datetime) -> dict[str, int]:
    """Ingest every ``*.json``/``*.jsonl`` file in ``folder`` and move it to ``folder/done/``.

    Events are idempotent by ``sg_event_id``, so a file ingested twice (a crash before the move) is harmless.
    """
    totals = {"files": 0, "events": 0}
    if not folder:
        return totals
    directory = Path(folder)
    if not directory.is_dir():
        log.info("no email-event folder at %s", directory)
        return totals
    done = directory / "done"
    for path in sorted([*directory.glob("*.json"), *directory.glob("*.jsonl")]):
        counts = ingest_email_events(engine, path.read_bytes(), now=now, source=str(path))
        done.mkdir(exist_ok=True)
        shutil.move(str(path), done / path.name)
        totals["files"] += 1
        totals["events"] += int(getattr(counts, "received", 0))
    return totals


def reconcile_and_expire(engine: Engine, now: datetime, settings: OutreachSettings) -> dict[str, int]:
    """Settle messages left in ``sending`` and expire approvals that timed out."""
    reconciled = reconcile_stale(engine, now)
    expired = expire_pending(engine, now, settings.approval_timeout_hours)
    return {"expired": len(expired), **{k: int(v) for k, v in vars(reconciled).items() if isinstance(v, int)}}
