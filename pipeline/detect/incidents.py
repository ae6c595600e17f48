"""Incidents in product events: spikes, level shifts, new signatures and release regressions.

Every detector reads only aggregates built from events before the as-of (no look-ahead). A finding
that continues an open incident of the same kind and subject within ``incident_merge_hours`` keeps that
incident's id, so a long spike is one incident, not one per day.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine

from detectors.incidents import (
    IncidentFinding,
    NewSignatureDetector,
    ReleaseRegressionDetector,
    canonical_version,
    score_severity,
)
from detectors.series import AnomalySettings, score_many
from pipeline.detect.inputs import IncidentInputs, read_incident_inputs
from pipeline.detect.settings import DetectSettings
from sql import statement

log = logging.getLogger(__name__)

HOURLY_COUNTS = AnomalySettings(step_hours=1, missing_as_zero=True, direction="up")


@dataclass(frozen=True)
class IncidentRun:
    """Counts of one incident run, by kind."""

    by_kind: dict[str, int]
    customers: int


def detect_incidents(engine: Engine, as_of: datetime, settings: DetectSettings) -> IncidentRun:
    """Run every incident detector on the aggregates before ``as_of`` and store the incidents."""
    with engine.connect() as connection:
        inputs = read_incident_inputs(connection, as_of, settings)
    found: list[tuple[IncidentFinding, pd.DataFrame | None]] = []
    new = _new_signatures(inputs, settings)
    found += new
    fresh_signatures = {finding.signature_id for finding, _ in new}
    found += [f for f in _spikes(inputs, settings) if f[0].signature_id not in fresh_signatures]
    found += _regressions(inputs, settings)
    by_kind: dict[str, int] = {}
    customers = 0
    with engine.begin() as connection:
        open_incidents = _open_incidents(connection, as_of, settings)
        for finding, affected in found:
            if affected is None:
                affected = _signature_customers(connection, finding, as_of)
            incident_id = _continued_incident(finding, open_incidents, settings) or finding.incident_key()
            _write_incident(connection, incident_id, finding, affected, inputs)
            by_kind[finding.kind] = by_kind.get(finding.kind, 0) + 1
            customers += len(affected)
    log.info("incidents as of %s: %s", as_of, by_kind or "none")
    return IncidentRun(by_kind, customers)


def _new_signatures(inputs: IncidentInputs, settings: DetectSettings) -> list[tuple[IncidentFinding, pd.DataFrame]]:
    if inputs.hourly.empty:
        return []
    first_seen = (
        inputs.exposures.groupby("signature_id", as_index=False)["first_exposed_at"].min()
        .rename(columns={"first_exposed_at": "first_seen_at"})
    )
    detector = NewSignatureDetector(min_customers=settings.new_signature_min_customers).fit(
        inputs.hourly,
        inputs.exposures,
        signatures=inputs.catalog,
        first_seen=first_seen,
        history_start=inputs.history_start,
        as_of=inputs.as_of - timedelta(hours=1),
    )
    return _with_affected(detector.findings_, detector.affected_, inputs, settings)


def _regressions(inputs: IncidentInputs, settings: DetectSettings) -> list[tuple[IncidentFinding, pd.DataFrame]]:
    if inputs.activity.empty:
        return []
    detector = ReleaseRegressionDetector(min_active_customers=settings.regression_min_active_customers).fit(
        inputs.activity,
        inputs.version_customers,
        history_start=inputs.history_start,
        as_of=pd.Timestamp(inputs.as_of - timedelta(microseconds=1)).floor("D").to_pydatetime(),
    )
    return _with_affected(detector.findings_, detector.affected_, inputs, settings)


def _with_affected(
    findings: list[IncidentFinding], affected: pd.DataFrame, inputs: IncidentInputs, settings: DetectSettings
) -> list[tuple[IncidentFinding, pd.DataFrame]]:
    horizon = pd.Timestamp(inputs.as_of - timedelta(days=settings.series_history_days), tz="UTC")
    result = []
    for finding in findings:
        if finding.detected_at < horizon:
            continue
        rows = affected[affected["incident_id"] == finding.incident_key()]
        result.append((finding, rows[["customer_id", "first_exposed_at", "event_count"]].reset_index(drop=True)))
    return result


def _spikes(inputs: IncidentInputs, settings: DetectSettings) -> list[tuple[IncidentFinding, None]]:
    """Alerts of the online detector on each signature's hourly count in the lookback window."""
    if inputs.hourly.empty:
        return []
    series = inputs.hourly.rename(columns={"signature_id": "series_id", "hour": "timestamp", "event_count": "value"})
    scored = score_many(series[["series_id", "timestamp", "value"]], HOURLY_COUNTS)
    since = pd.Timestamp(inputs.as_of - timedelta(hours=settings.incident_lookback_hours), tz="UTC")
    stamps = pd.to_datetime(scored["timestamp"], utc=True)
    alerts = scored[scored["alert"].astype(bool) & (stamps >= since)]
    catalog = inputs.catalog.set_index("signature_id")
    findings = []
    for row in alerts.itertuples(index=False):
        described = catalog.loc[row.series_id] if row.series_id in catalog.index else None
        started = pd.Timestamp(row.timestamp)
        findings.append(
            (
                IncidentFinding(
                    kind="level_shift" if row.kind == "level_shift" else "spike",
                    signature_id=str(row.series_id),
                    name=_text(described, "name"),
                    error_code=_text(described, "error_code"),
                    feature=_text(described, "feature"),
                    platform=_text(described, "platform"),
                    app_version=None,
                    started_at=started,
                    detected_at=started + pd.Timedelta(hours=1),
                    customer_count=0,
                    event_count=int(row.value),
                    evidence={"hourly_count": float(row.value), "score": float(row.score)},
                ),
                None,
            )
        )
    return findings


