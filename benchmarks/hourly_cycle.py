"""One hourly cycle at the SPEC's volume, run through the commands exactly as the DAG tasks run them.

Run from the repository root (about 6 GB free disk in the temp folder at 10M events a day; the setup
takes several minutes, the cycle is what is timed):

    .venv/bin/python benchmarks/hourly_cycle.py                          # 100,000 customers, 10M events a day
    .venv/bin/python benchmarks/hourly_cycle.py --events 1000000 --events 3000000 --events 10000000
    .venv/bin/python benchmarks/hourly_cycle.py --events 1000000 \
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres   # the same cycle on PostgreSQL too

Setup, untimed: the warehouse of ``detect_incidents.py`` (27 days of history and a last day of
``--events`` events, with a spike, a new bug and a bad Android build planted on it), 50,000 tickets of
BANKING77 text spread over the last 30 days, and the previous hour's run (``forewarn detect`` as of
16:00, which embeds the tickets and stores their vectors, as the run an hour earlier would have). The
events and tickets of 16:00-17:00 are taken out of the warehouse and written as the hour's source folder.

Timed, each command in its own process as Airflow runs each task (wall time and peak RSS per step):
``forewarn ingest HOUR --start 16:00 --end 17:00``, ``forewarn detect --as-of 17:00`` and ``forewarn
outreach --as-of 17:00`` with a pre-approved workaround for the new bug, sending to the outbox.

With ``--postgres SERVER_URL`` the warehouse built in SQLite is copied into a fresh database
``forewarn_hourly_bench`` on that server (dropped first) and the same cycle runs there as well.
"""

from __future__ import annotations

import argparse
import csv
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cluster_banking77_data import load_banking77  # noqa: E402
from detect_incidents import AS_OF, NEW_BUG_CODE, generate  # noqa: E402
from postgres_copy import copy_warehouse, fresh_database  # noqa: E402

from pipeline.warehouse import make_engine, migrate  # noqa: E402

HOUR_START = AS_OF - timedelta(hours=8)  # 16:00 on the last day: the spike and the new bug are under way
HOUR_END = HOUR_START + timedelta(hours=1)
TICKETS = 50_000
TICKETS_IN_HOUR = 120
EVENT_COLUMNS = ["event_id", "customer_id", "occurred_at", "name", "feature", "app_version", "platform",
                 "error_code", "message"]
TICKET_COLUMNS = ["ticket_id", "customer_id", "created_at", "subject", "body", "channel", "status", "tags", "csat"]
WORKAROUND = f"""---
id: wa-encoding
title: Exports show strange characters
status: approved
applies_to:
  error_codes: [{NEW_BUG_CODE}]
pre_approved: {{max_audience: 100000}}
---
1. Open the export on the web app instead.
2. Choose UTF-8 in the export dialog.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, action="append", help="events on the last day (repeat for a growth table)")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", help="a PostgreSQL server URL: also run the cycle there (a fresh database)")
    args = parser.parse_args()
    rows = []
    for events in args.events or [10_000_000]:
        with tempfile.TemporaryDirectory(prefix="forewarn-hourly-") as scratch:
            for backend, steps in cycle(Path(scratch), args.customers, events, args.seed, args.postgres).items():
                rows.append((events, backend, steps))
    print("\nevents/day  backend     " + "  ".join(f"{step:>18}" for step in rows[0][2]) + "        total")
    for events, backend, steps in rows:
        cells = "  ".join(f"{s:7.1f} s {rss:6.0f} MB" for s, rss in steps.values())
        print(f"{events:>10,}  {backend:<10}  {cells}  {sum(s for s, _ in steps.values()):9.1f} s")


def cycle(
    scratch: Path, customers: int, events: int, seed: int, postgres: str | None = None
) -> dict[str, dict[str, tuple[float, float]]]:
    """Set up a warehouse for ``events`` a day, then time one hourly cycle per backend; step -> (s, MB)."""
    db = scratch / "warehouse.db"
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    engine.dispose()
    began = time.perf_counter()
    total = generate(db, customers, events, np.random.default_rng(seed))
    hour = scratch / "hour"
    hour.mkdir()
    moved = _take_out_hour(db, hour, customers, np.random.default_rng(seed + 1))
    workarounds = scratch / "workarounds"
    workarounds.mkdir()
    (workarounds / "wa-encoding.md").write_text(WORKAROUND, encoding="utf-8")
    print(f"\n{events:,} events a day: {total:,} events generated, {moved:,} of them moved to the hour's source "
          f"folder, {TICKETS:,} tickets; {time.perf_counter() - began:.0f} s")
    urls = {"sqlite": f"sqlite:///{db}"}
    if postgres:
        began = time.perf_counter()
        urls["postgresql"] = fresh_database(postgres, "forewarn_hourly_bench")
        copied = copy_warehouse(db, urls["postgresql"])
        print(f"copied to PostgreSQL: {sum(copied.values()):,} rows in {time.perf_counter() - began:.0f} s")
    return {backend: _timed_cycle(scratch / backend, url, hour, workarounds) for backend, url in urls.items()}


def _timed_cycle(scratch: Path, url: str, hour: Path, workarounds: Path) -> dict[str, tuple[float, float]]:
    """The previous hour's detect (untimed), then the hour's ingest, detect and outreach, each timed."""
    scratch.mkdir()
    env = {**os.environ, "FOREWARN_DATABASE_URL": url, "FOREWARN_HOME": str(scratch / "home")}
    print(f"{url.split(':')[0]}:")
    _run(env, "detect", "--as-of", HOUR_START.isoformat(), label="previous hour's detect (untimed)")
    steps = {
        "ingest": _run(env, "ingest", str(hour), "--start", HOUR_START.isoformat(), "--end", HOUR_END.isoformat()),
        "detect": _run(env, "detect", "--as-of", HOUR_END.isoformat()),
        "outreach": _run(env, "outreach", "--as-of", HOUR_END.isoformat(), "--workarounds", str(workarounds),
                         "--outbox", str(scratch / "outbox")),
    }
    sent = len(list((scratch / "outbox").glob("*.eml")))
    print(f"cycle: {sum(s for s, _ in steps.values()):.1f} s, largest step {max(r for _, r in steps.values()):.0f} MB; "
          f"{sent:,} emails in the outbox")
    return steps


# Each command reports its own peak from /proc/self/status at exit. Linux carries the parent's peak RSS
# over fork and exec into the child's rusage (``ru_maxrss``), so a child of this big process would
# report this process's peak; ``VmHWM`` belongs to the child's own address space.
_CHILD = """import atexit, os, sys
def _peak():
    with open('/proc/self/status') as status:
        kb = next(line.split()[1] for line in status if line.startswith('VmHWM:'))
    with open(os.environ['FOREWARN_BENCH_PEAK_FILE'], 'w') as out:
        out.write(kb)
