"""Incident severity: one 0-100 number from reach, money and speed of spread.

    severity = min(100,  20 * log10(1 + customers)
                       +  6 * log10(1 + mrr_at_risk)
                       + 10 * log2(clip(growth, 1, 8)))

- customers: distinct affected customers. Each tenfold adds 20 points (10 -> 21, 100 -> 40, 1,000 -> 60).
- mrr_at_risk: summed monthly recurring revenue of those customers, in the account currency. Each
  tenfold adds 6 points ($1k -> 18, $100k -> 30), so money ranks incidents of similar reach but
  cannot on its own outweigh a hundredfold difference in reach.
- growth: how fast it spreads, affected customers in the latest window over the previous one, from
  :func:`compute_growth`. Shrinking or flat adds nothing; each doubling adds 10 points, at most 30 (8x).

Logs, because a person judges impact by order of magnitude; additive in logs means multiplicative in
the raw quantities, so no one term needs a unit conversion. Labels: < 25 low, < 50 medium, < 75 high,
else critical.
"""

from __future__ import annotations

import math

CUSTOMER_POINTS_PER_TENFOLD = 20.0
MRR_POINTS_PER_TENFOLD = 6.0
GROWTH_POINTS_PER_DOUBLING = 10.0
MAX_GROWTH = 8.0
SEVERITY_LABELS: tuple[tuple[float, str], ...] = ((25.0, "low"), (50.0, "medium"), (75.0, "high"))


def compute_growth(current_customers: float, previous_customers: float) -> float:
    """Return ``(current + 1) / (previous + 1)``: a finite growth ratio even from zero.

    Args:
        current_customers: affected customers in the latest window (e.g. the last 24 hours).
        previous_customers: affected customers in the window just before it, same length.
    """
    if current_customers < 0 or previous_customers < 0:
        raise ValueError(
            f"customer counts must be >= 0, got current={current_customers!r} previous={previous_customers!r}"
        )
    return (current_customers + 1.0) / (previous_customers + 1.0)


def score_severity(customer_count: float, mrr_at_risk: float = 0.0, growth: float = 1.0) -> float:
    """Return the 0-100 severity of the module docstring.

    Raises:
        ValueError: a negative or NaN input (quoted).
    """
    for name, value in (("customer_count", customer_count), ("mrr_at_risk", mrr_at_risk), ("growth", growth)):
        if not value >= 0:  # also catches NaN
            raise ValueError(f"severity input {name} must be a number >= 0, got {value!r}")
    score = (
        CUSTOMER_POINTS_PER_TENFOLD * math.log10(1.0 + customer_count)
        + MRR_POINTS_PER_TENFOLD * math.log10(1.0 + mrr_at_risk)
        + GROWTH_POINTS_PER_DOUBLING * math.log2(min(max(growth, 1.0), MAX_GROWTH))
    )
    return min(100.0, score)


def label_severity(score: float) -> str:
    """Return ``low``, ``medium``, ``high`` or ``critical`` for a severity score."""
    for upper, label in SEVERITY_LABELS:
        if score < upper:
            return label
    return "critical"
