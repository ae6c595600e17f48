"""Checking and converting the aggregate frames the incident detectors read."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import numpy as np
import pandas as pd


class IncidentInputError(ValueError):
    """An input frame the detector cannot read; the message names the frame, column and value."""


def require_columns(frame: pd.DataFrame, columns: Iterable[str], source: str) -> None:
    """Raise if ``frame`` lacks any of ``columns``, naming what it has instead.

    Raises:
        IncidentInputError: naming the missing and the present columns.
    """
    if not isinstance(frame, pd.DataFrame):
        raise IncidentInputError(f"{source}: expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        found = ", ".join(map(str, frame.columns)) or "none"
        raise IncidentInputError(f"{source}: missing column(s) {', '.join(missing)}; found {found}")


def to_utc(values: pd.Series, source: str, *, allow_missing: bool = False) -> pd.Series:
    """Parse timestamps (datetimes or ISO 8601 text; no offset means UTC) into tz-aware UTC, ns unit.

    Raises:
        IncidentInputError: quoting the first row whose value is missing (unless allowed) or unreadable.
    """
    try:
        parsed = pd.to_datetime(values, utc=True, format="ISO8601" if values.dtype == object else None)
    except (ValueError, TypeError, OverflowError) as error:
        raise IncidentInputError(
            f"{source}: cannot read timestamps ({error}); use ISO 8601 date-times"
        ) from error
    if not allow_missing and parsed.isna().any():
        row = int(np.flatnonzero(parsed.isna().to_numpy())[0])
        raise IncidentInputError(f"{source}: row {row} ({values.iloc[row]!r}) has no timestamp")
    return parsed.dt.as_unit("ns")


def to_utc_timestamp(value: datetime | str | pd.Timestamp, source: str) -> pd.Timestamp:
    """Parse one timestamp (no offset means UTC) into a tz-aware UTC ``pd.Timestamp``.

    Raises:
        IncidentInputError: the value is not a timestamp.
    """
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError) as error:
        raise IncidentInputError(f"{source}: {value!r} is not a timestamp") from error
    if pd.isna(stamp):
        raise IncidentInputError(f"{source}: {value!r} is not a timestamp")
    return (stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")).as_unit("ns")


def optional_timestamp(value: datetime | str | pd.Timestamp | None, source: str) -> pd.Timestamp | None:
    """Parse an optional timestamp argument (``as_of`` and the like) to tz-aware UTC."""
    return None if value is None else to_utc_timestamp(value, source)


def to_counts(values: pd.Series, source: str) -> np.ndarray:
    """Convert a column of counts to int64; missing counts are 0, negatives and fractions are errors.

    Raises:
        IncidentInputError: quoting the first row that is not a non-negative whole number.
    """
    numbers = pd.to_numeric(values, errors="coerce")
    bad = (numbers.isna() & values.notna()) | (numbers < 0) | (numbers.fillna(0) % 1 != 0)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise IncidentInputError(
            f"{source}: row {row} has {values.iloc[row]!r}, not a count (whole number >= 0)"
        )
    return numbers.fillna(0).to_numpy(dtype=np.int64)


def text_or_none(value: object) -> str | None:
    """Return trimmed text, or None for a missing or blank value."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    return text or None
