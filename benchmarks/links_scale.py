"""Throughput and recovery of pain point <-> incident links at the SPEC's scale.

Run from the repository root:

    .venv/bin/python benchmarks/links_scale.py                 # 500 pain points x 200 incidents x 100k customers
    .venv/bin/python benchmarks/links_scale.py --pain-points 100 --incidents 50

Synthetic data (seeded): each incident exposes 200-5,000 random customers over 30 days; 50,000
tickets spread over the pain points; for 25 planted (pain point, incident) pairs, 20 of the pain
point's authors wrote 1-60 hours after hitting the incident (fewer pairs when there are
fewer than 25 pain points or incidents). Ticket text names the incident's code
for half of the planted pairs. Prints seconds, planted pairs recovered and spurious links.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from detectors.links import PainPointLinker, affected_not_written

START = pd.Timestamp("2026-01-01", tz="UTC")


def build(pain_points: int, incidents: int, customers: int, tickets: int, seed: int):
    """Return tickets, exposures, incident descriptions and the planted pairs."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(200, 5000, incidents)
    exposures = pd.DataFrame(
        {
            "incident_id": np.repeat([f"inc-{i}" for i in range(incidents)], sizes),
            "customer_id": np.concatenate(
                [rng.choice(customers, size, replace=False) for size in sizes]
            ).astype(str),
            "first_exposed_at": START + pd.to_timedelta(rng.uniform(0, 24 * 30, sizes.sum()), unit="h"),
        }
    )
    words = np.array(
        ["slow", "login", "export", "invoice", "sync", "upload", "report", "billing", "mobile", "crash"]
    )
    texts = [" ".join(rng.choice(words, 12)) for _ in range(1000)]
    background = pd.DataFrame(
        {
            "pain_point_id": [f"pp-{p}" for p in rng.integers(0, pain_points, tickets)],
            "customer_id": rng.integers(0, customers, tickets).astype(str),
            "created_at": START + pd.to_timedelta(rng.uniform(0, 24 * 30, tickets), unit="h"),
            "text": rng.choice(texts, tickets),
        }
    )
    n_planted = min(25, pain_points, incidents)
    planted_pairs = [
        (f"pp-{p}", f"inc-{i}")
        for p, i in zip(range(n_planted), rng.permutation(incidents)[:n_planted], strict=True)
    ]
    planted = []
    for k, (pain_point, incident) in enumerate(planted_pairs):
        hit = exposures.loc[exposures["incident_id"] == incident].sample(20, random_state=k)
        planted.append(
            pd.DataFrame(
                {
                    "pain_point_id": pain_point,
                    "customer_id": hit["customer_id"].to_numpy(),
                    "created_at": hit["first_exposed_at"].reset_index(drop=True)
                    + pd.to_timedelta(rng.uniform(1, 60, 20), unit="h"),
                    "text": f"it fails with ERR-{incident[4:]} every time" if k % 2 == 0 else "it just fails",
                }
            )
        )
    described = pd.DataFrame(
        {
            "incident_id": [f"inc-{i}" for i in range(incidents)],
            "error_code": [f"ERR_{i}" for i in range(incidents)],
            "message_pattern": [f"operation {w} failed after <num> ms" for w in rng.choice(words, incidents)],
        }
    )
    return pd.concat([background, *planted], ignore_index=True), exposures, described, set(planted_pairs)


def main() -> None:
    """Build the world, fit the linker, print timings and recovery."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pain-points", type=int, default=500)
    parser.add_argument("--incidents", type=int, default=200)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--tickets", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    tickets, exposures, described, planted = build(
        args.pain_points, args.incidents, args.customers, args.tickets, args.seed
    )
    began = time.perf_counter()
    linker = PainPointLinker().fit(tickets, exposures, population=args.customers, incidents=described)
    fit_seconds = time.perf_counter() - began
    began = time.perf_counter()
    audience = affected_not_written(linker.links_, exposures, tickets)
    audience_seconds = time.perf_counter() - began
    found = set(zip(linker.links_["pain_point_id"], linker.links_["incident_id"], strict=True))
    text_hits = linker.links_.loc[linker.links_["text_match"] > 0]
    print(
        f"links: {args.pain_points} pain points x {args.incidents} incidents, {args.customers:,} customers, "
        f"{len(tickets):,} tickets, {len(exposures):,} exposures\n"
        f"  fit {fit_seconds:.2f} s ({len(linker.pairs_):,} pairs with an exposed author, {linker.tests_:,} tests)\n"
        f"  planted recovered {len(found & planted)}/{len(planted)}, spurious links {len(found - planted)}, "
        f"links with text match {len(text_hits)}\n"
        f"  affected_not_written {audience_seconds:.2f} s ({len(audience):,} customers)"
    )


if __name__ == "__main__":
    main()
