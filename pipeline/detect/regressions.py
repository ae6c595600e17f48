"""Release regressions, with errors that another incident already explains left out of the rates.

When a version's rollout is near-instant (a web deploy) there is no concurrent baseline, so the
detector compares the new version with the previous one *before* the release; any bug that starts
later on every platform then makes the new version look worse. Such errors are explained: they
belong to an open new-signature, spike or level-shift incident that does not fall on one release.
They are removed from the error counts of every version before the test, so a version is flagged
only for errors of its own. An incident whose events mostly fall on one release (at least
``regression_explain_max_share``) is that release's symptom, never its excuse, and is kept.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Connection, bindparam

from detectors.incidents import ReleaseRegressionDetector, canonical_version
from pipeline.detect.found import Found
from pipeline.detect.inputs import IncidentInputs
from pipeline.detect.settings import DetectSettings
from sql import statement

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Explainer:
    """A non-regression incident (found now or still open) and the signatures of its bug."""

    label: str
    signatures: tuple[str, ...]
    started_at: datetime


def detect_regressions(
    connection: Connection, inputs: IncidentInputs, settings: DetectSettings, explainers: list[Explainer]
) -> list[Found]:
    """Release-regression incidents, tested on errors no other incident explains."""
    if inputs.activity.empty:
        return []
    explaining = [e for e in explainers if not _on_one_release(connection, e, inputs.as_of, settings)]
    excluded = sorted({s for e in explaining for s in e.signatures})
    activity, customers = inputs.activity, inputs.version_customers
    if excluded:
        activity, customers = _without(connection, inputs, excluded)
    detector = ReleaseRegressionDetector(min_active_customers=settings.regression_min_active_customers).fit(
        activity,
        customers,
        history_start=inputs.history_start,
        as_of=pd.Timestamp(inputs.as_of - timedelta(microseconds=1)).floor("D").to_pydatetime(),
    )
    horizon = pd.Timestamp(inputs.as_of - timedelta(days=settings.series_history_days), tz="UTC")
    found = []
    for finding in detector.findings_:
        if finding.detected_at < horizon:
            continue
        rows = detector.affected_[detector.affected_["incident_id"] == finding.incident_key()]
        if excluded:
            explained = {"excluded_signatures": len(excluded), "explained_by": sorted({e.label for e in explaining})}
            finding = dataclasses.replace(finding, evidence={**finding.evidence, **explained})
        found.append(Found(finding, rows[["customer_id", "first_exposed_at", "event_count"]].reset_index(drop=True)))
    log.info(
        "release regressions: %s explaining incidents (%s signatures left out), %s incidents",
        len(explaining), len(excluded), len(found),
    )
    return found


def _on_one_release(connection: Connection, explainer: Explainer, as_of: datetime, settings: DetectSettings) -> bool:
    """Whether most of the incident's events since it started fell on a single (platform, version)."""
    query = statement("select_signature_release_events").bindparams(bindparam("signature_ids", expanding=True))
    rows = connection.execute(
        query, {"signature_ids": list(explainer.signatures), "since": explainer.started_at, "as_of": as_of}
    ).all()
    by_release: dict[tuple[str, str], int] = {}
    for platform, version, events in rows:
        key = ((platform or "").strip().lower(), canonical_version(version))
        by_release[key] = by_release.get(key, 0) + int(events or 0)
    total = sum(by_release.values())
    return bool(total) and max(by_release.values()) / total >= settings.regression_explain_max_share


def _without(connection: Connection, inputs: IncidentInputs, excluded: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The detector's activity and per-customer frames with the excluded signatures' errors removed."""
    dialect = connection.dialect.name
    params = {"excluded": excluded, "as_of": inputs.as_of}
    daily = _frame(connection, "select_version_errors_excluding", dialect, params,
                   ["day", "platform", "app_version", "error_events", "erroring_customers"])
    per_customer = _frame(connection, "select_version_error_customers_excluding", dialect, params,
                          ["platform", "app_version", "customer_id", "first_error_at", "error_events"])
    daily["day"] = pd.to_datetime(daily["day"], format="ISO8601")
    per_customer["first_error_at"] = pd.to_datetime(per_customer["first_error_at"], format="ISO8601")
    keys = ["day", "platform", "app_version"]
    activity = inputs.activity.drop(columns=["error_events", "erroring_customers"]).merge(daily, on=keys, how="left")
    activity[["error_events", "erroring_customers"]] = activity[["error_events", "erroring_customers"]].fillna(0).astype("int64")
    keys = ["platform", "app_version", "customer_id"]
    customers = inputs.version_customers.drop(columns=["first_error_at", "error_events"]).merge(per_customer, on=keys, how="left")
    customers["error_events"] = customers["error_events"].fillna(0).astype("int64")
    return activity, customers


def _frame(connection: Connection, name: str, dialect: str, params: dict, columns: list[str]) -> pd.DataFrame:
    query = statement(name, dialect).bindparams(bindparam("excluded", expanding=True))
    return pd.DataFrame([tuple(r) for r in connection.execute(query, params).all()], columns=columns)
