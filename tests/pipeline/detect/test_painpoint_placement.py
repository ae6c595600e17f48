"""Hourly runs place new tickets in the last fit's pain points; the window is re-clustered when due."""

from __future__ import annotations

import logging
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from detect_world import SPIKE_AS_OF, count_disagreements, findings, minilm_first_run
from sqlalchemy import Engine, text

from detectors.painpoints import OnnxMiniLmEmbedder, default_embedder
from detectors.painpoints.placement import FitMemory, RefitPolicy, nearest_accepted, recluster_reason
from detectors.painpoints.result import UNASSIGNED
from detectors.painpoints.words import text_language, tokenize
from pipeline.detect import DetectSettings, detect
from pipeline.detect.corrections import CorrectionRequest, correct_pain_point
from pipeline.detect.painpoints import FIT_MEMORY
from pipeline.detect.state import load_state
from pipeline.ingest import ingest
from pipeline.simulate import WorldSettings
from pipeline.simulate.world import simulate_world

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
    assert count_disagreements(sqlite_warehouse) == {}
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
    # A refit may leave out a ticket an earlier run placed: it keeps that pain point, and every count says so.
    assert count_disagreements(sqlite_warehouse) == {}
    assert _lines(caplog, "themes: ") and not _lines(caplog, "themes (kept")  # a fit groups them again

    # And a day after the last fit the whole window is clustered again.
    caplog.clear()
    detect(sqlite_warehouse, as_of + timedelta(hours=2), settings)
    assert _lines(caplog, "placed ")
    caplog.clear()
    detect(sqlite_warehouse, as_of + timedelta(hours=25), settings)
    assert _lines(caplog, "re-clustering the ticket window:") and _lines(caplog, "text vectors:")
    assert count_disagreements(sqlite_warehouse) == {}


def _themes(engine: Engine) -> dict[str, str]:
    """Active pain point -> its theme."""
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT pain_point_id, theme_id FROM pain_points WHERE status = 'active'"))
        return {str(p): str(t) for p, t in rows}


def _theme_tickets(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {str(t): int(n) for t, n in connection.execute(text("SELECT theme_id, ticket_count FROM themes WHERE status = 'active'"))}


@pytest.fixture(scope="module")
def multilingual_queue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Customers and tickets of a 2,000-customer month, where German, French and Spanish customers often
    write in their language (no events: only pain points are asked about)."""
    world = tmp_path_factory.mktemp("multilingual") / "world"
    simulate_world(WorldSettings(customers=2000, days=30, seed=3, start=date(2026, 1, 1)), world)
    source = world.parent / "queue"
    source.mkdir()
    for name in ("customers.csv", "tickets.csv"):
        shutil.copy(world / name, source / name)
    return source


def test_a_ticket_in_another_language_is_placed_where_the_fit_put_its_twin(
    sqlite_warehouse: Engine, multilingual_queue: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The fit centred its German tickets on the English ones (``language_centring``); the runs that only
    place must centre with the same offsets, or a German ticket lands far from every centroid it joined."""
    if not isinstance(default_embedder(), OnnxMiniLmEmbedder):
        pytest.skip("the packaged MiniLM is not installed: TF-IDF runs fit every time and place nothing")
    settings = DetectSettings(embedder="auto")
    fitted_at = datetime(2026, 1, 28)
    ingest(sqlite_warehouse, str(multilingual_queue))
    detect(sqlite_warehouse, fitted_at, settings)
    with sqlite_warehouse.connect() as connection:
        memory = FitMemory.from_dict(load_state(connection, FIT_MEMORY, fitted_at + timedelta(seconds=1)))
    assert memory is not None and "German" in memory.language_offsets
    tickets = pd.read_csv(multilingual_queue / "tickets.csv", dtype=str, keep_default_na=False)
    fitted = _assignments(sqlite_warehouse)
    german = [
        row.ticket_id for row in tickets.itertuples()
        if text_language(tokenize(f"{row.subject}. {row.body}")) == "German" and fitted.get(row.ticket_id)
    ]
    assert len(german) >= 5
    twins = tickets[tickets["ticket_id"].isin(german)].copy()
    twins["ticket_id"] = "TWIN-" + twins["ticket_id"]
    twins["created_at"] = (fitted_at + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    source = tmp_path / "next-hour"
    source.mkdir()
    twins.to_csv(source / "tickets.csv", index=False)
    ingest(sqlite_warehouse, str(source))
    caplog.set_level(logging.INFO, logger="pipeline.detect.painpoints")
    caplog.clear()
    detect(sqlite_warehouse, fitted_at + timedelta(hours=1), settings)
    assert len(_lines(caplog, "placed ")) == 1 and not _lines(caplog, "re-clustering")
    placed = _assignments(sqlite_warehouse)
    # A fit's community and the nearest centroid may part for a ticket at a pain point's edge. Uncentred,
    # the twins are far from every centroid: none is placed, and the run re-clusters the window. The int8
    # vectors differ a little with the CPU's kernels: on an AMD EPYC 6 of 8 twins joined their original's
    # pain point (one a German password-reset group beside the English one, one stayed unplaced), 7 or 8
    # on the machines before; three quarters still tells centred placement from none.
    same = sum(placed.get("TWIN-" + t) == fitted[t] for t in german)
    assert same >= 0.75 * len(german), (same, len(german))
