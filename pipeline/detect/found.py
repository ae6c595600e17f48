"""An incident as found by one run, before it is written: the finding, its customers and its signatures."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from detectors.incidents import IncidentFinding, canonical_version
from pipeline.detect.bugs import bug_key

AFFECTED_COLUMNS = ["customer_id", "first_exposed_at", "event_count"]


def with_audience(affected: pd.DataFrame) -> pd.DataFrame:
    """``affected`` with its ``in_audience`` column: every customer is in the email audience unless the
    detector said otherwise (only a spike sets it, for the exposed customers its usual traffic explains)."""
    return affected if "in_audience" in affected else affected.assign(in_audience=True)


@dataclass(frozen=True)
class Found:
    """One finding of this run with the customers it affects and the error signatures behind it.

    ``signatures`` is empty for a release regression (it is about a version, not a signature).
    """

    finding: IncidentFinding
    affected: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=AFFECTED_COLUMNS))
    signatures: tuple[str, ...] = ()
    message_pattern: str | None = None

    @property
    def subject(self) -> tuple[str, ...]:
        """What the incident is about; a finding continues an open incident with the same subject."""
        f = self.finding
        return incident_subject(f.kind, f.name, f.error_code, f.feature, self.message_pattern, f.platform, f.app_version)


def incident_subject(
    kind: str,
    name: str | None,
    error_code: str | None,
    feature: str | None,
    message_pattern: str | None,
    platform: str | None,
    app_version: str | None,
) -> tuple[str, ...]:
    """A release regression is about (platform, version); every other kind about a bug (all platforms).

    Spikes and level shifts share a subject: a burst that stays up is one incident, not two.
    """
    if kind == "release_regression":
        return ("release", (platform or "").strip().lower(), canonical_version(app_version))
    group = "series" if kind in {"spike", "level_shift"} else kind
    return (group, bug_key(name, error_code, feature, message_pattern))


def empty_affected() -> pd.DataFrame:
    """An ``incident_customers``-shaped frame with no rows."""
    return pd.DataFrame(columns=AFFECTED_COLUMNS)