atexit.register(_peak)
from pipeline.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _run(env: dict[str, str], *args: str, label: str | None = None) -> tuple[float, float]:
    """Run one ``forewarn`` command in its own process; wall seconds and that process's peak RSS (MB)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.NamedTemporaryFile("r") as peak:
        began = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-c", _CHILD, *args], stdout=out, stderr=subprocess.STDOUT,
                                   text=True, env={**env, "FOREWARN_BENCH_PEAK_FILE": peak.name})
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - began
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read()
        kb = peak.read().strip()
    if process.returncode != 0:
        raise SystemExit(f"forewarn {' '.join(args)} failed:\n{output[-3000:]}")
    tail = [line for line in output.splitlines() if line.strip() and "\r" not in line and "rows/s" not in line][-3:]
    mb = int(kb) / 1024 if kb else float("nan")
    cpu = usage.ru_utime + usage.ru_stime  # on a shared machine, CPU time says what the wall time cannot
    print(f"  {label or 'forewarn ' + args[0]}: {seconds:.1f} s wall, {cpu:.1f} s CPU, peak {mb:.0f} MB  | "
          + " / ".join(tail), flush=True)
    return seconds, mb


def _take_out_hour(db: Path, folder: Path, customers: int, rng: np.random.Generator) -> int:
    """Move the hour's events into ``folder/events.csv``; put 50k tickets in, the hour's into ``tickets.csv``."""
    connection = sqlite3.connect(db)
    window = (HOUR_START.isoformat(sep=" "), HOUR_END.isoformat(sep=" "))
    cursor = connection.execute(
        "SELECT event_id, customer_id, occurred_at, name, feature, app_version, platform, error_code, message "
        "FROM events WHERE occurred_at >= ? AND occurred_at < ?", window)
    moved = 0
    with (folder / "events.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(EVENT_COLUMNS)
        while batch := cursor.fetchmany(100_000):
            writer.writerows([r[0], r[1], r[2].replace(" ", "T") + "Z", *r[3:]] for r in batch)
            moved += len(batch)
    connection.execute("DELETE FROM events WHERE occurred_at >= ? AND occurred_at < ?", window)
    texts = load_banking77()["text"].to_numpy()
    start = HOUR_END - timedelta(days=30)
    offsets = np.sort(rng.random(TICKETS)) * (HOUR_START - start).total_seconds()
    in_hour = [HOUR_START + timedelta(seconds=float(s)) for s in np.sort(rng.random(TICKETS_IN_HOUR)) * 3600]
    stamps = [start + timedelta(seconds=float(s)) for s in offsets[: TICKETS - TICKETS_IN_HOUR]]
    who = rng.integers(0, customers, TICKETS)
    pick = rng.integers(0, len(texts), TICKETS)
    rows = [(f"T{i:07d}", f"C{who[i]:07d}", stamps[i].isoformat(sep=" "), str(texts[pick[i]])[:60], str(texts[pick[i]]))
            for i in range(len(stamps))]
    connection.executemany(
        "INSERT INTO tickets (ticket_id, customer_id, created_at, subject, body, subject_redacted, body_redacted, "
        "source, loaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'bench', '2026-03-01 00:00:00')",
        [(t, c, at, s, b, s, b) for t, c, at, s, b in rows])
    connection.commit()
    connection.close()
    with (folder / "tickets.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(TICKET_COLUMNS)
        for j, at in enumerate(in_hour):
            i = len(stamps) + j
            text = str(texts[pick[i]])
            writer.writerow([f"T{i:07d}", f"C{who[i]:07d}", at.isoformat() + "Z", text[:60], text, "email", "open", "", ""])
    (folder / "customers.csv").write_text(
        "customer_id,email,name,locale,plan,mrr,email_opt_in,created_at\n", encoding="utf-8")
    return moved


if __name__ == "__main__":
    main()
