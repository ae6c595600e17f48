"""Which customers a spike hit, apart from those who would have hit its signatures anyway.

During a burst every customer who hits the bug's signatures is a candidate, but some of them are the
bug's usual traffic: in a replayed world, 8 of the 67 customers of a small spike hit the signature once,
at its usual rate, and were emailed about an outage they never saw (audience precision 0.84). Who is
background cannot be told per customer, but how many there are can be, per number of events: the week
before the burst says how many customers hit these signatures exactly k times in a window as long as the
burst. Levels are kept while the background expected among the customers kept stays at most
``max_share`` (a false-discovery rate), so a large outage keeps its one-time visitors and a small burst
on a noisy signature keeps only those who hit it more often than its usual traffic does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MAX_WINDOW_STARTS = 48  # window positions sampled over the baseline; enough for a stable mean per level


def expected_background(baseline: pd.DataFrame, *, start: pd.Timestamp, baseline_hours: int,
                        window_hours: float) -> dict[int, float]:
    """Mean number of customers with exactly k events in a ``window_hours`` window of the baseline.

    Args:
        baseline: ``customer_id, occurred_at`` of the signatures' events in the ``baseline_hours`` before
            ``start``.

    Returns:
        ``{k: customers}`` for every k seen (k >= 1); empty when the baseline has no events.
    """
    if baseline.empty:
        return {}
    hours = max(float(window_hours), 1.0)
    span = baseline_hours - hours
    if span <= 0:
        return {}
    offsets = ((pd.to_datetime(baseline["occurred_at"]) - (start - pd.Timedelta(hours=baseline_hours)))
               / pd.Timedelta(hours=1)).to_numpy(dtype=float)
    customers = pd.factorize(baseline["customer_id"])[0]
    starts = np.linspace(0.0, span, num=min(MAX_WINDOW_STARTS, int(span) + 1))
    totals: dict[int, float] = {}
    for begin in starts:
        inside = (offsets >= begin) & (offsets < begin + hours)
        if not inside.any():
            continue
        per_customer = np.bincount(customers[inside])
        levels, counts = np.unique(per_customer[per_customer > 0], return_counts=True)
        for level, count in zip(levels.tolist(), counts.tolist(), strict=True):
            totals[level] = totals.get(level, 0.0) + count
    return {level: total / len(starts) for level, total in sorted(totals.items())}


def drop_background(affected: pd.DataFrame, background: dict[int, float], *, max_share: float) -> pd.DataFrame:
    """The rows of ``affected`` (``customer_id, first_exposed_at, event_count``) at the levels kept.

    Levels are taken from the least to the most explained by the background, as long as the expected
    background among everyone kept stays at most ``max_share`` (a false-discovery rate over the audience:
    a level the background explains a third of still goes in when the levels before it are large enough
    to carry it). Levels above the highest one the baseline reached are judged together, with no
    background: the usual traffic never hit the signatures that often in such a window.
    """
    if affected.empty or not background:
        return affected
    beyond = max(background) + 1
    level = affected["event_count"].astype(int).clip(upper=beyond)
    observed = level.value_counts()
    expected = pd.Series(background, dtype=float).reindex(observed.index).fillna(0.0).clip(upper=observed)
    order = (expected / observed).sort_values(kind="stable").index
    kept_levels, kept, explained = set(), 0, 0.0
    for value in order:
        if (explained + expected[value]) / (kept + observed[value]) > max_share:
            break
        kept_levels.add(value)
        kept, explained = kept + int(observed[value]), explained + float(expected[value])
    return affected[level.isin(kept_levels).to_numpy()].reset_index(drop=True)
