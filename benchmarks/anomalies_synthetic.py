"""The spike / level-shift detector on streams shaped like NAB's artificial family, which we do not have.

Run from the repository root:

    .venv/bin/python benchmarks/anomalies_synthetic.py [--seeds 3] [--set NAME=VALUE ...]

Fourteen days at 5-minute steps, one labelled window (10% of the stream, centred on the onset, as
NAB labels them) or none: business-hours on/off load whose busy hours jump up, drop, stay quiet or
go flat on one day; rising spike density; one burst; a CPU-like level that steps up or down; two
streams with nothing to find; and streams that mostly sit still (an idle CPU in steps of 1/15 %,
disk writes that are zero but for bursts), with and without an anomaly. NAB's scoring rules (15%
probation, alerts within the cooldown collapse) as in ``anomalies_nab.py``. A check of how the settings tuned on NAB's real streams carry
over to sharp daily edges, which the real families barely have.
"""

from __future__ import annotations

import argparse
import dataclasses

import numpy as np
import pandas as pd

from detectors.series import AnomalySettings, score_series
from detectors.series.evaluation import evaluate_alerts

START = pd.Timestamp("2014-04-01", tz="UTC")
ANOMALY_DAY = START + pd.Timedelta(days=10)


def _window(stamps: pd.DatetimeIndex, onset: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    half = int(0.10 * len(stamps)) // 2
    centre = int(stamps.searchsorted(onset))
    return stamps[max(centre - half, 0)], stamps[min(centre + half, len(stamps) - 1)]


def streams(seed: int) -> dict[str, tuple[pd.DatetimeIndex, np.ndarray, list]]:
    """name -> (timestamps, values, labelled windows)."""
    rng = np.random.default_rng(seed)
    stamps = pd.date_range(START, periods=14 * 288, freq="5min")
    n = len(stamps)
    busy = (stamps.hour >= 8) & (stamps.hour < 18)
    on_off = 20 + 60 * busy + rng.normal(0, 3, n)
    that_day = (stamps >= ANOMALY_DAY) & (stamps < ANOMALY_DAY + pd.Timedelta(days=1))
    morning = _window(stamps, ANOMALY_DAY + pd.Timedelta(hours=8))
    out = {"on_off_normal": (stamps, on_off, [])}
    for name, change in (
        ("on_off_jumps_up", lambda v: np.where(that_day & busy, v + 80, v)),
        ("on_off_jumps_down", lambda v: np.where(that_day & busy, v - 40, v)),
        ("on_off_quiet_day", lambda v: np.where(that_day, 20 + rng.normal(0, 3, n), v)),
        ("on_off_flat_day", lambda v: np.where(that_day, 50.0, v)),
    ):
        out[name] = (stamps, change(on_off), [morning if "flat" not in name else _window(stamps, ANOMALY_DAY)])
    spiky = 20 + rng.normal(0, 2, n) + 60 * (rng.random(n) < 0.002)
    dense = (stamps >= ANOMALY_DAY + pd.Timedelta(hours=12)) & (stamps < ANOMALY_DAY + pd.Timedelta(days=1))
    spiky = spiky + 60 * (dense & (rng.random(n) < 0.15))
    out["spike_density_rises"] = (stamps, spiky, [_window(stamps, ANOMALY_DAY + pd.Timedelta(hours=18))])
    wave = 30 + rng.normal(0, 5, n) + 10 * np.sin(np.arange(n) * 2 * np.pi / 288)
    burst_at = ANOMALY_DAY - pd.Timedelta(hours=21)
    wave = wave + 250 * ((stamps >= burst_at) & (stamps < burst_at + pd.Timedelta(hours=2)))
    out["one_burst"] = (stamps, wave, [_window(stamps, burst_at)])
    cpu = 40 + rng.normal(0, 2, n)
    out["level_steps_up"] = (stamps, cpu + 15 * (stamps >= ANOMALY_DAY), [_window(stamps, ANOMALY_DAY)])
    out["level_steps_down"] = (stamps, cpu - 15 * (stamps >= ANOMALY_DAY), [_window(stamps, ANOMALY_DAY)])
    out["noise_only"] = (stamps, 20 + rng.normal(0, 3, n), [])
    out.update(_still_streams(rng, stamps))
    return out


def _still_streams(rng: np.random.Generator, stamps: pd.DatetimeIndex) -> dict[str, tuple]:
    """Streams that mostly sit still, so most residuals are exactly zero.

    An idle CPU reported in steps of 1/15 % that blips by one step a few times an hour, and disk
    writes that are zero but for bursts of about the same size; with and without an anomaly
    (the CPU busy for three hours, one write fifty times the usual burst).
    """
    n = len(stamps)
    step = 1 / 15
    blip = rng.uniform(0.02, 0.3)
    cpu = 2 * step + step * (rng.random(n) < blip) * rng.choice([-1, 1, 2], n, p=[0.4, 0.5, 0.1])
    busy_from = ANOMALY_DAY + pd.Timedelta(hours=9)
    busy = (stamps >= busy_from) & (stamps < busy_from + pd.Timedelta(hours=3))
    burst = 4e5
    writes = np.where(rng.random(n) < rng.uniform(0.02, 0.2), rng.lognormal(np.log(burst), 0.5, n), 0.0)
    flood_at = ANOMALY_DAY + pd.Timedelta(hours=15)
    flooded = writes.copy()
    flooded[stamps.searchsorted(flood_at)] = 50 * burst
    return {
        "still_cpu_normal": (stamps, cpu, []),
        "still_cpu_busy": (stamps, np.where(busy, cpu + 20 * step, cpu), [_window(stamps, busy_from)]),
        "still_writes_normal": (stamps, writes, []),
        "still_writes_flood": (stamps, flooded, [_window(stamps, flood_at)]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="override one setting")
    args = parser.parse_args()
    settings = dataclasses.replace(
        AnomalySettings(), **{k: float(v) for k, v in (item.split("=", 1) for item in args.set)}
    )
    windows = caught = false_alerts = 0
    weeks = 0.0
    per_stream: dict[str, list[int]] = {}
    for seed in range(args.seeds):
        for name, (stamps, values, labelled) in streams(seed).items():
            scored = score_series(pd.Series(stamps), pd.Series(values), settings)
            outcome = evaluate_alerts(
                scored["timestamp"], scored["alert"], labelled, merge_hours=settings.cooldown_hours
            )
            windows += len(outcome.windows)
            caught += outcome.detected
            false_alerts += outcome.false_alerts
            weeks += outcome.outside_hours / 168.0
            tally = per_stream.setdefault(name, [0, 0, 0])
            tally[0] += outcome.detected
            tally[1] += len(outcome.windows)
            tally[2] += outcome.false_alerts
    for name, (found, total, false) in per_stream.items():
        print(f"{name:22} caught {found}/{total}  false alerts {false}")
    print(
        f"TOTAL windows caught {caught}/{windows}; false alerts {false_alerts} = "
        f"{false_alerts / weeks:.2f}/series/week over {args.seeds} seeds"
    )


if __name__ == "__main__":
    main()
