"""Workarounds: loading with clear errors, idempotent storage, and matching that never picks a draft."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from outreach.workaround_matching import IssueFacts, match_workaround
from outreach.workarounds import (
    WorkaroundError,
    load_workarounds,
    parse_workaround,
    read_workarounds,
    upsert_workarounds,
)

NOW = datetime(2026, 3, 1, 12, 0)

SYNC = """---
id: wa-sync
title: Sync stops with a timeout
status: approved
applies_to:
  error_codes: [E_SYNC_TIMEOUT]
  features: [sync]
  platforms: [android]
  app_versions: ["5.2.*"]
  keywords: [sync, timeout, stuck]
---
1. Open Settings > Sync.
2. Turn off "Sync on cellular", then on again.
"""


def _doc(meta: str, body: str = "1. Do this.\n") -> str:
    return f"---\n{meta}\n---\n{body}"


def _write(folder: Path, name: str, content: str) -> Path:
    path = folder / name
    path.write_text(content, encoding="utf-8")
    return path


def test_loads_a_folder_of_markdown_files(tmp_path: Path) -> None:
    _write(tmp_path, "sync.md", SYNC)
    (tmp_path / "billing").mkdir()
    _write(tmp_path / "billing", "card.md", _doc("id: wa-card\ntitle: Card declined\nstatus: draft"))

    loaded = load_workarounds(tmp_path)

    assert [w.workaround_id for w in loaded] == ["wa-card", "wa-sync"]
    sync = loaded[1]
    assert sync.applies_to.platforms == ("android",)
    assert sync.applies_to.app_versions == ("5.2.*",)
    assert sync.body_markdown.startswith("1. Open Settings")
    assert sync.is_approved and not loaded[0].is_approved


def test_a_capitalised_status_and_keywords_written_as_one_text_read_as_meant(tmp_path: Path) -> None:
    # Another team's files: "Approved" is approved, "keywords: search, timeout" is two keywords.
    _write(tmp_path, "search.md", _doc("id: wa-search\ntitle: Search is slow\nstatus: Approved\n"
                                      "applies_to:\n  keywords: search, timeout\n  error_codes: E-SEARCH-TIMEOUT"))
    [workaround] = load_workarounds(tmp_path)
    assert workaround.is_approved
    assert workaround.applies_to.keywords == ("search", "timeout")
    assert workaround.applies_to.error_codes == ("E-SEARCH-TIMEOUT",)


def test_a_version_written_as_a_yaml_number_is_warned_about(tmp_path: Path) -> None:
    _write(tmp_path, "v.md", _doc("id: wa-v\ntitle: T\nstatus: approved\napplies_to:\n  app_versions: [5.10, '5.14.0', 6]"))
    [workaround] = load_workarounds(tmp_path)
    assert workaround.applies_to.app_versions == ("5.1", "5.14.0", "6")
    [warning] = [w for w in workaround.warnings if "app_versions" in w]
    assert "5.1 as a number" in warning and "quote versions" in warning


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (_doc("title: T\nstatus: approved"), r"sync\.md: missing required field 'id'"),
        (_doc("id: a\ntitle: T\nstatus: live"), r"sync\.md: field 'status' is 'live'; expected one of \['draft', 'approved'\]"),
        (_doc("id: a\ntitle: T\nstatus: draft\napplies_to:\n  devices: [x]"), r"unknown key\(s\) \['devices'\] in field 'applies_to'"),
        (_doc("id: a\ntitle: T\nstatus: draft", body="\n   \n"), r"sync\.md: no steps after the front matter"),
        (_doc("id: a\nstatus: draft"), r"missing required field 'title'"),
        ("# no front matter\n", r"expected YAML front matter"),
        ("---\nid: a\n", r"not closed"),
        (_doc("id: a\ntitle: T\nstatus: draft\napplies_to:\n  platforms: {ios: 1}"), r"'applies_to\.platforms' must be a list"),
    ],
)
def test_invalid_files_name_the_file_and_the_field(tmp_path: Path, content: str, message: str) -> None:
    _write(tmp_path, "sync.md", content)
    with pytest.raises(WorkaroundError, match=message):
        load_workarounds(tmp_path)


def test_duplicate_ids_name_both_files(tmp_path: Path) -> None:
    _write(tmp_path, "a.md", SYNC)
    _write(tmp_path, "b.md", SYNC)
    with pytest.raises(WorkaroundError, match=r"b\.md: id 'wa-sync' is already used by .*a\.md"):
        load_workarounds(tmp_path)


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WorkaroundError, match="does not exist"):
        load_workarounds(tmp_path / "nope")


def test_upsert_is_idempotent_by_id_and_content_hash(warehouse: Engine) -> None:
    first = parse_workaround(SYNC, source="sync.md")
    assert upsert_workarounds(warehouse, [first], now=NOW).inserted == 1
    again = upsert_workarounds(warehouse, [first], now=datetime(2026, 3, 2))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)
    changed = parse_workaround(SYNC.replace("status: approved", "status: draft"), source="sync.md")
    assert upsert_workarounds(warehouse, [changed], now=datetime(2026, 3, 3)).updated == 1

    with warehouse.connect() as conn:
        rows = conn.execute(text("SELECT workaround_id, status, loaded_at FROM workarounds")).all()
        assert [(r.workaround_id, r.status, r.loaded_at) for r in rows] == [("wa-sync", "draft", datetime(2026, 3, 3))]
        assert read_workarounds(conn) == []  # draft now: no longer a candidate
        assert [w.workaround_id for w in read_workarounds(conn, approved_only=False)] == ["wa-sync"]


def _facts(**kwargs: object) -> IssueFacts:
    base = {"error_code": "E_SYNC_TIMEOUT", "feature": "sync", "platform": "android", "app_version": "5.2.1",
            "text": "sync keeps timing out"}
    base.update(kwargs)
    return IssueFacts(**base)  # type: ignore[arg-type]


def test_match_uses_applies_to_fields_and_says_why() -> None:
    sync = parse_workaround(SYNC, source="sync.md")
    match = match_workaround([sync], _facts())
    assert match is not None and match.workaround.workaround_id == "wa-sync"
    assert any("error_code E_SYNC_TIMEOUT" in why for why in match.why)
    assert any("app_version 5.2.1" in why for why in match.why)


@pytest.mark.parametrize(
    "facts",
    [
        {"platform": "ios"},  # written for android
        {"app_version": "6.0.0"},  # outside 5.2.*
        {"platform": None},  # device-specific steps for an issue on unknown platforms
        {"error_code": "E_LOGIN"},
    ],
)
def test_a_workaround_for_something_else_is_never_matched(facts: dict) -> None:
    assert match_workaround([parse_workaround(SYNC, source="sync.md")], _facts(**facts)) is None


@pytest.mark.parametrize("version", ["v5.2.1", "V5.2.1", "5.2.1 (4410)", "5.2.1+build.7"])
def test_a_version_written_as_the_event_pipeline_writes_it_fits_the_workaround(version: str) -> None:
    # An SDK that reports "v5.2.1" or "5.2.1 (build)" is on the release a workaround author calls 5.2.1.
    sync = parse_workaround(SYNC, source="sync.md")
    assert match_workaround([sync], _facts(app_version=version)) is not None
    exact = parse_workaround(SYNC.replace('["5.2.*"]', '["5.2.1"]'), source="sync.md")
    assert match_workaround([exact], _facts(app_version=version)) is not None


@pytest.mark.parametrize(
    ("written", "version", "fits"),
    [
        ("5.2", "5.2.0", True),  # the same release
        ("5.2.0", "v5.2", True),
        ("v5.2.1", "5.2.1", True),  # the author's "v" too
        ("5.2.*", "5.2", True),  # 5.2 is 5.2.0
        ("5.2.1", "5.2.10", False),
        ("5.2.1", "5.2.1-beta.2", False),  # a pre-release is not the release
        ("5.2.*", "5.3.0", False),
    ],
)
def test_versions_are_compared_as_releases(written: str, version: str, fits: bool) -> None:
    workaround = parse_workaround(SYNC.replace('["5.2.*"]', f'["{written}"]'), source="sync.md")
    assert (match_workaround([workaround], _facts(app_version=version)) is not None) is fits


def test_draft_workarounds_are_never_candidates() -> None:
    draft = parse_workaround(SYNC.replace("status: approved", "status: draft"), source="sync.md")
    assert match_workaround([draft], _facts()) is None


def test_text_similarity_picks_the_workaround_about_the_same_thing() -> None:
    export = parse_workaround(
        _doc("id: wa-export\ntitle: PDF export is blank\nstatus: approved\napplies_to:\n  keywords: [pdf, export, blank]"),
        source="export.md",
    )
    login = parse_workaround(
        _doc("id: wa-login\ntitle: Cannot log in after password reset\nstatus: approved\napplies_to:\n  keywords: [login, password]"),
        source="login.md",
    )
    facts = IssueFacts(text="exported PDF comes out blank, export pdf shows empty pages")

    match = match_workaround([login, export], facts)

    assert match is not None and match.workaround.workaround_id == "wa-export"
    assert any("3 of its 3 keywords" in why for why in match.why)
    assert any("text similarity" in why for why in match.why)
    assert match_workaround([login, export], IssueFacts(text="my invoice total is wrong")) is None
