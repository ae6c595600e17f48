"""The incidents in truth/incidents.json really happen in the events, where and when truth says."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
from simworld import SETTINGS, World, incident, incidents, parse_time, read_csv

from pipeline.simulate import WorldSettings, WorldSettingsError, simulate_world

START = pd.Timestamp(SETTINGS.start, tz="UTC")
END = START + pd.Timedelta(days=SETTINGS.days)


def test_three_kinds_start_after_a_baseline(world: World) -> None:
    found = incidents(world.path)
    assert sorted(i["kind"] for i in found) == ["new_signature", "release_regression", "spike"]
    assert [i["incident_id"] for i in found] == ["inc-1", "inc-2", "inc-3"]
    for item in found:
        started, ended = pd.Timestamp(item["started_at"]), pd.Timestamp(item["ended_at"])
        assert START + 0.4 * (END - START) <= started < ended <= END
        assert item["affected_customer_ids"] == sorted(set(item["affected_customer_ids"]))
        assert item["ticket_pain_point"] == f"incident:{item['incident_id']}"
        signature = item["signature"]
        assert set(signature) == {"name", "error_code", "feature", "platform", "app_version", "message"}
        assert (signature["app_version"] is None) == (item["kind"] != "release_regression")


@pytest.mark.parametrize("kind", ["spike", "new_signature"])
def test_burst_incidents_hit_at_least_25_customers(world: World, kind: str) -> None:
    assert len(incident(world.path, kind)["affected_customer_ids"]) >= 25


def _signature_events(world: World, item: dict) -> pd.DataFrame:
    events = world.events
    return events[(events["error_code"] == item["signature"]["error_code"]) & (events["name"] == item["signature"]["name"])]


def test_new_signature_never_occurs_before_it_starts(world: World) -> None:
    item = incident(world.path, "new_signature")
    hits = _signature_events(world, item)
    started, ended = pd.Timestamp(item["started_at"]), pd.Timestamp(item["ended_at"])
    assert (world.events.loc[world.events["error_code"] == item["signature"]["error_code"], "t"] >= started).all()
    assert (hits["t"] < ended).all()
    assert sorted(hits["customer_id"].unique()) == item["affected_customer_ids"]
    assert (hits["message"] == item["signature"]["message"]).all()


def test_spike_jumps_far_above_its_hourly_baseline(world: World) -> None:
    item = incident(world.path, "spike")
    hits = _signature_events(world, item)
    started, ended = pd.Timestamp(item["started_at"]), pd.Timestamp(item["ended_at"])
    hourly = hits.set_index("t").resample("h").size().reindex(
        pd.date_range(START, END, freq="h", inclusive="left"), fill_value=0)
    before = hourly[hourly.index < started.floor("h")]
    during = hourly[(hourly.index >= started.floor("h")) & (hourly.index < ended)]
    assert len(before) > 24 * 5 and before.sum() > 0, "the signature exists before the spike"
    assert during.max() >= 4 * max(before.quantile(0.99), 1)
    assert during.mean() >= 5 * before.mean()
    in_window = hits[(hits["t"] >= started) & (hits["t"] < ended)]
    assert set(item["affected_customer_ids"]) <= set(in_window["customer_id"])


def _rates(events: pd.DataFrame) -> pd.DataFrame:
    """Errors and crashes per daily active customer (summed over days), per (platform, app_version)."""
    keys = ["platform", "app_version"]
    day = events["t"].dt.floor("D").rename("day")
    active = events.groupby([*keys, day])["customer_id"].nunique().groupby(keys).sum().rename("active")
    failures = events[events["name"].isin(["error", "crash"])].groupby(keys).size()
    frame = active.to_frame().join(failures.rename("failures")).fillna(0)
    frame["per_user"] = frame["failures"] / frame["active"]
    return frame


def test_regression_version_fails_far_more_per_user_on_its_platform_only(world: World) -> None:
    item = incident(world.path, "release_regression")
    platform, version = item["signature"]["platform"], item["signature"]["app_version"]
    started, ended = pd.Timestamp(item["started_at"]), pd.Timestamp(item["ended_at"])
    window = world.events[(world.events["t"] >= started) & (world.events["t"] < ended)]
    rates = _rates(window)
    releases = read_csv(world.path / "truth" / "releases.csv")
    mine = releases[releases["platform"] == platform]["app_version"].tolist()
    previous = mine[mine.index(version) - 1]
    bad = rates.loc[(platform, version), "per_user"]
    assert rates.loc[(platform, version), "active"] >= 10
    assert bad >= 3 * rates.loc[(platform, previous), "per_user"]
    others = rates[(rates["active"] >= 20) & (rates.index != (platform, version))]
    assert len(others) >= 4 and (others["per_user"] < 0.5 * bad).all()
    crashed = window[(window["error_code"] == item["signature"]["error_code"]) & (window["platform"] == platform)
                     & (window["app_version"] == version)]
    assert set(item["affected_customer_ids"]) <= set(crashed["customer_id"])
    assert len(item["affected_customer_ids"]) >= 0.8 * crashed["customer_id"].nunique()
    # Nobody runs the bad build before it ships, nor once the hotfix has replaced it.
    on_bad = world.events.loc[world.events["app_version"].eq(version) & world.events["platform"].eq(platform), "t"]
    assert (on_bad >= started).all() and (on_bad < ended).all()


def test_affected_share_scales_with_the_world(world: World) -> None:
    active = world.events["customer_id"].nunique()
    for item in incidents(world.path):
        assert len(item["affected_customer_ids"]) <= 0.2 * active
    total = sum(len(i["affected_customer_ids"]) for i in incidents(world.path))
    assert total >= 0.08 * active


def test_incident_truth_times_parse(world: World) -> None:
    for item in incidents(world.path):
        parse_time(pd.Series([item["started_at"], item["ended_at"]]))


def _world_with(tmp_path_factory: pytest.TempPathFactory, name: str, **changes: object) -> World:
    out = tmp_path_factory.mktemp(name) / "world"
    simulate_world(replace(SETTINGS, **changes), out)
    return World.load(out)


@pytest.fixture(scope="module")
def ramped(tmp_path_factory: pytest.TempPathFactory) -> World:
    """The shared world, its spikes' and new errors' customers arriving on a ramp (all else drawn alike)."""
    return _world_with(tmp_path_factory, "sim-ramp", arrival="ramp")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> World:
    """The shared world with spikes and new errors that hit 1-2% of the active customers, at least 8."""
    return _world_with(tmp_path_factory, "sim-small", affected_share=(0.01, 0.02), min_affected=8)


def _first_hits(world: World, item: dict) -> pd.Series:
    """Each affected customer's first event of the incident's signature within its life."""
    hits = _signature_events(world, item)
    started, ended = pd.Timestamp(item["started_at"]), pd.Timestamp(item["ended_at"])
    hits = hits[hits["customer_id"].isin(item["affected_customer_ids"]) & hits["t"].between(started, ended)]
    return hits.groupby("customer_id")["t"].min()


@pytest.mark.parametrize("kind", ["spike", "new_signature"])
def test_on_a_ramp_the_same_customers_are_hit_later(world: World, ramped: World, kind: str) -> None:
    even, ramp = incident(world.path, kind), incident(ramped.path, kind)
    assert ramp["affected_customer_ids"] == even["affected_customer_ids"]
    first_even, first_ramp = _first_hits(world, even), _first_hits(ramped, ramp)
    assert (first_ramp >= first_even.reindex(first_ramp.index)).all()
    assert first_ramp.median() > first_even.median()


@pytest.mark.parametrize("kind", ["spike", "new_signature"])
def test_a_smaller_affected_share_hits_fewer_but_at_least_the_floor(world: World, small: World, kind: str) -> None:
    assert 8 <= len(incident(small.path, kind)["affected_customer_ids"]) < len(incident(world.path, kind)["affected_customer_ids"])


@pytest.mark.parametrize(
    ("changes", "setting"),
    [({"affected_share": (0.2, 0.1)}, "affected_share"), ({"affected_share": (0.0, 0.1)}, "affected_share"),
     ({"min_affected": 0}, "min_affected"), ({"arrival": "burst"}, "arrival")],
)
def test_a_bad_incident_profile_is_refused(changes: dict, setting: str) -> None:
    with pytest.raises(WorldSettingsError) as raised:
        WorldSettings(**changes)
    assert raised.value.setting == setting
