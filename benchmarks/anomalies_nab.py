"""Benchmark of the online spike / level-shift detector on NAB, plus its batch throughput.

Run from the repository root:

    .venv/bin/python benchmarks/anomalies_nab.py                 # NAB quality + throughput
    .venv/bin/python benchmarks/anomalies_nab.py --set threshold=6 --no-throughput
    .venv/bin/python benchmarks/anomalies_nab.py --piece-days 14 --no-throughput   # as two-week streams

NAB data are read from ``$FOREWARN_SHARED_DATA/nab`` (default ``<repo>/../shared/data/nab``):
``data/realKnownCause/*.csv`` and ``data/realTweets/*.csv`` with their windows in
``labels/combined_windows.json``. One setting is used for every file (no per-file tuning).
Scoring: the first 15% of each file is probation (not scored); a window is detected when an
alert falls inside it; an alert outside every window is false; alerts within the cooldown of
the previous one collapse into it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from detectors.series import AnomalySettings, score_many, score_series
from detectors.series.evaluation import SeriesOutcome, evaluate_alerts

FAMILIES = ("realKnownCause", "realTweets")
REPO = Path(__file__).resolve().parents[1]


def nab_root() -> Path:
    """Where the NAB copy lives: ``$FOREWARN_SHARED_DATA/nab``, default ``<repo>/../shared/data/nab``."""
    return Path(os.environ.get("FOREWARN_SHARED_DATA", REPO.parent / "shared" / "data")) / "nab"


def run_nab(root: Path, settings: AnomalySettings, piece_days: float | None = None) -> pd.DataFrame:
    """Score every NAB file of the two families; one row per file (or per piece) with its figures.

    ``piece_days`` cuts each file into consecutive pieces of that many days, each scored on its own
    from a cold start with its own probation (a last piece shorter than 80% of that is left out):
    NAB's other families (AWS CloudWatch, artificial) are two-week streams, where the first days of
    a detector's history weigh far more than in these two- to eleven-month files.
    """
    labels = json.loads((root / "labels" / "combined_windows.json").read_text())
    rows = []
    for family in FAMILIES:
        for path in sorted((root / "data" / family).glob("*.csv")):
            frame = pd.read_csv(path)
            windows = [(pd.Timestamp(s, tz="UTC"), pd.Timestamp(e, tz="UTC")) for s, e in labels[f"{family}/{path.name}"]]
            for name, piece in _pieces(path.stem, frame, piece_days):
                started = time.perf_counter()
                scored = score_series(piece["timestamp"], piece["value"], settings)
                seconds = time.perf_counter() - started
                first, last = scored["timestamp"].iloc[0], scored["timestamp"].iloc[-1]
                inside = [(max(s, first), min(e, last)) for s, e in windows if e >= first and s <= last]
                outcome = evaluate_alerts(
                    scored["timestamp"], scored["alert"], inside, merge_hours=settings.cooldown_hours
                )
                rows.append(_row(family, name, outcome, seconds, len(piece), scored))
    return pd.DataFrame(rows)


def _pieces(name: str, frame: pd.DataFrame, piece_days: float | None) -> list[tuple[str, pd.DataFrame]]:
    """``(name@first day, rows)`` per piece of ``piece_days`` from the file's first timestamp; the whole file if none."""
    if not piece_days:
        return [(name, frame)]
    stamps = pd.to_datetime(frame["timestamp"])
    span = pd.Timedelta(days=piece_days)
    pieces = []
    start = stamps.iloc[0]
    while start <= stamps.iloc[-1]:
        piece = frame[(stamps >= start) & (stamps < start + span)]
        if len(piece) and stamps[piece.index[-1]] - start >= 0.8 * span:
            pieces.append((f"{name}@{start:%Y-%m-%d}", piece))
        start += span
    return pieces


def _row(
    family: str, name: str, outcome: SeriesOutcome, seconds: float, points: int, scored: pd.DataFrame
) -> dict[str, object]:
    caught = [w for w in outcome.windows if w.detected]
    return {
        "family": family,
        "series": name,
        "points": points,
        "windows": len(outcome.windows),
        "detected": outcome.detected,
        "false_alerts": outcome.false_alerts,
        "outside_weeks": outcome.outside_hours / 168.0,
        "false_per_week": outcome.false_per_week,
        "fractions": [w.first_alert_fraction for w in caught],
        "hours": [w.first_alert_hours for w in caught],
        # Days from the stream's first point to each false alert: a detector's first days weigh more on
        # short streams (see --piece-days).
        "false_days": [
            (t - scored["timestamp"].iloc[0]) / pd.Timedelta(days=1) for t in outcome.false_alert_times
        ],
        "spikes": int((scored["kind"] == "spike").sum()),
        "level_shifts": int((scored["kind"] == "level_shift").sum()),
        "seconds": seconds,
    }


