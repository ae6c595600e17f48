"""What counts as finding an injected incident, and reading a truth folder."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from pipeline.backtest.scoring import matches
from pipeline.backtest.truth import TrueIncident, TruthError, read_truth

REGRESSION = TrueIncident(
    incident_id="inc-2", kind="release_regression", started_at=datetime(2026, 1, 19, 15, 40),
    ended_at=datetime(2026, 1, 24, 7, 40), name="crash", error_code="E-CRASH-NPE", feature="calendar",
    platform="android", app_version="5.14.0", affected=frozenset({"C1", "C2"}), ticket_pain_point="incident:inc-2",
)


def found(**fields: object) -> dict[str, object]:
    row = {"kind": "spike", "error_code": None, "platform": None, "app_version": None, "started_at": "2026-01-19 00:00:00"}
    return {**row, **fields}


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (found(kind="release_regression", platform="android", app_version="5.14"), True),  # 5.14 is 5.14.0
        (found(kind="release_regression", platform="Android", app_version="5.14.0"), True),
        (found(kind="spike", error_code="e-crash-npe"), True),  # kind-agnostic: the symptom's code is enough
        (found(kind="release_regression", platform="ios", app_version="5.14.0"), False),
        (found(kind="release_regression", platform="android", app_version="5.15.0"), False),
        (found(error_code="E-CRASH-NPE", started_at="2026-01-10 00:00:00"), False),  # long before it began
        (found(error_code="E-CRASH-NPE", started_at="2026-01-26 06:00:00"), True),  # within 48 h of its end
        (found(error_code="E-CRASH-NPE", started_at="2026-01-27 00:00:00"), False),
    ],
)
def test_a_found_incident_matches_by_code_or_release_within_its_life(row: dict, expected: bool) -> None:
    assert matches(row, REGRESSION) is expected


SPIKE = TrueIncident(
    incident_id="inc-3", kind="spike", started_at=datetime(2026, 1, 8, 12, 7), ended_at=datetime(2026, 1, 9, 6, 7),
    name="error", error_code="E-SEARCH-TIMEOUT", feature="search", platform=None, app_version=None,
    affected=frozenset({"C1"}), ticket_pain_point="incident:inc-3", message="Search took longer than 10 s and was cancelled",
)


@pytest.mark.parametrize(
    ("pattern", "code", "expected"),
    [
        # events without the optional error_code: the message names the error
        ("search took longer than <num> s and was cancelled", None, True),
        ("e-search-timeout: search took longer than <num> s and was cancelled", None, True),  # code written into it
        ("search took longer than <num> s", None, False),  # half of it is another message
        ("export timed out while rendering the pdf", None, False),
        ("search took longer than <num> s and was cancelled", "E-OTHER", False),  # a code says which error it is
        (None, None, False),
    ],
)
def test_a_found_incident_without_a_code_matches_by_its_message(pattern: str | None, code: str | None, expected: bool) -> None:
    row = found(kind="spike", error_code=code, message_pattern=pattern, started_at="2026-01-08 12:00:00")
    assert matches(row, SPIKE) is expected


def test_truth_is_read_from_the_world_or_its_truth_folder(tmp_path: Path) -> None:
    truth = tmp_path / "truth"
    truth.mkdir()
    (truth / "incidents.json").write_text(json.dumps([{
        "incident_id": "inc-1", "kind": "spike", "started_at": "2026-01-23T11:08:00Z", "ended_at": None,
        "signature": {"name": "error", "error_code": "E-SEARCH-TIMEOUT"}, "affected_customer_ids": ["C1"],
    }]), encoding="utf-8")
    (truth / "ticket_pain_points.csv").write_text("ticket_id,pain_point,incident_id\nT1,incident:inc-1,inc-1\nT2,search_slow,\n",
                                                  encoding="utf-8")

    for folder in (tmp_path, truth):
        read = read_truth(folder)
        assert read.incidents[0].started_at == datetime(2026, 1, 23, 11, 8)
        assert read.incidents[0].ticket_pain_point == "incident:inc-1"
        assert read.tickets["incident_id"].tolist() == ["inc-1", None]


def test_a_broken_truth_file_is_named_in_the_error(tmp_path: Path) -> None:
    (tmp_path / "incidents.json").write_text("[{\"kind\": \"spike\"}]", encoding="utf-8")
    (tmp_path / "ticket_pain_points.csv").write_text("ticket_id,pain_point,incident_id\n", encoding="utf-8")
    with pytest.raises(TruthError, match=r"incidents\.json: incident #1 is malformed"):
        read_truth(tmp_path)
