"""The release test's own reads: explained errors left out in SQL, old versions not read at all.

The expected frames are computed here in pandas from the raw events, independently of the SQL.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
from detect_world import LAST_AS_OF, SETTINGS
from sqlalchemy import Engine, text

from detectors.incidents import ReleaseRegressionDetector
from pipeline.contract import CUSTOMERS, EVENTS
from pipeline.detect.aggregates import refresh_aggregates
from pipeline.detect.inputs import read_incident_inputs
from pipeline.detect.regressions import _judged_versions, _release_inputs, _signature_errors
from pipeline.ingest import ingest


def raw_events(engine: Engine, as_of: datetime) -> pd.DataFrame:
    query = text(
        "SELECT customer_id, platform, app_version, signature_id, occurred_at FROM events "
        "WHERE occurred_at < :as_of AND platform IS NOT NULL AND app_version IS NOT NULL"
    )
    with engine.connect() as connection:
        rows = connection.execute(query, {"as_of": as_of}).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=["customer_id", "platform", "app_version", "signature_id", "occurred_at"])
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], format="ISO8601")
    return frame


def test_customers_of_recent_versions_with_explained_errors_left_out(warehouse: Engine, world_dir: Path) -> None:
    ingest(warehouse, str(world_dir), tables=(CUSTOMERS, EVENTS))
    refresh_aggregates(warehouse, LAST_AS_OF)
    events = raw_events(warehouse, LAST_AS_OF)
    errors = events[events["signature_id"].notna()]
    excluded = sorted(errors["signature_id"].value_counts().index[:2])  # the two most frequent errors
    first_seen = events.groupby(["platform", "app_version"])["occurred_at"].min()
    since = first_seen.sort_values().iloc[3 * len(first_seen) // 4]  # most versions are older
    recent = set(first_seen[first_seen >= since].index)
    assert 0 < len(recent) < len(first_seen)

    with warehouse.connect() as connection:
        inputs = read_incident_inputs(connection, LAST_AS_OF, SETTINGS)
        judged = {pair: seen.to_pydatetime() for pair, seen in first_seen[first_seen >= since].items()}
        activity, customers = _release_inputs(connection, inputs, excluded, judged, baseline_hours=12)

    kept = errors[~errors["signature_id"].isin(excluded)]
    keys = ["platform", "app_version", "customer_id"]
    expected = events.groupby(keys, as_index=False).agg(first_active_at=("occurred_at", "min"))
    expected = expected[[(p, v) in recent for p, v in zip(expected["platform"], expected["app_version"], strict=True)]]
    expected = expected.merge(
        kept.groupby(keys, as_index=False).agg(first_error_at=("occurred_at", "min"), error_events=("occurred_at", "size")),
        on=keys, how="left",
    )
    expected["error_events"] = expected["error_events"].fillna(0).astype("int64")
    got = customers.sort_values(keys).reset_index(drop=True)
    expected = expected.sort_values(keys).reset_index(drop=True)[got.columns]
    assert len(got) == len(expected) > 0
    assert got[keys].astype(str).equals(expected[keys].astype(str))
    assert (got["error_events"].to_numpy() == expected["error_events"].to_numpy()).all()
    for column in ("first_active_at", "first_error_at"):
        assert (got[column].dt.tz_localize(None).astype("datetime64[us]").fillna(pd.Timestamp(0))
                == expected[column].dt.tz_localize(None).astype("datetime64[us]").fillna(pd.Timestamp(0))).all(), column
    assert 0 < (got["error_events"] > 0).sum() < len(got)

    # Daily activity keeps every version (older ones are the baselines) and leaves out the same errors from
    # the first judged version's day less the baseline and a day of margin; earlier days keep every error.
    bound = since.floor("D") - pd.Timedelta(hours=12) - pd.Timedelta(days=1)
    assert events["occurred_at"].min() < bound  # the world has days before the bound
    counted = pd.concat([errors[errors["occurred_at"] < bound], kept[kept["occurred_at"] >= bound]])
    counted = counted.assign(day=counted["occurred_at"].dt.floor("D"))
    daily = counted.groupby(["day", "platform", "app_version"]).agg(
        error_events=("occurred_at", "size"), erroring_customers=("customer_id", "nunique")
    )
    by_key = activity.set_index(["day", "platform", "app_version"])
    assert set(zip(activity["platform"], activity["app_version"], strict=True)) == set(first_seen.index)
    joined = by_key[["error_events", "erroring_customers"]].join(daily, rsuffix="_expected").fillna(0)
    assert (joined["error_events"] == joined["error_events_expected"]).all()
    assert (joined["erroring_customers"] == joined["erroring_customers_expected"]).all()
    assert joined["error_events"].sum() == len(counted) > 0
    assert len(kept[kept["occurred_at"] >= bound]) < len(errors[errors["occurred_at"] >= bound])  # some left out



def test_signature_errors_are_distinct_customers_a_day_on_the_judged_platforms(warehouse: Engine, world_dir: Path) -> None:
    ingest(warehouse, str(world_dir), tables=(CUSTOMERS, EVENTS))
    refresh_aggregates(warehouse, LAST_AS_OF)
    events = raw_events(warehouse, LAST_AS_OF)
    errors = events[events["signature_id"].notna()]
    excluded = sorted(errors["signature_id"].value_counts().index[:1])
    first_seen = events.groupby(["platform", "app_version"])["occurred_at"].min()
    platform = sorted(first_seen.index.get_level_values(0).unique())[0]
    latest = first_seen.loc[platform].sort_values().index[-1]
    judged = {(platform, latest): first_seen[(platform, latest)].to_pydatetime()}

    with warehouse.connect() as connection:
        inputs = read_incident_inputs(connection, LAST_AS_OF, SETTINGS)
        got = _signature_errors(connection, inputs, excluded, judged, baseline_hours=24)

    bound = first_seen[(platform, latest)].floor("D") - pd.Timedelta(hours=24) - pd.Timedelta(days=1)
    kept = errors[~errors["signature_id"].isin(excluded) & (errors["platform"] == platform)
                  & (errors["occurred_at"] >= bound)]
    expected = (kept.assign(day=kept["occurred_at"].dt.floor("D").dt.tz_localize(None))
                .groupby(["day", "platform", "app_version", "signature_id"])["customer_id"].nunique())
    got_series = got.assign(day=got["day"].dt.tz_localize(None) if got["day"].dt.tz is not None else got["day"]).set_index(
        ["day", "platform", "app_version", "signature_id"])["erroring_customers"].astype("int64").sort_index()
    assert len(got_series) == len(expected) > 0
    assert got_series.index.equals(expected.sort_index().index)
    assert (got_series.to_numpy() == expected.sort_index().to_numpy()).all()
    assert set(got["platform"]) == {platform} and not set(got["signature_id"]) & set(excluded)
    assert (got_series > 1).any()  # distinct customers, not events: some signature hit several in a day

def test_customers_are_read_for_releases_still_watched_or_already_flagged(warehouse: Engine) -> None:
    as_of = datetime(2026, 3, 1)
    rows = [  # (platform, app_version, first active): every label of a release counts as the release
        ("android", "5.1.0", datetime(2026, 1, 5)),    # watch (14 days) long over, never flagged
        ("android", "5.2.0", datetime(2026, 1, 20)),   # watch over, but a stored regression
        ("android", "v5.2", datetime(2026, 1, 21)),    # another label of 5.2.0
        ("android", "5.3.0", datetime(2026, 2, 20)),   # still watched
        ("ios", "5.3.0", datetime(2026, 2, 13, 12)),   # 14 days + the 2-day margin before as_of: still read
        ("ios", "5.2.0", datetime(2026, 2, 12)),       # just past the margin
    ]
    with warehouse.begin() as connection:
        for number, (platform, version, first) in enumerate(rows):
            connection.execute(text(
                "INSERT INTO customer_version_activity (platform, app_version, customer_id, first_active_at, error_events) "
                "VALUES (:p, :v, :c, :t, 0)"), {"p": platform, "v": version, "c": f"C{number}", "t": first})
        connection.execute(text(
            "INSERT INTO incidents (incident_id, kind, platform, app_version, started_at, detected_at, customer_count, "
            "event_count, evidence, status) VALUES ('inc-r', 'release_regression', 'Android', '5.2', :t, :t, 1, 1, '{}', 'open')"),
            {"t": datetime(2026, 1, 20)})
    inputs = type("Inputs", (), {"as_of": as_of, "history_start": datetime(2026, 1, 1)})()
    detector = ReleaseRegressionDetector()
    horizon = pd.Timestamp(as_of - timedelta(days=SETTINGS.series_history_days), tz="UTC")

    with warehouse.connect() as connection:
        judged = _judged_versions(connection, inputs, detector, horizon)

    assert sorted(judged) == [("android", "5.2.0"), ("android", "5.3.0"), ("android", "v5.2"), ("ios", "5.3.0")]
    assert judged[("android", "v5.2")] == datetime(2026, 1, 20)  # the release's first activity, over its labels
