"""Throughput of signature normalisation and the incident detectors at the SPEC's scale.

Run from the repository root:

    .venv/bin/python benchmarks/incidents_scale.py            # 1M events, 30 days of aggregates
    .venv/bin/python benchmarks/incidents_scale.py --events 200000

Synthetic data (seeded): event messages from templates with random ids, paths, e-mails and
timestamps, so nearly every message is unique (the worst case for normalisation); 30 days of hourly
signature counts for 2,000 signatures plus 20 planted new ones; 30 days of hourly activity for
4 platforms x 12 versions with one planted regression. Prints seconds and what was found.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from detectors.incidents import NewSignatureDetector, ReleaseRegressionDetector
from detectors.signatures import assign_signatures

START = pd.Timestamp("2026-01-01", tz="UTC")
TEMPLATES = (
    "Timeout after {a} ms contacting https://api.example.com/v1/pay?id={b}",
    "Order {a} failed for user{b}@example.com at 2026-01-03T10:22:33Z",
    "Cannot open /var/data/user_{a}/report_{b}.pdf",
    "NullPointerException at Foo.java:{a} (req {b:x})",
    "Card declined: 'code {a}' for amount {b}",
)


def bench_signatures(n_events: int, rng: np.random.Generator) -> None:
    """Assign signatures to ``n_events`` error events with (almost) unique messages."""
    kinds = rng.integers(0, len(TEMPLATES), n_events)
    a, b = rng.integers(0, 10**6, n_events), rng.integers(0, 10**6, n_events)
    events = pd.DataFrame(
        {
            "name": np.where(kinds % 3 == 0, "crash", "error"),
            "error_code": np.where(kinds % 2 == 0, None, pd.Series(kinds).map(lambda k: f"E{k}")),
            "feature": "checkout",
            "platform": np.where(a % 2 == 0, "ios", "android"),
            "message": [TEMPLATES[k].format(a=x, b=y) for k, x, y in zip(kinds, a, b, strict=True)],
        }
    )
    began = time.perf_counter()
    signed = assign_signatures(events)
    seconds = time.perf_counter() - began
    print(
        f"signatures: {n_events:,} events, {events['message'].nunique():,} distinct messages -> "
        f"{signed['signature_id'].nunique()} signatures in {seconds:.2f} s"
    )


def bench_new_signatures(rng: np.random.Generator) -> None:
    """2,000 established signatures and 20 planted new ones over 30 days of hours."""
    hours = pd.date_range(START, periods=24 * 30, freq="h")
    old = pd.DataFrame(
        {
            "hour": np.tile(hours, 2000),
            "signature_id": np.repeat([f"sig-old{i}" for i in range(2000)], len(hours)),
        }
    )
    old = old.loc[rng.random(len(old)) < 0.5]  # sparse, as real aggregates are
    old = old.assign(event_count=rng.integers(1, 50, len(old)), customer_count=rng.integers(1, 20, len(old)))
    new_rows, exposures = [], []
    for i in range(20):
        t0 = hours[24 * 10 + i * 12]
        for step in range(24):
            customers = [f"n{i}-{step}-{k}" for k in range(int(rng.integers(0, 3)))]
            new_rows.append(
                (t0 + pd.Timedelta(hours=step), f"sig-new{i}", 2 * len(customers) + 1, len(customers))
            )
            exposures += [(f"sig-new{i}", c, t0 + pd.Timedelta(hours=step, minutes=5)) for c in customers]
    hourly = pd.concat(
        [old, pd.DataFrame(new_rows, columns=["hour", "signature_id", "event_count", "customer_count"])],
        ignore_index=True,
    )
    old_exposures = pd.DataFrame(
        {
            "signature_id": rng.choice(old["signature_id"].unique(), 1_000_000),
            "customer_id": rng.integers(0, 100_000, 1_000_000).astype(str),
            "first_exposed_at": START + pd.to_timedelta(rng.uniform(0, 24 * 30, 1_000_000), unit="h"),
        }
    ).drop_duplicates(["signature_id", "customer_id"])
    exposure_frame = pd.concat(
        [old_exposures, pd.DataFrame(exposures, columns=["signature_id", "customer_id", "first_exposed_at"])],
        ignore_index=True,
    )
    began = time.perf_counter()
    detector = NewSignatureDetector().fit(hourly, exposure_frame)
    seconds = time.perf_counter() - began
    found = sorted(f.signature_id for f in detector.findings_)
    print(
        f"new signatures: {len(hourly):,} hourly rows, {len(exposure_frame):,} exposures -> "
        f"{len(found)} found ({sum(s.startswith('sig-new') for s in found)}/20 planted) in {seconds:.2f} s"
    )


def bench_release_regressions(rng: np.random.Generator) -> None:
    """4 platforms x 12 versions, one release every 2.5 days, a regression on android's 8th version."""
    hours = pd.date_range(START, periods=24 * 30, freq="h")
    rows = []
    for platform in ("android", "ios", "web", "desktop"):
        releases = [hours[0]] + [hours[60 * k] for k in range(1, 12)]
        for k, released in enumerate(releases):
            live = hours[(hours >= released) & (hours < released + pd.Timedelta(days=6))]
            active = rng.poisson(300, len(live))
            rate = 0.08 if (platform == "android" and k == 7) else 0.02
            erroring = rng.binomial(active, rate)
            rows.append(
                pd.DataFrame(
                    {
                        "hour": live,
                        "platform": platform,
                        "app_version": f"5.{k}.0",
                        "active_customers": active,
                        "error_events": erroring * 2,
                        "erroring_customers": erroring,
                    }
                )
            )
    activity = pd.concat(rows, ignore_index=True)
    began = time.perf_counter()
    detector = ReleaseRegressionDetector().fit(activity)
    seconds = time.perf_counter() - began
    found = [(f.platform, f.app_version) for f in detector.findings_]
    print(
        f"release regressions: {len(activity):,} activity rows, {len(detector.releases_)} releases judged -> "
        f"{found} in {seconds:.2f} s"
    )


def main() -> None:
    """Parse arguments and run the three benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events to normalise (default 1M)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    bench_signatures(args.events, rng)
    bench_new_signatures(rng)
    bench_release_regressions(rng)


if __name__ == "__main__":
    main()
