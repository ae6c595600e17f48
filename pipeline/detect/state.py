"""Detector state saved in the warehouse per as-of, so reruns start from the same memory."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from sql import statement


def load_state(connection: Connection, name: str, as_of: datetime) -> dict[str, Any] | None:
    """The newest state of ``name`` saved strictly before ``as_of``, or None."""
    raw = connection.execute(statement("select_detector_state"), {"name": name, "as_of": as_of}).scalar()
    return json.loads(raw) if raw else None


def save_state(connection: Connection, name: str, as_of: datetime, state: dict[str, Any], keep_days: int) -> None:
    """Save ``state`` for ``as_of`` and drop states older than ``keep_days`` before it."""
    connection.execute(statement("upsert_detector_state"), {"name": name, "as_of": as_of, "state": json.dumps(state)})
    connection.execute(statement("delete_old_detector_state"), {"name": name, "before": as_of - timedelta(days=keep_days)})
