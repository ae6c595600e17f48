"""Reading sources: row numbering, malformed records, the pyarrow fast path against the csv-module reader,
Parquet and database tables as text, and errors that name the file."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import create_engine

from pipeline import csv_source, sources
from pipeline.contract import CUSTOMERS, EVENTS, TableSpec
from pipeline.sources import ROW_NUMBER, SourceError, read_csv, read_table, table_files

HEADER = "event_id,customer_id,occurred_at,name\n"


def chunks_as_rows(chunks: list[sources.Chunk]) -> tuple[list[tuple], list[tuple[int, str]]]:
    """All rows (row number first) and all malformed records (row number, detail) of some chunks."""
    good, bad = [], []
    for chunk in chunks:
        columns = [c for c in chunk.frame.columns if c != ROW_NUMBER]
        for row in chunk.frame[[ROW_NUMBER, *columns]].itertuples(index=False, name=None):
            good.append(tuple(row))
        bad += [(record.row_number, record.detail) for record in chunk.malformed]
    return good, bad


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def test_rows_are_numbered_as_data_records_skipping_blank_lines(tmp_path: Path) -> None:
    path = write(tmp_path / "events.csv", HEADER + 'E1,C1,2026-01-01,error\n\nE2,C2,"2026-01-02",\'x\'\r\n'
                 '"E3","C3","multi\nline",crash\n\n\nE4,C4,2026-01-04,"a ""quoted"" name"')
    good, bad = chunks_as_rows(list(read_csv(path, EVENTS)))
    assert bad == []
    assert good == [
        (1, "E1", "C1", "2026-01-01", "error"),
        (2, "E2", "C2", "2026-01-02", "'x'"),
        (3, "E3", "C3", "multi\nline", "crash"),
        (4, "E4", "C4", "2026-01-04", 'a "quoted" name'),
    ]


def test_records_with_the_wrong_field_count_are_set_aside_with_their_row_number(tmp_path: Path) -> None:
    path = write(tmp_path / "events.csv", HEADER + "E1,C1,2026-01-01,error\nE2,C2\nE3,C3,2026-01-03,x,extra\n"
                 "E4,C4,2026-01-04,ok\n")
    chunks = list(read_csv(path, EVENTS))
    good, bad = chunks_as_rows(chunks)
    assert [row[:2] for row in good] == [(1, "E1"), (4, "E4")]
    assert bad == [(2, "2 fields, header has 4"), (3, "5 fields, header has 4")]
    raw = json.loads(next(r.raw for c in chunks for r in c.malformed if r.row_number == 3))
    assert raw == {"header": ["event_id", "customer_id", "occurred_at", "name"],
                   "fields": ["E3", "C3", "2026-01-03", "x", "extra"]}


@pytest.mark.parametrize("fast", [True, False])
def test_a_quote_left_open_that_swallows_later_records_is_set_aside_not_loaded_as_one(
    tmp_path: Path, fast: bool
) -> None:
    # E1's name opens a quote that only the quote in E3's name closes: as CSV defines it, E2 and E3
    # are text inside E1's field, and would vanish without a wrong field count to show it.
    path = write(tmp_path / "events.csv", HEADER + 'E1,C1,2026-01-01,"error\nE2,C2,2026-01-02,crash\n'
                 'E3,C3,2026-01-03,"a ""quoted"" name"\nE4,C4,2026-01-04,ok\n')
    good, bad = chunks_as_rows(list(read_csv(path, EVENTS, fast=fast)))
    assert [row[:2] for row in good] == [(2, "E4")]
    [(row_number, detail)] = bad
    assert row_number == 1
    assert "'name' field runs over 3 lines, and 2 of them read as records" in detail
    assert "quote there is probably not closed" in detail


def test_a_quote_left_open_to_the_end_of_a_help_desk_export_says_why_the_field_count_is_wrong(tmp_path: Path) -> None:
    # A source mapping reads the file under its own names (no contract time column): the time is found
    # in the rows that parse ("Created at" holds ISO dates), or by its name when no row parses.
    export = "Id,Subject,Created at\n"
    ok = "7,Fine,2026-01-05 07:00\n"
    swallowing = '8,"Sync stuck,2026-01-05 08:00\n9,Login fails,2026-01-05 09:00\n'
    any_header = TableSpec("tickets", key="", time_column=None, columns=())
    for name, text in (("with_rows.csv", ok + swallowing), ("all_broken.csv", swallowing)):
        path = write(tmp_path / name, export + text)
        _, bad = chunks_as_rows(list(read_csv(path, any_header)))
        [(_, detail)] = bad
        assert detail.startswith("2 fields, header has 3; its 'Subject' field runs over 2 lines, and 1 of them")


def test_a_multi_line_text_whose_lines_are_not_records_of_the_table_loads(tmp_path: Path) -> None:
    # Line breaks and commas inside a quoted message are ordinary: only a whole record of this table
    # (its field count and a time where the time column is) inside a field marks an open quote.
    text = '"Steps:\n1, open the app, tap sync\n2, wait, wait, wait\nx,y,not a date,z"'
    path = write(tmp_path / "events.csv", HEADER + f"E1,C1,2026-01-01,{text}\nE2,C2,2026-01-02,ok\n")
    good, bad = chunks_as_rows(list(read_csv(path, EVENTS)))
    assert bad == [] and [row[1] for row in good] == ["E1", "E2"]


@pytest.mark.parametrize("chunk_rows", [1, 2, 3, 100])
def test_fast_and_reference_readers_agree_whatever_the_chunk_size(tmp_path: Path, chunk_rows: int) -> None:
    body = "".join(f"E{i},C{i % 3},2026-01-0{1 + i % 9},{'x' * (i % 4)}\n" for i in range(11))
    path = write(tmp_path / "events.csv", HEADER + body + "E99,short\n" + "E100,C1,2026-01-01,last")
    fast = list(read_csv(path, EVENTS, chunk_rows))
    reference = list(read_csv(path, EVENTS, chunk_rows, fast=False))
    assert chunks_as_rows(fast) == chunks_as_rows(reference)
    assert all(len(chunk.frame) <= chunk_rows for chunk in fast)
    good, bad = chunks_as_rows(fast)
    assert [row[0] for row in good] == [*range(1, 12), 13] and bad == [(12, "2 fields, header has 4")]


def test_a_field_larger_than_pyarrows_block_falls_back_to_the_csv_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_source, "ARROW_BLOCK_BYTES", 64)  # the fallback path, without a multi-MiB file
    big = "y" * 500
    path = write(tmp_path / "events.csv", HEADER + "".join(f"E{i},C1,2026-01-01,n{i}\n" for i in range(6))
                 + f'E6,C1,2026-01-01,"{big}"\nE7,C1,2026-01-01,after\n')
    good, bad = chunks_as_rows(list(read_csv(path, EVENTS, chunk_rows=2)))
    assert [row[0] for row in good] == list(range(1, 9)) and bad == []
    assert good[6][4] == big and good[7][4] == "after"


def test_nul_characters_become_replacement_characters(tmp_path: Path) -> None:
    path = write(tmp_path / "events.csv", HEADER + "E1,C\x001,2026-01-01,a\x00b\nE2,C2\x00\n")
    chunks = list(read_csv(path, EVENTS))
    good, _ = chunks_as_rows(chunks)
    assert good == [(1, "E1", "C\ufffd1", "2026-01-01", "a\ufffdb")]
    assert "\x00" not in chunks[0].malformed[0].raw


def test_header_names_are_trimmed_and_repeated_names_numbered(tmp_path: Path) -> None:
    path = write(tmp_path / "events.csv", "\ufeff event_id ,customer_id,occurred_at,name,name\nE1,C1,t,a,b\n")
    frame = next(iter(read_csv(path, EVENTS))).frame
    assert list(frame.columns) == ["event_id", "customer_id", "occurred_at", "name", "name.1", ROW_NUMBER]
    assert frame.loc[0, "name.1"] == "b"


def test_a_missing_required_column_names_the_file_the_column_and_the_fix(tmp_path: Path) -> None:
    path = write(tmp_path / "customers.csv", "customer_id,name\nC1,A\n")
    with pytest.raises(SourceError) as failure:
        list(read_csv(path, CUSTOMERS))
    message = str(failure.value)
    assert str(path) in message and "email, email_opt_in, created_at" in message and "rename or add" in message


@pytest.mark.parametrize("content", ["", "\n\n"])
def test_an_empty_file_says_it_is_empty(tmp_path: Path, content: str) -> None:
    path = write(tmp_path / "events.csv", content)
    with pytest.raises(SourceError, match="the file is empty .* export the table again"):
        list(read_csv(path, EVENTS))


def test_non_utf8_text_is_a_source_error_naming_the_file_and_row(tmp_path: Path) -> None:
    path = write(tmp_path / "events.csv", HEADER.encode() + b"E1,C1,2026-01-01,ok\nE2,C2,2026-01-01,caf\xe9\n")
    with pytest.raises(SourceError) as failure:
        list(read_csv(path, EVENTS))
    assert str(path) in str(failure.value) and "not valid UTF-8 at line 3" in str(failure.value)


def test_a_non_utf8_header_is_a_source_error(tmp_path: Path) -> None:
    path = write(tmp_path / "events.csv", b"event_id,customer_id,occurred_at,n\xe4me\nE1,C1,t,x\n")
    with pytest.raises(SourceError, match="header is not valid UTF-8"):
        list(read_csv(path, EVENTS))


def test_a_header_with_a_quoted_line_break_is_read_by_the_csv_module(tmp_path: Path) -> None:
    path = write(tmp_path / "events.csv", 'event_id,customer_id,occurred_at,"name\n(long)",name\nE1,C1,t,x,y\n')
    good, _ = chunks_as_rows(list(read_csv(path, EVENTS)))
    assert good == [(1, "E1", "C1", "t", "x", "y")]


def test_a_table_may_be_split_over_files_in_a_stable_order(tmp_path: Path) -> None:
    for name in ("events-2.csv", "events.csv", "events/b.csv", "events/a.parquet", "events-1.parquet",
                 "eventsx.csv", "tickets.csv"):
        write(tmp_path / name, "")
    assert [p.relative_to(tmp_path).as_posix() for p in table_files(tmp_path, "events")] == [
        "events.csv", "events-2.csv", "events/b.csv", "events-1.parquet", "events/a.parquet"]


def test_a_missing_source_folder_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        list(read_table(str(tmp_path / "nowhere"), EVENTS))


def test_parquet_values_of_any_type_are_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    pq.write_table(pa.table({
        "event_id": pa.array([1, 2], pa.int64()),
        "customer_id": ["C1", None],
        "occurred_at": pa.array([datetime(2026, 1, 1, 10, 0, 0, 250000), None], pa.timestamp("us", "UTC")),
        "name": ["error", "crash"],
        "score": pa.array([0.5, None], pa.float64()),
        "flag": [True, False],
        "naive": pa.array([datetime(2026, 1, 2, 3, 4, 5), datetime(2026, 1, 2)], pa.timestamp("s")),
    }), path)
    frame = next(read_table(str(tmp_path), EVENTS)).frame
    assert frame.drop(columns=ROW_NUMBER).to_dict("records") == [
        {"event_id": "1", "customer_id": "C1", "occurred_at": "2026-01-01T10:00:00.250000Z", "name": "error",
         "score": "0.5", "flag": "true", "naive": "2026-01-02T03:04:05.000"},
        {"event_id": "2", "customer_id": "", "occurred_at": "", "name": "crash", "score": "", "flag": "false",
         "naive": "2026-01-02T00:00:00.000"},
    ]
    assert frame[ROW_NUMBER].tolist() == [1, 2]


def test_a_truncated_parquet_file_is_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    pq.write_table(pa.table({"event_id": ["E1"], "customer_id": ["C1"], "occurred_at": ["t"], "name": ["n"]}), path)
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(SourceError, match="cannot read the Parquet file"):
        list(read_table(str(tmp_path), EVENTS))


def test_database_tables_are_read_as_text_in_key_order(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'source.db'}"
    engine = create_engine(url)
    pd.DataFrame({"event_id": ["E2", "E1"], "customer_id": ["C2", None], "occurred_at": ["2026-01-02", "2026-01-01"],
                  "name": ["crash", "error"], "count": [2, 1]}).to_sql("events", engine, index=False)
    engine.dispose()
    chunks = list(read_table(url, EVENTS, chunk_rows=1))
    assert [chunk.frame.drop(columns=ROW_NUMBER).to_dict("records")[0] for chunk in chunks] == [
        {"event_id": "E1", "customer_id": "", "occurred_at": "2026-01-01", "name": "error", "count": "1"},
        {"event_id": "E2", "customer_id": "C2", "occurred_at": "2026-01-02", "name": "crash", "count": "2"},
    ]
    assert [chunk.frame[ROW_NUMBER].tolist() for chunk in chunks] == [[1], [2]]
    assert "table events" in chunks[0].source


def test_an_unusable_database_url_is_a_source_error_without_the_password() -> None:
    with pytest.raises(SourceError) as failure:
        list(read_table("nosuchdriver://user:hunter2@host/db", EVENTS))
    assert "hunter2" not in str(failure.value)
    with pytest.raises(SourceError) as failure:
        list(read_table("postgresql+psycopg://user:hunter2@127.0.0.1:1/db", EVENTS))
    assert "hunter2" not in str(failure.value) and "reachable" in str(failure.value)


@pytest.mark.parametrize("fast", [True, False])
def test_records_with_every_field_empty_are_skipped_like_blank_lines(tmp_path: Path, fast: bool) -> None:
    path = write(tmp_path / "events.csv", HEADER + "E1,C1,2026-01-01,error\n,,,\n , ,,\nE2,C2,2026-01-02,ok\n,,,\n")
    good, bad = chunks_as_rows(list(read_csv(path, EVENTS, fast=fast)))
    assert bad == [] and [row[:2] for row in good] == [(1, "E1"), (4, "E2")]


def test_a_semicolon_separated_file_says_so_instead_of_naming_missing_columns(tmp_path: Path) -> None:
    path = write(tmp_path / "events.csv", "event_id;customer_id;occurred_at;name\nE1;C1;2026-01-01;error\n")
    with pytest.raises(SourceError, match="separated by semicolons, not commas; save it as comma-separated CSV"):
        list(read_csv(path, EVENTS))
