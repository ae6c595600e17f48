"""Late arrivals: rows that reach a source after a load already read their hour.

A bounded load keeps the rows whose time falls in its interval. A row that lands in the source later
(a phone that was offline, an event pipeline that syncs with a delay, an export re-cut) belongs to an
hour an earlier load covered, and every later load counted it outside its own interval: it was never
loaded unless a person reloaded that hour. So each load also counts the source's rows per hour of its
late window (the hours before its interval) and of its own interval, and keeps those counts
(``source_hour_counts``). An hour an earlier load covered that now holds more rows than it did then is
loaded again in the same transaction; the warehouse's keys make that add only the rows it lacks
(events are insert-only, tickets upserted). Only whole hours a load covered are counted, so a row
before the first load's start is never taken for a late one.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from pipeline import records
from pipeline.sources import is_database_url
from sql import statement

LATE_WINDOW_ENV = "FOREWARN_LATE_WINDOW_HOURS"
# Two days: a phone offline over a weekend day, or a pipeline that re-exports yesterday, still lands.
# Counting the window costs a group-by over rows the load reads anyway, and a second read of the source
# happens only in a run that found late rows.
DEFAULT_LATE_WINDOW = timedelta(hours=48)
HOUR = timedelta(hours=1)


class LateWindowError(ValueError):
    """``FOREWARN_LATE_WINDOW_HOURS`` is not a number of hours."""


def late_window_from_env() -> timedelta:
    """``FOREWARN_LATE_WINDOW_HOURS`` (default 48; 0 turns late loading off).

    Raises:
        LateWindowError: the variable is not a number of hours of zero or more.
    """
    raw = os.environ.get(LATE_WINDOW_ENV, "").strip()
    if not raw:
        return DEFAULT_LATE_WINDOW
    try:
        hours = float(raw)
    except ValueError:
        hours = -1.0
    if not hours >= 0:
        raise LateWindowError(f"{LATE_WINDOW_ENV}={raw!r} is not a number of hours: set it to e.g. 48, or 0 to turn late loading off")
    return timedelta(hours=hours)


def _floor_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _ceil_hour(moment: datetime) -> datetime:
    floored = _floor_hour(moment)
    return floored if floored == moment else floored + HOUR


@dataclass
class HourTally:
    """The source's rows per hour over a load's late window and its own interval.

    ``covered_from`` / ``covered_until`` bound the whole hours the load's interval covers (None: open, the
    hours of the rows seen); ``window_from`` is the first hour of the late window (None: no window).
    """

    covered_from: datetime | None
    covered_until: datetime | None
    window_from: datetime | None
    counts: Counter[datetime] = field(default_factory=Counter)

    @classmethod
    def for_interval(cls, start: datetime | None, end: datetime | None, window: timedelta) -> HourTally:
        covered_from = None if start is None else _ceil_hour(start)
        window_from = None if start is None or window <= timedelta(0) else _floor_hour(start - window)
        return cls(covered_from, None if end is None else _floor_hour(end), window_from)

    def add(self, times: pd.Series) -> None:
        """Count rows by hour (a row without a readable time belongs to no hour)."""
        known = times.dropna()
        first = self.window_from or self.covered_from
        if first is not None:
            known = known[known >= first]
        if self.covered_until is not None:
            known = known[known < self.covered_until]
        if known.empty:
            return
        for hour, rows in known.dt.floor("h").value_counts().items():
            self.counts[hour.to_pydatetime()] += int(rows)

    def covered_hours(self) -> list[datetime]:
        """The whole hours of the load's interval, empty ones included (a row may still arrive in them)."""
        inside = [h for h in self.counts if self.covered_from is None or h >= self.covered_from]
        first = self.covered_from if self.covered_from is not None else min(inside, default=None)
        last = self.covered_until if self.covered_until is not None else (max(inside) + HOUR if inside else None)
        if first is None or last is None:
            return []
        return list(pd.date_range(first, last, freq="h", inclusive="left").to_pydatetime())


def source_digest(source: str) -> str:
    """A folder by its absolute path (``src``, ``./src/`` and ``/abs/src`` are one source: a load typed
    another way found no counts and missed the late rows), a database by its URL."""
    name = source if is_database_url(source) else str(Path(source).expanduser().resolve())
    return hashlib.sha256(name.encode("utf-8")).hexdigest()


def grown_hours(connection: Connection, source: str, table: str, tally: HourTally) -> list[datetime]:
    """Hours of the late window an earlier load covered and that now hold more rows than it saw."""
    if tally.window_from is None or tally.covered_from is None:
        return []
    stored = connection.execute(
        statement("select_source_hour_counts"),
        {"source_digest": source_digest(source), "table_name": table, "since": tally.window_from, "until": tally.covered_from},
    ).all()
    return sorted(hour for hour, rows in stored if tally.counts.get(_as_datetime(hour), 0) > int(rows))


def store_counts(
    connection: Connection, source: str, table: str, tally: HourTally, hours: list[datetime], counted_at: datetime
) -> None:
    """Keep how many rows the source held in ``hours`` as of this load."""
    records.execute_rows(
        connection,
        "upsert_source_hour_count",
        records.BindRows(
            {
                "source_digest": source_digest(source),
                "table_name": table,
                "hour": np.array(hours, dtype="datetime64[us]"),
                "rows": [tally.counts.get(hour, 0) for hour in hours],
                "counted_at": counted_at,
            },
            len(hours),
        ),
    )


def _as_datetime(value: object) -> datetime:
    # SQLite hands DateTime columns back as datetime through SQLAlchemy's type, PostgreSQL too; a text
    # form is read as ISO 8601.
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
