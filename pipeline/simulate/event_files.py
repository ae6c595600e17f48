"""Write the event stream to events.csv (and events-<part>.csv when large), day by day, with its dirt."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.simulate.catalog import EVENT_NAMES, FEATURES, PLATFORMS, SIGNATURES
from pipeline.simulate.clock import iso_ms
from pipeline.simulate.dirt import DirtyRow, add_dirty_rows
from pipeline.simulate.events import EventBatch

EVENT_COLUMNS = ("event_id", "customer_id", "occurred_at", "name", "feature", "app_version", "platform",
                 "error_code", "message")
DIRTY_SHARE = 0.003


def _with_blank(values: tuple[str, ...] | list[str]) -> np.ndarray:
    # Index 0 is the empty value, so code -1 maps to "" after a +1 shift.
    return np.array(["", *values], dtype=object)


class EventFileWriter:
    """Appends day batches to the current events file; starts a new part past ``rows_per_file`` rows."""

    def __init__(self, out_dir: Path, customer_ids: np.ndarray, versions: tuple[str, ...], rows_per_file: int) -> None:
        self.out_dir = out_dir
        self.rows_per_file = rows_per_file
        self.customer_ids = np.asarray(customer_ids, dtype=object)
        self._names = np.array(EVENT_NAMES, dtype=object)
        self._features = _with_blank(FEATURES)
        self._versions = _with_blank(versions)
        self._platforms = np.array(PLATFORMS, dtype=object)
        self._codes = _with_blank([s.error_code for s in SIGNATURES])
        self._messages = _with_blank([s.message for s in SIGNATURES])
        self.rows_per_file_written: dict[str, int] = {}
        self.dirty_rows: list[DirtyRow] = []
        self.clean_rows = 0
        self._part = 0
        self._clean_in_part = 0
        self._dirty_made = 0

    def write(self, batch: EventBatch, dirt_rng: np.random.Generator | None) -> None:
        """Format ``batch`` as text rows, add its share of dirty rows, and append it."""
        if self._part == 0 or self._clean_in_part >= self.rows_per_file:
            self._part += 1
            self._clean_in_part = 0
        name = "events.csv" if self._part == 1 else f"events-{self._part:04d}.csv"
        frame = self._frame(batch)
        placed: list[tuple[int, str, str]] = []
        if dirt_rng is not None and len(frame):
            count = int(dirt_rng.binomial(len(frame), DIRTY_SHARE))
            frame, placed = add_dirty_rows(
                frame, "events", count, dirt_rng, new_id=self._dirty_id, first_kind=self._dirty_made,
            )
            self._dirty_made += count
        before = self.rows_per_file_written.get(name, 0)
        self.dirty_rows += [DirtyRow(name, before + position + 1, problem, column) for position, problem, column in placed]
        path = self.out_dir / name
        frame.to_csv(path, mode="a" if before else "w", header=not before, index=False, lineterminator="\n")
        self.rows_per_file_written[name] = before + len(frame)
        self.clean_rows += len(batch)
        self._clean_in_part += len(batch)

    def _dirty_id(self, number: int) -> str:
        # Fresh ids for broken copies, far from the real sequence so they never clash with it.
        return f"E9{self._dirty_made + number:08d}"

    def _frame(self, batch: EventBatch) -> pd.DataFrame:
        ids = np.arange(self.clean_rows + 1, self.clean_rows + len(batch) + 1)
        return pd.DataFrame({
            "event_id": np.strings.add("E", np.char.zfill(ids.astype(str), 9)),
            "customer_id": self.customer_ids[batch.customer],
            "occurred_at": iso_ms(batch.t_ms),
            "name": self._names[batch.name],
            "feature": self._features[batch.feature.astype(np.int64) + 1],
            "app_version": self._versions[batch.version.astype(np.int64) + 1],
            "platform": self._platforms[batch.platform],
            "error_code": self._codes[batch.signature.astype(np.int64) + 1],
            "message": self._messages[batch.signature.astype(np.int64) + 1],
        }, columns=list(EVENT_COLUMNS))

    def finish(self) -> None:
        """Write a header-only events.csv when there were no events at all."""
        if not self.rows_per_file_written:
            pd.DataFrame(columns=list(EVENT_COLUMNS)).to_csv(self.out_dir / "events.csv", index=False, lineterminator="\n")
            self.rows_per_file_written["events.csv"] = 0

