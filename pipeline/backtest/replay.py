"""Replay the loop over a past period: ingest one interval, detect and reach out as of its end, record it.

Nothing in a run reads data at or after its as-of: run k loads ``[as_of[k-1], as_of[k])`` (the first
loads all history before it), detects as of its as-of, then builds, approves and sends campaigns as of
it, exactly as the scheduled DAGs would have at that cadence. Each run reads its own slice of the
source (``partition``); with a reaction (``deflection``) the slice first loses the tickets that an
earlier email kept customers from writing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from detectors.painpoints import Embedder
from pipeline.detect import DetectSettings, detect
from pipeline.ingest import Interval, ingest
from sql import statement

if TYPE_CHECKING:  # types only: scoring imports this module, and the reaction imports scoring
    from pipeline.backtest.deflection import EmailReaction
    from pipeline.backtest.outreach_step import OutreachStep
    from pipeline.backtest.partition import PartitionedSource

log = logging.getLogger(__name__)

DayProgress = Callable[["DayRun"], None]


@dataclass(frozen=True)
class DayRun:
    """What one run of the replay did: rows loaded, findings, outreach, and seconds per stage."""

    as_of: datetime
    loaded: dict[str, int]
    tickets: int
    pain_points: int
    incidents: dict[str, int]
    links: int
    reachable: int
    seconds: dict[str, float]
    outreach: dict[str, int] = field(default_factory=dict)
    unwritten: int = 0

    def as_dict(self) -> dict[str, object]:
        """JSON-ready record of the day."""
        return {
            "as_of": self.as_of.isoformat(),
            "loaded": self.loaded,
            "tickets": self.tickets,
            "pain_points": self.pain_points,
            "incidents": self.incidents,
            "links": self.links,
            "reachable": self.reachable,
            "outreach": self.outreach,
            "unwritten_tickets": self.unwritten,
            "seconds": {name: round(value, 3) for name, value in self.seconds.items()},
        }


@dataclass
class Replay:
    """Everything the replay saw: first sightings, the final rows, who would have been emailed, who was asked."""

    days: list[DayRun] = field(default_factory=list)
    incidents: dict[str, dict] = field(default_factory=dict)  # id -> latest row + first_as_of
    pain_points: dict[str, dict] = field(default_factory=dict)  # id -> latest row + first_as_of
    links: dict[tuple[str, str], dict] = field(default_factory=dict)  # (pain point, incident) -> first/last as-of
    reached: dict[tuple[str, str], datetime] = field(default_factory=dict)  # (incident, customer) -> first as-of
    asked: dict[str, datetime] = field(default_factory=dict)  # campaign id -> first run it waited for a person

    def stage_seconds(self) -> dict[str, float]:
        """Seconds per stage summed over all days."""
        totals: dict[str, float] = {}
        for day in self.days:
            for name, seconds in day.seconds.items():
                totals[name] = totals.get(name, 0.0) + seconds
        return {name: round(value, 2) for name, value in totals.items()}


def replay(
    engine: Engine,
    source: PartitionedSource,
    *,
    settings: DetectSettings | None = None,
    embedder: Embedder | None = None,
    outreach: OutreachStep | None = None,
    reaction: EmailReaction | None = None,
    progress: DayProgress | None = None,
) -> Replay:
    """Run ingest, detect and outreach once per as-of of ``source`` on ``engine`` (a fresh warehouse)."""
    settings = settings or DetectSettings()
    result = Replay()
    previous: datetime | None = None
    for step, as_of in enumerate(source.as_ofs):
        seconds: dict[str, float] = {}
        began = time.perf_counter()
        unwritten = 0
        if reaction is not None and step > 0:
            unwritten = reaction.filter_parquet(source.tickets_files(step), reaction.emailed_about(engine))
        seconds["react"] = time.perf_counter() - began
        began = time.perf_counter()
        # Each step reads a folder of its own rows only: nothing can arrive late in it.
        report = ingest(engine, str(source.folder(step)), Interval(previous, as_of), late_window=timedelta(0))
        seconds["ingest"] = time.perf_counter() - began
        clock = _StageClock(seconds)
        summary = detect(engine, as_of, settings, stage=clock, embedder=embedder)
        clock(None)
        began = time.perf_counter()
        sent = outreach(engine, as_of) if outreach is not None else {}
        seconds["outreach"] = time.perf_counter() - began
        began = time.perf_counter()
        reachable = _record(engine, as_of, result)
        if outreach is not None:
            result.asked = dict(outreach.asked)
        seconds["record"] = time.perf_counter() - began
        day = DayRun(
            as_of=as_of,
            loaded={t.table: t.loaded for t in report.tables},
            tickets=summary.pain_points.tickets,
            pain_points=summary.pain_points.pain_points,
            incidents=dict(summary.incidents.by_kind),
            links=summary.links,
            reachable=reachable,
            seconds=seconds,
            outreach=sent,
            unwritten=unwritten,
        )
        result.days.append(day)
        log.info("backtest %s: %s", as_of.isoformat(), day.as_dict())
        if progress:
            progress(day)
        previous = as_of
    return result


class _StageClock:
    """A detect stage callback that charges the time between announcements to the stage then running."""

    def __init__(self, seconds: dict[str, float]) -> None:
        self.seconds = seconds
        self.running: str | None = None
        self.since = time.perf_counter()

    def __call__(self, name: str | None) -> None:
        now = time.perf_counter()
        if self.running is not None:
            key = f"detect {self.running}"
            self.seconds[key] = self.seconds.get(key, 0.0) + now - self.since
        self.running, self.since = name, now


def _record(engine: Engine, as_of: datetime, result: Replay) -> int:
    """Note first sightings of incidents, pain points and links, and who could be emailed now."""
    with engine.connect() as connection:
        incidents = connection.execute(statement("select_backtest_incidents")).mappings().all()
        pain_points = connection.execute(statement("select_backtest_pain_points")).mappings().all()
        links = connection.execute(statement("select_backtest_links")).mappings().all()
        reachable = connection.execute(statement("select_backtest_reachable"), {"as_of": as_of}).all()
    for rows, seen, key in ((incidents, result.incidents, "incident_id"), (pain_points, result.pain_points, "pain_point_id")):
        for row in rows:
            first = seen.get(row[key], {}).get("first_as_of", as_of)
            seen[row[key]] = {**dict(row), "first_as_of": first}
    for row in links:
        pair = (row["pain_point_id"], row["incident_id"])
        link = result.links.setdefault(pair, {"first_as_of": as_of})
        link.update(last_as_of=as_of, lift=row["lift"], q_value=row["q_value"], strength=row["strength"])
    for incident_id, customer_id, _ in reachable:
        result.reached.setdefault((incident_id, customer_id), as_of)
    return len(reachable)
