"""A spike's audience leaves out the customers its signature's usual traffic explains, and only them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.detect.spike_audience import drop_background, expected_background

START = pd.Timestamp("2026-01-08 12:00")
WEEK = 168


def _baseline(customers: int, rng: np.random.Generator) -> pd.DataFrame:
    """One event each for ``customers`` customers at random moments of the week before START."""
    hours = rng.uniform(0, WEEK, size=customers)
    return pd.DataFrame({"customer_id": [f"usual{i}" for i in range(customers)],
                         "occurred_at": START - pd.to_timedelta(WEEK - hours, unit="h")})


def _affected(counts: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": list(counts), "first_exposed_at": START, "event_count": list(counts.values())})


def test_the_background_per_level_is_the_weeks_customers_in_a_window_as_long_as_the_burst() -> None:
    background = expected_background(_baseline(168, np.random.default_rng(1)), start=START, baseline_hours=WEEK,
                                     window_hours=10)
    # 168 one-off customers over 168 hours: about 10 in any 10-hour window, none twice.
    assert 7 <= background[1] <= 13
    assert set(background) == {1}


def test_a_small_burst_on_a_noisy_signature_keeps_those_who_hit_it_more_than_its_usual_traffic() -> None:
    background = expected_background(_baseline(40, np.random.default_rng(2)), start=START, baseline_hours=WEEK,
                                     window_hours=19)
    burst = {f"hit{i}": 2 + i % 3 for i in range(50)} | {f"once{i}": 1 for i in range(14)}

    kept = drop_background(_affected(burst), background, max_share=0.05)

    assert set(kept["customer_id"]) == {f"hit{i}" for i in range(50)}


def test_a_large_outage_keeps_its_one_time_visitors() -> None:
    background = expected_background(_baseline(40, np.random.default_rng(3)), start=START, baseline_hours=WEEK,
                                     window_hours=19)
    outage = {f"once{i}": 1 for i in range(400)}

    assert len(drop_background(_affected(outage), background, max_share=0.05)) == 400


def test_a_signature_quiet_all_week_keeps_everyone() -> None:
    empty = pd.DataFrame(columns=["customer_id", "occurred_at"])
    background = expected_background(empty, start=START, baseline_hours=WEEK, window_hours=5)
    burst = _affected({"a": 1, "b": 1, "c": 3})

    assert background == {}
    assert drop_background(burst, background, max_share=0.05).equals(burst.assign(in_audience=True))


def test_a_level_mostly_real_is_still_left_out_when_the_background_explains_more_than_the_share() -> None:
    background = expected_background(_baseline(40, np.random.default_rng(2)), start=START, baseline_hours=WEEK,
                                     window_hours=19)
    assert 0.2 < background[1] / 14 < 0.5  # a third or so of 14 one-time visitors is the usual traffic
    burst = {f"hit{i}": 2 + i % 3 for i in range(200)} | {f"once{i}": 1 for i in range(14)}

    # Judged level by level: the big audience around them does not carry the one-time visitors in.
    assert len(drop_background(_affected(burst), background, max_share=0.05)) == 200
    # Allowed half of a level, they stay.
    assert len(drop_background(_affected(burst), background, max_share=0.5)) == 214


def test_a_quantile_of_the_windows_reads_a_bursty_week_by_its_busier_windows() -> None:
    # The same 40 one-off customers, but half of them in one burst of four hours: the mean window holds as many
    # as before, the busier windows (the burst inside them) many more.
    rng = np.random.default_rng(4)
    hours = np.concatenate([rng.uniform(0, WEEK, size=20), rng.uniform(100, 104, size=20)])
    bursty = pd.DataFrame({"customer_id": [f"usual{i}" for i in range(40)],
                           "occurred_at": START - pd.to_timedelta(WEEK - hours, unit="h")})

    mean = expected_background(bursty, start=START, baseline_hours=WEEK, window_hours=19)
    busy = expected_background(bursty, start=START, baseline_hours=WEEK, window_hours=19, quantile=0.9)

    assert 3 <= mean[1] <= 7  # 40 customers x 19 / 168 on average
    assert busy[1] >= 15  # a window holding the burst (20 of them, and a few others)
    # 14 one-time visitors: the mean calls a third of them usual traffic, the busier windows all of them.
    once = _affected({f"once{i}": 1 for i in range(14)})
    assert len(drop_background(once, mean, max_share=0.5)) == 14
    assert drop_background(once, busy, max_share=0.5).empty


def test_the_audience_bound_stops_at_the_level_that_would_make_the_audience_mostly_usual_traffic() -> None:
    # Seed 3's search spike, level by level: 8 usual one-time visitors among 20, nobody usual hitting it twice.
    background = {1: 7.6}
    burst = {f"once{i}": 1 for i in range(20)} | {f"hit{i}": 2 + i % 3 for i in range(47)}

    # The level on its own passes a local share of 0.5 (7.6 / 20 = 0.38) ...
    assert len(drop_background(_affected(burst), background, max_share=0.5)) == 67
    # ... but takes the audience to 7.6 / 67 = 11% usual traffic: past a 5% bound, it is not emailed whole,
    # while the incident still counts it as exposed. What the bound leaves takes 7 of its 20 (each carrying
    # 7.6 / 20 = 0.38 usual: 2.66 in 54 is 4.9%; an eighth would make 3.04 in 55, 5.5%).
    kept = drop_background(_affected(burst), background, max_share=0.5, max_audience_share=0.05)
    assert len(kept) == 67
    emailed = set(_emailed(kept)["customer_id"])
    assert {f"hit{i}" for i in range(47)} <= emailed
    assert len(emailed) == 54
    # A bound of 12% would still have held it.
    assert _emailed(drop_background(_affected(burst), background, max_share=0.5, max_audience_share=0.12)).shape[0] == 67


def test_the_audience_bound_keeps_a_large_outages_one_time_visitors_and_stops_at_the_first_level_past_it() -> None:
    outage = {f"once{i}": 1 for i in range(400)} | {f"twice{i}": 2 for i in range(10)}
    # 10 usual one-time visitors in 400: 2.4% of the audience.
    assert len(_emailed(drop_background(_affected(outage), {1: 10.0}, max_share=0.5, max_audience_share=0.05))) == 410
    # Levels are taken purest first: a clean level of fewer events comes before a noisy one of more.
    layered = ({f"four{i}": 4 for i in range(20)} | {f"three{i}": 3 for i in range(10)}
               | {f"two{i}": 2 for i in range(100)} | {f"once{i}": 1 for i in range(200)})
    kept = drop_background(_affected(layered), {1: 4.0, 2: 0.0, 3: 4.0}, max_share=0.5, max_audience_share=0.05)
    # 2 (0%), 4 (beyond the baseline, 0%), 1 (2%): 4 usual in 320; 3 (40%) would make 8 in 330, but comes
    # after 1 only because it is noisier, and 8 / 330 = 2.4% fits: all kept.
    assert len(_emailed(kept)) == 330
    # Without the one-time visitors, a 2% bound: 3 (40%) would make 4 usual in 130 (3%), so it goes, while
    # the clean level 2 below it stays.
    layered = {k: v for k, v in layered.items() if v > 1}
    kept = drop_background(_affected(layered), {2: 0.0, 3: 4.0}, max_share=0.5, max_audience_share=0.02)
    # The clean levels are emailed whole; of level 3 (0.4 usual each) 6 fit: 2.4 in 126 is 1.9%.
    assert _emailed(kept)["event_count"].value_counts().to_dict() == {2: 100, 4: 20, 3: 6}
    assert set(kept["event_count"]) == {2, 3, 4}  # exposed all the same: 3 passes the local test


def _emailed(kept: pd.DataFrame) -> pd.DataFrame:
    return kept[kept["in_audience"]]


def test_what_the_bound_leaves_goes_to_the_customers_hit_in_the_purest_hours_first() -> None:
    # 40 hit twice (no usual traffic at that level), 20 once, 8 of whom the week says are usual traffic.
    burst = _affected({f"hit{i}": 2 for i in range(40)} | {f"once{i}": 1 for i in range(20)})
    # The first ten one-time visitors came in the outage's peak hour (little usual traffic per event), the
    # others in its tail, where an event is as likely usual as not.
    burst["background_weight"] = [0.0] * 40 + [0.05] * 10 + [0.5] * 10

    kept = drop_background(burst, {1: 8.0}, max_share=0.5, max_audience_share=0.05)

    emailed = set(_emailed(kept)["customer_id"])
    # The peak's ten carry 8 * 0.05 / 5.5 = 0.073 usual each: all ten fit (0.73 in 50); a tail visitor
    # carries 0.73 and would make 1.45 in 51 (2.8%), a second 2.18 in 52 (4.2%), a third 2.9 in 53 (5.5%).
    assert {f"once{i}" for i in range(10)} <= emailed
    assert len(emailed - {f"hit{i}" for i in range(40)}) == 12
    # Without weights, the earliest hit go first, 0.4 usual each: 5 fit (2.0 in 45 is 4.4%).
    unweighted = drop_background(burst.drop(columns="background_weight"), {1: 8.0}, max_share=0.5,
                                 max_audience_share=0.05)
    assert len(_emailed(unweighted)) == 45


def test_on_the_activity_clock_a_quiet_night_expects_fewer_usual_hitters_than_a_busy_day() -> None:
    rng = np.random.default_rng(5)
    hours = pd.date_range(START - pd.Timedelta(hours=WEEK), periods=WEEK + 24, freq="h")
    # The product is ten times busier by day (08-20) than at night; usual hitters follow its use.
    use = pd.Series(np.where((hours.hour >= 8) & (hours.hour < 20), 50.0, 5.0), index=hours)
    baseline = use.iloc[:WEEK]
    chosen = rng.choice(len(baseline), size=300, p=baseline.to_numpy() / baseline.sum())
    usual = pd.DataFrame({"customer_id": [f"u{i}" for i in range(300)],
                          "occurred_at": baseline.index[chosen] + pd.to_timedelta(rng.uniform(0, 1, 300), unit="h")})
    night_start = START + pd.Timedelta(hours=8)  # 20:00, a 10-hour burst through the night
    night = expected_background(usual, start=night_start, baseline_hours=WEEK, window_hours=10,
                                activity=use)
    day = expected_background(usual, start=START - pd.Timedelta(hours=4), baseline_hours=WEEK, window_hours=10,
                              activity=use)
    hours_only = expected_background(usual, start=night_start, baseline_hours=WEEK, window_hours=10)
    # 300 usual hitters a week, 300 * 50 / 3780 = 4 an hour by day, 0.4 at night.
    assert night[1] < 0.4 * hours_only[1]
    assert day[1] > 2.5 * night[1]


def test_who_was_exposed_is_read_on_the_mean_window_and_whom_to_email_on_the_busier_ones() -> None:
    # 40 hit twice, 20 once; the week's mean window held 7 one-time usual hitters, its busier windows 11.
    burst = _affected({f"hit{i}": 2 for i in range(40)} | {f"once{i}": 1 for i in range(20)})
    busy_only = drop_background(burst, {1: 11.0}, max_share=0.5, max_audience_share=0.05)
    assert len(busy_only) == 40  # 11 of 20 is past half: the one-time visitors left the incident, all of them

    kept = drop_background(burst, {1: 7.0}, max_share=0.5, max_audience_share=0.05, audience_background={1: 11.0})

    assert len(kept) == 60  # 7 of 20 usual: the level was hit, and the incident counts it
    # ... while the email bound carries 11 / 20 = 0.55 usual per one-time visitor: 4 fit (2.2 in 44 is 5.0%).
    assert len(_emailed(kept)) == 44
    assert len(_emailed(drop_background(burst, {1: 7.0}, max_share=0.5, max_audience_share=0.05))) == 46
