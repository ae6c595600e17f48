"""Hourly runs keep the Louvain resolution an earlier run read from the data, until it goes stale."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from detect_world import SPIKE_AS_OF
from sqlalchemy import Engine, text

from detectors.painpoints.granularity import (
    RESWEEP_AGE,
    RESWEEP_CHANGE,
    Granularity,
    granularity_state,
    kept_granularity,
    vector_space,
)
from pipeline.detect import DetectSettings, detect
from pipeline.ingest import ingest

NOW = datetime(2026, 3, 10, 12)


def test_a_choice_is_kept_for_the_same_space_while_the_queue_and_the_clock_stay_close() -> None:
    saved = granularity_state(Granularity(5.66, 32), 10_000, "all-MiniLM-L6-v2-int8-idf", NOW)
    kept = kept_granularity(saved, 10_500, "all-MiniLM-L6-v2-int8-idf", NOW + timedelta(hours=1))
    assert kept == Granularity(5.66, 32)
    assert kept_granularity(saved, 10_000, "tfidf-lsa", NOW + timedelta(hours=1)) is None
    grown = int(10_000 * (1 + RESWEEP_CHANGE)) + 1
    assert kept_granularity(saved, grown, "all-MiniLM-L6-v2-int8-idf", NOW + timedelta(hours=1)) is None
    assert kept_granularity(saved, 10_000, "all-MiniLM-L6-v2-int8-idf", NOW + RESWEEP_AGE) is None
    assert kept_granularity(saved, 10_000, "all-MiniLM-L6-v2-int8-idf", NOW - timedelta(hours=1)) is None


@pytest.mark.parametrize("saved", [None, {}, {"space": "x"}, {"space": "x", "resolution": "high", "texts": 5,
                                                               "chosen_at": NOW.isoformat()},
                                   # a choice saved before the degree was read from the data
                                   {"space": "x", "resolution": 4.0, "texts": 5, "chosen_at": NOW.isoformat()}])
def test_a_missing_or_unreadable_choice_is_swept_again(saved: dict | None) -> None:
    assert kept_granularity(saved, 5, "x", NOW) is None


def test_the_space_ignores_the_digest_of_fitted_weights_and_the_run_of_a_refit() -> None:
    assert vector_space("all-MiniLM-L6-v2-int8-idf#ab12") == "all-MiniLM-L6-v2-int8-idf"
    assert vector_space("tfidf-lsa@2026-03-10T12:00:00") == "tfidf-lsa"


def _assignments(engine: Engine) -> dict[str, str]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT ticket_id, pain_point_id FROM ticket_pain_points"))
        return dict(rows.all())


def _kept_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("resolution ") and " kept " in r.getMessage()]


def test_an_hour_later_the_resolution_is_kept_a_day_later_it_is_read_again(
    sqlite_warehouse: Engine, world_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = DetectSettings(embedder="tfidf")
    ingest(sqlite_warehouse, str(world_dir))
    caplog.set_level(logging.INFO, logger="pipeline.detect.painpoints")
    detect(sqlite_warehouse, SPIKE_AS_OF, settings)
    assert not _kept_lines(caplog)

    caplog.clear()
    detect(sqlite_warehouse, SPIKE_AS_OF + timedelta(hours=1), settings)
    (line,) = _kept_lines(caplog)
    assert SPIKE_AS_OF.isoformat() in line
    hour_later = _assignments(sqlite_warehouse)

    # A rerun of that hour decides alike from the same saved state and cuts the queue alike.
    caplog.clear()
    detect(sqlite_warehouse, SPIKE_AS_OF + timedelta(hours=1), settings)
    assert len(_kept_lines(caplog)) == 1 and _assignments(sqlite_warehouse) == hour_later

    caplog.clear()
    detect(sqlite_warehouse, SPIKE_AS_OF + RESWEEP_AGE + timedelta(hours=1), settings)
    assert not _kept_lines(caplog)
