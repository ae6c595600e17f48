"""A bad build's crash spike is about that build, and the regression found later carries on as that incident.

The world: six incidents, among them a Windows build (3.10.0) that crashes when people write a comment. Its
crashes make a spike on 01-09 16:00 while only about a third of the Windows customers run it. A run first
made at 01-09 18:00 that counts only customers with any error cannot tell the build yet (it can at 01-10
22:00; in an hourly replay an 08:00 run catches a passing moment of the partial day): the spike and its
build carry the incident until then. Those tests turn the per-signature release test off to keep that
case, which a build whose crash is as common on the previous one, or spread over several signatures,
still meets; the last test reads the build off its crash signature.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path

import pytest
from detect_world import SETTINGS
from sqlalchemy import Engine, text

from outreach.workaround_matching import IssueFacts, match_workaround
from outreach.workarounds import load_workarounds
from pipeline.contract import CUSTOMERS, EVENTS
from pipeline.detect.aggregates import refresh_aggregates
from pipeline.detect.incidents import detect_incidents
from pipeline.detect.settings import DetectSettings
from pipeline.ingest import ingest
from pipeline.simulate import WorldSettings, simulate_world

MIX = ("spike", "spike", "new_signature", "new_signature", "release_regression", "release_regression")
SPIKE_SEEN = datetime(2026, 1, 9, 18)
REGRESSION_SEEN = datetime(2026, 1, 10, 23)
COLUMNS = "incident_id, kind, error_code, platform, app_version, started_at, evidence_at, detected_at, evidence"
# The release test counting only the customers with any error (see the module docstring), and with each
# signature on its own as well.
ANY_ERROR = dataclasses.replace(SETTINGS, regression_per_signature=False)
BY_SIGNATURE = dataclasses.replace(SETTINGS, regression_per_signature=True)


@pytest.fixture(scope="module")
def mixed_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("mixed-world") / "world"
    simulate_world(WorldSettings(customers=1000, days=12, seed=3, incidents=MIX), out)
    return out


def _run(engine: Engine, as_of: datetime, settings: DetectSettings = ANY_ERROR) -> None:
    refresh_aggregates(engine, as_of)
    detect_incidents(engine, as_of, settings)


def _windows(engine: Engine) -> list:
    with engine.connect() as connection:
        return connection.execute(text(f"SELECT {COLUMNS} FROM incidents WHERE platform = 'windows'")).all()


def test_a_crash_spike_on_a_rolling_out_build_is_about_that_build(sqlite_warehouse: Engine, mixed_world: Path) -> None:
    ingest(sqlite_warehouse, str(mixed_world), tables=(CUSTOMERS, EVENTS))
    _run(sqlite_warehouse, SPIKE_SEEN)

    [spike] = _windows(sqlite_warehouse)
    focus = json.loads(spike.evidence)["release_focus"]
    assert (spike.kind, spike.error_code, spike.app_version) == ("spike", "E-CRASH-0xC0000005", "3.10.0")
    assert focus["events_on_release"] == focus["events_on_platform"] and focus["active_share"] < 0.5
    assert focus["p_value"] <= SETTINGS.release_focus_max_p_value
    with sqlite_warehouse.connect() as connection:
        others = connection.execute(text("SELECT app_version FROM incidents WHERE platform IS NULL")).scalars().all()
    assert others and all(version is None for version in others), "a spike on every platform is about no build"
    # The version is what lets the workaround written for that build fit the spike's campaign.
    facts = IssueFacts(error_code=spike.error_code, platform=spike.platform, app_version=spike.app_version)
    match = match_workaround(load_workarounds(mixed_world / "workarounds"), facts)
    assert match is not None and match.workaround.workaround_id == "wa-windows-webview-access-violation"
    assert match_workaround(load_workarounds(mixed_world / "workarounds"),
                            IssueFacts(error_code=spike.error_code, platform=spike.platform)) is None


def test_the_regression_found_later_carries_on_as_the_spike_incident(sqlite_warehouse: Engine, mixed_world: Path) -> None:
    ingest(sqlite_warehouse, str(mixed_world), tables=(CUSTOMERS, EVENTS))
    _run(sqlite_warehouse, SPIKE_SEEN)
    [spike] = _windows(sqlite_warehouse)
    _run(sqlite_warehouse, REGRESSION_SEEN)

    [regression] = _windows(sqlite_warehouse)
    assert regression.incident_id == spike.incident_id
    assert (regression.kind, regression.app_version) == ("release_regression", "3.10.0")
    # Started with the release; the evidence and the detection are the spike's (the first sign, the first run).
    assert regression.started_at < spike.started_at
    assert (regression.evidence_at, regression.detected_at) == (spike.evidence_at, spike.detected_at)
    evidence = json.loads(regression.evidence)
    assert [s["kind"] for s in evidence["symptoms"]] == ["spike"]
    before = _windows(sqlite_warehouse)
    _run(sqlite_warehouse, REGRESSION_SEEN)
    assert _windows(sqlite_warehouse) == before, "a rerun of the same as-of changes nothing"


def test_found_in_the_same_run_the_spike_is_folded_into_the_regression(sqlite_warehouse: Engine, mixed_world: Path) -> None:
    ingest(sqlite_warehouse, str(mixed_world), tables=(CUSTOMERS, EVENTS))
    _run(sqlite_warehouse, REGRESSION_SEEN)

    [regression] = _windows(sqlite_warehouse)
    assert regression.kind == "release_regression"
    assert regression.detected_at == REGRESSION_SEEN




def test_the_per_signature_test_names_the_build_by_its_crash(sqlite_warehouse: Engine, mixed_world: Path) -> None:
    ingest(sqlite_warehouse, str(mixed_world), tables=(CUSTOMERS, EVENTS))
    _run(sqlite_warehouse, SPIKE_SEEN, BY_SIGNATURE)

    [regression] = _windows(sqlite_warehouse)
    evidence = json.loads(regression.evidence)
    assert (regression.kind, regression.app_version, regression.error_code) == (
        "release_regression", "3.10.0", "E-CRASH-0xC0000005")
    assert evidence["test"] == "per_signature_poisson_rate_ratio"
    # the crash's own rate gives the build away where the customers with any error do not (yet)
    assert evidence["signature_p_value"] <= 0.5 * 0.001 < evidence["p_value"]
    assert evidence["signatures_tested"] > 1
