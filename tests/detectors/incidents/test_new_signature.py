"""New-signature detector: right hour, enough customers, never an old signature, no look-ahead."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from detectors.incidents import IncidentInputError, NewSignatureDetector, findings_to_frame
from detectors.incidents.new_signature import signatures_under_test

START = pd.Timestamp("2026-03-01", tz="UTC")


def hour(n: int) -> pd.Timestamp:
    return START + pd.Timedelta(hours=n)


def world() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ten days. An old signature every hour; a new one from hour 200, one new customer every 2 hours,
    customer c0 coming back every hour (must count once)."""
    hourly, exposures = [], []
    for n in range(240):
        hourly.append((hour(n), "sig-old", 4, 2))
    for c in ("a", "b"):
        exposures.append(("sig-old", c, hour(0)))
    for n in range(200, 212):
        newcomer = (n - 200) % 2 == 0
        customers = 2 if newcomer and n > 200 else 1  # c0 again, plus the newcomer
        hourly.append((hour(n), "sig-new", 3, customers))
        if newcomer:
            exposures.append(("sig-new", f"c{(n - 200) // 2}", hour(n) + pd.Timedelta(minutes=10)))
    hourly_frame = pd.DataFrame(hourly, columns=["hour", "signature_id", "event_count", "customer_count"])
    exposure_frame = pd.DataFrame(exposures, columns=["signature_id", "customer_id", "first_exposed_at"])
    return hourly_frame, exposure_frame


def test_new_signature_is_found_at_the_hour_of_its_fifth_customer() -> None:
    hourly, exposures = world()
    detector = NewSignatureDetector(min_customers=5).fit(hourly, exposures)
    assert [f.signature_id for f in detector.findings_] == ["sig-new"]
    finding = detector.findings_[0]
    assert finding.kind == "new_signature"
    assert finding.started_at == hour(200)
    assert finding.detected_at == hour(208)  # c0 at 200, c1 202, c2 204, c3 206, c4 208
    assert finding.customer_count == 5
    assert finding.event_count == 9 * 3  # events of hours 200..208
    assert finding.evidence["customer_counting"] == "distinct"


def test_not_reported_before_the_minimum_of_customers() -> None:
    hourly, exposures = world()
    detector = NewSignatureDetector(min_customers=7).fit(hourly, exposures)
    assert detector.findings_ == ()  # only six distinct customers ever hit it
    early = NewSignatureDetector(min_customers=5).fit(hourly, exposures, as_of=hour(207))
    assert early.findings_ == ()


def test_a_returning_customer_does_not_count_twice_with_exposures_but_does_without() -> None:
    hourly, exposures = world()
    exact = NewSignatureDetector(min_customers=5).fit(hourly, exposures).findings_[0]
    rough = NewSignatureDetector(min_customers=5).fit(hourly).findings_[0]
    assert rough.detected_at < exact.detected_at  # summed hourly counts overcount c0
    assert rough.evidence["customer_counting"] == "hourly_sum_upper_bound"


def test_an_old_signature_is_never_new() -> None:
    hourly, exposures = world()
    detector = NewSignatureDetector(min_customers=1, window_hours=1000).fit(hourly, exposures)
    assert "sig-old" not in {f.signature_id for f in detector.findings_}


def test_the_all_time_first_seen_table_marks_a_signature_old() -> None:
    hourly, exposures = world()
    first_seen = pd.DataFrame({"signature_id": ["sig-new"], "first_seen_at": [START - pd.Timedelta(days=90)]})
    detector = NewSignatureDetector().fit(hourly, exposures, first_seen=first_seen)
    assert detector.findings_ == ()


def test_too_little_history_means_nothing_is_new() -> None:
    hourly, exposures = world()
    detector = NewSignatureDetector(min_history_hours=24 * 30).fit(hourly, exposures)
    assert detector.findings_ == ()