def summarise(rows: pd.DataFrame) -> dict[str, float]:
    """Totals over the rows: window recall, false alerts per week, how early the first alert comes."""
    fractions = [f for fs in rows["fractions"] for f in fs]
    hours = [h for hs in rows["hours"] for h in hs]
    weeks = rows["outside_weeks"].sum()
    return {
        "windows": int(rows["windows"].sum()),
        "detected": int(rows["detected"].sum()),
        "recall": rows["detected"].sum() / max(rows["windows"].sum(), 1),
        "false_alerts": int(rows["false_alerts"].sum()),
        "false_per_week": rows["false_alerts"].sum() / weeks if weeks else 0.0,
        "mean_series_false_per_week": float(rows["false_per_week"].mean()),
        "worst_false_per_week": float(rows["false_per_week"].max()),
        "series_within_false_target": int((rows["false_per_week"] <= 0.5).sum()),
        "series": len(rows),
        "median_fraction": float(np.median(fractions)) if fractions else math.nan,
        "median_hours": float(np.median(hours)) if hours else math.nan,
        "seconds": float(rows["seconds"].sum()),
    }


def print_nab(rows: pd.DataFrame) -> None:
    """Per-series lines, then per-family and overall totals."""
    header = f"{'family':15} {'series':38} {'caught':>7} {'false':>5} {'false/wk':>8} {'med frac':>8} {'med h':>6} {'sec':>5}"
    print(header)
    for row in rows.itertuples():
        frac = np.median(row.fractions) if row.fractions else math.nan
        hours = np.median(row.hours) if row.hours else math.nan
        print(
            f"{row.family:15} {row.series:38} {row.detected:>3}/{row.windows:<3} {row.false_alerts:>5} "
            f"{row.false_per_week:>8.2f} {frac:>8.2f} {hours:>6.1f} {row.seconds:>5.2f}"
        )
    print()
    for label, part in [*((f, rows[rows["family"] == f]) for f in FAMILIES), ("TOTAL", rows)]:
        s = summarise(part)
        print(
            f"{label:15} windows caught {s['detected']}/{s['windows']} ({s['recall']:.0%}); "
            f"false alerts {s['false_alerts']} = {s['false_per_week']:.2f}/series/week pooled, "
            f"{s['mean_series_false_per_week']:.2f} averaged over series (worst {s['worst_false_per_week']:.2f}; "
            f"{s['series_within_false_target']}/{s['series']} series <= 0.5); first alert at median "
            f"{s['median_fraction']:.2f} of the window = {s['median_hours']:.1f} h after its start; "
            f"runtime {s['seconds']:.1f} s"
        )
    days = pd.Series([int(d) for ds in rows["false_days"] for d in ds], dtype="int64")
    print("false alerts by whole days since their stream's first point (first two weeks):",
          {int(day): int(count) for day, count in days[days < 14].value_counts().sort_index().items()})


