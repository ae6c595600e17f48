"""Corrections at scale: how long one ``forewarn painpoints`` correction takes on a 50,000-ticket warehouse.

Run from the repo root:

    .venv/bin/python benchmarks/corrections_scale.py [--url postgresql+psycopg://...] [--tickets 50000]

Builds a warehouse as a detect run leaves it (50,000 tickets in 500 pain points, their
``ticket_pain_points`` and ``pain_points`` rows, and the registry with 384-dimension centroids in
``detector_state``), without clustering, then times each correction as the CLI applies it (check,
store, apply to the latest run, one transaction) and the cost of re-applying 50 corrections inside
a detect run (``apply_corrections``). Target: <= 1 s per correction.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from detectors.painpoints import PainPointRegistry, PainPointState  # noqa: E402
from detectors.painpoints.corrections import Correction, apply_corrections  # noqa: E402
from detectors.painpoints.registry import format_pain_point_id  # noqa: E402
from pipeline.detect.corrections import CorrectionRequest, correct_pain_point, load_corrections  # noqa: E402
from pipeline.warehouse import make_engine, migrate  # noqa: E402

AS_OF = datetime(2026, 3, 1)
WORDS = "refund card login export invoice password app sync calendar upload payment account".split()


def build(engine: Engine, n_tickets: int, n_points: int) -> PainPointRegistry:
    """A warehouse as a detect run as of AS_OF leaves it, and its registry."""
    rng = np.random.default_rng(0)
    per = n_tickets // n_points
    tickets, links, points, states = [], [], [], []
    for k in range(n_points):
        pid = format_pain_point_id(k + 1)
        ids = [f"t{k}-{i}" for i in range(per)]
        for i, ticket in enumerate(ids):
            extra = " via paypal" if i % 3 == 0 else " to my card"
            body = f"{WORDS[k % len(WORDS)]} problem number {k}{extra}"
            created = AS_OF - timedelta(minutes=int(rng.integers(1, 60 * 24 * 80)))
            tickets.append({"ticket_id": ticket, "customer_id": f"c{rng.integers(20_000)}", "created_at": created,
                            "body": body, "loaded_at": AS_OF})
            links.append({"ticket_id": ticket, "pain_point_id": pid, "as_of": AS_OF})
        centroid = rng.normal(size=384)
        states.append(PainPointState(pid, f"{WORDS[k % len(WORDS)]} problem {k}", tuple(centroid / np.linalg.norm(centroid)), tuple(ids)))
        points.append({"pain_point_id": pid, "label": states[-1].label, "status": "active", "ticket_count": per,
                       "customer_count": per, "as_of": AS_OF})
    registry = PainPointRegistry(tuple(states), n_points + 1, "bench")
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO tickets (ticket_id, customer_id, created_at, subject_redacted, body_redacted, loaded_at) "
                 "VALUES (:ticket_id, :customer_id, :created_at, '', :body, :loaded_at)"),
            tickets,
        )
        connection.execute(text("INSERT INTO ticket_pain_points (ticket_id, pain_point_id, as_of) VALUES (:ticket_id, :pain_point_id, :as_of)"), links)
        connection.execute(
            text("INSERT INTO pain_points (pain_point_id, label, status, ticket_count, customer_count, as_of) "
                 "VALUES (:pain_point_id, :label, :status, :ticket_count, :customer_count, :as_of)"),
            points,
        )
        connection.execute(
            text("INSERT INTO detector_state (name, as_of, state) VALUES ('painpoint_registry', :as_of, :state)"),
            {"as_of": AS_OF, "state": json.dumps(registry.to_dict())},
        )
    return registry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=None, help="warehouse URL (default: a fresh SQLite file)")
    parser.add_argument("--tickets", type=int, default=50_000)
    parser.add_argument("--pain-points", type=int, default=500)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="forewarn-corrections-")
    engine = make_engine(args.url or f"sqlite:///{folder}/warehouse.db")
    migrate(engine)
    start = time.perf_counter()
    registry = build(engine, args.tickets, args.pain_points)
    print(f"built {args.tickets} tickets in {args.pain_points} pain points ({engine.dialect.name}) in {time.perf_counter() - start:.1f}s")
    at = datetime(2026, 3, 1, 9)
    requests = [
        CorrectionRequest("rename", "pp-000001", "bench", at, label="Refunds to cards are late"),
        CorrectionRequest("mute", "pp-000002", "bench", at),
        CorrectionRequest("pin", "pp-000003", "bench", at),
        CorrectionRequest("merge", "pp-000004", "bench", at, other_ids=("pp-000005", "pp-000006")),
        CorrectionRequest("split", "pp-000007", "bench", at, phrase="paypal"),
    ]
    for request in requests:
        start, cpu = time.perf_counter(), time.process_time()
        result = correct_pain_point(engine, request)
        print(
            f"  {request.action:6s} {time.perf_counter() - start:.3f}s wall, {time.process_time() - cpu:.3f}s CPU "
            f"({result.moved_tickets} tickets moved), load average {os.getloadavg()[0]:.1f}"
        )
    with engine.connect() as connection:
        corrections = load_corrections(connection)
    corrections = [
        *corrections,
        *(Correction("rename", format_pain_point_id(k), "bench", at, label=f"name {k}") for k in range(10, 35)),
        *(
            Correction("merge", format_pain_point_id(k), "bench", at, other_ids=(format_pain_point_id(k + 1),))
            for k in range(40, 80, 2)
        ),
    ]
    mapping = {t: s.pain_point_id for s in registry.pain_points for t in s.ticket_ids}
    texts = {t: "refund via paypal" for t in mapping}
    start = time.perf_counter()
    apply_corrections(registry, mapping, registry, [], corrections, texts)
    print(f"  re-applying {len(corrections)} corrections in a detect run: {time.perf_counter() - start:.3f}s")


if __name__ == "__main__":
    main()
