"""Mapping overhead: the same events loaded natively and through a source mapping (Segment ``tracks``).

Run by hand from the repository root (not a test):

    .venv/bin/python benchmarks/ingest_mapping.py                 # 1,000,000 events
    .venv/bin/python benchmarks/ingest_mapping.py --events 200000 # a loaded machine

Writes one set of events twice into a scratch folder: as the contract's ``events.csv`` and as a Segment
warehouse ``tracks.csv`` (other column names, Segment's event names), then loads each into a fresh
SQLite warehouse in a child process of its own and compares CPU time (user + sys: the machine is shared,
wall time also counts waiting). The mapping renames columns, maps event names through a value map and
filters by event name: the work a real mapping adds. Target: the mapped load costs <= 20% more.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

TARGET_OVERHEAD = 0.20
MAPPING = """\
events:
  from: {table: tracks}
  filter: [{field: event, in: [Error Occurred, Application Crashed, Application Opened, Feature Used]}]
  columns:
    event_id: id
    customer_id: user_id
    occurred_at: timestamp
    name: {field: event, map: {Error Occurred: error, Application Crashed: crash, Application Opened: session_start, Feature Used: feature_used}}
    feature: feature
    app_version: context_app_version
    platform: context_os_name
    error_code: error_code
    message: error_message
"""
NAMES = np.array(["session_start", "feature_used", "error", "crash"])
SEGMENT_NAMES = np.array(["Application Opened", "Feature Used", "Error Occurred", "Application Crashed"])


def write_sources(folder: Path, events: int, seed: int = 7) -> tuple[Path, Path]:
    rng = np.random.default_rng(seed)
    kind = rng.choice(4, size=events, p=[0.3, 0.6, 0.09, 0.01])
    seconds = np.sort(rng.integers(0, 10 * 86_400, size=events))
    stamps = (np.datetime64("2026-01-01T00:00:00") + seconds.astype("timedelta64[s]")).astype(str)
    occurred = np.char.add(stamps, "Z")
    customers = np.char.add("C", rng.integers(1, 100_001, size=events).astype(str))
    ids = np.char.add("E", np.arange(events).astype(str))
    errors = kind >= 2
    codes = np.where(errors, np.char.add("E", rng.integers(1000, 1100, size=events).astype(str)), "")
    features = rng.choice(np.array(["export", "sync", "search", "editor", ""]), size=events)
    versions = rng.choice(np.array(["5.3.2", "5.4.0", "5.4.1"]), size=events)
    platforms = rng.choice(np.array(["android", "ios", "web"]), size=events)
    messages = np.where(errors, np.char.add("Failed for doc ", rng.integers(1, 99_999, size=events).astype(str)), "")
    columns = [ids, customers, occurred, features, versions, platforms, codes, messages]
    native = folder / "native"
    mapped = folder / "mapped"
    native.mkdir()
    mapped.mkdir()
    pacsv.write_csv(pa.table([pa.array(c) for c in [ids, customers, occurred, NAMES[kind], *columns[3:]]],
                             names=["event_id", "customer_id", "occurred_at", "name", "feature", "app_version",
                                    "platform", "error_code", "message"]), native / "events.csv")
    pacsv.write_csv(pa.table([pa.array(c) for c in [ids, customers, occurred, SEGMENT_NAMES[kind], *columns[3:]]],
                             names=["id", "user_id", "timestamp", "event", "feature", "context_app_version",
                                    "context_os_name", "error_code", "error_message"]), mapped / "tracks.csv")
    (folder / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    return native, mapped


def load(source: Path, database: Path, mapping: Path | None) -> tuple[float, float]:
    """CPU and wall seconds of one load in a child process."""
    code = (
        "import sys; from pipeline.ingest import ingest; from pipeline.warehouse import make_engine, migrate;"
        "from pipeline.contract import EVENTS; from pipeline.validation import ValidationSettings;"
        "from pipeline.mapping import load_mapping;"
        "e = make_engine(sys.argv[2]); migrate(e);"
        "m = load_mapping(sys.argv[3]) if sys.argv[3] != '-' else None;"
        "r = ingest(e, sys.argv[1], tables=(EVENTS,), mapping=m, chunk_rows=250_000,"
        " settings=ValidationSettings(max_bad_row_share=1.0));"
        "print(r.tables[-1].loaded, file=sys.stderr)"
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(source), f"sqlite:///{database}", str(mapping or "-")], check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="forewarn-mapping-bench-") as scratch:
        folder = Path(scratch)
        native, mapped = write_sources(folder, args.events)
        native_cpu, native_wall = load(native, folder / "native.db", None)
        mapped_cpu, mapped_wall = load(mapped, folder / "mapped.db", folder / "mapping.yaml")
    overhead = mapped_cpu / native_cpu - 1
    print(f"{args.events:,} events")
    print(f"native  {native_cpu:6.1f} s CPU ({native_wall:5.1f} s wall)  {args.events / native_cpu:9,.0f} events/s")
    print(f"mapped  {mapped_cpu:6.1f} s CPU ({mapped_wall:5.1f} s wall)  {args.events / mapped_cpu:9,.0f} events/s")
    print(f"mapping overhead {overhead:+.1%} (target <= {TARGET_OVERHEAD:.0%}): {'met' if overhead <= TARGET_OVERHEAD else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
