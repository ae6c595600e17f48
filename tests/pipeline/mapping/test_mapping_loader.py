"""A mapping file's mistakes are found before any source is read, named by file, line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.mapping import MappingError, load_mapping, ready_mappings

MINIMAL_EVENTS = """\
events:
  from: {table: tracks}
  columns:
    event_id: id
    customer_id: user_id
    occurred_at: timestamp
    name: event
"""


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(MappingError) as caught:
        load_mapping(write(tmp_path, text))
    return str(caught.value)


def test_a_minimal_mapping_loads_with_its_rules(tmp_path: Path) -> None:
    mapping = load_mapping(write(tmp_path, MINIMAL_EVENTS))
    events = mapping.table("events")
    assert events is not None and mapping.table("tickets") is None
    assert events.field("name").path == "event"
    assert events.field("name").where.line == 7


def test_every_ready_mapping_loads() -> None:
    names = ready_mappings()
    assert {"zendesk-incremental", "zendesk-csv", "intercom-conversations", "segment-tracks",
            "amplitude-export", "sentry-events"} <= set(names)
    for name in names:
        assert load_mapping(name).tables


def test_a_misspelt_contract_column_is_named_with_its_line_and_column(tmp_path: Path) -> None:
    message = error_of(tmp_path, MINIMAL_EVENTS + "    app_verison: context_app_version\n")
    assert message.startswith(f"{tmp_path / 'mapping.yaml'}:8:5: ")
    assert "app_verison" in message and "not a contract column" in message


def test_a_required_column_left_unmapped(tmp_path: Path) -> None:
    message = error_of(tmp_path, MINIMAL_EVENTS.replace("    name: event\n", ""))
    assert ":4:5:" in message and "name" in message and "required" in message


def test_an_unknown_strptime_directive_is_an_error_at_its_line(tmp_path: Path) -> None:
    text = MINIMAL_EVENTS.replace("occurred_at: timestamp", 'occurred_at: {field: ts, format: "%Y-%m-%d %Q"}')
    message = error_of(tmp_path, text)
    assert ":6:" in message and "%Q" in message and "strptime" in message


def test_an_unknown_time_zone(tmp_path: Path) -> None:
    text = MINIMAL_EVENTS.replace("occurred_at: timestamp", "occurred_at: {field: ts, timezone: Mars/Olympus}")
    message = error_of(tmp_path, text)
    assert ":6:" in message and "Mars/Olympus" in message


def test_not_yaml(tmp_path: Path) -> None:
    message = error_of(tmp_path, "events:\n  from: [unclosed\n")
    assert "mapping.yaml:" in message and "not valid YAML" in message


def test_a_join_on_a_column_other_than_customer_id(tmp_path: Path) -> None:
    message = error_of(tmp_path, MINIMAL_EVENTS.replace("name: event", "name: {field: event, join: email}"))
    assert ":7:" in message and "join applies to customer_id only" in message


def test_a_missing_mapping_file_lists_the_ready_ones(tmp_path: Path) -> None:
    with pytest.raises(MappingError) as caught:
        load_mapping(str(tmp_path / "nope.yaml"))
    assert "not found" in str(caught.value) and "zendesk-incremental" in str(caught.value)
