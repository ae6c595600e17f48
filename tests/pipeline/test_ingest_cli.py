"""``forewarn ingest`` from a terminal: counts on success, one clear error line (exit 2) on bad input."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.cli import main

CUSTOMER_HEADER = ["customer_id", "email", "name", "locale", "plan", "mrr", "email_opt_in", "created_at"]
EVENT_HEADER = ["event_id", "customer_id", "occurred_at", "name"]


@pytest.fixture
def source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tiny valid source, and a warehouse URL under tmp_path."""
    monkeypatch.setenv("FOREWARN_DATABASE_URL", f"sqlite:///{tmp_path / 'warehouse.db'}")
    folder = tmp_path / "src"
    folder.mkdir()
    with (folder / "customers.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CUSTOMER_HEADER)
        writer.writerow(["C1", "a@example.com", "A", "en", "pro", "5", "yes", "2026-01-01T00:00:00Z"])
        writer.writerow(["C2", "bad email", "B", "en", "pro", "5", "yes", "2026-01-01T00:00:00Z"])
    (folder / "events.csv").write_text("event_id,customer_id,occurred_at,name\nE1,C1,2026-01-02T10:00:00Z,error\n"
                                       "E2,C1,2026-01-05T10:00:00Z,error\n", encoding="utf-8")
    return folder


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["ingest", *args, "--no-progress"])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_error_line(code: int, err: str, *fragments: str) -> None:
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("forewarn: error: "), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_ingest_prints_counts_that_add_up(source: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(source), "--start", "2026-01-01", "--end", "2026-01-03T00:00Z")
    assert code == 0, err
    assert "interval [2026-01-01 00:00:00, 2026-01-03 00:00:00) UTC" in out
    table = {line.split()[0]: line.split()[1:] for line in out.splitlines()[2:5]}
    assert table["customers"] == ["2", "0", "1", "0", "1"]
    assert table["events"] == ["2", "1", "1", "0", "0"]
    assert table["tickets"] == ["0", "0", "0", "0", "0"]
    assert "quarantined customers: malformed_email 1" in out


def test_a_missing_source_folder(source: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, str(source / "nope"))
    assert_one_error_line(code, err, "nope", "does not exist")