def test_a_slow_signature_is_not_a_new_incident() -> None:
    hourly, exposures = world()
    detector = NewSignatureDetector(min_customers=5, window_hours=8).fit(hourly, exposures)
    assert detector.findings_ == ()  # the fifth customer comes at +8 h, outside [t0, t0 + 8 h)


def test_no_look_ahead_prefix_equals_full_run_truncated() -> None:
    hourly, exposures = world()
    full = NewSignatureDetector(min_customers=3).fit(hourly, exposures).findings_
    for cut in range(198, 214):
        prefix_hourly = hourly.loc[hourly["hour"] <= hour(cut)]
        prefix_exposures = exposures.loc[exposures["first_exposed_at"].dt.floor("h") <= hour(cut)]
        on_prefix = NewSignatureDetector(min_customers=3).fit(prefix_hourly, prefix_exposures).findings_
        with_as_of = NewSignatureDetector(min_customers=3).fit(hourly, exposures, as_of=hour(cut)).findings_
        expected = tuple(f for f in full if f.detected_at <= hour(cut))
        assert on_prefix == expected
        assert with_as_of == expected


def test_incident_key_survives_a_rerun_with_more_data() -> None:
    hourly, exposures = world()
    at_detection = NewSignatureDetector().fit(hourly, exposures, as_of=hour(208)).findings_[0]
    later = NewSignatureDetector().fit(hourly, exposures).findings_[0]
    assert at_detection.incident_key() == later.incident_key()


def test_affected_customers_are_the_incident_customers_rows() -> None:
    hourly, exposures = world()
    detector = NewSignatureDetector().fit(hourly, exposures)
    affected = detector.affected_
    assert list(affected.columns) == ["incident_id", "customer_id", "first_exposed_at", "event_count"]
    assert set(affected["customer_id"]) == {f"c{i}" for i in range(6)}
    assert set(affected["incident_id"]) == {detector.findings_[0].incident_key()}


def test_catalog_describes_the_finding() -> None:
    hourly, exposures = world()
    catalog = pd.DataFrame(
        {
            "signature_id": ["sig-new"],
            "name": ["error"],
            "error_code": ["E42"],
            "feature": ["sync"],
            "platform": [None],
        }
    )
    finding = NewSignatureDetector().fit(hourly, exposures, signatures=catalog).findings_[0]
    assert (finding.name, finding.error_code, finding.feature, finding.platform) == (
        "error",
        "E42",
        "sync",
        None,
    )


def test_empty_inputs_give_empty_results() -> None:
    hourly = pd.DataFrame(columns=["hour", "signature_id", "event_count", "customer_count"])
    exposures = pd.DataFrame(columns=["signature_id", "customer_id", "first_exposed_at"])
    detector = NewSignatureDetector().fit(hourly, exposures)
    assert detector.findings_ == () and detector.affected_.empty
    frame = findings_to_frame(detector.findings_)
    assert frame.empty and "incident_id" in frame.columns


def test_a_missing_column_is_named() -> None:
    with pytest.raises(IncidentInputError, match="customer_count"):
        NewSignatureDetector().fit(pd.DataFrame({"hour": [], "signature_id": [], "event_count": []}))


def test_bad_hyperparameter_is_quoted() -> None:
    hourly, _ = world()
    with pytest.raises(ValueError, match="min_customers"):
        NewSignatureDetector(min_customers=0).fit(hourly)


