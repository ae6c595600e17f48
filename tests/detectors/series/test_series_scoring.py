"""score_series: spikes and level shifts found where they happen, and nothing from noise or odd input."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest
from series_helpers import alert_times, daily_counts, hourly, noisy_level

from detectors.series import AnomalySettings, SeriesInputError, score_many, score_series


@pytest.fixture(autouse=True)
def _numeric_warnings_are_errors():
    # A division by zero or an all-NaN slice would show up as a RuntimeWarning first.
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        yield


def test_spike_alerts_at_its_own_hour_as_a_spike():
    stamps = hourly(21)
    values = daily_counts(stamps, mean=20, seed=1)
    values[400] += 120
    scored = score_series(stamps, values)
    assert alert_times(scored) == [stamps[400]]
    assert scored.loc[400, "kind"] == "spike"
    assert scored.loc[400, "score"] > 5


def test_sustained_level_shift_alerts_within_hours():
    stamps = hourly(30)
    first_alerts, kinds = [], []
    for seed in range(10):
        values = noisy_level(len(stamps), seed=seed)
        values[400:] += 4.0  # four sigma: single hours barely stand out, the run of them does
        scored = score_series(stamps, values)
        after = scored[scored["alert"] & (scored.index >= 400)]
        first_alerts.append(after.index[0] if len(after) else None)
        kinds.append(after["kind"].iloc[0] if len(after) else None)
    found = [i for i in first_alerts if i is not None and i <= 406]
    assert len(found) >= 9, first_alerts
    # The two-window test, not only the per-point one, catches some of them.
    assert kinds.count("level_shift") >= 3, kinds


def test_level_shift_raises_one_alert_not_one_per_cooldown():
    # The shift lasts 320 hours, 26 cooldowns; the record keeps it to one alert. In one series of
    # these 20 (seed 4) a second follows after the cooldown: the daily and the weekly baseline take
    # turns after the shift, and the record has not seen the other's scale. The pipeline files it
    # under the same incident, which a finding within 72 h continues.
    counts = []
    for seed in range(20):
        stamps = hourly(30)
        values = noisy_level(len(stamps), seed=seed)
        values[400:] += 20.0
        alerts = [t for t in alert_times(score_series(stamps, values)) if t >= stamps[400]]
        assert alerts[0] == stamps[400], seed
        counts.append(len(alerts))
    assert max(counts) <= 2, counts
    assert counts.count(1) >= 19, counts


@pytest.mark.parametrize("value", [0.0, 5.0, 0.3, 1e9])
def test_constant_series_has_zero_scores_and_no_alerts(value):
    scored = score_series(hourly(20), np.full(20 * 24, value))
    assert not scored["alert"].any()
    scored_rows = scored["score"].dropna()
    assert len(scored_rows) > 0 and (scored_rows == 0).all()


@pytest.mark.parametrize("size", [0, 1, 2, 10, 30])
def test_very_short_series_returns_every_row_without_alerts(size):
    scored = score_series(hourly(2)[:size], np.arange(size, dtype=float))
    assert list(scored.columns) == ["timestamp", "value", "score", "alert", "kind"]
    assert len(scored) == size
    assert not scored["alert"].any()


def test_first_day_is_warm_up_without_scores():
    stamps = hourly(5)
    scored = score_series(stamps, noisy_level(len(stamps)))
    assert scored.loc[stamps < stamps[0] + pd.Timedelta(hours=24), "score"].isna().all()
    assert scored.loc[stamps > stamps[0] + pd.Timedelta(hours=30), "score"].notna().all()


def test_nan_values_are_not_scored_and_do_not_hide_a_later_spike():
    stamps = hourly(21)
    values = noisy_level(len(stamps), seed=5)
    values[100:160] = np.nan
    values[300] += 15
    scored = score_series(stamps, values)
    assert scored.loc[100:159, "score"].isna().all()
    assert not scored.loc[100:159, "alert"].any()
    assert alert_times(scored) == [stamps[300]]


def test_gap_in_sampling_raises_no_alert_and_a_spike_after_it_is_found():
    stamps = hourly(30)
    values = daily_counts(stamps, mean=30, seed=6)
    keep = np.ones(len(stamps), dtype=bool)
    keep[200:260] = False  # two and a half days without data
    values[500] += 150
    scored = score_series(stamps[keep], values[keep])
    assert alert_times(scored) == [stamps[500]]


def test_irregular_sampling_finds_the_spike():
    rng = np.random.default_rng(7)
    start = pd.Timestamp("2024-03-01", tz="UTC")
    minutes = np.cumsum(rng.uniform(2, 9, size=6000))  # 2 to 9 minutes apart, never regular
    stamps = start + pd.to_timedelta(minutes, unit="min")
    values = rng.normal(50, 2, size=minutes.size)
    values[5000] += 40
    scored = score_series(stamps, values)
    assert alert_times(scored) == [stamps[5000]]


def test_unsorted_input_gives_the_sorted_result():
    stamps = hourly(15)
    values = daily_counts(stamps, mean=10, seed=8)
    order = np.random.default_rng(0).permutation(len(stamps))
    assert score_series(stamps[order], values[order]).equals(score_series(stamps, values))


def test_one_event_on_a_quiet_count_series_is_not_a_spike():
    stamps = hourly(30)
    values = np.zeros(len(stamps))
    values[np.random.default_rng(9).choice(len(stamps), 20, replace=False)] = 1
    values[600] = 2
    assert not score_series(stamps, values)["alert"].any()
    values[650] = 25
    assert alert_times(score_series(stamps, values)) == [stamps[650]]


def _idle_cpu(seed: int) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Two weeks of an idle CPU reported in steps of 1/15 %, blipping one or two steps now and then."""
    stamps = pd.date_range("2024-01-01", periods=14 * 288, freq="5min", tz="UTC")
    rng = np.random.default_rng(seed)
    blips = (rng.random(len(stamps)) < 0.05) * rng.choice([-1, 1, 2], len(stamps), p=[0.4, 0.5, 0.1])
    return stamps, (2 + blips) / 15


