"""Read everything the report shows from the warehouse, one module per section."""

from __future__ import annotations

from sqlalchemy import Engine

from pipeline.report.model import ReportData, ReportWindow
from pipeline.report.queries.campaigns import load_campaigns
from pipeline.report.queries.incidents import load_incidents, load_releases
from pipeline.report.queries.pain_points import load_pain_points
from pipeline.report.queries.quality import latest_data_time, load_quality, load_ticket_volume
from pipeline.report.queries.steering import load_steering

__all__ = ["latest_data_time", "load_report_data"]


def load_report_data(engine: Engine, window: ReportWindow) -> ReportData:
    """Read every section's figures over one connection.

    On PostgreSQL the reads share one REPEATABLE READ snapshot, so a detection run committing
    mid-report cannot make two sections disagree.
    """
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        pain_points = load_pain_points(connection, window)
        incidents = load_incidents(connection, window, pain_points)
        return ReportData(
            window=window,
            pain_points=pain_points,
            incidents=incidents,
            releases=load_releases(connection, window, incidents),
            campaigns=load_campaigns(connection, window),
            quality=load_quality(connection, window),
            tickets=load_ticket_volume(connection, window),
            steering=load_steering(connection, window),
        )
