"""A spike ends when its share of all errors falls back, not after two quiet hours of a quiet night."""

from __future__ import annotations

import pandas as pd

from pipeline.detect.spikes import LEAD_HOURS, _burst_start, _spike_end

START = pd.Timestamp("2026-01-10 13:00")
# Out-of-sample seed 23's calendar 403 spike, hour by hour from 13:00 (bug events, all signatures' events):
# a day burst, a night at 0-3 an hour while everything else is as quiet, a morning burst, then over.
HOURS = [(3, 7), (9, 13), (12, 17), (9, 12), (7, 13), (5, 7), (3, 3), (7, 10), (6, 9), (1, 2), (0, 1), (1, 1),
         (2, 6), (3, 4), (0, 1), (3, 4), (1, 1), (1, 1), (13, 13)] + [(0, 6)] * 8


def _frames(hours: list[tuple[int, int]]) -> tuple[pd.DataFrame, pd.Series]:
    stamps = [START + pd.Timedelta(hours=n) for n in range(-24, len(hours))]
    bug = [0] * 24 + [b for b, _ in hours]
    every = [5] * 24 + [a for _, a in hours]
    bug_hours = pd.DataFrame({"timestamp": pd.DatetimeIndex(stamps).tz_localize("UTC"), "value": bug})
    return bug_hours, pd.Series(every, index=pd.DatetimeIndex(stamps), dtype=float)


def test_a_quiet_night_of_a_continuing_outage_does_not_end_it() -> None:
    bug_hours, activity = _frames(HOURS)
    end = _spike_end(bug_hours, START, START + pd.Timedelta(hours=len(HOURS)), activity)
    # Two wall-clock hours at or under the ceiling (22:00 and 23:00) would end it at 22:00; it goes on to
    # the morning burst at 07:00 and ends with it.
    assert end == START + pd.Timedelta(hours=19)


def test_a_burst_that_stops_while_other_errors_go_on_ends_at_once() -> None:
    bug_hours, activity = _frames([(9, 13), (12, 17), (10, 14), (0, 5), (0, 6), (0, 5), (0, 6)])
    end = _spike_end(bug_hours, START, START + pd.Timedelta(hours=7), activity)
    assert end == START + pd.Timedelta(hours=3)


def test_no_activity_no_end() -> None:
    bug_hours, activity = _frames([(9, 13), (12, 17)] + [(0, 0)] * 6)
    as_of = START + pd.Timedelta(hours=8)
    assert _spike_end(bug_hours, START, as_of, activity) == as_of


def test_a_spike_begins_in_the_hours_before_its_alert_that_were_already_above_the_noise() -> None:
    # Seed 23's outage began at 13:56 with 3 events in the 13:00 hour (usual level 0, ceiling 2); the
    # detector alerted at 14:00. One quiet hour before that is not part of it.
    bug_hours, _ = _frames(HOURS)
    bug_hours.loc[bug_hours["timestamp"] == (START - pd.Timedelta(hours=1)).tz_localize("UTC"), "value"] = 3
    bug_hours.loc[bug_hours["timestamp"] == (START - pd.Timedelta(hours=2)).tz_localize("UTC"), "value"] = 1
    assert _burst_start(bug_hours, START) == START - pd.Timedelta(hours=1)
    # A burst that rose over several hours is read back at most LEAD_HOURS.
    for hours_before in range(1, 6):
        bug_hours.loc[bug_hours["timestamp"] == (START - pd.Timedelta(hours=hours_before)).tz_localize("UTC"),
                      "value"] = 4
    assert _burst_start(bug_hours, START) == START - pd.Timedelta(hours=LEAD_HOURS)
    # Nothing above the noise before the alert: the alert's hour.
    quiet, _ = _frames(HOURS)
    assert _burst_start(quiet, START) == START
