"""A table mapped from a SQL query gets the data interval as bound parameters (:start, :end), so only
that interval is read from the source database; a table mapped by name works on a database too."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from mapping_helpers import LENIENT, rows
from sqlalchemy import Engine

from pipeline.ingest import Interval, ingest
from pipeline.mapping import load_mapping


def tracks_database(tmp_path: Path) -> str:
    path = tmp_path / "segment.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE tracks (id TEXT, user_id TEXT, event TEXT, timestamp TEXT, context_app_version TEXT)")
        db.executemany(
            "INSERT INTO tracks VALUES (?, ?, ?, ?, ?)",
            [(f"e{i}", "u-1001", "Error Occurred", f"2026-01-0{day} 12:00:00", "5.4.0") for i, day in enumerate([4, 5, 5, 6])],
        )
    return f"sqlite:///{path}"


def mapping(tmp_path: Path, source_lines: str) -> str:
    path = tmp_path / "m.yaml"
    path.write_text(
        "events:\n" + source_lines + "  columns:\n    event_id: id\n    customer_id: user_id\n"
        "    occurred_at: timestamp\n    name: {field: event, map: {Error Occurred: error}}\n    app_version: context_app_version\n",
        encoding="utf-8",
    )
    return str(path)


def test_a_query_reads_only_the_interval(warehouse: Engine, tmp_path: Path) -> None:
    url = tracks_database(tmp_path)
    query = "SELECT * FROM tracks WHERE timestamp >= :start AND timestamp < :end ORDER BY id"
    file = mapping(tmp_path, f"  from:\n    source: {url}\n    query: \"{query}\"\n")
    report = ingest(warehouse, "unused-folder", Interval(datetime(2026, 1, 5), datetime(2026, 1, 6)),
                    mapping=load_mapping(file), settings=LENIENT)
    assert report.tables[0].rows_read == 2 and report.tables[0].outside_interval == 0
    assert rows(warehouse, "SELECT event_id, name FROM events ORDER BY event_id") == [("e1", "error"), ("e2", "error")]


def test_a_table_by_name_in_a_database_source(warehouse: Engine, tmp_path: Path) -> None:
    url = tracks_database(tmp_path)
    file = mapping(tmp_path, "  from: {table: tracks}\n")
    report = ingest(warehouse, url, Interval(datetime(2026, 1, 5), datetime(2026, 1, 6)), mapping=load_mapping(file), settings=LENIENT)
    events = report.tables[0]
    assert (events.rows_read, events.outside_interval, events.loaded) == (4, 2, 2)
