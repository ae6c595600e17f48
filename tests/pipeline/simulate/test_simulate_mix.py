"""An incident mix: several incidents of a kind, each on its own signature, each regression on its own
platform with its own bad build and hotfix, each with an approved workaround, all happening in the events."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from simworld import World, incidents, read_csv

from pipeline.simulate import WorldSettings, WorldSettingsError, simulate_world

MIX = ("release_regression", "spike", "new_signature", "spike", "release_regression", "new_signature")


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> World:
    out = tmp_path_factory.mktemp("sim-mix") / "world"
    simulate_world(WorldSettings(customers=800, days=14, seed=4, incidents=MIX), out)
    return World.load(out)


def test_every_kind_of_the_mix_is_injected_once_per_entry_with_its_own_signature(mixed: World) -> None:
    found = incidents(mixed.path)
    assert sorted(i["kind"] for i in found) == sorted(MIX)
    assert [i["incident_id"] for i in found] == [f"inc-{n}" for n in range(1, len(MIX) + 1)]
    assert [i["started_at"] for i in found] == sorted(i["started_at"] for i in found), "ids follow the start"
    signatures = [(i["signature"]["name"], i["signature"]["error_code"], i["signature"]["platform"]) for i in found]
    assert len(set(signatures)) == len(MIX)
    bursts = [c for i in found if i["kind"] != "release_regression" for c in i["affected_customer_ids"]]
    assert len(bursts) == len(set(bursts)), "an injected burst never reuses another burst's customers"


def test_each_regression_ships_its_own_bad_build_and_hotfix_on_its_own_platform(mixed: World) -> None:
    regressions = [i for i in incidents(mixed.path) if i["kind"] == "release_regression"]
    releases = read_csv(mixed.path / "truth" / "releases.csv")
    assert len({r["signature"]["platform"] for r in regressions}) == 2
    for item in regressions:
        platform, version = item["signature"]["platform"], item["signature"]["app_version"]
        mine = releases[releases["platform"] == platform].reset_index(drop=True)
        position = mine.index[mine["app_version"] == version][0]
        assert mine.loc[position + 1, "rollout"] == "hotfix", "the build after the bad one is its hotfix"
        crashed = mixed.events[(mixed.events["platform"] == platform) & (mixed.events["app_version"] == version)
                               & (mixed.events["error_code"] == item["signature"]["error_code"])]
        assert set(item["affected_customer_ids"]) <= set(crashed["customer_id"])
        assert len(item["affected_customer_ids"]) >= 10
        on_bad = mixed.events.loc[mixed.events["platform"].eq(platform) & mixed.events["app_version"].eq(version), "t"]
        assert (on_bad >= pd.Timestamp(item["started_at"])).all()


def test_each_incident_has_its_approved_workaround_and_its_tickets(mixed: World) -> None:
    notes = {path.stem for path in (mixed.path / "workarounds").glob("*.md")}
    for item in incidents(mixed.path):
        assert item["workaround_id"] in notes
        assert item["ticket_count"] > 0
        assert (mixed.tickets["body"].str.len() > 0).all()


def test_the_default_mix_is_one_incident_of_each_kind() -> None:
    assert sorted(WorldSettings().incidents) == ["new_signature", "release_regression", "spike"]


@pytest.mark.parametrize(
    ("mix", "mentions"),
    [
        ((), "at least one"),
        (("spike", "outage"), "unknown kind 'outage'"),
        (("spike",) * 4, "at most 3"),
        (("release_regression",) * 4, "at most 3"),
        ("spike", "must be a list"),
    ],
)
def test_a_mix_that_cannot_be_planned_is_refused(mix: object, mentions: str) -> None:
    with pytest.raises(WorldSettingsError) as raised:
        WorldSettings(incidents=mix)  # type: ignore[arg-type]
    assert raised.value.setting == "incidents"
    assert mentions in str(raised.value)


def test_the_same_mix_in_another_order_writes_the_same_world(tmp_path: Path) -> None:
    paths = []
    for number, mix in enumerate((("spike", "release_regression", "spike"), ("release_regression", "spike", "spike"))):
        out = tmp_path / f"w{number}"
        simulate_world(WorldSettings(customers=300, days=8, seed=2, incidents=mix), out)
        paths.append(out)
    first, second = ((p / "truth" / "incidents.json").read_bytes() for p in paths)
    assert first == second
    assert (paths[0] / "events.csv").read_bytes() == (paths[1] / "events.csv").read_bytes()