def test_a_missing_required_column(source: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (source / "events.csv").write_text("event_id,customer_id,name\nE1,C1,error\n", encoding="utf-8")
    code, _, err = run(capsys, str(source))
    assert_one_error_line(code, err, "events.csv", "occurred_at", "missing")


def test_an_unreadable_parquet_file(source: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = source / "events-2.parquet"
    pq.write_table(pa.table({name: ["x"] for name in EVENT_HEADER}), path)
    path.write_bytes(path.read_bytes()[:30])
    code, _, err = run(capsys, str(source))
    assert_one_error_line(code, err, "events-2.parquet", "cannot read the Parquet file")


def test_a_csv_file_that_is_not_utf8(source: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (source / "events.csv").write_bytes(b"event_id,customer_id,occurred_at,name\nE1,C1,2026-01-02,\xff\xfe\n")
    code, _, err = run(capsys, str(source))
    assert_one_error_line(code, err, "events.csv", "not valid UTF-8 at line 2")


def test_a_bad_warehouse_url(source: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOREWARN_DATABASE_URL", "not a url at all")
    code, _, err = run(capsys, str(source))
    assert_one_error_line(code, err, "warehouse URL")


def test_a_bad_source_database_url(source: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "nosuchdriver://user:hunter2@localhost/db")
    assert_one_error_line(code, err, "source URL")
    assert "hunter2" not in err


@pytest.mark.parametrize("option", [("--start", "last tuesday"), ("--end", "2026-13-01")])
def test_a_bad_interval_option(source: Path, capsys: pytest.CaptureFixture[str], option: tuple[str, str]) -> None:
    code, _, err = run(capsys, str(source), *option)
    assert_one_error_line(code, err, option[0], repr(option[1]), "ISO 8601")


def test_start_after_end(source: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, str(source), "--start", "2026-01-05", "--end", "2026-01-01")
    assert_one_error_line(code, err, "is not before its end")


def test_too_many_bad_rows(source: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOREWARN_GATE_MIN_ROWS", "1")
    code, _, err = run(capsys, str(source))
    assert_one_error_line(code, err, "validation gate failed", "customers", "50%")


@pytest.mark.parametrize("name", ["event.csv", "Events.CSV", "events.csv.gz"])
def test_a_table_file_under_a_name_that_is_not_read_is_one_clear_error(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A typo or another spelling of a table's file loaded nothing for it, said so in a log line only,
    and exited 0: a whole table missing from the warehouse."""
    monkeypatch.setenv("FOREWARN_HOME", str(tmp_path / "home"))
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "customers.csv").write_text("customer_id,email,name,email_opt_in,created_at\n", encoding="utf-8")
    (folder / "tickets.csv").write_text("ticket_id,customer_id,created_at,subject,body\n", encoding="utf-8")
    (folder / name).write_text("event_id,customer_id,occurred_at,name\nE1,C1,2026-01-05T10:00:00Z,error\n", encoding="utf-8")
    code, _, err = run(capsys, str(folder))
    assert_one_error_line(code, err, name, "table events", "events.csv")


@pytest.mark.parametrize("value", ["0", "-1"])
def test_chunk_rows_below_one_is_refused(value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--chunk-rows 0 read the same empty chunk forever; -1 was a traceback."""
    code = main(["ingest", str(tmp_path), "--chunk-rows", value])
    err = capsys.readouterr().err
    assert code == 2 and "--chunk-rows" in err and "Traceback" not in err


def test_a_file_given_as_the_source_is_named_a_file(source: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """It said "source folder .../events.csv does not exist" of a file that does exist."""
    code, _, err = run(capsys, str(source / "events.csv"))
    assert_one_error_line(code, err, "events.csv is a file: pass the folder that holds it")


def test_an_opt_out_the_load_cannot_take_is_withdrawn_and_said(
    source: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, str(source))[0] == 0
    (source / "customers.csv").write_text(
        ",".join(CUSTOMER_HEADER) + "\nC1,a@example.com,A,en,pro,5,unsubscribed,2026-01-01T00:00:00Z\n", encoding="utf-8"
    )
    monkeypatch.setenv("FOREWARN_MAX_BAD_ROW_SHARE", "1")
    code, out, err = run(capsys, str(source))
    assert code == 0, err
    assert "quarantined customers: invalid_boolean 1" in out
    assert "opt-in withdrawn for 1 customer(s)" in out and "no email until a load reads them as opted in" in out


def test_an_interval_given_with_an_offset_is_printed_in_utc_and_says_so(
    source: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, str(source), "--start", "2026-01-01T05:30:00+05:30", "--end", "2026-01-03T00:00Z")
    assert code == 0, err
    assert "interval [2026-01-01 00:00:00, 2026-01-03 00:00:00) UTC" in out


def test_a_quote_left_open_is_said_on_the_terminal_with_its_file_and_row(
    source: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (source / "tickets.csv").write_text(
        "ticket_id,customer_id,created_at,subject,body\n"
        'T1,C1,2026-01-02T10:00:00Z,Sync,"sync is stuck\n'
        "T2,C1,2026-01-02T11:00:00Z,Login,cannot log in\n"
        'T3,C1,2026-01-02T12:00:00Z,Export,"export ""fails"""\n'
        "T4,C1,2026-01-02T13:00:00Z,Crash,app crashes\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("FOREWARN_MAX_BAD_ROW_SHARE", "1")
    code, out, err = run(capsys, str(source))
    assert code == 0, err
    assert f"a quote left open in tickets swallowed the records after it ({source / 'tickets.csv'} row 1)" in out
