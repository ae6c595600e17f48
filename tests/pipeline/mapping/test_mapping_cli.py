"""``forewarn mapping check`` and ``forewarn ingest --mapping`` from a terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
from mapping_helpers import FIXTURES

from pipeline.cli import main


@pytest.fixture(autouse=True)
def warehouse_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOREWARN_DATABASE_URL", f"sqlite:///{tmp_path / 'warehouse.db'}")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_prints_what_each_column_receives_and_loads_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "mapping", "check", str(FIXTURES / "segment"), "--mapping", "segment-tracks")
    assert code == 0, err
    assert "events <- table tracks: 5 records, 1 filtered out, 4 would load, 0 would be quarantined" in out
    line = next(line for line in out.splitlines() if line.startswith("error_code"))
    assert line.split()[:5] == ["error_code", "'error_code'", "3", "1", "0"]
    assert "E1042" in line
    assert "ann.lee@example.com" not in out  # emails are never shown as examples
    assert not (tmp_path / "warehouse.db").exists()


def test_check_counts_rejects_per_column(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "ingest", str(FIXTURES / "customers"), "--no-progress")[0] == 0
    code, out, err = run(capsys, "mapping", "check", str(FIXTURES / "intercom"), "--mapping", "intercom-conversations")
    assert code == 0, err
    status = next(line for line in out.splitlines() if line.startswith("status"))
    assert status.split()[2:5] == ["3", "0", "1"]
    assert "quarantine by rule: unmapped_value 1" in out


def test_check_counts_a_row_once_per_column_and_shows_only_values_that_load(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Ticket 603's "05/01/2026 09:15" does not match the mapping's format: the mapping rejects it and
    # the suite then finds created_at missing. That is one rejected row, and not an example received.
    assert run(capsys, "ingest", str(FIXTURES / "customers"), "--no-progress")[0] == 0
    code, out, err = run(capsys, "mapping", "check", str(FIXTURES / "zendesk-csv"), "--mapping", "zendesk-csv")
    assert code == 0, err
    created = next(line for line in out.splitlines() if line.startswith("created_at"))
    assert created.split()[3:6] == ["3", "0", "1"]  # column, 'Created, at', filled, empty, rejected
    assert "05/01/2026" not in created
    assert "quarantine by rule: unparseable_timestamp 1" in out


def test_ingest_with_a_mapping(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "ingest", str(FIXTURES / "segment"), "--mapping", "segment-tracks", "--no-progress")
    assert code == 0, err
    table = {line.split()[0]: line.split()[1:] for line in out.splitlines()[2:4]}
    assert table == {"customers": ["4", "0", "4", "0", "0"], "events": ["4", "0", "4", "0", "0"]}


def test_a_bad_mapping_is_one_error_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("events:\n  from: {table: tracks}\n  columns:\n    event_id: id\n    customer_id: user_id\n"
                   "    occurred_at: {field: timestamp, format: '%d.%m.%Y %K'}\n    name: event\n", encoding="utf-8")
    code, _, err = run(capsys, "ingest", str(FIXTURES / "segment"), "--mapping", str(bad), "--no-progress")
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and "Traceback" not in err
    assert lines[0].startswith(f"forewarn: error: {bad}:6:45: timestamp format")


def test_a_missing_column_through_check_is_one_error_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("events:\n  from: {table: tracks}\n  columns:\n    event_id: id\n    customer_id: userid\n"
                   "    occurred_at: timestamp\n    name: event\n", encoding="utf-8")
    code, _, err = run(capsys, "mapping", "check", str(FIXTURES / "segment"), "--mapping", str(bad))
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1
    assert f"{bad}:5:18: events.columns.customer_id: column 'userid' not found in {FIXTURES / 'segment' / 'tracks.csv'}" in lines[0]


@pytest.mark.parametrize("command", ["ingest", "check"])
def test_a_database_that_cannot_be_reached_is_one_error_line(capsys: pytest.CaptureFixture[str], command: str) -> None:
    # Nothing listens on port 1: the mapping's table is looked up on a database that cannot be reached.
    url = "postgresql+psycopg://reader:secret@127.0.0.1:1/analytics?connect_timeout=2"
    args = ["ingest", url] if command == "ingest" else ["mapping", "check", url]
    code, _, err = run(capsys, *args, "--mapping", "segment-tracks", *(["--no-progress"] if command == "ingest" else []))
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("forewarn: error: cannot read postgresql+psycopg://reader:***@127.0.0.1:1/analytics")
    assert "secret" not in err and "check the URL and that the database is reachable" in lines[0]
