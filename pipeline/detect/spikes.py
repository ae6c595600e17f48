"""Spikes and level shifts of a bug's hourly error count, summed over the platforms it occurs on.

Scoring one series per bug, not per signature, makes a burst that hits every client one incident and
keeps five weak per-platform series from each being tested on its own. An alert becomes an incident
when its count is also improbable as a count: the one-sided Poisson p-value of the events from the
alert until the count falls back, at the bug's mean rate of the week before, is at most
``spike_max_p_value`` divided by the bug-hours tested in the lookback (a robust z-score of 5 on a
series that averages under one event an hour is a handful of events, which chance gives daily
somewhere among many series). The incident then names the signatures that carry the excess over
their own recent level (a platform only when one does), and its customers are those who hit them
from the burst's start (up to three hours before the alert, while the count was already above its noise)
until the count falls back, less those its usual traffic explains
(``spike_audience``).
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from scipy import stats
from sqlalchemy import Connection

from detectors.incidents import IncidentFinding
from detectors.series import AnomalySettings, score_many
from pipeline.detect.bugs import bug_of_signatures, describe_bug
from pipeline.detect.count_tail import count_tail, rate_variation
from pipeline.detect.found import Found
from pipeline.detect.inputs import IncidentInputs
from pipeline.detect.settings import DetectSettings
from pipeline.detect.spike_audience import drop_background, expected_background
from pipeline.warehouse.frames import read_frame

log = logging.getLogger(__name__)

HOURLY_COUNTS = AnomalySettings(step_hours=1, missing_as_zero=True, direction="up")
# Every hour that beats the threshold and the record is a candidate: the detector's own cooldown (one alert,
# then none for 12 h) would let a first hour that fails the count test or the customer floor silence the
# bug while it grows (a ramp-shaped spike's 10:00 alert, its burst over at 11:00 with five customers, kept
# its 5-14 customers an hour from 14:00 on unseen until 23:00). The cooldown is applied below, after an
# hour that became an incident.
SPIKE_CANDIDATES = dataclasses.replace(HOURLY_COUNTS, cooldown_hours=0.0)
COOLDOWN = pd.Timedelta(hours=HOURLY_COUNTS.cooldown_hours)
BASELINE_HOURS = 168  # a signature's own recent level: the week before the alert
QUIET_HOURS = 2  # a spike ends after this many hours back at its usual level
LEAD_HOURS = 3  # a spike may have begun this many hours before its alert, while above its usual level's noise
END_MAX_P_VALUE = 0.01  # a quiet stretch ends a spike when the bug's share in it is this unlikely at the burst's share
SIGNATURE_MAX_P_VALUE = 0.01  # a signature carries a spike when its own count is this unlikely at its level


def detect_spikes(
    connection: Connection, inputs: IncidentInputs, settings: DetectSettings, skip_bugs: set[str],
    stored: dict[str, list[tuple[pd.Timestamp, pd.Timestamp]]] | None = None,
) -> list[Found]:
    """Alerts of the online detector on each bug's hourly count within the lookback, as incidents.

    ``stored``: per bug, the alert hour and end of its stored spikes; an hour after one, until its end or the
    cooldown past its alert, is part of it and starts nothing, while the alert hour itself is judged again, so a
    spike is brought up to date by the hour that found it as long as that hour is in the lookback.
    """
    if inputs.hourly.empty:
        return []
    bug_of = bug_of_signatures(inputs.catalog)
    hourly = inputs.hourly.assign(bug_id=inputs.hourly["signature_id"].map(bug_of).fillna(inputs.hourly["signature_id"]))
    series = hourly.groupby(["bug_id", "hour"], as_index=False)["event_count"].sum()
    scored = score_many(
        series.rename(columns={"bug_id": "series_id", "hour": "timestamp", "event_count": "value"}), SPIKE_CANDIDATES
    )
    since = pd.Timestamp(inputs.as_of - timedelta(hours=settings.incident_lookback_hours), tz="UTC")
    stamps = pd.to_datetime(scored["timestamp"], utc=True)
    alerts = scored[scored["alert"].astype(bool) & (stamps >= since) & ~scored["series_id"].isin(skip_bugs)]
    # The count test is corrected for every bug-hour the lookback could have alerted on.
    tests = max(series["bug_id"].nunique() * settings.incident_lookback_hours, 1)
    # Every signature's events an hour: the clock a spike's end is read on.
    activity = inputs.hourly.groupby("hour")["event_count"].sum()
    activity.index = pd.DatetimeIndex(pd.to_datetime(activity.index, utc=True)).tz_convert(None)
    found = []
    # Per bug, each spike's alert hour and end, stored or found in this run: hours after one, until its end or
    # the cooldown past its alert, belong to it and start nothing.
    held = {bug: list(spans) for bug, spans in (stored or {}).items()}
    frames: dict[object, tuple[pd.DataFrame, pd.DataFrame]] = {}
    for alert in alerts.itertuples(index=False):  # by bug, then hour
        hour = pd.Timestamp(alert.timestamp).tz_convert(None)
        if any(alerted < hour < max(end, alerted + COOLDOWN) for alerted, end in held.get(alert.series_id, ())):
            continue
        if alert.series_id not in frames:
            frames[alert.series_id] = (scored[scored["series_id"] == alert.series_id],
                                       hourly[hourly["bug_id"] == alert.series_id])
        bug_hours, members = frames[alert.series_id]
        spike = _spike(connection, inputs, alert, bug_hours, members, settings, tests, activity)
        if spike is not None:
            found.append(spike)
            ended = spike.finding.evidence.get("ended_at")
            held.setdefault(alert.series_id, []).append((hour, pd.Timestamp(ended) if ended else pd.Timestamp(inputs.as_of)))
    log.info("spikes: %s bug series, %s candidate hours in the lookback, %s incidents", series["bug_id"].nunique(),
             len(alerts), len(found))
    return found


def _spike(
    connection: Connection,
    inputs: IncidentInputs,
    alert: object,
    bug_hours: pd.DataFrame,
    members: pd.DataFrame,
    settings: DetectSettings,
    tests: int,
    activity: pd.Series,
) -> Found | None:
    """The incident of one alert: its end, the signatures carrying it, and their customers in between."""
    start = _burst_start(bug_hours, pd.Timestamp(alert.timestamp).tz_convert(None))
    end = _spike_end(bug_hours, start, inputs.as_of, activity)
    baseline = _baseline_hours(inputs.history_start, start)
    involved, excess = _involved(members, start, end, baseline)
    p_value = _count_p_value(members, start, end, baseline, _others(activity, _hourly(members)))
    if p_value > settings.spike_max_p_value / tests:
        log.info("spike of %s at %s: count p-value %.2g is not below %.2g / %s tests", alert.series_id, start,
                 p_value, settings.spike_max_p_value, tests)
        return None
    affected = _customers(connection, involved, start, end)
    if len(affected) < settings.spike_min_customers:
        log.info("spike of %s at %s: only %s customers, below %s", alert.series_id, start, len(affected), settings.spike_min_customers)
        return None
    own = _hourly(members[members["signature_id"].isin(involved)])
    others = _others(activity, own)
    before = _events(connection, involved, start - pd.Timedelta(hours=baseline), start)
    stretch = {"start": start, "baseline_hours": baseline, "window_hours": (end - start) / pd.Timedelta(hours=1),
               "activity": others}
    # Who was exposed is estimated on the mean window; whom to email is bounded on the busier windows.
    background = expected_background(before, quantile=None, **stretch)
    bound = expected_background(before, quantile=settings.spike_background_quantile, **stretch)
    affected = affected.assign(background_weight=_usual_per_event(affected, own, others, start, baseline))
    hit = drop_background(affected, background, max_share=settings.spike_max_background_share,
                          max_audience_share=settings.spike_max_audience_background_share,
                          audience_background=bound)
    # Whether there is an incident at all is judged on the busier windows, as the audience is: the burst of
    # usual hitters that alerted is itself a busy window, which the mean under-counts.
    beyond_usual = len(drop_background(affected, bound, max_share=settings.spike_max_background_share))
    if beyond_usual < settings.spike_min_customers:
        # Every customer but a few hit it no more than its usual traffic does: a burst of the usual hitters, no
        # incident (the 30-day world had five such spikes of 0 customers, counted as false incidents).
        log.info("spike of %s at %s: %s of its %s customers are beyond its usual traffic, below %s", alert.series_id,
                 start, beyond_usual, len(affected), settings.spike_min_customers)
        return None
    described = describe_bug(inputs.catalog, involved)
    window = members[(members["hour"] >= start) & (members["hour"] < end)]
    finding = IncidentFinding(
        kind="level_shift" if alert.kind == "level_shift" else "spike",
        signature_id=involved[0],
        name=described["name"],
        error_code=described["error_code"],
        feature=described["feature"],
        platform=described["platform"],
        app_version=None,
        started_at=start,
        # the evidence is the alert hour's, not the lead hours' before it
        detected_at=pd.Timestamp(alert.timestamp).tz_convert(None) + pd.Timedelta(hours=1),
        customer_count=len(hit),
        event_count=int(window["event_count"].sum()),
        evidence={
            "hourly_count": float(alert.value),
            "score": float(alert.score),
            "ended_at": end.isoformat() if end < pd.Timestamp(inputs.as_of) else None,
            "excess_events": round(excess, 1),
            "count_p_value": p_value,
            "baseline_hours": baseline,
            "signature_ids": involved,
            "usual_traffic_customers": len(affected) - len(hit),
            # exposed, counted and linked, but at levels past the audience bound: not emailed
            "usual_traffic_exposed": int((~hit["in_audience"]).sum()),
        },
    )
    return Found(finding, hit[["customer_id", "first_exposed_at", "event_count", "in_audience"]], tuple(involved),
                 described["message_pattern"])


def _usual_per_event(affected: pd.DataFrame, own: pd.Series, others: pd.Series, start: pd.Timestamp,
                     baseline_hours: int) -> np.ndarray:
    """Per customer, the share of the bug's events in the hour they were first hit that its usual traffic
    explains: its events per other signatures' event in the baseline, times that hour's other events, over
    the bug's events then (at most 1). The peak of an outage explains little; its tail, or a busy hour, more."""
    since = start - pd.Timedelta(hours=baseline_hours)
    usual, use = float(own[(own.index >= since) & (own.index < start)].sum()), float(
        others[(others.index >= since) & (others.index < start)].sum())
    hours = pd.DatetimeIndex(pd.to_datetime(affected["first_exposed_at"], format="ISO8601")).floor("h")
    if hours.tz is not None:
        hours = hours.tz_convert(None)
    if use <= 0:
        return np.ones(len(affected))
    expected = usual / use * others.reindex(hours).fillna(0.0).to_numpy(dtype=float)
    seen = np.maximum(own.reindex(hours).fillna(0.0).to_numpy(dtype=float), 1.0)
    return np.minimum(expected / seen, 1.0)


