"""Findings, their stable keys, severity and version ordering."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from detectors.incidents import (
    IncidentFinding,
    IncidentInputError,
    compute_growth,
    findings_to_frame,
    label_severity,
    parse_version,
    score_severity,
    sort_versions,
)


def finding(**changes: object) -> IncidentFinding:
    base = dict(
        kind="new_signature",
        signature_id="sig-0123456789ab",
        name="error",
        error_code="E1",
        feature="pay",
        platform="ios",
        app_version=None,
        started_at="2026-03-01T08:00:00",
        detected_at="2026-03-01T10:00:00Z",
        customer_count=12,
        event_count=40,
        evidence={"p_value": 0.001},
    )
    base.update(changes)
    return IncidentFinding(**base)  # type: ignore[arg-type]


def test_times_become_utc_and_findings_are_frozen_and_hashable() -> None:
    item = finding()
    assert item.started_at == pd.Timestamp("2026-03-01T08:00:00", tz="UTC")
    assert str(item.detected_at.tz) == "UTC"
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.customer_count = 1  # type: ignore[misc]
    assert len({item, finding()}) == 1


def test_incident_key_is_stable_across_reruns_and_counts() -> None:
    first = finding()
    rerun = finding(detected_at="2026-03-02T00:00:00", customer_count=90, event_count=500, evidence={})
    later_same_day = finding(started_at="2026-03-01T23:00:00", detected_at="2026-03-02T00:00:00")
    assert first.incident_key() == rerun.incident_key() == later_same_day.incident_key()
    assert first.incident_key().startswith("inc-") and len(first.incident_key()) == 20


def test_incident_key_changes_with_kind_subject_or_start_day() -> None:
    keys = {
        finding().incident_key(),
        finding(kind="spike").incident_key(),
        finding(signature_id="sig-ffffffffffff").incident_key(),
        finding(started_at="2026-03-02T08:00:00", detected_at="2026-03-02T09:00:00").incident_key(),
    }
    assert len(keys) == 4


def test_release_regression_key_is_per_platform_and_version() -> None:
    def regression(platform: str, version: str) -> IncidentFinding:
        return finding(kind="release_regression", signature_id=None, platform=platform, app_version=version)

    assert regression("android", "5.4.0").incident_key() == regression("Android ", "5.4.0").incident_key()
    assert regression("android", "5.4.0").incident_key() == regression("android", "v5.4").incident_key()
    assert regression("android", "5.4.0").incident_key() != regression("ios", "5.4.0").incident_key()
    assert regression("android", "5.4.0").incident_key() != regression("android", "5.4.1").incident_key()


@pytest.mark.parametrize(
    "changes",
    [
        {"kind": "outage"},
        {"detected_at": "2026-03-01T07:00:00"},
        {"customer_count": -1},
        {"event_count": 2.5},
        {"started_at": "yesterday-ish"},
    ],
)
def test_invalid_findings_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(IncidentInputError):
        finding(**changes)


def test_findings_frame_has_the_warehouse_columns() -> None:
    frame = findings_to_frame([finding(), finding(kind="spike", detected_at="2026-03-01T09:00:00")])
    assert list(frame.columns[:2]) == ["incident_id", "kind"]
    assert frame["kind"].tolist() == ["spike", "new_signature"]  # by detection time
    assert frame["incident_id"].tolist() == [f.incident_key() for f in (finding(kind="spike"), finding())]
    assert str(frame["started_at"].dt.tz) == "UTC"


def test_severity_grows_with_customers_money_and_spread() -> None:
    base = score_severity(100, 1_000, 1.0)
    assert score_severity(1_000, 1_000, 1.0) > base
    assert score_severity(100, 10_000, 1.0) > base
    assert score_severity(100, 1_000, 4.0) > base
    assert score_severity(100, 1_000, 0.5) == base  # shrinking adds nothing
    assert 0 <= score_severity(0, 0, 0) <= score_severity(10**9, 10**12, 1000) == 100


def test_severity_follows_the_documented_formula() -> None:
    # 20*log10(1+99) + 6*log10(1+999) + 10*log2(2) = 40 + 18 + 10
    assert score_severity(99, 999, 2.0) == pytest.approx(68.0)
    assert label_severity(68.0) == "high" and label_severity(10) == "low" and label_severity(80) == "critical"


def test_growth_is_finite_from_zero_and_inputs_are_checked() -> None:
    assert compute_growth(9, 0) == 10.0
    assert compute_growth(0, 0) == 1.0
    with pytest.raises(ValueError):
        compute_growth(-1, 3)
    with pytest.raises(ValueError, match="mrr_at_risk"):
        score_severity(3, float("nan"))


def test_versions_order_like_a_release_train() -> None:
    shuffled = [
        "5.4.0",
        "5.10",
        "5.4.0-beta",
        "5.4.0-rc.10",
        "5.4.0-rc.2",
        "v5.3.9",
        "5.4.1",
        "2026.1.3",
        "junk",
    ]
    assert sort_versions(shuffled) == [
        "v5.3.9",
        "5.4.0-beta",
        "5.4.0-rc.2",
        "5.4.0-rc.10",
        "5.4.0",
        "5.4.1",
        "5.10",
        "2026.1.3",
    ]


def test_canonical_version_spelling() -> None:
    from detectors.incidents.versions import canonical_version

    assert canonical_version("v5.4.0") == canonical_version("5.4") == "5.4"
    assert canonical_version("5.4.0-RC.1+build.9") == "5.4-rc.1"
    assert canonical_version(" Nightly ") == "nightly"


def test_version_spellings_that_mean_the_same_release_are_equal() -> None:
    assert parse_version("5.4") == parse_version("5.4.0") == parse_version("v5.4.0+build.7")
    assert parse_version("5.4.0 (1234)") == parse_version("5.4.0")
    assert parse_version("5.4.0b2") < parse_version("5.4.0")  # type: ignore[operator]
    for unreadable in (None, "", "  ", "latest", float("nan")):
        assert parse_version(unreadable) is None


def test_evidence_of_both_detectors_is_json_ready() -> None:
    import json

    from detectors.incidents import NewSignatureDetector, ReleaseRegressionDetector

    hours = pd.date_range("2026-03-01", periods=24 * 9, freq="h", tz="UTC")
    hourly = pd.DataFrame(
        {"hour": hours[-6:], "signature_id": "sig-x", "event_count": 4, "customer_count": 2}
    )
    hourly = pd.concat(
        [
            hourly,
            pd.DataFrame({"hour": hours, "signature_id": "sig-old", "event_count": 1, "customer_count": 1}),
        ]
    )
    catalog = pd.DataFrame({"signature_id": ["sig-x"], "message_pattern": ["card <num> declined"]})
    new = NewSignatureDetector().fit(hourly, signatures=catalog).findings_
    activity = pd.DataFrame(
        {
            "day": list(pd.date_range("2026-03-01", periods=6, freq="D", tz="UTC")) * 2,
            "platform": "android",
            "app_version": ["5.3"] * 6 + ["5.4"] * 6,
            "active_customers": [500] * 6 + [0, 0, 0, 200, 400, 500],
            "error_events": [10] * 6 + [0, 0, 0, 60, 120, 150],
            "erroring_customers": [10] * 6 + [0, 0, 0, 40, 80, 100],
        }
    )
    activity = activity.loc[activity["active_customers"] > 0]
    regression = ReleaseRegressionDetector().fit(activity).findings_
    assert len(new) == 1 and len(regression) == 1
    assert new[0].evidence["message_pattern"] == "card <num> declined"
    for item in (*new, *regression):
        assert json.loads(json.dumps(item.evidence)) == item.evidence
