"""``forewarn backtest`` from a terminal: a table, a JSON file, progress per day, one-line errors."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.ingest import Interval, ingest
from pipeline.simulate import WorldSettings, simulate_world
from pipeline.warehouse import make_engine, migrate


@pytest.fixture(scope="module")
def tiny_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("backtest-cli") / "world"
    simulate_world(WorldSettings(customers=150, days=10, seed=4, start=date(2026, 3, 2)), out)
    return out


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["backtest", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_replays_each_day_prints_a_table_and_writes_json(
    tiny_world: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "result" / "backtest.json"
    code, out, err = run(capsys, str(tiny_world), "--from", "2026-03-09", "--to", "2026-03-11",
                         "--every", "1d", "--truth", str(tiny_world / "truth"), "--embedder", "tfidf", "--out", str(out_file))

    assert code == 0, err
    assert "3 daily runs" in out and "score: found" in out and "pain points vs truth: NMI" in out
    # Progress per day on stderr.
    assert all(f"{day} 00:00: " in err for day in ("2026-03-09", "2026-03-10", "2026-03-11")) and "3/3" in err
    document = json.loads(out_file.read_text(encoding="utf-8"))
    assert [day["as_of"][:10] for day in document["days"]] == ["2026-03-09", "2026-03-10", "2026-03-11"]
    assert document["score"]["summary"]["injected"] == 3
    # Each day loads only its own interval after the first, which loads all history before it.
    first, *later = document["days"]
    assert first["loaded"]["events"] > max(day["loaded"]["events"] for day in later) > 0


def assert_one_error_line(code: int, err: str, *fragments: str) -> None:
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("forewarn: error: "), err
    for fragment in fragments:
        assert fragment in lines[0]


def test_a_period_that_runs_backwards_is_one_clear_error(tiny_world: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, str(tiny_world), "--from", "2026-03-10", "--to", "2026-03-09", "--no-progress")
    assert_one_error_line(code, err, "--to 2026-03-09 is before --from 2026-03-10")


def test_a_bad_date_is_one_clear_error(tiny_world: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, str(tiny_world), "--from", "March 9", "--to", "2026-03-10", "--no-progress")
    assert_one_error_line(code, err, "--from 'March 9'", "YYYY-MM-DD")


def test_a_folder_without_truth_is_one_clear_error_before_any_replay(
    tiny_world: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, str(tiny_world), "--from", "2026-03-09", "--to", "2026-03-10",
                       "--truth", str(tmp_path), "--no-progress")
    assert_one_error_line(code, err, "incidents.json", str(tmp_path))


def test_a_warehouse_with_data_is_refused(tiny_world: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'used.db'}"
    engine = make_engine(url)
    migrate(engine)
    ingest(engine, str(tiny_world), Interval(None, datetime(2026, 3, 5)))
    engine.dispose()

    code, _, err = run(capsys, str(tiny_world), "--from", "2026-03-09", "--to", "2026-03-10",
                       "--database-url", url, "--no-progress")
    assert_one_error_line(code, err, "already holds", "--database-url")
