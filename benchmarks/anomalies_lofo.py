"""Leave-one-family-out check of the spike / level-shift detector's settings.

Run from the repository root (FOREWARN_SHARED_DATA pointing at shared/data):

    .venv/bin/python benchmarks/anomalies_lofo.py
    .venv/bin/python benchmarks/anomalies_lofo.py --piece-days 14   # NAB files as two-week streams

Families: NAB's realKnownCause and realTweets (``anomalies_nab.py``) and four families of the
synthetic streams of ``anomalies_synthetic.py`` (on/off load, spikes and bursts, level steps,
series that mostly sit still; three seeds). Every setting of a small grid is scored on every
family once. Then, for each family in turn, the setting with the best window recall at <= 0.5
false alerts per series-week on the OTHER families (fewest false alerts when none meets it) is
scored on the held-out family. The pooled held-out figure is the cross-validated one; the in-sample line is the current defaults.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from anomalies_nab import nab_root, run_nab  # noqa: E402
from anomalies_synthetic import streams  # noqa: E402

from detectors.series import AnomalySettings, score_series  # noqa: E402
from detectors.series.evaluation import evaluate_alerts  # noqa: E402

GRID = {"threshold": (4.0, 5.0, 6.0), "record_factor": (0.8, 1.0, 1.2), "shift_window_hours": (3.0, 6.0)}
FALSE_TARGET = 0.5


def _synthetic_family(stream: str) -> str:
    """Family of one synthetic stream, by what its anomaly looks like."""
    if stream.startswith("on_off"):
        return "synthetic_on_off"
    if stream.startswith("still"):
        return "synthetic_still"
    return "synthetic_levels" if stream.startswith("level") else "synthetic_spikes"


def family_totals(settings: AnomalySettings, piece_days: float | None = None) -> pd.DataFrame:
    """Per family: windows, windows caught, false alerts, weeks outside windows.

    ``piece_days`` scores the NAB files cut into pieces of that many days (see ``run_nab``); the
    synthetic streams are two weeks long already.
    """
    nab = run_nab(nab_root(), settings, piece_days)
    rows = [
        {"family": r.family, "windows": r.windows, "detected": r.detected, "false": r.false_alerts,
         "weeks": r.outside_weeks}
        for r in nab.itertuples()
    ]
    for seed in range(3):
        for name, (stamps, values, labelled) in streams(seed).items():
            scored = score_series(pd.Series(stamps), pd.Series(values), settings)
            out = evaluate_alerts(scored["timestamp"], scored["alert"], labelled, merge_hours=settings.cooldown_hours)
            family = _synthetic_family(name)
            rows.append({"family": family, "windows": len(out.windows), "detected": out.detected,
                         "false": out.false_alerts, "weeks": out.outside_hours / 168.0})
    return pd.DataFrame(rows).groupby("family").sum()


def _figures(totals: pd.DataFrame) -> tuple[float, float]:
    return totals["detected"].sum() / totals["windows"].sum(), totals["false"].sum() / totals["weeks"].sum()


def _pick(scores: dict[tuple, pd.DataFrame], families: list[str]) -> tuple:
    """Best setting on ``families``: highest recall within the false-alert target, else fewest false alerts."""
    figures = {key: _figures(table.loc[families]) for key, table in scores.items()}
    within = [key for key, (_, false) in figures.items() if false <= FALSE_TARGET]
    if within:
        return max(within, key=lambda key: (figures[key][0], -figures[key][1]))
    return min(figures, key=lambda key: figures[key][1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--piece-days", type=float, default=None,
                        help="score the NAB files cut into pieces of this many days, each from a cold start")
    parser.add_argument("--grid", action="append", default=[], metavar="NAME=V1,V2",
                        help="replace one axis of the grid, e.g. --grid threshold=4.5,5,5.5,6")
    args = parser.parse_args()
    for axis in args.grid:
        name, _, values = axis.partition("=")
        if name not in GRID:
            parser.error(f"--grid {axis}: the grid's axes are {', '.join(GRID)}")
        GRID[name] = tuple(float(value) for value in values.split(","))
    keys = list(itertools.product(*GRID.values()))
    scores = {}
    for key in keys:
        settings = dataclasses.replace(AnomalySettings(), **dict(zip(GRID, key, strict=True)))
        scores[key] = family_totals(settings, args.piece_days)
        recall, false = _figures(scores[key])
        print(f"{dict(zip(GRID, key, strict=True))}: in-sample recall {recall:.2f}, {false:.2f} false/series-week",
              flush=True)
    families = list(next(iter(scores.values())).index)
    held_out = {}
    print("\nheld-out family         setting chosen on the others                       recall  false/wk")
    for family in families:
        key = _pick(scores, [f for f in families if f != family])
        row = scores[key].loc[family]
        held_out[family] = row
        rec = row["detected"] / max(row["windows"], 1)
        print(f"{family:22} {str(dict(zip(GRID, key, strict=True))):52} {rec:.2f}   {row['false'] / row['weeks']:.2f}")
    cv_recall, cv_false = _figures(pd.DataFrame(held_out.values()))
    nab_recall, nab_false = _figures(pd.DataFrame([held_out[f] for f in families if f.startswith("real")]))
    default = tuple(getattr(AnomalySettings(), name) for name in GRID)
    in_recall, in_false = _figures(scores[default])
    in_pick = _pick(scores, families)
    pick_recall, pick_false = _figures(scores[in_pick])
    print(f"\ncross-validated (each family scored with settings chosen without it): recall {cv_recall:.2f}, "
          f"{cv_false:.2f} false alerts per series-week")
    print(f"cross-validated, NAB families only: recall {nab_recall:.2f}, {nab_false:.2f}")
    print(f"current defaults, in-sample over all families: recall {in_recall:.2f}, {in_false:.2f}")
    print(f"best grid setting in-sample {dict(zip(GRID, in_pick, strict=True))}: recall {pick_recall:.2f}, "
          f"{pick_false:.2f}")


if __name__ == "__main__":
    main()
