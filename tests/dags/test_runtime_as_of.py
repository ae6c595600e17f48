"""Which as-of a task works on: conf first, else every as-of its triggering asset events carry, oldest
first, else its data interval. (The scheduler path itself: tests/integration/test_local_scheduler.py.)"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pendulum
import pytest
from forewarn_tasks.runtime import as_of_from_context, as_ofs_from_context

DAGS_DIR = Path(__file__).resolve().parents[2] / "dags"


def _event(extra: dict) -> SimpleNamespace:
    return SimpleNamespace(extra=extra)


def test_the_as_of_on_the_ingest_event_wins_over_the_time_the_run_was_triggered() -> None:
    context = {
        "dag_run": SimpleNamespace(conf={}, run_after=pendulum.datetime(2026, 12, 2, 21, 30, tz="UTC")),
        "triggering_asset_events": {"forewarn_ingested": [_event({"as_of": "2026-02-21T00:00:00"})]},
    }
    assert as_of_from_context(context) == datetime(2026, 2, 21)


def test_events_folded_into_one_run_give_every_as_of_oldest_first_once() -> None:
    events = [_event({"as_of": "2026-02-21T02:00:00"}), _event({"as_of": "2026-02-21T01:00:00"}),
              _event({"as_of": "2026-02-21T03:00:00", "as_ofs": ["2026-02-21T02:00:00", "2026-02-21T03:00:00"]})]
    context = {"dag_run": SimpleNamespace(conf=None), "triggering_asset_events": {"a": events}}
    assert as_ofs_from_context(context) == [datetime(2026, 2, 21, h) for h in (1, 2, 3)]
    assert as_of_from_context(context) == datetime(2026, 2, 21, 3)


def test_conf_overrides_and_offsets_are_converted_to_utc() -> None:
    context = {"dag_run": SimpleNamespace(conf={"as_of": "2026-02-21T02:00:00+02:00"}),
               "triggering_asset_events": {"a": [_event({"as_of": "2026-03-01T00:00:00"})]}}
    assert as_ofs_from_context(context) == [datetime(2026, 2, 21)]


def test_without_events_the_data_interval_end_is_the_as_of() -> None:
    context = {"dag_run": SimpleNamespace(conf={}), "data_interval_end": pendulum.datetime(2026, 2, 21, 7, tz="UTC")}
    assert as_ofs_from_context(context) == [datetime(2026, 2, 21, 7)]


def test_a_malformed_as_of_is_one_clear_error() -> None:
    context = {"dag_run": SimpleNamespace(conf={"as_of": "yesterday"})}
    with pytest.raises(ValueError, match="the run's conf as_of is 'yesterday': expected an ISO 8601 timestamp"):
        as_ofs_from_context(context)


def test_a_manual_report_run_given_a_logical_date_works_as_of_that_interval(airflow_db) -> None:  # noqa: ANN001
    """``airflow dags trigger forewarn_report -l 2026-02-24T07:00:00+00:00`` reports as of the end of the
    daily interval starting there, as a scheduled run of that logical date does; it reported as of now."""
    from airflow.dag_processing.dagbag import DagBag

    report = DagBag(str(DAGS_DIR / "forewarn_report.py")).get_dag("forewarn_report")
    now = pendulum.datetime(2026, 12, 6, 13, tz="UTC")
    context = {
        "dag": report,
        "dag_run": SimpleNamespace(conf={}, run_type="manual", run_after=now),
        "logical_date": pendulum.datetime(2026, 2, 24, 7, tz="UTC"),
        # Airflow 3 gives a manual run the interval before the moment it was triggered.
        "data_interval_start": now.subtract(days=1), "data_interval_end": now,
    }
    assert as_ofs_from_context(context) == [datetime(2026, 2, 25, 7)]
    scheduled = context | {"dag_run": SimpleNamespace(conf={}, run_type="scheduled"),
                           "data_interval_start": pendulum.datetime(2026, 2, 24, 7, tz="UTC"),
                           "data_interval_end": pendulum.datetime(2026, 2, 25, 7, tz="UTC")}
    assert as_ofs_from_context(scheduled) == [datetime(2026, 2, 25, 7)]
