"""``forewarn simulate`` from the command line: help, one-line errors, refusing and replacing folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.cli import main

SMALL = ["--customers", "150", "--days", "8", "--events-per-customer-day", "1"]


def _error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("forewarn: error: ")
    return err[0]


def test_help_lists_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--out", "--customers", "--days", "--seed", "--start", "--events-per-customer-day", "--no-dirty",
                   "--incidents"):
        assert option in out


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (["--customers", "-5"], "--customers is -5"),
        (["--customers", "lots"], "--customers must be a whole number"),
        (["--days", "3"], "--days is 3"),
        (["--start", "2026-02-30"], "--start must be a date"),
        (["--events-per-customer-day", "0"], "--events-per-customer-day is 0"),
        (["--incidents", "spike,outage"], "--incidents has an unknown kind 'outage'"),
        (["--incidents", "spike,spike,spike,spike"], "--incidents asks for 4 incidents of kind spike; at most 3"),
    ],
)
def test_bad_values_give_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], mentions: str
) -> None:
    assert main(["simulate", "--out", str(tmp_path / "w"), *args]) == 2
    assert mentions in _error_line(capsys)
    assert not (tmp_path / "w").exists(), "nothing is written on bad input"


def test_missing_out_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate"]) == 2
    assert "--out" in _error_line(capsys)


def test_writes_a_world_and_replaces_it_on_rerun(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "world"
    assert main(["simulate", "--out", str(out), *SMALL]) == 0
    printed = capsys.readouterr().out
    assert "customer rows" in printed and "inc-1" in printed and "release_regression" in printed
    first = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    # A rerun with other settings replaces every file; no stale events part survives.
    rerun = [*SMALL, "--seed", "8", "--events-per-customer-day", "4", "--events-rows-per-file", "1000"]
    assert main(["simulate", "--out", str(out), *rerun]) == 0
    second = {p.relative_to(out) for p in out.rglob("*") if p.is_file()}
    assert Path("events-0002.csv") in second and first[Path("customers.csv")] != (out / "customers.csv").read_bytes()
    assert main(["simulate", "--out", str(out), *SMALL]) == 0
    third = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert third == first


def test_refuses_a_folder_it_did_not_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "data"
    out.mkdir()
    (out / "customers.csv").write_text("customer_id\nC1\n")
    assert main(["simulate", "--out", str(out), *SMALL]) == 2
    assert "not a previous 'forewarn simulate' output" in _error_line(capsys)
    assert (out / "customers.csv").read_text() == "customer_id\nC1\n"


def test_refuses_a_previous_output_with_foreign_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "world"
    assert main(["simulate", "--out", str(out), *SMALL]) == 0
    capsys.readouterr()
    (out / "notes.txt").write_text("mine")
    assert main(["simulate", "--out", str(out), *SMALL]) == 2
    assert "notes.txt" in _error_line(capsys)
    assert (out / "notes.txt").read_text() == "mine" and (out / "events.csv").is_file()


def test_refuses_a_file_as_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "world.csv"
    target.write_text("x")
    assert main(["simulate", "--out", str(target), *SMALL]) == 2
    assert "is a file" in _error_line(capsys)
