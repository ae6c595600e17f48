"""Checking the ticket, exposure and incident frames that links read."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import numpy as np
import pandas as pd

TICKET_COLUMNS = ("pain_point_id", "customer_id", "created_at")
"""Plus optional ``text`` (redacted subject and body) for text matching."""
EXPOSURE_COLUMNS = ("incident_id", "customer_id", "first_exposed_at")
"""``incident_customers`` rows."""
INCIDENT_TEXT_COLUMNS = ("incident_id",)
"""Plus optional ``error_code`` and ``message_pattern``."""


class LinkInputError(ValueError):
    """A frame links cannot read; the message names the frame, column and value."""


def require_columns(frame: pd.DataFrame, columns: Iterable[str], source: str) -> None:
    """Raise if ``frame`` lacks any of ``columns``, naming what it has instead.

    Raises:
        LinkInputError: naming the missing and the present columns.
    """
    if not isinstance(frame, pd.DataFrame):
        raise LinkInputError(f"{source}: expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        found = ", ".join(map(str, frame.columns)) or "none"
        raise LinkInputError(f"{source}: missing column(s) {', '.join(missing)}; found {found}")


def to_utc(values: pd.Series, source: str) -> pd.Series:
    """Parse timestamps (no offset means UTC) to tz-aware UTC; a missing or unreadable one is an error.

    Raises:
        LinkInputError: quoting the first bad row.
    """
    try:
        parsed = pd.to_datetime(values, utc=True, format="ISO8601" if values.dtype == object else None)
    except (ValueError, TypeError, OverflowError) as error:
        raise LinkInputError(
            f"{source}: cannot read timestamps ({error}); use ISO 8601 date-times"
        ) from error
    if parsed.isna().any():
        row = int(np.flatnonzero(parsed.isna().to_numpy())[0])
        raise LinkInputError(f"{source}: row {row} ({values.iloc[row]!r}) has no timestamp")
    return parsed.dt.as_unit("ns")


def to_ids(values: pd.Series, source: str) -> pd.Series:
    """Ids as trimmed text; a missing id is an error.

    Raises:
        LinkInputError: quoting the first row without an id.
    """
    if values.isna().any():
        row = int(np.flatnonzero(values.isna().to_numpy())[0])
        raise LinkInputError(f"{source}: row {row} has no id")
    return values.astype("str").str.strip()


def read_tickets(tickets: pd.DataFrame, as_of: pd.Timestamp | None) -> pd.DataFrame:
    """Tickets with ``pain_point_id, customer_id, created_at`` (and ``text`` when given), cut at ``as_of``."""
    source = "pain point tickets"
    require_columns(tickets, TICKET_COLUMNS, source)
    frame = pd.DataFrame(
        {
            "pain_point_id": to_ids(tickets["pain_point_id"], f"{source}, column pain_point_id"),
            "customer_id": to_ids(tickets["customer_id"], f"{source}, column customer_id"),
            "created_at": to_utc(tickets["created_at"], f"{source}, column created_at"),
        }
    )
    if "text" in tickets.columns:
        frame["text"] = tickets["text"].astype("str").where(tickets["text"].notna(), "")
    if as_of is not None:
        frame = frame.loc[frame["created_at"] <= as_of]
    return frame.reset_index(drop=True)


def read_exposures(exposures: pd.DataFrame, as_of: pd.Timestamp | None) -> pd.DataFrame:
    """One row per (incident, customer) with the first exposure, cut at ``as_of``."""
    source = "incident exposures"
    require_columns(exposures, EXPOSURE_COLUMNS, source)
    frame = pd.DataFrame(
        {
            "incident_id": to_ids(exposures["incident_id"], f"{source}, column incident_id"),
            "customer_id": to_ids(exposures["customer_id"], f"{source}, column customer_id"),
            "first_exposed_at": to_utc(exposures["first_exposed_at"], f"{source}, column first_exposed_at"),
        }
    )
    if as_of is not None:
        frame = frame.loc[frame["first_exposed_at"] <= as_of]
    frame = frame.sort_values("first_exposed_at", kind="stable")
    return frame.drop_duplicates(["incident_id", "customer_id"]).reset_index(drop=True)


def to_utc_timestamp(value: datetime | str | pd.Timestamp | None, source: str) -> pd.Timestamp | None:
    """Parse an optional timestamp argument to tz-aware UTC.

    Raises:
        LinkInputError: the value is not a timestamp.
    """
    if value is None:
        return None
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError) as error:
        raise LinkInputError(f"{source}: {value!r} is not a timestamp") from error
    if pd.isna(stamp):
        raise LinkInputError(f"{source}: {value!r} is not a timestamp")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