@pytest.mark.parametrize("seed", range(5))
def test_a_series_that_mostly_sits_still_does_not_alert_on_its_usual_blips(seed):
    # Over 80% of its residuals are exactly zero, so the plain spread is zero and a one-step blip
    # scored in the hundreds: without the move floor the same stream alerts.
    stamps, values = _idle_cpu(seed)
    assert alert_times(score_series(stamps, values)) == []
    assert alert_times(score_series(stamps, values, AnomalySettings(move_spread_share=0))) != []


@pytest.mark.parametrize("seed", range(5))
def test_a_series_that_mostly_sits_still_alerts_when_it_gets_busy(seed):
    stamps, values = _idle_cpu(seed)
    busy = slice(10 * 288, 10 * 288 + 36)  # three hours on day 11, twenty steps up
    values[busy] += 20 / 15
    assert alert_times(score_series(stamps, values))[:1] == [stamps[busy.start]]


def test_an_incident_on_a_quiet_signature_does_not_raise_its_own_move_floor():
    # Three single errors in nine days, then 3, 2, 4, 6 in four hours. Had the incident's first
    # hours counted among the series' moves, they would be half of them, and the 6 would score 4.
    stamps = hourly(14)
    values = np.zeros(len(stamps))
    values[[40, 100, 170]] = 1
    values[216:220] = [3, 2, 4, 6]
    assert alert_times(score_series(stamps, values)) == [stamps[219]]


def test_direction_up_ignores_a_drop():
    stamps = hourly(21)
    values = daily_counts(stamps, mean=40, seed=10)
    values[400] = 0
    values[450] += 200
    both = score_series(stamps, values)
    up = score_series(stamps, values, AnomalySettings(direction="up"))
    assert stamps[400] in alert_times(both)
    assert alert_times(up) == [stamps[450]]


