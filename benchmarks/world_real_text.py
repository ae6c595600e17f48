"""Pain points of a simulated world whose tickets are real support texts, replayed as the DAGs run.

Run from the repository root (FOREWARN_SHARED_DATA pointing at shared/data):

    .venv/bin/python benchmarks/world_real_text.py                       # BANKING77 texts, 70 intents
    .venv/bin/python benchmarks/world_real_text.py --set clinc150 --every 6h --keep /tmp/world

The stand-in for issue 14's "simulated worlds with real held-out ticket text, ~70 true problems":
``forewarn simulate`` writes a world, then every ticket's subject and body are replaced by a text of a
real labelled set (BANKING77 or CLINC150 train), drawn from ``--intents`` intents with a long tail
(the i-th most common intent is written about in proportion to 1/sqrt(i)); the intent is the ticket's
true problem (``--set simulated`` keeps the world's own texts and scores against its truth). The world
is then replayed by ``forewarn backtest`` at the DAGs' cadence (``--every``), so the pain points are
the ones the product holds after the last run: the first run clustered the first days' tickets, later
runs placed new tickets and re-clustered on the pipeline's own cadence.
Printed: NMI, ARI and accuracy of each ticket's final pain point against its intent, the pain points
holding tickets against the intents with at least 10 tickets, and beside it one ``PainPointClusterer``
fit of all the texts at once (what ``forewarn cluster`` gives).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cluster_banking77_data import score_clustering  # noqa: E402
from cluster_granularity import load_set  # noqa: E402

from detectors.painpoints import OnnxMiniLmEmbedder, PainPointClusterer  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
FOREWARN = str(REPO / ".venv" / "bin" / "forewarn")


def simulate(out: Path, customers: int, days: int, seed: int) -> None:
    """A world without dirty rows (this benchmark is about pain points, not quarantine)."""
    subprocess.run(
        [FOREWARN, "simulate", "--out", str(out), "--customers", str(customers), "--days", str(days),
         "--seed", str(seed), "--events-per-customer-day", "1", "--no-dirty"],
        check=True, stdout=subprocess.DEVNULL,
    )


def real_texts(world: Path, texts: pd.DataFrame, intents: int, seed: int) -> pd.DataFrame:
    """Rewrite the world's tickets with real texts; returns ticket_id, intent."""
    rng = np.random.default_rng(seed)
    chosen = rng.permutation(texts["truth"].unique())[:intents]
    weights = 1 / np.sqrt(np.arange(1, len(chosen) + 1))
    pools = {intent: list(rng.permutation(texts.loc[texts["truth"] == intent, "text"].to_numpy()))
             for intent in chosen}
    truth = []
    for path in sorted(world.glob("tickets*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        picked = rng.choice(chosen, size=len(frame), p=weights / weights.sum())
        bodies = []
        for intent in picked:
            pool = pools[intent]
            # An intent asked about more often than the set has texts repeats them, as real queues do.
            bodies.append(pool.pop() if pool else rng.choice(texts.loc[texts["truth"] == intent, "text"]))
        frame["subject"] = ""
        frame["body"] = bodies
        frame.to_csv(path, index=False)
        truth.append(pd.DataFrame({"ticket_id": frame["ticket_id"], "intent": picked}))
    return pd.concat(truth, ignore_index=True)


def replay(world: Path, database: Path, every: str, start: str, end: str) -> float:
    """``forewarn backtest`` over [start, end] at ``every``; returns its wall seconds."""
    started = time.perf_counter()
    subprocess.run(
        [FOREWARN, "backtest", str(world), "--from", start, "--to", end, "--every", every,
         "--database-url", f"sqlite:///{database}", "--outbox", str(database.parent / "outbox"),
         "--no-progress", "--out", str(database.parent / "backtest.json")],
        check=True, stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def final_pain_points(database: Path) -> pd.DataFrame:
    """Each ticket's pain point after the last run (ticket_id, pain_point_id)."""
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        rows = pd.read_sql(sa.text("SELECT ticket_id, pain_point_id, as_of FROM ticket_pain_points"), connection)
    return rows.sort_values("as_of").drop_duplicates("ticket_id", keep="last")[["ticket_id", "pain_point_id"]]


def score(truth: pd.DataFrame, assigned: pd.Series) -> dict[str, float]:
    """NMI, ARI, accuracy and unassigned share of ``assigned`` pain point ids (NaN: none) against ``truth``."""
    labels = pd.factorize(assigned.fillna(""))[0]
    labels = np.where(assigned.isna().to_numpy(), -1, labels)
    return score_clustering(truth["intent"].to_numpy(), labels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="banking77", choices=("banking77", "clinc150", "simulated"))
    parser.add_argument("--intents", type=int, default=70)
    parser.add_argument("--customers", type=int, default=6000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--replay-days", type=int, default=23, help="days replayed at --every (the rest loaded first)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--every", default="1d")
    parser.add_argument("--keep", type=Path, help="folder to keep the world and warehouse in")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="forewarn-real-text-"))
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / "warehouse.db").exists():
        raise SystemExit(f"world_real_text: error: {folder} holds a warehouse from an earlier run; give a new --keep folder")
    world = folder / "world"
    simulate(world, args.customers, args.days, args.seed)
    if args.set == "simulated":  # the world's own texts and the pain point each was written about
        truth = pd.read_csv(world / "truth" / "ticket_pain_points.csv").rename(columns={"pain_point": "intent"})
    else:
        truth = real_texts(world, load_set(args.set), args.intents, args.seed)
    truth.to_csv(folder / "truth_intents.csv", index=False)
    first = pd.Timestamp("2026-01-01") + pd.Timedelta(days=args.days - args.replay_days)
    last = pd.Timestamp("2026-01-01") + pd.Timedelta(days=args.days)
    seconds = replay(world, folder / "warehouse.db", args.every, first.date().isoformat(), last.date().isoformat())
    final = truth.merge(final_pain_points(folder / "warehouse.db"), on="ticket_id", how="left")
    counts = truth["intent"].value_counts()
    print(f"{args.set}: {len(truth)} tickets over {truth['intent'].nunique()} intents "
          f"({int((counts >= 10).sum())} with >= 10 tickets); replayed from {first.date()} every {args.every} "
          f"in {seconds:.0f} s; world and warehouse in {folder}")
    replayed = score(final, final["pain_point_id"])
    print(f"  replayed  NMI {replayed['nmi']:.3f}  ARI {replayed['ari']:.3f}  ACC {replayed['acc']:.3f}  "
          f"pain points {replayed['clusters']}  unassigned {100 * replayed['unassigned']:.1f}%")
    texts = pd.concat(
        [pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted(world.glob("tickets*.csv"))]
    )
    at_once = truth.merge(texts, on="ticket_id")
    written = (at_once["subject"] + ". " + at_once["body"]).str.strip(". ").tolist()  # as the pipeline joins them
    model = PainPointClusterer(embedder=OnnxMiniLmEmbedder(quantize=True)).fit(written)
    once = score_clustering(at_once["intent"].to_numpy(), model.labels_)
    print(f"  one fit   NMI {once['nmi']:.3f}  ARI {once['ari']:.3f}  ACC {once['acc']:.3f}  "
          f"pain points {once['clusters']}  unassigned {100 * once['unassigned']:.1f}%")


if __name__ == "__main__":
    main()