def synthetic_signatures(series: int, days: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hourly error counts like Forewarn's signature aggregates: Poisson around a daily cycle.

    One series in five gets an incident in its last week: four hours at three times the usual
    rate plus five errors an hour (so quiet signatures get a visible bump too).

    Returns:
        The long frame ``series_id, timestamp, value`` and the incidents ``series_id, start``.
    """
    rng = np.random.default_rng(seed)
    hours = days * 24
    stamps = pd.date_range("2025-01-01", periods=hours, freq="h", tz="UTC")
    base = rng.gamma(1.0, 5.0, size=series)[:, None]
    rate = base * (1.0 + 0.5 * np.sin(2 * np.pi * np.arange(hours) / 24.0)[None, :])
    hit = np.flatnonzero(rng.random(series) < 0.2)
    starts = rng.integers(hours - 7 * 24, hours - INCIDENT_HOURS, size=hit.size)
    for sid, start in zip(hit, starts, strict=True):
        rate[sid, start : start + INCIDENT_HOURS] = 3 * rate[sid, start : start + INCIDENT_HOURS] + 5
    counts = rng.poisson(rate).astype(float)
    frame = pd.DataFrame(
        {
            "series_id": np.repeat(np.arange(series), hours),
            "timestamp": np.tile(stamps, series),
            "value": counts.ravel(),
        }
    )
    return frame, pd.DataFrame({"series_id": hit, "start": stamps[starts]})


INCIDENT_HOURS = 4


def run_throughput(series: int, days: int, settings: AnomalySettings, check: int = 25) -> None:
    """Time ``score_many`` on many hourly series, check it matches ``score_series``, score the incidents."""
    frame, incidents = synthetic_signatures(series, days)
    started = time.perf_counter()
    batch = score_many(frame, settings)
    seconds = time.perf_counter() - started
    print(
        f"throughput: {series} hourly series x {days} days = {len(frame):,} points in {seconds:.1f} s (score_many)"
    )
    checked = min(check, series)
    started = time.perf_counter()
    singles = {}
    for sid in range(checked):
        one = frame[frame["series_id"] == sid]
        singles[sid] = score_series(one["timestamp"], one["value"], settings)
    per_series = (time.perf_counter() - started) / max(checked, 1)
    same = sum(
        batch[batch["series_id"] == sid].drop(columns="series_id").reset_index(drop=True).equals(single)
        for sid, single in singles.items()
    )
    print(
        f"score_series one by one: {per_series * 1000:.0f} ms per series (~{per_series * series:.0f} s for all); "
        f"batch vs single identical on {same}/{checked} series"
    )
    _print_incidents(batch, incidents, series, days)


def _print_incidents(batch: pd.DataFrame, incidents: pd.DataFrame, series: int, days: int) -> None:
    alerts = batch.loc[batch["alert"], ["series_id", "timestamp"]]
    joined = alerts.merge(incidents, on="series_id", how="left")
    delay = (joined["timestamp"] - joined["start"]) / pd.Timedelta(hours=1)
    inside = delay.between(0, INCIDENT_HOURS - 1)
    first_delay = delay[inside].groupby(joined.loc[inside, "series_id"]).min()
    false = int((~inside).sum())
    scored_weeks = series * (days - 1) / 7  # the first day is warm-up
    print(
        f"planted incidents ({INCIDENT_HOURS} h at 3x rate + 5/h): found {first_delay.size}/{len(incidents)}, "
        f"median delay {first_delay.median():.1f} h after onset; other alerts {false} = "
        f"{false / scored_weeks:.3f} per series-week"
    )


def parse_overrides(pairs: list[str]) -> AnomalySettings:
    """Settings from ``name=value`` pairs over the defaults."""
    defaults = AnomalySettings()
    changes: dict[str, object] = {}
    for pair in pairs:
        name, _, raw = pair.partition("=")
        if name not in AnomalySettings.names():
            raise SystemExit(f"unknown setting {name!r}; known: {', '.join(AnomalySettings.names())}")
        current = getattr(defaults, name)
        if isinstance(current, tuple):
            changes[name] = tuple(float(x) for x in raw.split(",") if x.strip())
        elif isinstance(current, bool):
            changes[name] = raw.lower() in ("1", "true", "yes")
        elif isinstance(current, int):
            changes[name] = int(raw)
        elif isinstance(current, float):
            changes[name] = float(raw)
        else:
            changes[name] = raw
    return dataclasses.replace(defaults, **changes).validate()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="override one setting"
    )
    parser.add_argument("--no-throughput", action="store_true", help="skip the many-series timing")
    parser.add_argument("--piece-days", type=float, default=None,
                        help="score each file cut into pieces of this many days, each from a cold start")
    parser.add_argument("--series", type=int, default=5000, help="series in the throughput run")
    parser.add_argument("--days", type=int, default=14, help="days per series in the throughput run")
    args = parser.parse_args(argv)
    settings = parse_overrides(args.set)
    print("settings:", settings.as_dict())
    root = nab_root()
    if (root / "labels" / "combined_windows.json").exists():
        print_nab(run_nab(root, settings, args.piece_days))
    else:
        print(f"NAB data not found under {root}; set FOREWARN_SHARED_DATA", file=sys.stderr)
    if not args.no_throughput:
        run_throughput(args.series, args.days, settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