def test_pure_noise_alerts_rarely():
    series, days = 100, 30
    stamps = hourly(days)
    rng = np.random.default_rng(11)
    frame = pd.DataFrame(
        {
            "series_id": np.repeat(np.arange(series), len(stamps)),
            "timestamp": np.tile(stamps, series),
            "value": np.concatenate(
                [rng.normal(100, 1, len(stamps)), rng.poisson(3, len(stamps))] * (series // 2)
            ),
        }
    )
    scored = score_many(frame)
    per_series_week = scored["alert"].sum() / (series * days / 7)
    assert per_series_week < 0.1


def test_a_daily_on_off_pattern_alerts_only_when_a_day_breaks_it():
    # Business-hours load: 20 at night, 80 from 08:00 to 18:00, sampled every 5 minutes. Every
    # morning's jump is normal once two past days show it (the first mornings may alert: nothing
    # says yet that the jump recurs); an even-width smoothing window put the past level at 50 right
    # at the jump and kept alerting at 08:00. The day whose busy hours stay quiet is the anomaly.
    stamps = pd.date_range("2024-01-01", periods=288 * 14, freq="5min", tz="UTC")
    busy = (stamps.hour >= 8) & (stamps.hour < 18)
    learnt = pd.Timestamp("2024-01-04", tz="UTC")
    for seed in range(3):
        values = 20 + 60 * busy + np.random.default_rng(seed).normal(0, 3, len(stamps))
        assert [t for t in alert_times(score_series(stamps, values)) if t >= learnt] == [], seed
        quiet_day = busy & (stamps.day == 11)
        values[quiet_day] = 20 + np.random.default_rng(seed + 10).normal(0, 3, int(quiet_day.sum()))
        alerts = [t for t in alert_times(score_series(stamps, values)) if t >= learnt]
        assert alerts and all(t.day == 11 and t.hour >= 8 for t in alerts), (seed, alerts)


def _daily_wave(seed: int) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Eight days of a smooth daily cycle (amplitude 30) at 5-minute steps, noise of 1."""
    stamps = pd.date_range("2024-01-01", periods=288 * 8, freq="5min", tz="UTC")
    hours = np.arange(stamps.size) / 12
    noise = np.random.default_rng(seed).normal(0, 1, stamps.size)
    return stamps, 100 + 30 * np.sin(2 * np.pi * hours / 24) + noise


@pytest.mark.parametrize("seed", range(3))
def test_a_young_seasonal_baseline_does_not_alert_on_what_the_rolling_record_holds(seed):
    # The daily baseline scores from hour 72 on, with residuals a thirtieth of the rolling one's:
    # its z-scores run on a scale the record (rolling scores up to then) never saw. Until it has
    # scored 72 h, a point must also beat the record of the rolling baseline's scores: a blip of 9
    # mid-cycle does not; a jump of 90 does.
    stamps, values = _daily_wave(seed)
    values[84 * 12] += 9
    values[108 * 12] += 90
    guarded = alert_times(score_series(stamps, values))
    assert [(t - stamps[0]) / pd.Timedelta(hours=1) for t in guarded] == [108.0]
    unguarded = alert_times(score_series(stamps, values, AnomalySettings(seasonal_trust_hours=0)))
    assert [(t - stamps[0]) / pd.Timedelta(hours=1) for t in unguarded] == [84.0, 108.0]


def test_a_seasonal_baseline_alerts_alone_once_it_has_scored_three_days():
    stamps, values = _daily_wave(seed=0)
    values[156 * 12] += 9  # hour 156: the daily baseline has scored since hour 72, trusted from 144
    alerts = alert_times(score_series(stamps, values))
    assert [(t - stamps[0]) / pd.Timedelta(hours=1) for t in alerts] == [156.0]


def _weekday_counts_alerts(seed: int, days: int, onset: int) -> bool:
    """Whether an incident at hour ``onset`` alerts in hourly error counts of busy weekdays, quiet weekends.

    ``days`` from a Monday; the incident is 3x the rate + 5 for four hours; the product's settings.
    """
    stamps = pd.date_range("2024-01-01", periods=24 * days, freq="h", tz="UTC")
    hour, weekday = stamps.hour.to_numpy(), stamps.day_of_week.to_numpy()
    rate = 20 * (1 + 0.6 * np.sin(2 * np.pi * (hour - 8) / 24)) * np.where(weekday >= 5, 0.3, 1.0)
    rate[onset : onset + 4] = rate[onset : onset + 4] * 3 + 5
    values = np.random.default_rng(seed).poisson(rate).astype(float)
    settings = AnomalySettings(step_hours=1, missing_as_zero=True, direction="up")
    alerts = alert_times(score_series(stamps, values, settings))
    return any(stamps[onset] <= t <= stamps[onset + 4] for t in alerts)


@pytest.mark.parametrize("seed", range(10))
def test_a_weekend_incident_in_the_second_week_alerts(seed):
    # The weekly baseline starts after one past week: it waited for two, and until then the daily
    # baseline, which expects a weekday at every hour, let this Sunday incident pass (10 of 10 seeds).
    assert _weekday_counts_alerts(seed, days=21, onset=13 * 24 + 12)  # Sunday of the second week, noon


@pytest.mark.parametrize("seed", range(10))
def test_a_weekend_incident_alerts_after_the_weekly_baseline_is_trusted(seed):
    # Checking a young weekly baseline against the rolling one's record for two weeks hid this
    # Saturday incident (7 of 10 seeds): by then that record holds every Monday morning's climb.
    # The check lasts 72 h and asks the best-fitting baseline trusted by then.
    assert _weekday_counts_alerts(seed, days=28, onset=19 * 24 + 12)  # Saturday of the third week, noon


def test_same_settings_work_for_five_minute_and_hourly_data():
    fine = pd.date_range("2024-01-01", periods=288 * 20, freq="5min", tz="UTC")
    values = daily_counts(fine, mean=4, seed=12)
    values[288 * 15 + 120 : 288 * 15 + 132] += 20  # one busy hour, 4 times the usual
    hourly_counts = pd.Series(values, index=fine).resample("h").sum()
    fine_alerts = alert_times(score_series(fine, values))
    hourly_alerts = alert_times(score_series(hourly_counts.index, hourly_counts.to_numpy()))
    burst_hour = fine[288 * 15 + 120]
    assert [t.floor("h") for t in fine_alerts] == [burst_hour]
    assert hourly_alerts == [burst_hour]


def test_missing_hours_count_as_zero_when_asked():
    stamps = hourly(20)
    values = daily_counts(stamps, mean=30, seed=13)
    keep = np.ones(len(stamps), dtype=bool)
    keep[300:306] = False  # an outage: six hours with no error rows at all
    settings = AnomalySettings(step_hours=1.0, missing_as_zero=True, direction="down")
    scored = score_series(stamps[keep], values[keep], settings)
    assert len(scored) == len(stamps)
    assert (scored.loc[300:305, "value"] == 0).all()
    assert stamps[300] in alert_times(scored) or stamps[301] in alert_times(scored)
    unknown = score_series(stamps[keep], values[keep], dataclasses.replace(settings, missing_as_zero=False))
    assert len(unknown) == keep.sum()


def test_unreadable_timestamp_is_quoted():
    with pytest.raises(SeriesInputError, match=r"row 2 has timestamp 'soon'"):
        score_series(["2024-01-01T00:00Z", "soon"], [1.0, 2.0])


def test_text_value_is_quoted():
    with pytest.raises(SeriesInputError, match=r"row 1 has value 'many'"):
        score_series(["2024-01-01T00:00Z"], ["many"])


def test_iso_timestamps_may_mix_precision_and_offsets():
    scored = score_series(
        ["2024-01-01", "2024-01-01 05:00", "2024-01-01T08:00:00+02:00", "2024-01-01T07:00Z"], [1, 2, 3, 4]
    )
    assert list(scored["timestamp"].dt.hour) == [0, 5, 6, 7]  # 08:00+02:00 is 06:00 UTC
    assert list(scored["value"]) == [1.0, 2.0, 3.0, 4.0]


def test_numeric_timestamps_are_refused_rather_than_read_as_nanoseconds():
    with pytest.raises(SeriesInputError, match="timestamps are numbers"):
        score_series([1_700_000_000, 1_700_003_600], [1.0, 2.0])
