"""How often the loop runs: the ingest schedule, read once at parse time from Airflow's configuration.

One setting, ``[forewarn] ingest_interval`` in ``airflow.cfg`` or the environment variable
``AIRFLOW__FOREWARN__INGEST_INTERVAL``: ``hourly`` (the default), ``daily``, or a five-field cron
expression. Airflow's configuration is files and environment only, so reading it while a DAG file is
parsed touches no database. Detect and outreach follow ingest through assets; measure and report keep
their own daily schedules.
"""

from __future__ import annotations

from airflow.configuration import conf
from airflow.sdk import CronDataIntervalTimetable

SECTION, KEY = "forewarn", "ingest_interval"
ENV_VAR = "AIRFLOW__FOREWARN__INGEST_INTERVAL"
DEFAULT_INTERVAL = "hourly"
NAMED_CRONS = {"hourly": "0 * * * *", "daily": "0 0 * * *"}


def ingest_cron(value: str | None = None) -> str:
    """The cron expression of the ingest interval named by ``value`` (default: the configured one).

    Raises:
        ValueError: the setting is neither a known name nor a five-field cron expression.
    """
    raw = value if value is not None else conf.get(SECTION, KEY, fallback=DEFAULT_INTERVAL)
    setting = (raw or DEFAULT_INTERVAL).strip().lower()
    if setting in NAMED_CRONS:
        return NAMED_CRONS[setting]
    if len(setting.split()) == 5:
        return setting
    raise ValueError(
        f"[{SECTION}] {KEY} (or {ENV_VAR}) is {raw!r}: use 'hourly', 'daily' or a five-field cron expression"
    )


def ingest_timetable() -> CronDataIntervalTimetable:
    """The ingest DAG's timetable: one data interval per tick of the configured cadence, in UTC."""
    return CronDataIntervalTimetable(ingest_cron(), timezone="UTC")
