"""Benchmark ``forewarn backtest`` hourly: wall time of a 30-day replay and outreach figures on a few seeds.

Run by hand (not a test):

    .venv/bin/python benchmarks/backtest_hourly.py --part scale     # 10,000 customers, 100,000 events a day,
                                                                     # 30 days replayed hourly (720 runs)
    .venv/bin/python benchmarks/backtest_hourly.py --part scale --hours 48   # a shorter span, extrapolated
    .venv/bin/python benchmarks/backtest_hourly.py --part scale --hours 12 --skip-days 28   # late runs
    .venv/bin/python benchmarks/backtest_hourly.py --part quality --seeds 3 5 11   # small worlds, per incident
    .venv/bin/python benchmarks/backtest_hourly.py --part quality --seeds 13 --history-days 7   # a new install
    .venv/bin/python benchmarks/backtest_hourly.py --part quality --seeds 3 5 \
        --incidents spike,spike,new_signature,new_signature,release_regression,release_regression   # another mix
    .venv/bin/python benchmarks/backtest_hourly.py --part quality --seeds 3 --small-rate 1.5   # a sparse world
    .venv/bin/python benchmarks/backtest_hourly.py --part quality --seeds 3 5 --arrival ramp   # incidents that grow
    .venv/bin/python benchmarks/backtest_hourly.py --part quality --seeds 3 5 --small-customers 2000 \
        --affected-share 0.01,0.02 --min-affected 10   # spikes and new errors that hit 1-2% of the customers
    .venv/bin/python benchmarks/backtest_hourly.py --part quality --seeds 13 --small-rate 8 \
        --set regression_per_signature=false   # a busy world, the release test on any error only

Goal (issue #13): the 30-day hourly backtest of 10,000 customers and 100,000 events a day in <= 15 minutes;
on worlds of several seeds, hourly with approval answered within 1 h: reach-before-ticket >= 0.70, median
first email <= 2 h after first evidence, audience precision >= 0.95, 0 emails to customers who had written.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from outreach.model import OutreachSettings
from pipeline.backtest import OutreachPlan, backtest, default_workarounds
from pipeline.detect import DetectSettings
from pipeline.simulate import WorldSettings, simulate_world

HISTORY_DAYS = 7  # the scale world's first run loads a week of history, as a new install would
# A quality world is replayed from its second day: Forewarn has been running while the world's incidents
# begin, as the issue's own replay (ingest the day, detect, outreach) runs a world from its start. With a
# week loaded first, some incidents begin before the first run, and their writers who wrote before it are
# ones no run could have reached (--history-days 7 measures that new-install case).
QUALITY_HISTORY_DAYS = 1


def _world(root: Path, customers: int, days: int, rate: float, seed: int,
           mix: tuple[str, ...] = WorldSettings.incidents, **profile: object) -> tuple[Path, WorldSettings]:
    settings = WorldSettings(customers=customers, days=days + HISTORY_DAYS, seed=seed,
                             events_per_customer_day=rate, start=date(2026, 1, 1), incidents=mix, **profile)
    out = root / f"world-{seed}"
    simulate_world(settings, out)
    return out, settings


def scale(args: argparse.Namespace) -> dict:
    """Time the hourly replay over ``--hours`` (default all 30 days) of the big world."""
    root = Path(tempfile.mkdtemp(prefix="forewarn-backtest-bench-"))
    world, settings = _world(root, args.customers, 30, args.events_per_day / args.customers, args.seeds[0])
    # --skip-days: the first run loads the history up to a later day, so the runs after it cost what the
    # late runs of a whole 30-day replay cost (a window of tickets and events that has filled up).
    first = datetime(2026, 1, 1) + timedelta(days=HISTORY_DAYS + args.skip_days)
    last = first + timedelta(hours=args.hours)
    plan = OutreachPlan(workarounds_dir=default_workarounds(str(world)), approve_after=timedelta(hours=1),
                        settings=_outreach_settings(args))
    kept = f"sqlite:///{Path(args.keep).resolve() / 'warehouse-scale.db'}" if args.keep else None
    began = time.perf_counter()
    result = backtest(str(world), first, last, every=timedelta(hours=1), truth=world / "truth",
                      settings=_detect_settings(args), plan=plan, database_url=kept)
    seconds = time.perf_counter() - began
    runs = len(result.replay.days)
    later = sorted(sum(day.seconds.values()) for day in result.replay.days[1:])
    return {
        "first_run_seconds": round(sum(result.replay.days[0].seconds.values()), 1),
        "median_later_run_seconds": round(later[len(later) // 2], 2) if later else None,
        "customers": args.customers, "events_per_day": args.events_per_day, "hours": args.hours, "runs": runs,
        "seconds": round(seconds, 1), "seconds_per_run": round(seconds / runs, 2),
        "extrapolated_720_runs_minutes": round(seconds / runs * 720 / 60, 1),
        "stage_seconds": result.replay.stage_seconds(),
        "median_later_stage_seconds": _median_stages(result.replay.days[1:]),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "summary": result.outreach.get("summary"),
        "incidents": result.outreach.get("injected_incidents"),
    }


def _detect_settings(args: argparse.Namespace) -> DetectSettings:
    """``DetectSettings`` with the embedder and any ``--set NAME=VALUE`` overrides."""
    return DetectSettings(embedder=args.embedder, **_overrides(DetectSettings(), args.set, "--set"))


def _outreach_settings(args: argparse.Namespace) -> OutreachSettings:
    """``OutreachSettings`` with any ``--outreach-set NAME=VALUE`` overrides."""
    return OutreachSettings(**_overrides(OutreachSettings(), args.outreach_set, "--outreach-set"))


def _overrides(defaults: object, items: list[str], option: str) -> dict[str, object]:
    """``NAME=VALUE`` items as fields of the ``defaults`` dataclass, each value of its field's type (a number
    where the default is None)."""
    overrides = {}
    for item in items:
        name, _, value = item.partition("=")
        if name not in type(defaults).__dataclass_fields__:
            raise SystemExit(f"{option} {item}: {type(defaults).__name__} has no field {name!r}")
        default = getattr(defaults, name)
        if isinstance(default, bool):  # bool("False") is True
            overrides[name] = value.strip().lower() in ("1", "true", "yes", "on")
        else:
            overrides[name] = float(value) if default is None else type(default)(value)
    return overrides


def _median_stages(days: list) -> dict[str, float]:
    """Per stage, its median seconds over ``days`` (the runs after the first, which loads the history)."""
    stages = sorted({stage for day in days for stage in day.seconds})
    medians = {}
    for stage in stages:
        values = sorted(day.seconds.get(stage, 0.0) for day in days)
        medians[stage] = round(values[len(values) // 2], 2) if values else None
    return medians


def quality(args: argparse.Namespace) -> list[dict]:
    """Per-incident outreach figures on small worlds, hourly, approval answered after 1 h."""
    rows = []
    for seed in args.seeds:
        root = Path(tempfile.mkdtemp(prefix=f"forewarn-backtest-q{seed}-"))
        world, settings = _world(root, args.small_customers, args.small_days, args.small_rate, seed,
                                 tuple(args.incidents.split(",")),
                                 affected_share=tuple(float(v) for v in args.affected_share.split(",")),
                                 min_affected=args.min_affected, arrival=args.arrival)
        first = datetime(2026, 1, 1) + timedelta(days=args.history_days)
        last = datetime(2026, 1, 1) + timedelta(days=settings.days)
        plan = OutreachPlan(workarounds_dir=default_workarounds(str(world)), approve_after=timedelta(hours=1),
                            settings=_outreach_settings(args))
        kept = f"sqlite:///{Path(args.keep).resolve() / f'warehouse-{seed}.db'}" if args.keep else None
        began = time.perf_counter()
        result = backtest(str(world), first, last, every=timedelta(hours=1), truth=world / "truth",
                          settings=_detect_settings(args), plan=plan, database_url=kept)
        rows.append({"seed": seed, "seconds": round(time.perf_counter() - began, 1),
                     "summary": result.outreach["summary"], "incidents": result.outreach["injected_incidents"]})
        print(json.dumps(rows[-1], indent=1, default=str), flush=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["scale", "quality"], default="scale")
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--events-per-day", type=int, default=100_000)
    parser.add_argument("--hours", type=int, default=720, help="hours replayed (720 = 30 days)")
    parser.add_argument("--skip-days", type=int, default=0,
                        help="start the hourly replay this many days into the 30 (the first run loads them)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[7])
    parser.add_argument("--small-customers", type=int, default=1000)
    parser.add_argument("--small-rate", type=float, default=4.0,
                        help="events per customer and day in a small world (4: the README's quality figures)")
    parser.add_argument("--small-days", type=int, default=5,
                        help="days a small world has after its first week (5: the README's quality figures); "
                             "the replay runs from --history-days to the world's end")
    parser.add_argument("--history-days", type=int, default=QUALITY_HISTORY_DAYS,
                        help="days of a small world its first run loads (the world has --small-days + 7 days; "
                             "its incidents begin after about 45%% of them, so with 1-2 days none begins before "
                             "Forewarn runs, with a week some do: a new install's case)")
    parser.add_argument("--incidents", default=",".join(WorldSettings.incidents), metavar="KIND,...",
                        help="the small worlds' incident mix (as forewarn simulate --incidents)")
    parser.add_argument("--affected-share", default=",".join(str(v) for v in WorldSettings.affected_share),
                        metavar="LOW,HIGH", help="the small worlds' spikes and new errors hit this share of the "
                        "active customers (as forewarn simulate --affected-share)")
    parser.add_argument("--min-affected", type=int, default=WorldSettings.min_affected,
                        help="... and at least this many customers")
    parser.add_argument("--arrival", choices=["even", "ramp"], default=WorldSettings.arrival,
                        help="their customers arrive evenly or on a ramp (as forewarn simulate --arrival)")
    parser.add_argument("--keep", metavar="DIR", help="keep the warehouse (scale) or each seed's (quality) in DIR to inspect")
    parser.add_argument("--embedder", choices=["auto", "tfidf"], default="auto")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a DetectSettings field, e.g. --set spike_max_background_share=0.25")
    parser.add_argument("--outreach-set", action="append", default=[], metavar="NAME=VALUE",
                        help="override an OutreachSettings field, e.g. --outreach-set max_emails_per_frequency_window=2")
    args = parser.parse_args()
    result = scale(args) if args.part == "scale" else quality(args)
    print(json.dumps(result, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
