"""Write the product managers' report: read the warehouse, draw the charts, render one HTML file."""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from pipeline.report.figures import build_figures
from pipeline.report.model import ReportWindow
from pipeline.report.paragraph import write_paragraph
from pipeline.report.queries import load_report_data
from pipeline.report.queries.common import naive_utc
from pipeline.report.render import render_report
from pipeline.report.selection import growing_pain_points
from pipeline.warehouse import forewarn_home

log = logging.getLogger(__name__)

CONTEXT_DAYS = 28  # incidents, campaigns and the timeline look back four weeks for context
TREND_DAYS = 30  # sparklines show a month of tickets per day


@dataclass(frozen=True)
class ReportSummary:
    """What was written, for the CLI, the DAG's XCom and the tests."""

    path: Path
    as_of: datetime
    period_days: int
    paragraph: str
    pain_points: int
    new_pain_points: int
    growing_pain_points: int
    incidents: int
    campaigns: int
    charts: int
    size_bytes: int


def default_report_path(as_of: datetime) -> Path:
    """``$FOREWARN_HOME/reports/forewarn-report-<date>.html`` for the report's as-of date."""
    return forewarn_home() / "reports" / f"forewarn-report-{as_of:%Y-%m-%d}.html"


def write_report(engine: Engine, out_path: Path | None = None, *, as_of: datetime,
                 period_days: int = 7) -> ReportSummary:
    """Write the HTML report for the ``period_days`` before ``as_of`` and return what it holds.

    Args:
        engine: the warehouse.
        out_path: where to write; None means :func:`default_report_path`. Parent folders are created.
        as_of: end of the period (exclusive); naive UTC, or aware (converted to UTC).
        period_days: length of the reported period in days (7: a week).

    Raises:
        ValueError: ``period_days`` is not a positive number of days.
    """
    if period_days < 1:
        raise ValueError(f"period_days must be at least 1, got {period_days!r}")
    as_of = naive_utc(as_of)
    window = ReportWindow(end=as_of, period_days=period_days, context_days=max(CONTEXT_DAYS, period_days),
                          trend_days=max(TREND_DAYS, 2 * period_days))
    data = load_report_data(engine, window)
    figures = build_figures(data)
    paragraph = write_paragraph(data)
    # No wall-clock time in the page: the same warehouse and as-of give the same bytes on a rerun.
    html = render_report(data, figures, paragraph=paragraph)
    path = Path(out_path) if out_path is not None else default_report_path(as_of)
    _write_atomically(path, html)
    log.info("wrote report %s: %s pain points, %s incidents, %s campaigns", path, len(data.pain_points),
             len(data.incidents), len(data.campaigns))
    return ReportSummary(
        path=path,
        as_of=as_of,
        period_days=period_days,
        paragraph=paragraph,
        pain_points=len(data.pain_points),
        new_pain_points=len(data.new_pain_points),
        growing_pain_points=len(growing_pain_points(data.pain_points)),
        incidents=len(data.incidents),
        campaigns=len(data.campaigns),
        charts=html.count("<svg "),
        size_bytes=len(html.encode("utf-8")),
    )


def _write_atomically(path: Path, html: str) -> None:
    # A reader (a browser, a web server) never sees half a report.
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(html)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