def _text(described: pd.Series | None, column: str) -> str | None:
    if described is None:
        return None
    value = described[column]
    return None if value is None or (isinstance(value, float) and np.isnan(value)) or value == "" else str(value)


def _signature_customers(connection: Connection, finding: IncidentFinding, as_of: datetime) -> pd.DataFrame:
    rows = connection.execute(
        statement("select_signature_customers_between"),
        {
            "signature_id": finding.signature_id,
            "start": finding.started_at.tz_convert(None).to_pydatetime(),
            "as_of": as_of,
        },
    ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["customer_id", "first_exposed_at", "event_count"])


def _subject(kind: str, signature_id: str | None, platform: str | None, app_version: str | None) -> tuple:
    if kind == "release_regression":
        return ("release", (platform or "").lower(), canonical_version(app_version))
    group = "series" if kind in {"spike", "level_shift"} else kind
    return (group, signature_id)


def _open_incidents(connection: Connection, as_of: datetime, settings: DetectSettings) -> list[dict]:
    since = as_of - timedelta(days=settings.series_history_days)
    return [dict(row) for row in connection.execute(statement("select_open_incidents"), {"since": since}).mappings()]


def _continued_incident(finding: IncidentFinding, open_incidents: list[dict], settings: DetectSettings) -> str | None:
    """The id of the open incident this finding continues (same subject, started within the merge window)."""
    subject = _subject(finding.kind, finding.signature_id, finding.platform, finding.app_version)
    start = finding.started_at.tz_convert(None)
    for incident in sorted(open_incidents, key=lambda i: i["started_at"]):
        same = _subject(incident["kind"], incident["signature_id"], incident["platform"], incident["app_version"])
        gap = abs((start - pd.Timestamp(incident["started_at"])).total_seconds()) / 3600
        if same == subject and gap <= settings.incident_merge_hours:
            return str(incident["incident_id"])
    return None


def _write_incident(
    connection: Connection, incident_id: str, finding: IncidentFinding, affected: pd.DataFrame, inputs: IncidentInputs
) -> None:
    mrr_at_risk = float(inputs.mrr.reindex(affected["customer_id"]).fillna(0).sum()) if not affected.empty else 0.0
    growth = float(finding.evidence.get("rate_ratio") or 1.0)
    pattern = None
    if finding.signature_id and finding.signature_id in set(inputs.catalog["signature_id"]):
        pattern = inputs.catalog.set_index("signature_id").at[finding.signature_id, "message_pattern"]
    connection.execute(
        statement("upsert_incident"),
        {
            "incident_id": incident_id,
            "kind": finding.kind,
            "signature_id": finding.signature_id,
            "name": finding.name,
            "error_code": finding.error_code,
            "feature": finding.feature,
            "platform": finding.platform,
            "app_version": finding.app_version,
            "message_pattern": pattern,
            "started_at": finding.started_at.tz_convert(None).to_pydatetime(),
            "detected_at": finding.detected_at.tz_convert(None).to_pydatetime(),
            "customer_count": len(affected),
            "event_count": int(affected["event_count"].sum()) if not affected.empty else finding.event_count,
            "mrr_at_risk": mrr_at_risk,
            "severity": score_severity(len(affected), mrr_at_risk, growth),
            "evidence": json.dumps(finding.evidence, default=str),
        },
    )
    connection.execute(statement("delete_incident_customers"), {"incident_id": incident_id})
    if not affected.empty:
        connection.execute(
            statement("insert_incident_customer"),
            [
                {
                    "incident_id": incident_id,
                    "customer_id": str(row.customer_id),
                    "first_exposed_at": pd.Timestamp(row.first_exposed_at).tz_localize(None).to_pydatetime()
                    if pd.Timestamp(row.first_exposed_at).tzinfo
                    else pd.Timestamp(row.first_exposed_at).to_pydatetime(),
                    "event_count": int(row.event_count),
                }
                for row in affected.itertuples(index=False)
            ],
        )