def _hourly(rows: pd.DataFrame) -> pd.Series:
    """Events an hour of ``rows`` (``hour, event_count``), on a DatetimeIndex."""
    counts = rows.groupby("hour")["event_count"].sum()
    counts.index = pd.DatetimeIndex(counts.index)
    return counts


def _others(activity: pd.Series, own: pd.Series) -> pd.Series:
    """The activity less ``own``: the clock a bug's own events are measured on."""
    return activity.sub(own, fill_value=0.0).clip(lower=0.0)


def _baseline_hours(history_start: datetime | None, start: pd.Timestamp) -> int:
    """The week before ``start``, or as much of it as the history holds: on a new install, dividing the
    few days loaded by a whole week would under-count the usual rate and make every burst look rare."""
    if history_start is None:
        return BASELINE_HOURS
    held = (start - pd.Timestamp(history_start).tz_localize(None)) / pd.Timedelta(hours=1)
    return int(min(BASELINE_HOURS, max(held, 1)))


def _count_p_value(members: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, baseline_hours: int,
                   others: pd.Series | None = None) -> float:
    """One-sided p-value of the bug's events in [start, end) at its rate of the week before, on the
    activity clock of the other signatures' events when they show any (else on the wall clock).

    On the wall clock a weekday afternoon is measured against a week whose weekend and nights are quiet, and
    a night outage against its busy days: in the 30-day world an out-of-memory crash's Thursday afternoon, 23
    events in two hours where the week's mean hour gave 4.3, scored 2e-10; on the activity clock 5e-6 (the
    crash's hourly counts are Poisson around its share of activity, dispersion 1.05). That is still below the
    1e-2 / 1,056 its tests allow, and it stands as that world's one false level shift (23 customers, none
    emailed): a rare burst, not a biased test. When the bug's own days scatter beyond Poisson around its share
    of use, the rate is read with that variation (``count_tail``: a negative binomial tail)."""
    hours, before, during = _before_and_during(members, start, end, baseline_hours)
    share = hours / baseline_hours
    if others is not None:
        # The baseline and the burst's hours on the activity clock: as much use as the burst saw.
        window = others[(others.index >= start - pd.Timedelta(hours=baseline_hours)) & (others.index < start)].sum()
        burst = others[(others.index >= start) & (others.index < start + pd.Timedelta(hours=hours))].sum()
        if window > 0 and burst > 0:
            share = float(burst) / float(window)
    # Half an event a week at least: a bug quiet all week is not infinitely surprising.
    expected = max(float(before["event_count"].sum()), 0.5 * baseline_hours / BASELINE_HOURS) * share
    variation = rate_variation(before, start, baseline_hours, others)
    return count_tail(int(during["event_count"].sum()), expected, variation)


