"""Hourly runs place new tickets in the last fit's pain points; the window is re-clustered when due."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from detect_world import SPIKE_AS_OF, findings, minilm_first_run
from sqlalchemy import Engine, text

from detectors.painpoints.placement import FitMemory, RefitPolicy, nearest_accepted, recluster_reason
from detectors.painpoints.result import UNASSIGNED
from pipeline.detect import detect
from pipeline.detect.corrections import CorrectionRequest, correct_pain_point

FITTED = datetime(2026, 3, 10, 12)
MEMORY = FitMemory(
    fitted_at=FITTED,
    tickets=1_000,
    embedder_name="minilm#ab12",
    unassigned_share=0.1,
    min_cluster_size=5,
    corrections="c0",
    unplaced=frozenset({"t-9"}),
    accept={"pp-000001": 0.61},
    described={"pp-000001": (("refund", "card"), ("My card refund is late",))},
)


def _reason(**changes: object) -> str | None:
    args = {"memory": MEMORY, "now": FITTED + timedelta(hours=1), "embedder_name": "minilm#ab12",
            "corrections": "c0", "tickets": 1_020, "new_tickets": 20, "new_unplaced": 2}
    args.update(changes)
    return recluster_reason(**args)  # type: ignore[arg-type]


def test_an_hour_of_new_tickets_is_placed_and_each_change_that_matters_refits() -> None:
    assert _reason() is None
    assert _reason(memory=None) == "no earlier fit"
    assert _reason(embedder_name="minilm#cd34") == "the text vectors changed"
    assert _reason(corrections="c1") == "a person corrected the pain points"
    assert "old" in _reason(now=FITTED + timedelta(hours=24))
    assert _reason(now=FITTED + timedelta(hours=23)) is None
    assert "changed by more than 10%" in _reason(new_tickets=101, tickets=1_101)
    assert "changed by more than 10%" in _reason(new_tickets=0, tickets=899)  # a tenth left the window
    # 40 new tickets leave 4 unplaced as a matter of course: 8 more than that could be a new problem.
    assert _reason(new_tickets=40, new_unplaced=8) is None
    assert _reason(new_tickets=40, new_unplaced=9) == "9 new tickets found no pain point"
    assert "old" in _reason(now=FITTED + timedelta(hours=7), policy=RefitPolicy(max_age=timedelta(hours=6)))


def test_the_memory_of_a_fit_survives_the_warehouse_and_unreadable_state_means_refit() -> None:
    assert FitMemory.from_dict(MEMORY.to_dict()) == MEMORY
    assert FitMemory.from_dict(None) is None
    assert FitMemory.from_dict({"fitted_at": "yesterday"}) is None


def test_a_text_joins_the_nearest_pain_point_only_when_that_one_accepts_it() -> None:
    centroids = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    accept = np.array([0.9, 0.5], dtype=np.float32)
    vectors = np.array([[0.95, 0.31], [0.8, 0.6], [0.6, 0.8], [0.0, 0.0]], dtype=np.float32)
    # The second row is nearest the first centroid (0.8) but under its 0.9: left out, not sent to the other.
    assert nearest_accepted(vectors, centroids, accept).tolist() == [0, UNASSIGNED, 1, UNASSIGNED]
    assert nearest_accepted(vectors[:0], centroids, accept).tolist() == []


def _assignments(engine: Engine) -> dict[str, str]:
    with engine.connect() as connection:
        return dict(connection.execute(text("SELECT ticket_id, pain_point_id FROM ticket_pain_points")).all())


def _tickets_before(engine: Engine, as_of: datetime) -> set[str]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT ticket_id FROM tickets WHERE created_at < :as_of"), {"as_of": as_of})
        return {r[0] for r in rows}


def _lines(caplog: pytest.LogCaptureFixture, start: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith(start)]


def test_hourly_runs_place_new_tickets_keep_the_rest_and_refit_when_due(
    sqlite_warehouse: Engine, world_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = minilm_first_run(sqlite_warehouse, world_dir, caplog)
    caplog.set_level(logging.INFO, logger="pipeline.detect.themes")
    fitted = _assignments(sqlite_warehouse)
    with sqlite_warehouse.connect() as connection:
        pain_points = set(connection.execute(text("SELECT pain_point_id FROM pain_points WHERE status = 'active'")).scalars())
    themes, theme_tickets = _themes(sqlite_warehouse), _theme_tickets(sqlite_warehouse)
    assert len(set(themes.values())) > 1

    # Six hours on, each run only places the tickets new since the fit.
    as_of = SPIKE_AS_OF
    for _ in range(6):
        as_of += timedelta(hours=1)
        detect(sqlite_warehouse, as_of, settings)
    assert not _lines(caplog, "re-clustering") and not _lines(caplog, "text vectors:")
    assert len(_lines(caplog, "placed ")) == 6
    placed = _assignments(sqlite_warehouse)
    new = _tickets_before(sqlite_warehouse, as_of) - _tickets_before(sqlite_warehouse, SPIKE_AS_OF)
    assert new, "the world should have tickets in those six hours"
    assert {t: placed[t] for t in fitted} == fitted  # nothing the fit decided moves
    assert set(placed) - set(fitted) <= new and set(placed) - set(fitted)  # some new tickets found a home
    assert set(placed.values()) <= pain_points  # placing finds no new pain point; a fit does
    # The themes over unchanged pain points are kept, not redrawn every hour; their sizes follow the tickets.
    assert len(_lines(caplog, "themes (kept from the last run)")) == 6
    assert _themes(sqlite_warehouse) == themes
    sizes = _theme_tickets(sqlite_warehouse)
    assert sizes.keys() == theme_tickets.keys() and sizes != theme_tickets

    # A rerun of the last hour decides alike from the same saved state.
    before = findings(sqlite_warehouse)
    detect(sqlite_warehouse, as_of, settings)
    assert findings(sqlite_warehouse) == before

    # A person's correction is applied by a fit in the next run.
    caplog.clear()
    some = sorted(pain_points)[0]
    correct_pain_point(sqlite_warehouse, CorrectionRequest("rename", some, "pm@example.com", as_of, label="Refunds late"))
    detect(sqlite_warehouse, as_of + timedelta(hours=1), settings)
    assert _lines(caplog, "re-clustering the ticket window: a person corrected")
    assert _lines(caplog, "themes: ") and not _lines(caplog, "themes (kept")  # a fit groups them again

    # And a day after the last fit the whole window is clustered again.
    caplog.clear()
    detect(sqlite_warehouse, as_of + timedelta(hours=2), settings)
    assert _lines(caplog, "placed ")
    caplog.clear()
    detect(sqlite_warehouse, as_of + timedelta(hours=25), settings)
    assert _lines(caplog, "re-clustering the ticket window:") and _lines(caplog, "text vectors:")


def _themes(engine: Engine) -> dict[str, str]:
    """Active pain point -> its theme."""
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT pain_point_id, theme_id FROM pain_points WHERE status = 'active'"))
        return {str(p): str(t) for p, t in rows}


def _theme_tickets(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {str(t): int(n) for t, n in connection.execute(text("SELECT theme_id, ticket_count FROM themes WHERE status = 'active'"))}
