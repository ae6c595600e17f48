"""Glue shared by the Forewarn DAGs: assets, default arguments, and turning Airflow things into plain values.

Only light imports here: DAG files import this module at parse time.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Asset

OWNER = "forewarn"
TAGS = ["forewarn"]
START_DATE = pendulum.datetime(2026, 1, 1, tz="UTC")

# The chain ingest -> detect -> outreach: each DAG publishes an asset that schedules the next.
INGESTED = Asset("forewarn_ingested", uri="forewarn://warehouse/ingested")
DETECTED = Asset("forewarn_detected", uri="forewarn://warehouse/detected")
OUTREACH_DONE = Asset("forewarn_outreach_done", uri="forewarn://warehouse/outreach")

DEFAULT_ARGS = {
    "owner": OWNER,
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
}
