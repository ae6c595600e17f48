"""How far back a detect run judges alerts: the hourly runs' window, or a week on a warehouse's first run."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import Engine

from pipeline.detect.settings import DetectSettings
from sql import statement

# A first run on a warehouse just loaded (by hand, or the DAG's history run): the hourly runs' 48 h missed
# a spike of the week before (stops 45 and 46); a week is the report's default period.
FIRST_LOOKBACK_HOURS = 168


def first_run_lookback(engine: Engine, as_of: datetime, hourly: int) -> int:
    """``hourly``, or a week when no detect run before ``as_of`` left a trace (pain point history, incidents)."""
    with engine.connect() as connection:
        earlier = connection.execute(statement("detect_count_earlier_runs"), {"as_of": as_of}).scalar_one()
    return hourly if earlier else max(hourly, FIRST_LOOKBACK_HOURS)


def with_first_run_lookback(engine: Engine, as_of: datetime, settings: DetectSettings) -> DetectSettings:
    """``settings`` with the incident lookback widened to a week when this is the warehouse's first run."""
    hours = first_run_lookback(engine, as_of, settings.incident_lookback_hours)
    return settings if hours == settings.incident_lookback_hours else replace(settings, incident_lookback_hours=hours)
