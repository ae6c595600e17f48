"""Backtest: replay the daily loop over a past period into a throw-away warehouse, and score it.

``backtest`` is what ``forewarn backtest`` calls. Each day D of ``[start, end]`` ingests ``[D - 1 day, D)``
(the first day all history before it) and detects as of D, as the DAGs would have; the result says
when each pain point, incident and link was first found and who would have been emailed before
writing in. With a truth folder (``forewarn simulate``) it is scored against what was injected.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from detectors.painpoints import Embedder, TfidfLsaEmbedder, default_embedder
from detectors.painpoints.corrections import Correction
from pipeline.backtest.replay import DayProgress, DayRun, Replay, replay
from pipeline.backtest.scoring import FinalState, score
from pipeline.backtest.truth import Truth, TruthError, read_truth
from pipeline.detect import DetectSettings
from pipeline.warehouse import make_engine, migrate
from sql import statement

log = logging.getLogger(__name__)

__all__ = ["BacktestResult", "DayRun", "Truth", "TruthError", "WarehouseNotEmpty", "backtest", "read_truth"]


class WarehouseNotEmpty(RuntimeError):
    """The warehouse given to a backtest already holds data; a replay needs an empty one."""


@dataclass(frozen=True)
class BacktestResult:
    """A replayed period: the days, what was found when, who would have been reached, and the score."""

    source: str
    start: date
    end: date
    embedder: str
    replay: Replay
    score: dict[str, object] | None

    def as_dict(self) -> dict[str, object]:
        """Everything as JSON-ready values (what ``--out`` writes)."""
        r = self.replay
        return {
            "source": self.source,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "embedder": self.embedder,
            "seconds": r.stage_seconds(),
            "days": [day.as_dict() for day in r.days],
            "incidents": [_jsonable({"incident_id": i, **row}) for i, row in sorted(r.incidents.items())],
            "pain_points": [_jsonable({"pain_point_id": i, **row}) for i, row in sorted(r.pain_points.items())],
            "links": [
                _jsonable({"pain_point_id": pp, "incident_id": inc, **link}) for (pp, inc), link in sorted(r.links.items())
            ],
            "reached": [
                {"incident_id": inc, "customer_id": customer, "as_of": at.isoformat()}
                for (inc, customer), at in sorted(r.reached.items())
            ],
            "score": self.score,
        }


def backtest(
    source: str,
    start: date,
    end: date,
    *,
    truth: str | Path | None = None,
    database_url: str | None = None,
    settings: DetectSettings | None = None,
    progress: DayProgress | None = None,
    corrections: Sequence[Correction] = (),
) -> BacktestResult:
    """Replay ``source`` day by day over ``[start, end]`` and, given a truth folder, score it.

    Args:
        database_url: an empty warehouse to replay into (kept afterwards); default a temporary SQLite file.
        corrections: people's corrections to pain points (``load_corrections`` of the production
            warehouse); each replayed run applies them as production runs do.

    Raises:
        TruthError: the truth folder cannot be read (checked before the replay starts).
        WarehouseNotEmpty: ``database_url`` points at a warehouse that already holds data.
    """
    settings = settings or DetectSettings()
    known = read_truth(truth) if truth is not None else None
    embedder = _embedder(settings)
    with tempfile.TemporaryDirectory(prefix="forewarn-backtest-") as scratch:
        engine = make_engine(database_url or f"sqlite:///{Path(scratch) / 'warehouse.db'}")
        try:
            migrate(engine)
            _require_empty(engine, database_url)
            _keep_corrections(engine, corrections)
            replayed = replay(engine, source, start, end, settings=settings, embedder=embedder, progress=progress)
            scored = score(replayed, known, _final_state(engine, replayed)) if known else None
        finally:
            engine.dispose()
    name = embedder.name if embedder is not None else TfidfLsaEmbedder.name
    return BacktestResult(source, start, end, name, replayed, scored)


def _keep_corrections(engine: Engine, corrections: Sequence[Correction]) -> None:
    from pipeline.detect.corrections import store_corrections

    with engine.begin() as connection:
        store_corrections(connection, corrections)


def _embedder(settings: DetectSettings) -> Embedder | None:
    """One pretrained model loaded once for all days, or None for TF-IDF.

    Each day's detect run keeps its vectors (and token weights) in the replay's warehouse as in
    production, so a text is embedded again only when the weights are refitted. TF-IDF/LSA is
    refitted on each run's tickets, so its vectors cannot be kept across runs (detect builds it per run).
    """
    if settings.embedder == "tfidf":
        return None
    chosen = default_embedder()
    return None if isinstance(chosen, TfidfLsaEmbedder) else chosen


def _require_empty(engine: Engine, database_url: str | None) -> None:
    with engine.connect() as connection:
        rows = int(connection.execute(statement("select_backtest_warehouse_rows")).scalar() or 0)
    if rows:
        raise WarehouseNotEmpty(
            f"the warehouse at {database_url} already holds {rows} tickets, events or incidents; a backtest "
            "replays into an empty one: give a fresh --database-url or leave it out for a temporary SQLite file"
        )


def _final_state(engine: Engine, replayed: Replay) -> FinalState:
    with engine.connect() as connection:
        tickets = pd.DataFrame(
            [tuple(r) for r in connection.execute(statement("select_backtest_tickets"))],
            columns=["ticket_id", "customer_id", "created_at", "pain_point_id"],
        )
        customers = pd.DataFrame(
            [tuple(r) for r in connection.execute(statement("select_backtest_incident_customers"))],
            columns=["incident_id", "customer_id", "first_exposed_at"],
        )
    tickets["created_at"] = pd.to_datetime(tickets["created_at"], format="ISO8601")
    return FinalState(replayed.days[-1].as_of, tickets, customers)


def _jsonable(record: dict[str, object]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in record.items():
        if isinstance(value, datetime | pd.Timestamp):
            value = value.isoformat()
        elif isinstance(value, float) and value != value:
            value = None
        out[key] = value
    return out

