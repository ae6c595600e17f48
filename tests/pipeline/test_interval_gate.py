"""The interval gate (the DAG's validate task) judges an hour by its own rows, not by a file's untimed ones.

A bounded load reads the whole file and files its rows without a readable time in every interval. The
load's own gate left them out; the interval gate, reading ``ingest_runs``, did not, so every hour of an
Airflow backfill over a source with 33 untimed events failed validation ("33 of 84 rows quarantined").
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from pipeline.ingest import Interval, ingest
from pipeline.validation import GateFailure, ValidationSettings
from pipeline.validation.interval import check_interval
from tests.pipeline.test_ingest import (
    CUSTOMER_HEADER,
    EVENT_HEADER,
    TICKET_HEADER,
    customer,
    event,
    ticket,
    write_csv,
)

HOURLY = ValidationSettings(max_bad_row_share=0.2, min_rows_for_share=10)


def _source(folder: Path, *, bad_in_hour_one: int = 0) -> Path:
    write_csv(folder / "customers.csv", CUSTOMER_HEADER, [customer(i) for i in range(5)])
    write_csv(folder / "tickets.csv", TICKET_HEADER, [ticket(i) for i in range(3)])
    good = [event(i, occurred_at=f"2026-01-01T{i % 3:02d}:{i % 60:02d}:00Z") for i in range(60)]
    untimed = [event(1000 + i, occurred_at="not a time") for i in range(40)]
    # Rows with a time but a broken value: they belong to hour 1 and count there.
    broken = [event(2000 + i, occurred_at=f"2026-01-01T01:{i:02d}:30Z", customer_id="") for i in range(bad_in_hour_one)]
    write_csv(folder / "events.csv", EVENT_HEADER, good + untimed + broken)
    return folder


def _hour(h: int) -> Interval:
    return Interval(datetime(2026, 1, 1, h), datetime(2026, 1, 1, h + 1))


def test_every_hour_passes_the_interval_gate_whatever_the_files_untimed_rows(warehouse: Engine, tmp_path: Path) -> None:
    source = _source(tmp_path / "src")

    for h in range(3):
        ingest(warehouse, str(source), _hour(h), settings=HOURLY)
        check = check_interval(warehouse, _hour(h).start, _hour(h).end, HOURLY)
        assert check.tables["events"]["loaded"] == 20
        assert check.tables["events"]["quarantined"] == 40  # filed every hour, judged in none
        # What the task returns says so: the hour's own 20 rows were judged and none of them was bad.
        assert check.tables["events"]["untimed_quarantined"] == 40
        assert (check.tables["events"]["judged"], check.tables["events"]["judged_quarantined"]) == (20, 0)


def test_an_hour_whose_own_rows_are_bad_still_fails(warehouse: Engine, tmp_path: Path) -> None:
    source = _source(tmp_path / "src", bad_in_hour_one=10)
    lenient = ValidationSettings(max_bad_row_share=0.5, min_rows_for_share=10)
    # The load's own gate is lenient here, so only the interval gate stands between the hour and detect.
    ingest(warehouse, str(source), _hour(1), settings=lenient)

    judged = check_interval(warehouse, _hour(1).start, _hour(1).end, lenient).tables["events"]
    assert (judged["judged"], judged["judged_quarantined"]) == (30, 10)
    with pytest.raises(GateFailure, match=r"events: 10 of 30 rows quarantined"):
        check_interval(warehouse, _hour(1).start, _hour(1).end, HOURLY)
