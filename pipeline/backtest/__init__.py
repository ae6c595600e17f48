"""Backtest: replay the loop over a past period at its cadence into a warehouse, and score it.

``backtest`` is what ``forewarn backtest`` calls. Each run, every ``every`` from ``start`` to ``end``,
ingests the interval since the previous run (the first all history before it), detects as of its
as-of and reaches out as of it (build, approve by policy or ``approve_after``, send to a scratch
outbox), as the DAGs would have. The result says when each pain point, incident and link was first
found, when each incident was first emailed and whom the emails reached before they wrote. With a
truth folder (``forewarn simulate``) the world reacts to email (``email_effect``) and everything is
scored against what was injected; the measure stage's deflection is set beside the true effect.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from detectors.painpoints import Embedder, TfidfLsaEmbedder, default_embedder
from detectors.painpoints.corrections import Correction
from pipeline.backtest.cadence import CadenceError, parse_duration, replay_times
from pipeline.backtest.deflection import DEFAULT_EMAIL_EFFECT, EmailReaction
from pipeline.backtest.deflection_check import measured_deflection
from pipeline.backtest.outreach_score import outreach_report
from pipeline.backtest.outreach_step import OutreachPlan, OutreachStep
from pipeline.backtest.partition import partition_source
from pipeline.backtest.replay import DayProgress, DayRun, Replay, replay
from pipeline.backtest.scoring import FinalState, score
from pipeline.backtest.truth import Truth, TruthError, read_truth
from pipeline.detect import DetectSettings
from pipeline.warehouse import make_engine, migrate
from sql import statement

log = logging.getLogger(__name__)

__all__ = [
    "BacktestResult", "CadenceError", "DayRun", "OutreachPlan", "Truth", "TruthError", "WarehouseNotEmpty", "backtest",
    "default_workarounds", "parse_duration", "read_truth",
]
MEASURE_WINDOW_DAYS = 3


class WarehouseNotEmpty(RuntimeError):
    """The warehouse given to a backtest already holds data; a replay needs an empty one."""


@dataclass(frozen=True)
class BacktestResult:
    """A replayed period: the runs, what was found when, whom the emails reached, and the score."""

    source: str
    start: date | datetime
    end: date | datetime
    embedder: str
    replay: Replay
    score: dict[str, object] | None
    every: timedelta = timedelta(days=1)
    outreach: dict[str, object] = field(default_factory=dict)
    deflection: list[dict[str, object]] = field(default_factory=list)
    settings: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """Everything as JSON-ready values (what ``--out`` writes)."""
        r = self.replay
        return {
            "source": self.source,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "every_hours": round(self.every.total_seconds() / 3600, 4),
            "embedder": self.embedder,
            "settings": self.settings,
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
            "outreach": self.outreach,
            "deflection": self.deflection,
        }


def backtest(
    source: str,
    start: date | datetime,
    end: date | datetime,
    *,
    every: timedelta = timedelta(days=1),
    truth: str | Path | None = None,
    database_url: str | None = None,
    settings: DetectSettings | None = None,
    plan: OutreachPlan | None = None,
    outbox: Path | None = None,
    email_effect: float = DEFAULT_EMAIL_EFFECT,
    measure_window_days: int = MEASURE_WINDOW_DAYS,
    progress: DayProgress | None = None,
    corrections: Sequence[Correction] = (),
) -> BacktestResult:
    """Replay ``source`` every ``every`` over ``[start, end]`` with outreach and, given a truth folder, score it.

    Args:
        database_url: an empty warehouse to replay into (kept afterwards); default a temporary SQLite file.
        plan: outreach settings, workarounds and the simulated approver; default: policy as configured in
            ``OutreachSettings()`` and the world's own workarounds folder when the source is a simulated world.
        outbox: folder for the emails (outbox sender); default a temporary folder.
        email_effect: with a truth, the share of an emailed customer's later tickets about the incident
            that are not written (0 = the world ignores email).
        corrections: people's corrections to pain points (``load_corrections`` of the production
            warehouse); each replayed run applies them as production runs do.

    Raises:
        TruthError: the truth folder cannot be read (checked before the replay starts).
        WarehouseNotEmpty: ``database_url`` points at a warehouse that already holds data.
        CadenceError: the period or cadence gives no usable runs.
    """
    settings = settings or DetectSettings()
    plan = plan or OutreachPlan(workarounds_dir=default_workarounds(source))
    known = read_truth(truth) if truth is not None else None
    as_ofs = replay_times(start, end, every)
    embedder = _embedder(settings)
    reaction = EmailReaction.from_truth(known, email_effect) if known is not None and email_effect > 0 else None
    with tempfile.TemporaryDirectory(prefix="forewarn-backtest-") as scratch:
        root = Path(scratch)
        engine = make_engine(database_url or f"sqlite:///{root / 'warehouse.db'}")
        try:
            migrate(engine)
            _require_empty(engine, database_url)
            _keep_corrections(engine, corrections)
            parts = partition_source(source, as_ofs, root / "source")
            step = OutreachStep(plan, outbox or root / "outbox", root)
            replayed = replay(engine, parts, settings=settings, embedder=embedder, outreach=step, reaction=reaction,
                              progress=progress)
            scored = score(replayed, known, _final_state(engine, replayed)) if known else None
            unwritten = dict(reaction.unwritten) if reaction else {}
            reached = outreach_report(engine, replayed, known, unwritten)
            measured = measured_deflection(engine, replayed, known, as_of=as_ofs[-1],
                                           window_days=measure_window_days, unwritten=unwritten)
        finally:
            engine.dispose()
    name = embedder.name if embedder is not None else TfidfLsaEmbedder.name
    recorded = {
        "email_effect": email_effect if reaction else 0.0,
        "approve_after_hours": plan.approve_after.total_seconds() / 3600 if plan.approve_after is not None else None,
        "workarounds": str(plan.workarounds_dir) if plan.workarounds_dir else None,
        "auto_approve": plan.settings.auto_approve,
        "holdout_share": plan.settings.holdout_share,
        "measure_window_days": measure_window_days,
    }
    return BacktestResult(source, start, end, name, replayed, scored, every, reached, measured, recorded)


def default_workarounds(source: str) -> Path | None:
    """The workarounds folder a simulated world ships (``forewarn simulate`` writes ``workarounds/``), or None."""
    folder = Path(source)
    if "://" in source or not (folder / "truth" / "manifest.json").is_file():
        return None
    return folder / "workarounds" if (folder / "workarounds").is_dir() else None


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

