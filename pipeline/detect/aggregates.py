"""Event aggregates computed in the warehouse (SQL), the input of every incident detector.

They hold exactly the events before the as-of of the last refresh, so a backtest at any as-of sees
no later event. A refresh to a later as-of adds only the events since the last one: the hours and
days from the last as-of on are recounted, and per-customer exposure grows by the new events'
counts (a daily run reads one day of events, not all of them). Everything is rebuilt from all
events instead when the aggregates were never built, when the as-of goes back in time (a backtest
of an earlier day), or when an ingest run since the last refresh loaded events into time already
aggregated (late data, or a reloaded interval): ``ingest_runs`` says which, so events written to
the warehouse by anything other than ingest need ``rebuild=True``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine

from sql import statement

log = logging.getLogger(__name__)

_WATERMARK = "events"
_BEGINNING = datetime(1, 1, 1)  # before any event: "since the beginning" for a rebuild


@dataclass(frozen=True)
class AggregatePlan:
    """What a refresh will do: add events since ``since``, or rebuild from all events (``since`` None)."""

    since: datetime | None
    reason: str
    ingest_run_id: int

    @property
    def rebuild(self) -> bool:
        return self.since is None


def refresh_aggregates(engine: Engine, as_of: datetime, *, rebuild: bool = False) -> AggregatePlan:
    """Bring the hourly, daily-per-version (all errors and each signature), per-customer exposure and
    per-customer version aggregates to ``as_of``.

    Args:
        rebuild: recount from all events even when adding the new ones would do.

    Returns the plan it carried out (whether it appended or rebuilt, and why).
    """
    dialect = engine.dialect.name
    with engine.begin() as connection:
        plan = plan_refresh(connection, as_of, rebuild=rebuild)
        if plan.rebuild:
            hour = day = exposure_since = _BEGINNING
            connection.execute(statement("delete_customer_signature_exposure", dialect))
            connection.execute(statement("delete_customer_version_activity", dialect))
        else:
            exposure_since = plan.since
            hour = plan.since.replace(minute=0, second=0, microsecond=0)
            day = hour.replace(hour=0)
        connection.execute(statement("delete_event_hourly", dialect), {"since": hour})
        connection.execute(statement("refresh_event_hourly", dialect), {"since": hour, "until": as_of})
        connection.execute(statement("delete_version_activity_daily", dialect), {"since": day})
        connection.execute(statement("refresh_version_activity_daily", dialect), {"since": day, "until": as_of})
        connection.execute(statement("delete_signature_version_daily", dialect), {"since": day})
        connection.execute(statement("refresh_signature_version_daily", dialect), {"since": day, "until": as_of})
        for name in ("refresh_customer_signature_exposure", "refresh_customer_version_activity"):
            connection.execute(statement(name, dialect), {"since": exposure_since, "until": as_of})
        connection.execute(
            statement("upsert_aggregate_watermark", dialect),
            {
                "name": _WATERMARK,
                "covered_until": as_of,
                "ingest_run_id": plan.ingest_run_id,
                "refreshed_at": datetime.now(UTC).replace(tzinfo=None),
            },
        )
    if plan.rebuild:
        log.info("rebuilt event aggregates up to %s from all events (%s)", as_of, plan.reason)
    else:
        log.info("added events from %s to %s to the event aggregates", plan.since, as_of)
    return plan


def plan_refresh(connection: Connection, as_of: datetime, *, rebuild: bool = False) -> AggregatePlan:
    """Decide whether a refresh to ``as_of`` can add only the new events, and from when."""
    row = connection.execute(statement("select_aggregate_watermark"), {"name": _WATERMARK}).first()
    covered_until, last_run = (row[0], int(row[1])) if row else (None, 0)
    newest_run, late_loads = connection.execute(
        statement("select_event_loads_since"),
        {"after_run_id": last_run, "covered_until": covered_until or _BEGINNING},
    ).one()
    run_id = int(newest_run) if newest_run is not None else last_run
    if rebuild:
        return AggregatePlan(None, "asked to rebuild", run_id)
    if covered_until is None:
        return AggregatePlan(None, "first refresh", run_id)
    if as_of < covered_until:
        return AggregatePlan(None, f"as-of before the last refresh to {covered_until}", run_id)
    if late_loads:
        return AggregatePlan(None, f"{int(late_loads)} ingest run(s) loaded events before {covered_until}", run_id)
    return AggregatePlan(covered_until, "new events only", run_id)
