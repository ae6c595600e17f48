"""When an incident started, when its evidence crossed a threshold, and when a run found it.

Detectors report the aggregate bucket whose counts crossed their threshold (an hour for new
signatures, an hour or a day for release regressions, the alert hour's end for spikes). Nobody
could have known before that bucket closed, and nobody was told before the run that read it: so
``evidence_at`` is the bucket's end and ``detected_at`` the run's as-of, always
``started_at <= evidence_at <= detected_at``. Lags quoted anywhere are measured to ``detected_at``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from detectors.incidents import IncidentFinding

# Findings whose detected_at is the *start* of the bucket that crossed the threshold.
_BUCKET_START_KINDS = frozenset({"new_signature", "release_regression"})


@dataclass(frozen=True)
class IncidentTimes:
    """Naive UTC times of one finding as the warehouse stores them."""

    started_at: datetime
    evidence_at: datetime
    detected_at: datetime


def incident_times(finding: IncidentFinding, as_of: datetime) -> IncidentTimes:
    """The stored times of ``finding`` found by the run as of ``as_of`` (naive UTC)."""
    run = pd.Timestamp(as_of)
    run = run.tz_convert(None) if run.tzinfo else run
    started = finding.started_at.tz_convert(None)
    evidence = finding.detected_at.tz_convert(None)
    if finding.kind in _BUCKET_START_KINDS:
        evidence = evidence + _bucket(finding)
    started = min(started, run)
    evidence = min(max(evidence, started), run)
    return IncidentTimes(started.to_pydatetime(), evidence.to_pydatetime(), run.to_pydatetime())


def _bucket(finding: IncidentFinding) -> pd.Timedelta:
    period = str(finding.evidence.get("period") or "hour")
    return pd.Timedelta(days=1) if period == "day" else pd.Timedelta(hours=1)
