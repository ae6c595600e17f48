"""Read the detectors' input frames from the warehouse aggregates, bounded by the as-of."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Connection

from pipeline.detect.settings import DetectSettings
from sql import statement


@dataclass(frozen=True)
class IncidentInputs:
    """Everything the incident detectors read, all strictly before ``as_of``."""

    as_of: datetime
    history_start: datetime | None
    hourly: pd.DataFrame
    catalog: pd.DataFrame
    exposures: pd.DataFrame  # only of signatures first seen once the new-signature warm-up had passed
    activity: pd.DataFrame
    version_customers: pd.DataFrame
    mrr: pd.Series


def _frame(connection: Connection, name: str, params: dict[str, object], columns: list[str]) -> pd.DataFrame:
    rows = connection.execute(statement(name, connection.dialect.name), params).all()
    return pd.DataFrame([tuple(row) for row in rows], columns=columns)


def read_incident_inputs(connection: Connection, as_of: datetime, settings: DetectSettings) -> IncidentInputs:
    """Load hourly counts, the signature catalog, exposures and per-version activity."""
    since = as_of - timedelta(days=settings.series_history_days)
    start = connection.execute(statement("select_events_start")).scalar()
    history_start = pd.Timestamp(start).to_pydatetime() if start is not None else None
    hourly = _frame(
        connection, "select_signature_hourly", {"since": since, "as_of": as_of},
        ["hour", "signature_id", "event_count", "customer_count"],
    )
    catalog = _frame(
        connection, "select_signature_catalog", {},
        ["signature_id", "name", "error_code", "feature", "platform", "message_pattern"],
    )
    exposures = _frame(
        connection, "select_signature_exposures", {"first_seen_since": _new_signatures_since(history_start, settings)},
        ["signature_id", "customer_id", "first_exposed_at", "event_count"],
    )
    activity = _frame(
        connection, "select_version_activity", {"as_of": as_of},
        ["day", "platform", "app_version", "active_customers", "error_events", "erroring_customers"],
    )
    version_customers = _frame(
        connection, "select_version_customers", {},
        ["platform", "app_version", "customer_id", "first_active_at", "first_error_at", "error_events"],
    )
    mrr = _frame(connection, "select_customer_mrr", {}, ["customer_id", "mrr"]).set_index("customer_id")["mrr"]
    for frame, columns in (
        (hourly, ["hour"]),
        (exposures, ["first_exposed_at"]),
        (activity, ["day"]),
        (version_customers, ["first_active_at", "first_error_at"]),
    ):
        for column in columns:
            frame[column] = pd.to_datetime(frame[column], format="ISO8601")
    return IncidentInputs(
        as_of=as_of,
        history_start=history_start,
        hourly=hourly,
        catalog=catalog,
        exposures=exposures,
        activity=activity,
        version_customers=version_customers,
        mrr=mrr.astype(float),
    )


def _new_signatures_since(history_start: datetime | None, settings: DetectSettings) -> datetime:
    """The earliest first sighting a new signature can have: the new-signature detector's warm-up after the
    history starts, on the hour (the detector compares the hour of a first sighting; this bound is not later)."""
    if history_start is None:
        return datetime.min
    warm = pd.Timestamp(history_start) + pd.Timedelta(hours=settings.new_signature_min_history_hours)
    return warm.floor("h").to_pydatetime()
