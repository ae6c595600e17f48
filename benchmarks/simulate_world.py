"""Benchmark ``forewarn simulate`` at scale: wall time, peak memory and rows written.

Run by hand (not a test):

    .venv/bin/python benchmarks/simulate_world.py                       # 100k customers, ~1M events
    .venv/bin/python benchmarks/simulate_world.py --days 30 --rate 4    # 100k customers, ~12M events

Goal: 100,000 customers and about 1,000,000 events well under 2 minutes and under 2 GB of RAM.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from pipeline.simulate import WorldSettings, simulate_world


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--rate", type=float, default=1.0, help="events per customer and day")
    parser.add_argument("--keep", type=Path, default=None, help="write here and keep the output")
    args = parser.parse_args()
    out = args.keep or Path(tempfile.mkdtemp(prefix="forewarn-sim-bench-")) / "world"
    settings = WorldSettings(customers=args.customers, days=args.days, events_per_customer_day=args.rate)
    began = time.perf_counter()
    summary = simulate_world(settings, out, progress=True)
    seconds = time.perf_counter() - began
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    size_mib = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 2**20
    print(f"customers={args.customers:,} days={args.days} rate={args.rate}")
    print(f"rows: customers={summary.rows('customers'):,} tickets={summary.rows('tickets'):,} "
          f"events={summary.rows('events'):,} dirty={summary.dirty_rows:,}")
    print(f"wall={seconds:.1f}s peak_rss={peak_mib:,.0f}MiB output={size_mib:,.0f}MiB")
    for incident in summary.incidents:
        print(f"  {incident.incident_id} {incident.kind}: {len(incident.affected_customer_ids):,} affected, "
              f"{incident.ticket_count:,} tickets")
    if args.keep is None:
        shutil.rmtree(out.parent)
    return 0


if __name__ == "__main__":
    sys.exit(main())
