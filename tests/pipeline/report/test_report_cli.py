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
