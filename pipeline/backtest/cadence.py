"""The replay's clock: how often the loop runs (``--every 1h``) and the as-of of every run."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhd])\s*$", re.IGNORECASE)
MIN_EVERY = timedelta(minutes=5)
MAX_RUNS = 20_000


class CadenceError(ValueError):
    """A cadence or duration the replay cannot use; the message quotes it and says what would work."""


def parse_duration(text: str, option: str = "--every", *, allow_zero: bool = False) -> timedelta:
    """``30m``, ``1h``, ``6h``, ``1d`` (minutes, hours, days) as a timedelta; ``0h`` only with ``allow_zero``.

    Raises:
        CadenceError: not a positive (or zero, when allowed) number followed by m, h or d.
    """
    match = _PATTERN.match(str(text))
    if not match or float(match.group(1)) < 0 or (float(match.group(1)) == 0 and not allow_zero):
        raise CadenceError(f"{option} {text!r} is not a duration: use a positive number and a unit m, h or d "
                           "(e.g. 30m, 1h, 6h, 1d)")
    return timedelta(**{_UNITS[match.group(2).lower()]: float(match.group(1))})


def replay_times(start: date | datetime, end: date | datetime, every: timedelta) -> list[datetime]:
    """The as-of of every run: ``start``, ``start + every``, ... up to and including ``end``.

    A date means its midnight UTC, so ``--from 2026-01-02 --to 2026-01-04 --every 1d`` runs as of the
    three midnights, as the daily DAGs would have.

    Raises:
        CadenceError: the period runs backwards, the cadence is too fine, or there would be too many runs.
    """
    first, last = _moment(start), _moment(end)
    if last < first:
        raise CadenceError(f"backtest end {last} is before its start {first}")
    if every < MIN_EVERY:
        raise CadenceError(f"--every {every} is finer than {MIN_EVERY}; the loop cannot run that often")
    runs = int((last - first) / every) + 1
    if runs > MAX_RUNS:
        raise CadenceError(f"{runs} runs from {first} to {last} every {every}: more than {MAX_RUNS}; "
                           "choose a shorter period or a coarser --every")
    return [first + n * every for n in range(runs)]


def _moment(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return datetime(value.year, value.month, value.day)