def _burst_start(bug_hours: pd.DataFrame, alert: pd.Timestamp) -> pd.Timestamp:
    """The alert's hour, or the earliest of the up to ``LEAD_HOURS`` hours just before it that were already
    above the usual level's noise: the detector alerts once a burst is clear, often an hour after it began,
    and the customers hit in that first hour belong to it (out-of-sample seed 23: a calendar 403 outage
    began at 13:56, alerted at 14:00, and a customer hit at 13:56 and again at 15:07 was never emailed)."""
    stamps = pd.to_datetime(bug_hours["timestamp"], utc=True).dt.tz_convert(None)
    values = bug_hours["value"].to_numpy(dtype=float)
    ceiling = _noise_ceiling(stamps, values, alert - pd.Timedelta(hours=LEAD_HOURS))
    by_hour = dict(zip(stamps, values, strict=True))
    start = alert
    for _ in range(LEAD_HOURS):
        if by_hour.get(start - pd.Timedelta(hours=1), 0.0) <= ceiling:
            break
        start -= pd.Timedelta(hours=1)
    return start


def _noise_ceiling(stamps: pd.Series, values: np.ndarray, before: pd.Timestamp) -> float:
    """The usual level (the median hour of the day before ``before``) plus two Poisson deviations."""
    window = values[(stamps >= before - pd.Timedelta(hours=24)).to_numpy() & (stamps < before).to_numpy()]
    usual = float(np.median(window)) if window.size else 0.0
    return usual + 2 * np.sqrt(usual + 1)


