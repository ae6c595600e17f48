"""MRR at risk: the sum of the affected customers' MRR, unknown (None) when no one's MRR is known.

A source that maps no MRR (a help desk export has none) left every customer's MRR empty, and the report
said "$0 MRR at risk" where it knew nothing (stop 45's walk).
"""

from __future__ import annotations

import pandas as pd


def mrr_at_risk(values: pd.Series) -> float | None:
    """The sum of the known values (a missing one adds nothing); None when none is known."""
    total = pd.to_numeric(values, errors="coerce").astype(float).sum(min_count=1)
    return None if pd.isna(total) else float(total)
