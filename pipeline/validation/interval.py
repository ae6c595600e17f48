"""The interval gate: after a load, check the interval as a whole before anything downstream runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from pipeline.contract import TABLES
from pipeline.validation.gate import GateFailure, ValidationSettings
from sql import statement


@dataclass(frozen=True)
class IntervalCheck:
    """What the interval gate saw, per table: rows in the interval, loaded, quarantined; of those, the
    untimed quarantined rows (no readable time, filed again by every load of their file) and the rows the
    gate judged without them, with how many of those were quarantined."""

    tables: dict[str, dict[str, int]]


def check_interval(
    engine: Engine, start: datetime | None, end: datetime | None, settings: ValidationSettings
) -> IntervalCheck:
    """Verify that every table was loaded for [start, end), under the bad-row limit and fresh enough.

    Raises:
        GateFailure: a table has no load for the interval, too many bad rows, or stale data.
    """
    with engine.connect() as connection:
        rows = connection.execute(
            statement("select_ingest_runs_for_interval"), {"interval_start": start, "interval_end": end}
        ).mappings().all()
    runs = {row["table_name"]: row for row in rows}
    missing = [table.name for table in TABLES if table.name not in runs]
    if missing:
        raise GateFailure(
            f"no load recorded for {', '.join(missing)} in interval [{start}, {end}); run the ingest first"
        )
    seen: dict[str, dict[str, int]] = {}
    for name, run in runs.items():
        untimed = int(run["rows_untimed_quarantined"] or 0)
        considered, share = settings.bad_row_share(run["rows_in_interval"], run["rows_quarantined"], untimed)
        seen[name] = {
            "in_interval": int(run["rows_in_interval"]),
            "loaded": int(run["rows_loaded"]),
            "quarantined": int(run["rows_quarantined"]),
            "untimed_quarantined": untimed,
            "judged": int(considered),
            "judged_quarantined": int(run["rows_quarantined"]) - untimed,
        }
        if share is not None and share > settings.max_bad_row_share:
            raise GateFailure(
                f"{name}: {seen[name]['judged_quarantined']} of {considered} rows quarantined in [{start}, {end}), above "
                f"{settings.max_bad_row_share:.0%}; see the quarantine table"
            )
    if settings.freshness_hours > 0 and end is not None:
        horizon = end - timedelta(hours=settings.freshness_hours)
        for table in TABLES:
            newest = runs[table.name]["max_timestamp"]
            if table.time_column and (newest is None or newest < horizon):
                raise GateFailure(
                    f"{table.name}: newest {table.time_column} is {newest or 'none'}, older than {horizon} "
                    f"(interval end minus FOREWARN_FRESHNESS_HOURS={settings.freshness_hours:g}); the source looks stale"
                )
    return IntervalCheck(tables=seen)