def _spike_end(bug_hours: pd.DataFrame, start: pd.Timestamp, as_of: datetime, activity: pd.Series) -> pd.Timestamp:
    """First hour of a stretch of at least ``QUIET_HOURS`` hours back at the usual level (the day's median
    before the alert) in which the bug's share of all signatures' events fell clearly below its share during
    the burst (binomial, ``END_MAX_P_VALUE``).

    Two quiet wall-clock hours alone ended an outage at night: a calendar 403 spike of a usual level of 0 an
    hour counted 1 and 0 at 22:00 and 23:00, under the noise ceiling of 2, and went on until 08:00 at 1-3 an
    hour while the world's other errors were as quiet (its share 1/2, 0/1, 1/1, 2/6, 3/4...); ended at 22:00,
    it found 15 of its 30 customers (out-of-sample seed 23). The share needs the activity to show it, so a
    night or a weekend ends a spike only once enough of the other signatures' events passed.
    """
    stamps = pd.to_datetime(bug_hours["timestamp"], utc=True).dt.tz_convert(None)
    values = bug_hours["value"].to_numpy(dtype=float)
    ceiling = _noise_ceiling(stamps, values, start)
    totals = activity.reindex(pd.DatetimeIndex(stamps)).fillna(0.0).to_numpy(dtype=float)
    at_start = (stamps == start).to_numpy()
    burst_events, burst_total = float(values[at_start].sum()), float(totals[at_start].sum())
    quiet_events = quiet_total = 0.0
    quiet_from, quiet_hours = None, 0
    after = (stamps > start).to_numpy()
    for stamp, value, total in zip(stamps[after], values[after], totals[after], strict=True):
        if value > ceiling:  # still bursting: the quiet stretch so far was part of it
            burst_events, burst_total = burst_events + quiet_events + value, burst_total + quiet_total + max(total, value)
            quiet_events = quiet_total = 0.0
            quiet_from, quiet_hours = None, 0
            continue
        quiet_from = stamp if quiet_from is None else quiet_from
        quiet_events, quiet_total, quiet_hours = quiet_events + value, quiet_total + max(total, value), quiet_hours + 1
        share = min(burst_events / burst_total, 1.0) if burst_total > 0 else 1.0
        if quiet_hours >= QUIET_HOURS and stats.binom.cdf(quiet_events, quiet_total, share) <= END_MAX_P_VALUE:
            return quiet_from
    return pd.Timestamp(as_of)


