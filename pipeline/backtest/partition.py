"""Split a source once into one small source folder per replay step, so each run reads only its interval.

An hourly replay of 30 days is 720 ingest runs. Reading the whole source each time (what a scheduled
ingest of a folder does) would read a 3-million-event source 720 times. Instead every row is read once,
placed in the step whose interval ``[previous as-of, as-of)`` holds its time, and written as text to
``step-NNNNN/<table>/part-NNNNN.parquet``. Each step then runs the ordinary ``ingest`` on its folder with
its interval, so validation, quarantine and upserts are exactly those of production.

What goes where: customers (no time column) and rows whose time is missing or unparseable go to the
first step, whose ingest files them as the ingest of the whole source would; records the reader could not
split go to the first step as a CSV that the reader again sets aside as malformed. Rows at or after the
last as-of belong to no run and are not copied.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.coercion import parse_timestamps
from pipeline.contract import TABLES, TableSpec
from pipeline.sources import ROW_NUMBER, Chunk, read_table

log = logging.getLogger(__name__)

CHUNK_ROWS = 250_000


@dataclass
class PartitionedSource:
    """A source split by replay step: ``folder(step)`` is a source holding only that step's rows."""

    root: Path
    as_ofs: tuple[datetime, ...]
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows copied
    beyond_last: dict[str, int] = field(default_factory=dict)  # table -> rows at or after the last as-of

    def folder(self, step: int) -> Path:
        """The source folder of run ``step`` (0-based)."""
        return self.root / f"step-{step:05d}"

    def tickets_files(self, step: int) -> list[Path]:
        """The Parquet files of one step's tickets (what the reactive filter rewrites)."""
        return sorted((self.folder(step) / "tickets").glob("*.parquet"))


def partition_source(source: str, as_ofs: Sequence[datetime], root: Path,
                     tables: tuple[TableSpec, ...] = TABLES) -> PartitionedSource:
    """Read ``source`` once and write each row into the folder of the step that would have loaded it.

    Raises:
        pipeline.sources.SourceError: the source cannot be read (as ``ingest`` would say).
    """
    result = PartitionedSource(Path(root), tuple(as_ofs))
    for step in range(len(as_ofs)):
        result.folder(step).mkdir(parents=True, exist_ok=True)
    for spec in tables:
        parts = 0
        copied = beyond = 0
        columns: list[str] = []
        for chunk in read_table(source, spec, CHUNK_ROWS):
            columns = columns or [name for name in chunk.frame.columns if name != ROW_NUMBER]
            steps = _steps(chunk.frame, spec, result.as_ofs)
            beyond += int((steps < 0).sum())
            frame = chunk.frame.drop(columns=[ROW_NUMBER])
            for step in np.unique(steps[steps >= 0]):
                rows = frame[steps == step]
                _write_part(result.folder(int(step)) / spec.name / f"part-{parts:05d}.parquet", rows)
                copied += len(rows)
            if chunk.malformed:
                _write_malformed(result.folder(0), spec.name, parts, chunk)
                copied += len(chunk.malformed)
            parts += 1
        _fill_empty_steps(result, spec.name, columns)
        result.rows[spec.name] = copied
        result.beyond_last[spec.name] = beyond
        log.info("partitioned %s: %s rows into %s steps, %s after the last as-of", spec.name, copied,
                 len(as_ofs), beyond)
    return result


def _steps(frame: pd.DataFrame, spec: TableSpec, as_ofs: tuple[datetime, ...]) -> np.ndarray:
    """The step of every row: the first as-of after its time; 0 for no time; -1 for none (too late)."""
    if spec.time_column is None or spec.time_column not in frame.columns:
        return np.zeros(len(frame), dtype=np.int64)
    times = parse_timestamps(frame[spec.time_column].str.strip())
    bounds = np.array(as_ofs, dtype="datetime64[us]")
    values = times.to_numpy(dtype="datetime64[us]")
    # Run k loads [as_of[k-1], as_of[k]): a time t belongs to the first k with t < as_of[k].
    steps = np.searchsorted(bounds, values, side="right").astype(np.int64)
    steps[steps >= len(as_ofs)] = -1
    steps[np.isnat(values)] = 0
    return steps


def _fill_empty_steps(result: PartitionedSource, table: str, columns: list[str]) -> None:
    """An empty file where a run has no rows of a table: an hour without tickets is normal, not a missing table."""
    if not columns:
        return
    empty = pd.DataFrame({name: pd.Series([], dtype=object) for name in columns})
    for step in range(len(result.as_ofs)):
        if not (result.folder(step) / table).is_dir() and not list(result.folder(step).glob(f"{table}-*.csv")):
            _write_part(result.folder(step) / table / "part-empty.parquet", empty)


def _write_part(path: Path, rows: pd.DataFrame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(rows.reset_index(drop=True), preserve_index=False)
    pq.write_table(table.cast(pa.schema([pa.field(name, pa.string()) for name in table.column_names])), path)


def _write_malformed(folder: Path, table: str, part: int, chunk: Chunk) -> None:
    """Records the reader could not split, written back as they were so the reader sets them aside again."""
    path = folder / f"{table}-malformed-{part:05d}.csv"
    records = []
    for record in chunk.malformed:
        try:
            records.append(json.loads(record.raw))
        except ValueError:  # not the CSV reader's record: keep its text as one field, still malformed
            records.append({"header": [], "fields": [record.raw, ""]})
    header = next((r["header"] for r in records if r["header"]), ["malformed"])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for record in records:
            writer.writerow(record["fields"])
