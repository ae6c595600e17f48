"""Read data-quality figures: rows loaded, rows quarantined by rule, freshness, ticket volume."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from pipeline.report.model import DataQuality, QuarantineCount, ReportWindow, TableLoad, TicketVolume
from pipeline.report.queries.common import fetch, to_datetime, to_int


def load_quality(connection: Connection, window: ReportWindow) -> DataQuality:
    """Ingest runs per table and quarantined rows per rule during the period."""
    loads = tuple(
        TableLoad(
            table_name=row["table_name"],
            runs=to_int(row["runs"]),
            failed_runs=to_int(row["failed_runs"]),
            rows_loaded=to_int(row["rows_loaded"]),
            rows_quarantined=to_int(row["rows_quarantined"]),
            max_timestamp=to_datetime(row["max_timestamp"]),
            last_finished_at=to_datetime(row["last_finished_at"]),
        )
        for row in fetch(connection, "report_select_ingest_runs", start=window.start, end=window.end)
    )
    quarantine = tuple(
        QuarantineCount(table_name=row["table_name"], rule=row["rule"], rows=to_int(row["rows_quarantined"]))
        for row in fetch(connection, "report_count_quarantine", start=window.start, end=window.end)
    )
    return DataQuality(loads=loads, quarantine=quarantine)


def load_ticket_volume(connection: Connection, window: ReportWindow) -> TicketVolume:
    row = fetch(
        connection, "report_count_tickets", previous_start=window.previous_start, start=window.start, end=window.end
    )[0]
    return TicketVolume(
        this_period=to_int(row["this_period"]),
        previous_period=to_int(row["previous_period"]),
        customers_total=to_int(row["customers_total"]),
    )


def latest_data_time(connection: Connection) -> datetime | None:
    """The newest time any ticket, ingest run, incident or pain point refers to."""
    return to_datetime(fetch(connection, "report_select_latest_data_time")[0]["latest"])