def _involved(members: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
              baseline_hours: int) -> tuple[list[str], float]:
    """Signatures whose count in [start, end) clearly exceeds their own level of the week before: at least
    two events more and unlikely at that level (Poisson, Bonferroni over the bug's signatures). A share of
    the total excess as the bar left out the small platforms of a large outage: a search timeout's iOS and
    macOS signatures (under 10% of its 132 excess events, from a level near zero) were not read, and three
    of their customers wrote in without an email (out-of-sample seed 13)."""
    hours, before, during = _before_and_during(members, start, end, baseline_hours)
    level = before.groupby("signature_id")["event_count"].sum()
    seen = during.groupby("signature_id")["event_count"].sum()
    usual = level.reindex(seen.index).fillna(0.0)
    expected = usual / baseline_hours * hours
    excess = (seen - expected).sort_values(ascending=False, kind="stable")
    total = float(excess.clip(lower=0).sum())
    # Half an event a week at least, as for the bug's count test.
    floor = 0.5 / BASELINE_HOURS * hours
    p_values = pd.Series(stats.poisson.sf(seen - 1, np.maximum(expected, floor)), index=seen.index)
    unlikely = p_values.reindex(excess.index) <= SIGNATURE_MAX_P_VALUE / max(len(seen), 1)
    carrying = excess[(excess >= 2.0) & unlikely]
    chosen = carrying if not carrying.empty else seen.sort_values(ascending=False, kind="stable")
    # Most excess first: the first signature names the incident (and is the one outreach reads).
    ordered = sorted(chosen.index, key=lambda s: (-float(chosen[s]), s))
    return ordered, total


def _before_and_during(members: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                       baseline_hours: int) -> tuple[float, pd.DataFrame, pd.DataFrame]:
    """The spike's length in hours (at least one), and the bug's rows of its baseline and of [start, end)."""
    hours = max((end - start) / pd.Timedelta(hours=1), 1.0)
    before = members[(members["hour"] >= start - pd.Timedelta(hours=baseline_hours)) & (members["hour"] < start)]
    during = members[(members["hour"] >= start) & (members["hour"] < end)]
    return hours, before, during


def _customers(connection: Connection, signatures: list[str], start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    return _read(connection, "select_signatures_customers_between", signatures, start, end,
                 ["customer_id", "first_exposed_at", "event_count"])


def _events(connection: Connection, signatures: list[str], start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    return _read(connection, "select_signatures_events_between", signatures, start, end, ["customer_id", "occurred_at"])


def _read(connection: Connection, name: str, signatures: list[str], start: pd.Timestamp, end: pd.Timestamp,
          columns: list[str]) -> pd.DataFrame:
    """Rows of a query over ``signatures`` (an expanding list) in [start, end)."""
    params = {"signature_ids": signatures, "start": start.to_pydatetime(), "end": end.to_pydatetime()}
    return read_frame(connection, name, params, columns, expanding=["signature_ids"])
