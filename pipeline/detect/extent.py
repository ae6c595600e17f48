"""The window a detection run looks at, and where the warehouse's data starts and stops.

A run as of a time after the data ends finds nothing; saying only "nothing to detect" sent people
looking for a bug. The run reports the window it read and the data's extent instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Engine

from pipeline.detect.settings import DetectSettings
from sql import statement


@dataclass(frozen=True)
class DataExtent:
    """The windows read as of ``as_of`` and the first/last ticket and error hour held (None when none)."""

    as_of: datetime
    ticket_window_from: datetime
    event_window_from: datetime
    tickets_from: datetime | None
    tickets_until: datetime | None
    errors_from: datetime | None
    errors_until: datetime | None

    @property
    def data_until(self) -> datetime | None:
        """The last moment any data is known for (ticket or error hour end)."""
        ends = [t for t in (self.tickets_until, self.errors_until and self.errors_until + timedelta(hours=1)) if t]
        return max(ends) if ends else None

    def describe(self) -> str:
        """One line: the windows read and where the data is."""
        window = (f"looked at tickets from {_fmt(self.ticket_window_from)} and error events from "
                  f"{_fmt(self.event_window_from)} up to {_fmt(self.as_of)}")
        if self.data_until is None:
            return f"{window}; the warehouse holds no tickets and no error events: run `forewarn ingest` first"
        held = (f"the warehouse holds tickets {_span(self.tickets_from, self.tickets_until)} and error events "
                f"{_span(self.errors_from, self.errors_until)}")
        if self.data_until < self.ticket_window_from and self.data_until < self.event_window_from:
            return f"{window}; {held}: the data stops before this window, pass an --as-of within it or ingest newer data"
        return f"{window}; {held}"


def data_extent(engine: Engine, as_of: datetime, settings: DetectSettings) -> DataExtent:
    """Read the data's extent and the windows a run as of ``as_of`` reads."""
    with engine.connect() as connection:
        row = connection.execute(statement("select_data_extent")).one()
    return DataExtent(
        as_of=as_of,
        ticket_window_from=as_of - timedelta(days=settings.ticket_window_days),
        event_window_from=as_of - timedelta(days=settings.series_history_days),
        tickets_from=_time(row.tickets_from), tickets_until=_time(row.tickets_until),
        errors_from=_time(row.errors_from), errors_until=_time(row.errors_until),
    )


def _time(value: object) -> datetime | None:
    return None if value is None else pd.Timestamp(value).to_pydatetime()


def _fmt(value: datetime | None) -> str:
    return "-" if value is None else value.strftime("%Y-%m-%d %H:%M")


def _span(start: datetime | None, end: datetime | None) -> str:
    return "none" if start is None else f"from {_fmt(start)} to {_fmt(end)}"
