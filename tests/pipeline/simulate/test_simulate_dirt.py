"""Every dirty row truth lists is dirty in the named way; every other row is clean."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from simworld import EMAIL, dirty_rows, read_csv, table_files

KEYS = {"customers": "customer_id", "tickets": "ticket_id", "events": "event_id"}
TIMES = {"customers": "created_at", "tickets": "created_at", "events": "occurred_at"}
BOOLEANS = {"true", "false"}


def _parses(values: pd.Series) -> pd.Series:
    """ISO 8601, or failing that any format pandas can guess: an unparseable value fails both."""
    ok = pd.to_datetime(values, utc=True, format="ISO8601", errors="coerce").notna()
    for index in ok.index[~ok]:
        ok[index] = pd.notna(pd.to_datetime(values[index], utc=True, format="mixed", errors="coerce"))
    return ok


def _problems(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """One boolean column per rule: True where the row breaks it (duplicates: later occurrences only)."""
    key, time = KEYS[table], TIMES[table]
    checks: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
        "missing_id": lambda f: f[key] == "",
        "duplicate_id": lambda f: (f[key] != "") & f[key].duplicated(keep="first"),
        "unparseable_timestamp": lambda f: ~_parses(f[time]),
    }
    if table == "customers":
        checks["negative_mrr"] = lambda f: pd.to_numeric(f["mrr"]) < 0
        checks["malformed_email"] = lambda f: ~f["email"].str.match(EMAIL)
        checks["invalid_boolean"] = lambda f: ~f["email_opt_in"].isin(BOOLEANS)
    else:
        checks["missing_customer_id"] = lambda f: f["customer_id"] == ""
    if table == "tickets":
        checks["csat_out_of_range"] = lambda f: (f["csat"] != "") & ~f["csat"].isin(["1", "2", "3", "4", "5"])
    return pd.DataFrame({name: check(frame) for name, check in checks.items()})


@pytest.mark.parametrize("table", ["customers", "tickets", "events"])
def test_listed_rows_are_dirty_and_all_others_clean(dirt_world_dir: Path, table: str) -> None:
    world_dir = dirt_world_dir
    listed = dirty_rows(world_dir)
    kinds_seen: set[str] = set()
    for path in table_files(world_dir, table):
        frame = read_csv(path)
        problems = _problems(table, frame)
        mine = listed[listed["file"] == path.name]
        expected = pd.DataFrame(False, index=frame.index, columns=problems.columns)
        for row in mine.itertuples():
            expected.loc[row.row_number - 1, row.problem] = True
        # Each listed row breaks exactly its one rule; no unlisted row breaks any.
        pd.testing.assert_frame_equal(problems, expected, check_names=False)
        assert len(mine) < 0.02 * len(frame), "dirt stays a small share"
        kinds_seen |= set(mine["problem"])
    assert kinds_seen == set(_problems(table, read_csv(table_files(world_dir, table)[0]).head(0)).columns)


def test_dirty_rows_file_is_sorted_and_points_at_real_rows(world_dir: Path) -> None:
    listed = dirty_rows(world_dir)
    assert list(listed.columns) == ["file", "row_number", "problem", "column"]
    assert not listed.duplicated(["file", "row_number"]).any()
    for name, rows in listed.groupby("file"):
        frame = read_csv(world_dir / name)
        assert rows["row_number"].between(1, len(frame)).all()
        for row in rows.itertuples():
            assert row.column in frame.columns


def test_duplicate_rows_repeat_an_earlier_id_of_the_same_file(world_dir: Path) -> None:
    listed = dirty_rows(world_dir)
    duplicates = listed[listed["problem"] == "duplicate_id"]
    assert len(duplicates) >= 3
    frames = {name: read_csv(world_dir / name) for name in duplicates["file"].unique()}
    for row in duplicates.itertuples():
        frame = frames[row.file]
        value = frame.loc[row.row_number - 1, row.column]
        earlier = frame.index[(frame[row.column] == value) & (frame.index < row.row_number - 1)]
        assert len(earlier) == 1
