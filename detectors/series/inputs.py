"""Checking and converting the timestamps and values a caller hands in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd


class SeriesInputError(ValueError):
    """Input the detector cannot read; the message quotes the offending row and value."""


def require_columns(frame: pd.DataFrame, columns: Iterable[str], source: str) -> None:
    """Raise if ``frame`` lacks any of ``columns``, naming what it has instead."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SeriesInputError(
            f"{source}: missing column(s) {', '.join(missing)}; found {', '.join(map(str, frame.columns)) or 'none'}"
        )


def to_utc_nanoseconds(
    timestamps: Sequence[Any] | pd.Series | np.ndarray,
    source: str = "timestamps",
    first_row: int = 1,
    row_label: str = "row",
) -> np.ndarray:
    """Parse timestamps (ISO 8601 text or datetimes; no offset means UTC) to int64 ns since the epoch.

    ``first_row`` and ``row_label`` name the first element in messages ("line", 2 for a CSV file).

    Raises:
        SeriesInputError: quoting the first row that is missing or not a timestamp.
    """
    series = pd.Series(timestamps, copy=False)
    if series.empty:
        return np.empty(0, dtype=np.int64)
    if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        # Bare numbers would silently become nanoseconds since 1970.
        raise SeriesInputError(
            f"{source}: timestamps are numbers (first: {series.iloc[0]}); give ISO 8601 text or datetimes"
        )
    text = not pd.api.types.is_datetime64_any_dtype(series.dtype)
    try:
        # ISO8601 lets rows differ in precision ("2024-01-01" next to "2024-01-01 05:00").
        parsed = pd.to_datetime(series, utc=True, format="ISO8601" if text else None)
    except (ValueError, TypeError, OverflowError):
        parsed = None
    if parsed is None or parsed.isna().any():
        raise SeriesInputError(_first_bad_timestamp(series, source, first_row, row_label))
    return pd.DatetimeIndex(parsed).as_unit("ns").asi8.copy()


def to_float_values(
    values: Sequence[Any] | pd.Series | np.ndarray,
    source: str = "values",
    first_row: int = 1,
    row_label: str = "row",
) -> np.ndarray:
    """Convert values to floats; empty cells become NaN (not scored), other text is an error.

    Raises:
        SeriesInputError: quoting the first value that is text and not a number.
    """
    series = pd.Series(values, copy=False)
    numbers = pd.to_numeric(series, errors="coerce")
    text = series.astype("string").str.strip()
    bad = numbers.isna() & series.notna() & (text != "") & (text.str.lower() != "nan")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise SeriesInputError(
            f"{source}: {row_label} {row + first_row} has value {series.iloc[row]!r}, which is not a number"
        )
    return numbers.to_numpy(dtype=float, na_value=np.nan)


def _first_bad_timestamp(series: pd.Series, source: str, first_row: int, row_label: str) -> str:
    for row, raw in enumerate(series):
        if raw is None or (isinstance(raw, float) and np.isnan(raw)) or raw is pd.NaT:
            return f"{source}: {row_label} {row + first_row} has no timestamp"
        try:
            pd.to_datetime(pd.Series([raw]), utc=True, format="ISO8601" if isinstance(raw, str) else None)
        except (ValueError, TypeError, OverflowError):
            return f"{source}: {row_label} {row + first_row} has timestamp {raw!r}, which is not an ISO 8601 date-time"
    return f"{source}: timestamps could not be parsed as one column (mixed time zones or types?)"
