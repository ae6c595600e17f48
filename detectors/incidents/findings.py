"""Incident findings: what a detector reports, with a key that survives reruns."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from detectors.incidents.inputs import IncidentInputError, to_utc_timestamp
from detectors.incidents.versions import canonical_version

IncidentKind = Literal["spike", "new_signature", "release_regression", "level_shift"]
INCIDENT_KINDS: frozenset[str] = frozenset({"spike", "new_signature", "release_regression", "level_shift"})

INCIDENT_KEY_VERSION = "v1"
"""Bump when the key's inputs change; every incident id changes with it."""

FINDING_COLUMNS: tuple[str, ...] = (
    "incident_id",
    "kind",
    "signature_id",
    "name",
    "error_code",
    "feature",
    "platform",
    "app_version",
    "started_at",
    "detected_at",
    "customer_count",
    "event_count",
    "evidence",
)
"""Columns of :func:`findings_to_frame`; ``incident_id`` is :meth:`IncidentFinding.incident_key`."""


@dataclass(frozen=True)
class IncidentFinding:
    """One incident as found: what, where, since when, how many customers, and the evidence.

    ``started_at`` and ``detected_at`` are tz-aware UTC timestamps (naive input is taken as UTC).
    ``evidence`` holds JSON-ready numbers (counts, baseline, test statistic, p_value, rate_ratio ...);
    it is left out of hashing so findings stay hashable.
    """

    kind: IncidentKind
    signature_id: str | None
    name: str | None
    error_code: str | None
    feature: str | None
    platform: str | None
    app_version: str | None
    started_at: pd.Timestamp
    detected_at: pd.Timestamp
    customer_count: int
    event_count: int
    evidence: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        """Validate the kind, times and counts, and normalise the times to UTC."""
        if self.kind not in INCIDENT_KINDS:
            raise IncidentInputError(f"finding kind {self.kind!r} is not one of {sorted(INCIDENT_KINDS)}")
        started = to_utc_timestamp(self.started_at, "finding started_at")
        detected = to_utc_timestamp(self.detected_at, "finding detected_at")
        if detected < started:
            raise IncidentInputError(f"finding detected_at {detected} is before started_at {started}")
        for name in ("customer_count", "event_count"):
            value = getattr(self, name)
            if int(value) != value or value < 0:
                raise IncidentInputError(f"finding {name} must be a whole number >= 0, got {value!r}")
            object.__setattr__(self, name, int(value))
        object.__setattr__(self, "started_at", started)
        object.__setattr__(self, "detected_at", detected)
        object.__setattr__(self, "evidence", dict(self.evidence))

    def incident_key(self) -> str:
        """Return ``inc-`` + 16 hex digits, the same on every rerun that finds the same incident.

        Inputs: the kind, what it is about (the signature; for a release regression the platform and
        the canonical version, so ``5.4`` and ``5.4.0`` agree, plus the signature when one is given),
        and the UTC day it started. Counts, detection
        time and evidence are left out, so a rerun with more data keeps the id and upserts in place.
        """
        if self.kind == "release_regression":
            subject = [self.signature_id or "", _key_text(self.platform), canonical_version(self.app_version)]
        elif self.signature_id:
            subject = [self.signature_id]
        else:
            subject = [
                _key_text(v)
                for v in (self.name, self.error_code, self.feature, self.platform, self.app_version)
            ]
        day = self.started_at.strftime("%Y-%m-%d")
        payload = "\x1f".join([INCIDENT_KEY_VERSION, self.kind, *subject, day]).encode("utf-8")
        return "inc-" + hashlib.sha1(payload, usedforsecurity=False).hexdigest()[:16]

    def as_record(self) -> dict[str, Any]:
        """Return the finding as a flat dict with ``incident_id`` first (the frame and warehouse row)."""
        record = {"incident_id": self.incident_key()}
        record.update({f.name: getattr(self, f.name) for f in dataclasses.fields(self)})
        return record


def findings_to_frame(findings: Iterable[IncidentFinding]) -> pd.DataFrame:
    """Return one row per finding with :data:`FINDING_COLUMNS`, sorted by detection time then id."""
    records = [finding.as_record() for finding in findings]
    frame = pd.DataFrame.from_records(records, columns=list(FINDING_COLUMNS))
    for column in ("started_at", "detected_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True).dt.as_unit("ns")
    for column in ("customer_count", "event_count"):
        frame[column] = frame[column].astype("int64")
    return frame.sort_values(["detected_at", "incident_id"], kind="stable").reset_index(drop=True)


def _key_text(value: object) -> str:
    """Trimmed, lowercased text for a key; empty when missing."""
    return "" if value is None else str(value).strip().lower()
