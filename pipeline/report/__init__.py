"""The product managers' report: one self-contained HTML file with charts drawn as inline SVG.

Entry points: :func:`write_report` writes it; :func:`latest_data_time` finds a sensible default
"as of" time when none is given.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from pipeline.report.queries import latest_data_time as _latest_data_time
from pipeline.report.writer import ReportSummary, default_report_path, write_report

__all__ = ["ReportSummary", "default_report_path", "latest_data_time", "write_report"]


def latest_data_time(engine: Engine) -> datetime | None:
    """The newest time any ticket, ingest run, incident or pain point in the warehouse refers to."""
    with engine.connect() as connection:
        return _latest_data_time(connection)
