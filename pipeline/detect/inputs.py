"""Read the detectors' input frames from the warehouse aggregates, bounded by the as-of."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Connection

from pipeline.detect.settings import DetectSettings
from pipeline.warehouse.frames import read_frame
from sql import statement


@dataclass(frozen=True)
class IncidentInputs:
    """Everything the incident detectors read, all strictly before ``as_of``."""

    as_of: datetime
    history_start: datetime | None
    hourly: pd.DataFrame
    catalog: pd.DataFrame
    exposures: pd.DataFrame  # only of signatures first seen once the new-signature warm-up had passed
    mrr: pd.Series


def read_incident_inputs(connection: Connection, as_of: datetime, settings: DetectSettings) -> IncidentInputs:
    """Load hourly counts, the signature catalog and exposures (the release test reads its own, see
    :mod:`pipeline.detect.regressions`: which errors it counts depends on the other detectors' findings)."""
    since = as_of - timedelta(days=settings.series_history_days)
    start = connection.execute(statement("select_events_start")).scalar()
    history_start = pd.Timestamp(start).to_pydatetime() if start is not None else None
    hourly = read_frame(
        connection, "select_signature_hourly", {"since": since, "as_of": as_of},
        ["hour", "signature_id", "event_count", "customer_count"],
    )
    catalog = read_frame(
        connection, "select_signature_catalog", {},
        ["signature_id", "name", "error_code", "feature", "platform", "message_pattern"],
    )
    exposures = read_frame(
        connection, "select_signature_exposures", {"first_seen_since": _new_signatures_since(history_start, settings)},
        ["signature_id", "customer_id", "first_exposed_at", "event_count"],
    )
    mrr = read_frame(connection, "select_customer_mrr", {}, ["customer_id", "mrr"]).set_index("customer_id")["mrr"]
    hourly["hour"] = pd.to_datetime(hourly["hour"], format="ISO8601")
    exposures["first_exposed_at"] = pd.to_datetime(exposures["first_exposed_at"], format="ISO8601")
    return IncidentInputs(
        as_of=as_of,
        history_start=history_start,
        hourly=hourly,
        catalog=catalog,
        exposures=exposures,
        mrr=mrr.astype(float),
    )


def _new_signatures_since(history_start: datetime | None, settings: DetectSettings) -> datetime:
    """The earliest first sighting a new signature can have: the new-signature detector's warm-up after the
    history starts, on the hour (the detector compares the hour of a first sighting; this bound is not later)."""
    if history_start is None:
        return datetime.min
    warm = pd.Timestamp(history_start) + pd.Timedelta(hours=settings.new_signature_min_history_hours)
    return warm.floor("h").to_pydatetime()
