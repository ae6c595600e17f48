"""Bad input through a mapping: one clear error naming the mapping's file, line and column (and nothing
loaded, not even the tables before the faulty one), or rows quarantined with the reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from mapping_helpers import FIXTURES, LENIENT, rows
from sqlalchemy import Engine

from pipeline.ingest import Interval, ingest
from pipeline.mapping import MappingError, load_mapping

SEGMENT = """\
customers:
  from: {table: users}
  columns:
    customer_id: id
    email: email
    name: name
    email_opt_in: email_opt_in
    created_at: created_at
events:
  from: {table: tracks}
  columns:
    event_id: id
    customer_id: user_id
    occurred_at: timestamp
    name: event
"""


def mapping_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(engine: Engine, source: Path, text: str, tmp_path: Path) -> None:
    ingest(engine, str(source), mapping=load_mapping(mapping_file(tmp_path, text)), settings=LENIENT)


def test_a_missing_column_stops_before_any_table_is_written(warehouse: Engine, tmp_path: Path) -> None:
    text = SEGMENT.replace("    name: event\n", "    name: event\n    app_version: context_app_versoin\n")
    with pytest.raises(MappingError) as caught:
        run(warehouse, FIXTURES / "segment", text, tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'mine.yaml'}:16:18: events.columns.app_version: column 'context_app_versoin' not found")
    assert "tracks.csv" in message and "context_app_version" in message  # the file and its real columns
    # customers come first in the mapping and were fine: still nothing is half-loaded.
    assert rows(warehouse, "SELECT count(*) FROM customers") == [(0,)]
    assert rows(warehouse, "SELECT count(*) FROM ingest_runs") == [(0,)]


def test_a_json_path_that_matches_nothing(with_customers: Engine, tmp_path: Path) -> None:
    text = (FIXTURES.parent.parent.parent / "pipeline/mapping/ready/zendesk-incremental.yaml").read_text()
    text = text.replace("body: description", "body: descripton")
    with pytest.raises(MappingError) as caught:
        run(with_customers, FIXTURES / "zendesk", text, tmp_path)
    message = str(caught.value)
    assert ":16:11: tickets.columns.body: path 'descripton' matches nothing" in message
    assert "tickets-0001.json" in message and "optional: true" in message
    assert rows(with_customers, "SELECT count(*) FROM tickets") == [(0,)]


def test_an_optional_path_that_matches_nothing_loads_empty(with_customers: Engine, tmp_path: Path) -> None:
    text = (FIXTURES.parent.parent.parent / "pipeline/mapping/ready/zendesk-incremental.yaml").read_text()
    text = text.replace("channel: {field: via.channel, optional: true}", "channel: {field: via.chanel, optional: true}")
    run(with_customers, FIXTURES / "zendesk", text, tmp_path)
    assert rows(with_customers, "SELECT count(*), count(channel) FROM tickets") == [(3, 0)]


def test_unmapped_values_are_quarantined_or_kept_or_emptied_as_told(warehouse: Engine, tmp_path: Path) -> None:
    rejecting = SEGMENT.replace("name: event", "name: {field: event, map: {Error Occurred: error}}")
    run(warehouse, FIXTURES / "segment", rejecting, tmp_path)
    assert rows(warehouse, "SELECT event_id, name FROM events") == [("ajs-0002", "error"), ("ajs-0005", "error")]
    details = [row[0] for row in rows(warehouse, "SELECT detail FROM quarantine ORDER BY row_number")]
    assert len(details) == 3 and all(d.startswith("unmapped_value: name <- 'event': value '") for d in details)
    assert "'Application Opened' is not in the map" in details[0]


def test_unmapped_keep(warehouse: Engine, tmp_path: Path) -> None:
    keeping = SEGMENT.replace("name: event", "name: {field: event, map: {Error Occurred: error}, unmapped: keep}")
    run(warehouse, FIXTURES / "segment", keeping, tmp_path)
    assert ("ajs-0004", "Button Clicked") in rows(warehouse, "SELECT event_id, name FROM events")


def test_values_that_do_not_match_the_timestamp_format_are_quarantined(warehouse: Engine, tmp_path: Path) -> None:
    text = SEGMENT.replace("occurred_at: timestamp", "occurred_at: {field: received_at, format: '%Y-%m-%d %H:%M:%S'}")
    run(warehouse, FIXTURES / "segment", text, tmp_path)
    assert rows(warehouse, "SELECT count(*) FROM events") == [(0,)]
    details = {row[0] for row in rows(warehouse, "SELECT detail FROM quarantine")}
    assert details == {"unparseable_timestamp: occurred_at <- 'received_at': does not match format '%Y-%m-%d %H:%M:%S'"}


def test_a_time_zone_turns_local_times_into_utc(warehouse: Engine, tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(FIXTURES / "segment", source)
    tracks = source / "tracks.csv"
    tracks.write_text(tracks.read_text().replace("2026-01-05T09:01:10.000Z", "2026-01-05 10:01:10"), encoding="utf-8")
    text = SEGMENT.replace("occurred_at: timestamp", "occurred_at: {field: timestamp, format: '%Y-%m-%d %H:%M:%S', timezone: Europe/Berlin}")
    run(warehouse, source, text, tmp_path)
    [(occurred,)] = rows(warehouse, "SELECT occurred_at FROM events")
    assert str(occurred).startswith("2026-01-05 09:01:10")  # 10:01 in Berlin in winter is 09:01 UTC


def test_bad_rows_of_a_mapped_source_meet_the_same_share_gate(warehouse: Engine, tmp_path: Path) -> None:
    from pipeline.validation import GateFailure, ValidationSettings

    text = SEGMENT.replace("name: event", "name: {field: event, map: {Error Occurred: error}}")
    with pytest.raises(GateFailure, match="unmapped_value"):
        ingest(warehouse, str(FIXTURES / "segment"), mapping=load_mapping(mapping_file(tmp_path, text)),
               settings=ValidationSettings(max_bad_row_share=0.2, min_rows_for_share=1))
    assert rows(warehouse, "SELECT count(*) FROM events") == [(0,)]


def test_a_pull_mapping_without_an_interval_says_it_needs_one(sqlite_warehouse: Engine, tmp_path: Path) -> None:
    """It read the landing folder of 1970 and said "source folder landing/19700101T0000 does not exist"."""
    (tmp_path / "landing").mkdir()
    with pytest.raises(MappingError, match="landing folder .* runs only for an interval: forewarn ingest .* --start"):
        ingest(sqlite_warehouse, str(tmp_path / "landing"), Interval(), mapping=load_mapping("zendesk-pull"))


def test_a_semicolon_separated_export_says_so_not_only_that_a_column_is_missing(
    warehouse: Engine, tmp_path: Path
) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for name in ("users.csv", "tracks.csv"):
        (source / name).write_text((FIXTURES / "segment" / name).read_text(encoding="utf-8").replace(",", ";"),
                                   encoding="utf-8")
    with pytest.raises(MappingError, match="not found .* separated by semicolons, not commas"):
        run(warehouse, source, SEGMENT, tmp_path)
