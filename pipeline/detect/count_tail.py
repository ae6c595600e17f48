"""How surprising a bug's count is when its usual rate itself moves from day to day.

A Poisson test at the rate of the week before assumes that rate holds in every hour. A signature's use
does not: customers who hit a rate limit or an export error come and go, so its events a day scatter
beyond Poisson around its share of the product's use (out-of-sample 3,000-customer world, seed 43:
HTTP-429 gave 8, 21, 23, 19, 16, 16, 10 and 4 events on eight days, a Pearson dispersion of about 3).
Six of its customers in a midnight hour where the week expected 0.4 then scored 5.6e-6 and opened a
false incident. Reading the day-to-day variation off the same baseline (a Gamma-distributed rate, its
variance by the method of moments) turns the test into a negative binomial one: an hour of a bug whose
days are steady is judged as before, an hour of a bug whose days wander needs more before it is rare.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

DAY = pd.Timedelta(hours=24)
MIN_DAYS = 3  # below three whole days the scatter of the days says nothing about the rate's variation


def rate_variation(before: pd.DataFrame, start: pd.Timestamp, baseline_hours: int,
                   others: pd.Series | None = None) -> float:
    """Squared coefficient of variation of the bug's daily rate over the whole days before ``start``.

    ``before`` holds the bug's ``hour, event_count`` rows of its baseline; each day's expected count is its
    share of the baseline's events by the other signatures' events that day (``others``; equal days when
    absent or silent). With a Poisson count around a Gamma rate, the Pearson statistic of the days is
    ``1 + mean expected x variance``: the variance is read back from it, 0 when the days are no more
    scattered than Poisson. The busiest day for its use is left out, so one earlier burst in the week does
    not excuse the next one (a quiet day stays: a rate that drops as readily rises).
    """
    days = int(baseline_hours // 24)
    if days < MIN_DAYS or before.empty:
        return 0.0
    first = start - days * DAY
    index = np.floor((pd.DatetimeIndex(before["hour"]) - first) / DAY).astype(int)
    keep = (index >= 0) & (index < days)
    observed = np.bincount(index[keep], weights=before["event_count"].to_numpy(dtype=float)[keep], minlength=days)
    use = np.ones(days)
    if others is not None:
        held = others[(others.index >= first) & (others.index < start)]
        by_day = np.bincount(np.floor((held.index - first) / DAY).astype(int), weights=held.to_numpy(dtype=float),
                             minlength=days)[:days]
        if (by_day > 0).all():
            use = by_day
    kept = np.delete(np.arange(days), int(np.argmax(observed / use)))  # the rate read without its busiest day
    total = observed[kept].sum()
    if total <= 0:
        return 0.0
    expected = total * use[kept] / use[kept].sum()
    dispersion = ((observed[kept] - expected) ** 2 / expected).sum() / (kept.size - 1)
    return max(dispersion - 1.0, 0.0) / float(expected.mean())


def count_tail(count: int, expected: float, variation: float) -> float:
    """P(at least ``count`` events) when ``expected`` is the mean and the rate's squared coefficient of
    variation is ``variation`` (Poisson when 0, negative binomial above it)."""
    if variation <= 0:
        return float(stats.poisson.sf(count - 1, expected))
    shape = 1.0 / variation
    return float(stats.nbinom.sf(count - 1, shape, shape / (shape + expected)))
