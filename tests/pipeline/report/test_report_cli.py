"""``forewarn report``: writes the file, prints where, and turns bad input into one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_world import AS_OF
from sqlalchemy import Engine

from pipeline.cli import main


@pytest.fixture
def world_url(sqlite_world: Engine, monkeypatch: pytest.MonkeyPatch) -> str:
    url = sqlite_world.url.render_as_string(hide_password=False)
    monkeypatch.setenv("FOREWARN_DATABASE_URL", url)
    return url


def test_report_writes_the_file_and_prints_its_path(world_url: str, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "weekly" / "report.html"
    assert main(["report", "--out", str(out), "--as-of", "2026-03-09T00:00:00Z"]) == 0

    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f"report: {out}"
    assert "8 pain points (3 new), 3 incidents, 2 campaigns" in printed[1]
    assert "Three new pain points this week" in out.read_text(encoding="utf-8")


def test_default_as_of_is_the_newest_data_and_default_path_is_under_home(
    world_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report"]) == 0

    expected = tmp_path / "forewarn-home" / "reports" / f"forewarn-report-{AS_OF:%Y-%m-%d}.html"
    assert capsys.readouterr().out.splitlines()[0] == f"report: {expected}"
    assert expected.is_file()


def test_empty_warehouse_still_writes_a_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--out", str(tmp_path / "r.html")]) == 0
    assert "0 pain points" in capsys.readouterr().out
    assert "Nothing to report yet" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_bad_as_of_is_one_line_and_exit_2(world_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--as-of", "last monday"]) == 2
    error = capsys.readouterr().err
    assert error == ("forewarn: error: --as-of 'last monday' is not an ISO 8601 timestamp "
                     "(e.g. 2026-01-31 or 2026-01-31T12:00Z)\n")


def test_unwritable_out_is_one_line_and_exit_2(world_url: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert main(["report", "--out", str(blocker / "report.html")]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"forewarn: error: cannot write the report to {blocker / 'report.html'}")
    assert error.count("\n") == 1


def test_days_must_be_positive(world_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--days", "0"]) == 2
    assert "--days" in capsys.readouterr().err


def test_default_period_ends_where_the_ingested_data_ends_not_where_the_source_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A source holding days past the ingested interval (a replay, or an export that runs ahead).
    monkeypatch.setenv("FOREWARN_DATABASE_URL", f"sqlite:///{tmp_path / 'warehouse.db'}")
    source = tmp_path / "src"
    source.mkdir()
    (source / "customers.csv").write_text(
        "customer_id,email,name,locale,plan,mrr,email_opt_in,created_at\n"
        "C1,a@example.com,A,en,pro,5,yes,2026-01-01T00:00:00Z\n", encoding="utf-8")
    (source / "events.csv").write_text(
        "event_id,customer_id,occurred_at,name\nE1,C1,2026-01-02T10:00:00Z,error\n"
        "E2,C1,2026-01-20T10:00:00Z,error\n", encoding="utf-8")
    assert main(["ingest", str(source), "--end", "2026-01-10T00:00Z", "--no-progress"]) == 0
    capsys.readouterr()

    assert main(["report", "--out", str(tmp_path / "r.html")]) == 0
    assert "7 days to 2026-01-10 00:00 UTC" in capsys.readouterr().out


@pytest.mark.integration
def test_report_detect_on_a_fresh_warehouse_finds_the_weeks_incidents(
    loaded_fortnight: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A one-shot `report --detect` looked back the hourly runs' 48 h for incidents: on a fresh warehouse
    the week's search spike (days 10-11 of 14) was missing from the report of that week."""
    from sqlalchemy import text

    monkeypatch.setenv("FOREWARN_HOME", str(tmp_path))
    assert main(["report", "--detect", "--out", str(tmp_path / "r.html")]) == 0
    with loaded_fortnight.connect() as connection:
        kinds = set(connection.execute(text("SELECT kind FROM incidents")).scalars())
    assert "spike" in kinds, kinds
