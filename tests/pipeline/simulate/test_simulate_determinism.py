"""Same seed and settings give the same bytes; dirt and file splitting never change the clean world."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
from simworld import SETTINGS, clean_table, read_csv, table_files

from pipeline.simulate import WorldSummary, simulate_world


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_writes_identical_bytes(world_dir: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    simulate_world(SETTINGS, again)
    first, second = _files(world_dir), _files(again)
    assert sorted(first) == sorted(second)
    for name in first:
        assert first[name] == second[name], f"{name} differs between two runs with the same seed"


def test_other_seed_writes_another_world(world_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    simulate_world(replace(SETTINGS, seed=SETTINGS.seed + 1), other)
    for name in ("customers.csv", "tickets.csv", "events.csv", "truth/incidents.json"):
        assert (other / name).read_bytes() != (world_dir / name).read_bytes(), name


def test_no_dirty_world_is_the_dirty_world_minus_its_dirty_rows(
    world_dir: Path, clean_world_dir: tuple[Path, WorldSummary]
) -> None:
    clean_dir, summary = clean_world_dir
    assert summary.dirty_rows == 0
    assert read_csv(clean_dir / "truth" / "dirty_rows.csv").empty
    for table in ("customers", "tickets", "events"):
        assert [p.name for p in table_files(clean_dir, table)] == [p.name for p in table_files(world_dir, table)]
        with_dirt_removed = clean_table(world_dir, table)
        never_dirty = clean_table(clean_dir, table)
        pd.testing.assert_frame_equal(with_dirt_removed, never_dirty, check_dtype=False)
    for name in ("truth/incidents.json", "truth/ticket_pain_points.csv"):
        assert (clean_dir / name).read_bytes() == (world_dir / name).read_bytes()


def test_events_split_into_parts_at_day_boundaries(clean_world_dir: tuple[Path, WorldSummary], tmp_path: Path) -> None:
    clean_dir, _ = clean_world_dir
    split = tmp_path / "split"
    summary = simulate_world(replace(SETTINGS, dirty=False, events_rows_per_file=5_000), split)
    parts = table_files(split, "events")
    assert [p.name for p in parts][:2] == ["events.csv", "events-0002.csv"]
    assert len(parts) >= 3
    frames = [read_csv(p) for p in parts]
    assert sum(len(f) for f in frames) == summary.rows("events")
    # Parts end at whole UTC days and the next part starts a later day.
    for before, after in zip(frames, frames[1:], strict=False):
        assert before["occurred_at"].iloc[-1][:10] < after["occurred_at"].iloc[0][:10]
        assert len(before) >= 5_000
    whole = read_csv(clean_dir / "events.csv")
    pd.testing.assert_frame_equal(pd.concat(frames, ignore_index=True), whole)


def test_summary_counts_match_the_files(clean_world_dir: tuple[Path, WorldSummary]) -> None:
    folder, summary = clean_world_dir
    for name, rows in summary.rows_per_file.items():
        assert len(read_csv(folder / name)) == rows, name
    assert summary.rows("tickets") == summary.rows_per_file["tickets.csv"] + summary.rows_per_file["tickets-2.csv"]
    assert all((folder / path).is_file() for path in summary.workaround_files)
    assert [i.incident_id for i in summary.incidents] == ["inc-1", "inc-2", "inc-3"]