def _burst(first_hour: int, customers: int, every_hours: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An old signature from hour 0 (so the history starts there) and ``sig-x`` from ``first_hour``,
    reaching one new customer every ``every_hours``."""
    hourly = [(hour(n), "sig-old", 4, 2) for n in range(first_hour + customers * every_hours)]
    exposures = [("sig-old", "a", hour(0))]
    for k in range(customers):
        at = hour(first_hour + k * every_hours)
        hourly.append((at, "sig-x", 2, 1))
        exposures.append(("sig-x", f"c{k}", at + pd.Timedelta(minutes=5)))
    return (pd.DataFrame(hourly, columns=["hour", "signature_id", "event_count", "customer_count"]),
            pd.DataFrame(exposures, columns=["signature_id", "customer_id", "first_exposed_at"]))


def test_a_fast_signature_in_a_short_history_is_new() -> None:
    # Two days of silence, then a customer an hour: at its fifth customer (hour 52) the 192 events of the
    # history before would have shown 5 * 192 / 30 = 32 of them at its pace; it did not exist before.
    hourly, exposures = _burst(48, customers=8, every_hours=1)
    finding = NewSignatureDetector(min_customers=5).fit(hourly, exposures).findings_[0]
    assert finding.detected_at == hour(52)
    assert finding.evidence["history_hours_before"] == 48


def test_a_slow_signature_in_a_short_history_may_predate_it() -> None:
    # One customer every 8 hours after 30 silent hours: the silence is what such a rare error looks like
    # (at its 5th customer 142 events have passed since, 120 before: the other four all fall since with
    # chance (1 + 120 / 142) ** -4 = 0.086, far from the 5e-3 needed over two signatures), so it is not new ...
    hourly, exposures = _burst(30, customers=6, every_hours=8)
    assert NewSignatureDetector(min_customers=5).fit(hourly, exposures).findings_ == ()
    # ... while the same pace after a week of silence is ((1 + 672 / 142) ** -4 = 9e-4).
    hourly, exposures = _burst(168, customers=6, every_hours=8)
    assert [f.detected_at for f in NewSignatureDetector(min_customers=5).fit(hourly, exposures).findings_] == [hour(200)]


def test_the_history_test_needs_a_probability() -> None:
    hourly, exposures = world()
    with pytest.raises(ValueError, match="max_p_value"):
        NewSignatureDetector(max_p_value=1.5).fit(hourly, exposures)


def test_a_pace_read_off_three_customers_needs_a_longer_silence() -> None:
    # Three customers 4 h apart after 30 h of history: 120 events before, 42 since. At the pace read off
    # them the history would have shown 8.6 (exp(-8.6) = 2e-4, past the 5e-3 needed over two signatures),
    # but three customers tell the pace loosely: the first defines t0, and the other two both fall in the
    # last 42 of 162 events with chance (1 + 120 / 42) ** -2 = 0.067, what a rare old error looks like.
    hourly, exposures = _burst(30, customers=3, every_hours=4)
    assert NewSignatureDetector(min_customers=3).fit(hourly, exposures).findings_ == ()
    # After a week of silence (672 events before) the same three are new: (1 + 672 / 42) ** -2 = 3.5e-3.
    hourly, exposures = _burst(168, customers=3, every_hours=4)
    found = NewSignatureDetector(min_customers=3).fit(hourly, exposures).findings_
    assert [f.detected_at for f in found] == [hour(176)]


def _steady_world(seed: int, signatures: int = 2000, hours: int = 240) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ten days of a busy signature (the activity clock, 1,000 events an hour) and ``signatures`` rare ones,
    each a steady Poisson stream of new customers from hour 0 at a rate between 1 in 60 h and 1 in 6 h."""
    rng = np.random.default_rng(seed)
    hourly = [(hour(n), "sig-busy", 1000, 50) for n in range(hours)]
    exposures = []
    for number, rate in enumerate(np.exp(rng.uniform(np.log(1 / 60), np.log(1 / 6), signatures))):
        at = rng.exponential(1 / rate)
        while at < hours:
            stamp = START + pd.Timedelta(hours=float(at))
            hourly.append((stamp.floor("h"), f"sig-{number}", 1, 1))
            exposures.append((f"sig-{number}", f"c{number}-{len(exposures)}", stamp))
            at += rng.exponential(1 / rate)
    return (pd.DataFrame(hourly, columns=["hour", "signature_id", "event_count", "customer_count"]),
            pd.DataFrame(exposures, columns=["signature_id", "customer_id", "first_exposed_at"]))


def test_steady_rare_signatures_are_called_new_no_more_often_than_the_bound_allows() -> None:
    # Under a steady pace the first sighting is where t0 is put, so it is no evidence: the test reads the
    # customers after it. At a family-wise bound of 0.9 over 2,001 signatures, three worlds of steady rare
    # streams may see about one false call each (a little more: each stream is tested at its 3rd, 4th, ...
    # customer). Counting the first customer too called 11, 5 and 11 of them new.
    calls = [
        len(NewSignatureDetector(min_customers=3, max_p_value=0.9).fit(*_steady_world(seed)).findings_)
        for seed in range(3)
    ]
    assert sum(calls) <= 6, calls


def _short_history_with_rare_signatures(once: int, twice: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """35 h of a busy signature (2 events an hour) and ``once`` / ``twice`` rare ones seen one / two times, then
    ``sig-x``'s four customers in four hours (an event each): an everyday error's chance cluster."""
    hourly = [(hour(n), "sig-old", 2, 1) for n in range(39)]
    exposures = [("sig-old", "a", hour(0))]
    for number in range(once + twice):
        for seen in range(1 if number < once else 2):
            at = hour(1 + (number * 3 + seen * 17) % 33)
            hourly.append((at, f"sig-rare-{number}", 1, 1))
            exposures.append((f"sig-rare-{number}", f"r{number}-{seen}", at))
    for k in range(4):
        hourly.append((hour(35 + k), "sig-x", 1, 1))
        exposures.append(("sig-x", f"c{k}", hour(35 + k) + pd.Timedelta(minutes=5)))
    return (pd.DataFrame(hourly, columns=["hour", "signature_id", "event_count", "customer_count"]),
            pd.DataFrame(exposures, columns=["signature_id", "customer_id", "first_exposed_at"]))


def test_signatures_not_seen_yet_share_the_bound() -> None:
    # A day and a half in, 24 signatures were seen once and 6 twice: many more have not shown yet, and each
    # is tested at its first sighting. Chao's bound: 32 seen + 24 * 23 / (2 * 7) = 71.4 under test.
    hourly, _ = _short_history_with_rare_signatures(once=24, twice=6)
    assert signatures_under_test(hourly) == pytest.approx(32 + 24 * 23 / 14)
    # With every signature seen often (a week of history) it is the count seen.
    steady = pd.DataFrame({"signature_id": ["a", "b", "c"], "event_count": [30, 5, 9]})
    assert signatures_under_test(steady) == 3


def test_an_everyday_errors_chance_cluster_early_in_a_short_history_is_not_new() -> None:
    # sig-x's four customers come in hours 35-38: 106 events of history before, 12 since, so the other
    # three all fall since with chance (1 + 106 / 12) ** -3 = 1.05e-3. Shared over the 32 signatures seen
    # that passed the 0.05 bound (1.6e-3); shared over the 71 a short history implies it does not (7e-4).
    hourly, exposures = _short_history_with_rare_signatures(once=24, twice=6)
    detector = NewSignatureDetector(min_customers=3, max_p_value=0.05, min_history_hours=24)
    assert detector.fit(hourly, exposures).findings_ == ()
    # The same four customers after a week of that history are new.
    late = hourly.assign(hour=hourly["hour"].where(hourly["signature_id"] != "sig-x", hourly["hour"] + pd.Timedelta(hours=140)))
    week = pd.concat([late, pd.DataFrame({"hour": [hour(n) for n in range(39, 179)], "signature_id": "sig-old",
                                          "event_count": 2, "customer_count": 1})], ignore_index=True)
    moved = exposures.assign(first_exposed_at=exposures["first_exposed_at"].where(
        exposures["signature_id"] != "sig-x", exposures["first_exposed_at"] + pd.Timedelta(hours=140)))
    assert [f.signature_id for f in detector.fit(week, moved).findings_] == ["sig-x"]
