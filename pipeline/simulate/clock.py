"""Time in the simulator: int64 milliseconds since the Unix epoch (UTC), daily and weekly rhythm, formatting."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np

MS_PER_SECOND = 1_000
MS_PER_HOUR = 3_600_000
MS_PER_DAY = 86_400_000

# Share of a work app's activity by local hour: quiet nights, a morning ramp, a lunch dip, a tail in the
# evening. Normalised below.
_HOURLY = np.array(
    [0.12, 0.07, 0.05, 0.04, 0.05, 0.10, 0.30, 0.70, 1.20, 1.55, 1.60, 1.50,
     1.15, 1.35, 1.50, 1.45, 1.30, 1.00, 0.70, 0.55, 0.50, 0.45, 0.35, 0.20]
)
HOURLY_PROFILE = _HOURLY / _HOURLY.sum()
# Support tickets are written during office hours even more than the app is used.
_TICKET_HOURLY = np.where(np.arange(24) < 7, 0.1, 1.0) * np.where(np.arange(24) > 19, 0.4, 1.0) * _HOURLY
TICKET_HOURLY_PROFILE = _TICKET_HOURLY / _TICKET_HOURLY.sum()
# Monday .. Sunday: a business tool is mostly quiet at weekends.
WEEKDAY_FACTOR = np.array([1.0, 1.06, 1.05, 1.0, 0.88, 0.32, 0.27])


def epoch_ms(moment: date | datetime) -> int:
    """Milliseconds since the epoch of a date (midnight UTC) or an aware/naive-UTC datetime."""
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    elif moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)


def to_datetime(ms: int) -> datetime:
    """An aware UTC datetime from epoch milliseconds."""
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(ms))


def weekday_factors(start: date, days: int) -> np.ndarray:
    """Activity factor of each simulated day (by its UTC weekday)."""
    first = start.weekday()
    return WEEKDAY_FACTOR[(first + np.arange(days)) % 7]


def iso_ms(ms: np.ndarray) -> np.ndarray:
    """``2026-01-05T08:15:32.123Z`` strings for an int64 array of epoch milliseconds."""
    text = np.datetime_as_string(ms.astype("datetime64[ms]"), unit="ms")
    return np.strings.add(text, "Z")


def iso_seconds(ms: np.ndarray) -> np.ndarray:
    """``2026-01-05T08:15:32Z`` strings (whole seconds) for an int64 array of epoch milliseconds."""
    text = np.datetime_as_string((ms // 1000).astype("datetime64[s]"), unit="s")
    return np.strings.add(text, "Z")


def iso_with_offset(ms: np.ndarray, offset_hours: np.ndarray) -> np.ndarray:
    """Local wall time with its UTC offset, e.g. ``2026-01-20T10:03:11+01:00`` (same instant as ``ms``)."""
    local = (ms // 1000 + offset_hours.astype(np.int64) * 3600).astype("datetime64[s]")
    text = np.datetime_as_string(local, unit="s")
    sign = np.where(offset_hours < 0, "-", "+")
    hours = np.char.zfill(np.abs(offset_hours).astype(np.int64).astype(str), 2)
    suffix = np.strings.add(np.strings.add(sign, hours), ":00")
    return np.strings.add(text, suffix)


def iso_text(moment: datetime) -> str:
    """One aware datetime as ``YYYY-MM-DDTHH:MM:SSZ`` (UTC)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
