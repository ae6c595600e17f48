"""Detection: event aggregates in SQL, then pain points, incidents and the links between them.

``detect`` is what the detect DAG and ``forewarn detect`` call; it is idempotent per as-of (a rerun
gives the same ids and rows) and reads nothing at or after the as-of.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from detectors.painpoints import Embedder
from pipeline.detect.aggregates import refresh_aggregates
from pipeline.detect.incidents import IncidentRun, detect_incidents
from pipeline.detect.links import link_pain_points
from pipeline.detect.painpoints import PainPointRun, detect_pain_points
from pipeline.detect.settings import DetectSettings

log = logging.getLogger(__name__)

__all__ = ["DetectSettings", "DetectSummary", "detect"]

StageCallback = Callable[[str], None]


@dataclass(frozen=True)
class DetectSummary:
    """What one detection run found."""

    as_of: datetime
    pain_points: PainPointRun
    incidents: IncidentRun
    links: int

    @property
    def nothing_to_detect(self) -> bool:
        """True when the window before the as-of held no ticket and no error event (a no-op run)."""
        return self.pain_points.tickets == 0 and self.incidents.error_events == 0

    def as_dict(self) -> dict[str, object]:
        """Small JSON-ready summary (what the DAG returns through XCom)."""
        return {
            "as_of": self.as_of.isoformat(),
            "nothing_to_detect": self.nothing_to_detect,
            "tickets": self.pain_points.tickets,
            "error_events": self.incidents.error_events,
            "pain_points": self.pain_points.pain_points,
            "new_pain_points": self.pain_points.created,
            "incidents": self.incidents.by_kind,
            "links": self.links,
        }


def detect(
    engine: Engine,
    as_of: datetime,
    settings: DetectSettings | None = None,
    stage: StageCallback | None = None,
    *,
    embedder: Embedder | None = None,
    rebuild_aggregates: bool = False,
) -> DetectSummary:
    """Refresh aggregates, find pain points and incidents, and link them, all as of ``as_of``.

    Args:
        embedder: text embedder for pain points; default from ``settings.embedder``. A caller that
            runs many as-ofs (the backtest) passes one ``CachingEmbedder`` so texts are embedded once.
        rebuild_aggregates: recount the event aggregates from all events, not just the new ones
            (needed only when events reached the warehouse other than through ingest).
    """
    settings = settings or DetectSettings()
    _announce(stage, "aggregates")
    refresh_aggregates(engine, as_of, rebuild=rebuild_aggregates)
    _announce(stage, "pain points")
    pain_points = detect_pain_points(engine, as_of, settings, embedder=embedder)
    _announce(stage, "incidents")
    incidents = detect_incidents(engine, as_of, settings)
    _announce(stage, "links")
    links = link_pain_points(engine, as_of, settings)
    return DetectSummary(as_of, pain_points, incidents, links)


def _announce(stage: StageCallback | None, name: str) -> None:
    log.info("detect: %s", name)
    if stage:
        stage(name)
