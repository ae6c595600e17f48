"""Reading a simulated world back for the simulator's tests (independent of the ingest code)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from pipeline.simulate import WorldSettings

# The shared test world: small enough to build in well under a second.
SETTINGS = WorldSettings(customers=500, days=20, seed=11, start=date(2026, 3, 2))

EMAIL = re.compile(r"^[^@\s<>(),;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")


def table_files(folder: Path, table: str) -> list[Path]:
    """``<table>.csv`` then ``<table>-*.csv``, as the input contract splits a table."""
    return [p for p in [folder / f"{table}.csv", *sorted(folder.glob(f"{table}-*.csv"))] if p.is_file()]


def read_csv(path: Path) -> pd.DataFrame:
    """Every value as text, empty cells as ''."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def dirty_rows(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "truth" / "dirty_rows.csv", dtype={"file": str, "problem": str, "column": str})


def clean_table(folder: Path, table: str) -> pd.DataFrame:
    """All files of ``table`` without the rows truth lists as dirty, with a ``_file`` column."""
    dirty = dirty_rows(folder)
    frames = []
    for path in table_files(folder, table):
        frame = read_csv(path)
        listed = set(dirty.loc[dirty.file == path.name, "row_number"] - 1)
        frame = frame[~frame.index.isin(listed)].copy()
        frame["_file"] = path.name
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def parse_time(values: pd.Series) -> pd.Series:
    """ISO 8601 with Z or an offset, to UTC; raises on anything else."""
    return pd.to_datetime(values, utc=True, format="ISO8601")


def incidents(folder: Path) -> list[dict]:
    return json.loads((folder / "truth" / "incidents.json").read_text(encoding="utf-8"))


def incident(folder: Path, kind: str) -> dict:
    return next(i for i in incidents(folder) if i["kind"] == kind)


@dataclass
class World:
    """A simulated world on disk with its clean tables parsed once."""

    path: Path
    customers: pd.DataFrame
    tickets: pd.DataFrame
    events: pd.DataFrame

    @classmethod
    def load(cls, path: Path) -> World:
        customers = clean_table(path, "customers")
        tickets = clean_table(path, "tickets")
        tickets["t"] = parse_time(tickets["created_at"])
        events = clean_table(path, "events")
        events["t"] = parse_time(events["occurred_at"])
        return cls(path, customers, tickets, events)
