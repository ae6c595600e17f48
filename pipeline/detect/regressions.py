"""Release regressions, with errors that another incident already explains left out of the rates.

When a version's rollout is near-instant (a web deploy) there is no concurrent baseline, so the
detector compares the new version with the previous one *before* the release; any bug that starts
later on every platform then makes the new version look worse. Such errors are explained: they
belong to an open new-signature, spike or level-shift incident that does not fall on one release.
They are removed from the error counts of every version before the test, so a version is flagged
only for errors of its own. An incident whose events mostly fall on one release (at least
``regression_explain_max_share``) is that release's symptom, never its excuse: its errors stay in the
test, and when that release is flagged the incident is reported as part of the regression.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Connection

from detectors.incidents import ReleaseRegressionDetector, canonical_version
from pipeline.detect.found import Found
from pipeline.detect.inputs import IncidentInputs
from pipeline.detect.settings import DetectSettings
from pipeline.warehouse.frames import read_frame
from sql import expanding_texts, statement

log = logging.getLogger(__name__)


Release = tuple[str, str]  # (platform lowercased, canonical version)


@dataclass(frozen=True)
class Explainer:
    """A non-regression incident (found now or still open), the signatures of its bug, and the release
    that holds most of its events when one does (then it cannot explain that release away)."""

    label: str
    signatures: tuple[str, ...]
    started_at: datetime
    release: Release | None = None


def locate_explainers(
    connection: Connection, explainers: list[Explainer], as_of: datetime, settings: DetectSettings
) -> list[Explainer]:
    """Each explainer with the single release holding at least ``regression_explain_max_share`` of its events."""
    return [
        dataclasses.replace(e, release=_main_release(connection, e, as_of, settings.regression_explain_max_share))
        for e in explainers
    ]


def release_of(found: Found) -> Release:
    """The release a regression finding is about."""
    return release_key(found.finding.platform, found.finding.app_version)


def detect_regressions(
    connection: Connection, inputs: IncidentInputs, settings: DetectSettings, explainers: list[Explainer]
) -> list[Found]:
    """Release-regression incidents, tested on errors no other incident explains (see :func:`locate_explainers`)."""
    explaining = [e for e in explainers if e.release is None]
    excluded = sorted({s for e in explaining for s in e.signatures})
    detector = ReleaseRegressionDetector(min_active_customers=settings.regression_min_active_customers)
    horizon = pd.Timestamp(inputs.as_of - timedelta(days=settings.series_history_days), tz="UTC")
    judged = _judged_versions(connection, inputs, detector, horizon)
    activity, customers = _release_inputs(connection, inputs, excluded, judged, detector.baseline_hours)
    if activity.empty:
        return []
    detector.fit(
        activity,
        customers,
        history_start=inputs.history_start,
        as_of=pd.Timestamp(inputs.as_of - timedelta(microseconds=1)).floor("D").to_pydatetime(),
        signature_errors=(
            _signature_errors(connection, inputs, excluded, judged, detector.baseline_hours)
            if settings.regression_per_signature
            else None
        ),
    )
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


def _versions_since(inputs: IncidentInputs, detector: ReleaseRegressionDetector, horizon: pd.Timestamp) -> datetime:
    """The earliest first sighting of a version the test can still report: one seen earlier was released
    before the history warm-up (never judged) or so long ago that its watch ended before the horizon
    (a finding then would be older than the findings kept)."""
    if inputs.history_start is None:
        return datetime.min
    warmed = pd.Timestamp(inputs.history_start) + pd.Timedelta(hours=detector.min_history_hours)
    watched = horizon.tz_convert(None) - pd.Timedelta(hours=detector.watch_hours)
    return max(warmed, watched).to_pydatetime()


def _judged_versions(
    connection: Connection, inputs: IncidentInputs, detector: ReleaseRegressionDetector, horizon: pd.Timestamp
) -> dict[tuple[str, str], datetime]:
    """The (platform, app_version) pairs whose customers the test reads, each with its release's first activity
    (over all its labels): first seen since :func:`_versions_since`,
    and either still watched or the release of a stored regression.

    A release whose watch ended before this run was judged on every period of its watch by earlier runs: if
    it was flagged then, it is a stored regression (read, so its audience keeps growing); if not, nothing
    read now could flag it (its periods are past), so its customers are not read. At day 28 of a 30-day
    replay that leaves out two thirds of the per-customer rows. Versions are grouped by release (platform,
    canonical version), so every label of a release is read or none.
    """
    since = _versions_since(inputs, detector, horizon)
    # Periods are days (floored), and the detector's as-of is the day before the run's: two days of margin.
    watched_since = inputs.as_of - timedelta(hours=detector.watch_hours) - timedelta(days=2)
    stored = {release_key(p, v) for p, v in connection.execute(statement("select_stored_regression_releases")).all()}
    labels: dict[Release, list[tuple[str, str, datetime]]] = {}
    for platform, version, first in connection.execute(statement("select_version_first_active")).all():
        seen = pd.Timestamp(first).to_pydatetime()
        labels.setdefault(release_key(platform, version), []).append((platform, version, seen))
    judged = {}
    for release, pairs in labels.items():
        released = min(seen for _, _, seen in pairs)
        if release in stored or released >= watched_since:
            judged |= {(platform, version): released for platform, version, seen in pairs if seen >= since}
    return judged


def release_key(platform: str | None, version: str | None) -> Release:
    """A release as the regression test and its explainers name it: (platform lowercased, canonical version)."""
    return ((platform or "").strip().lower(), canonical_version(version))


def _release_inputs(
    connection: Connection, inputs: IncidentInputs, excluded: list[str], judged: dict[tuple[str, str], datetime],
    baseline_hours: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The detector's daily activity and per-customer frames, with the excluded signatures' errors left out.

    Per-customer rows are read only for the ``judged`` (platform, app_version) pairs, once, with the
    exclusion applied in SQL. Daily errors are recounted without the excluded signatures only from the
    first judged release's day less ``baseline_hours`` and a day of margin: the test reads no earlier day
    (a judged release's own days and its previous version's baseline before it), and earlier days keep the
    aggregate's counts (every version's activity stays: it says which versions are new and which came before).
    """
    activity = read_frame(connection, "select_version_activity", {"as_of": inputs.as_of},
                          ["day", "platform", "app_version", "active_customers", "error_events", "erroring_customers"])
    activity["day"] = pd.to_datetime(activity["day"], format="ISO8601")
    columns = ["platform", "app_version", "customer_id", "first_active_at", "first_error_at", "error_events"]
    keys = sorted(f"{platform}|{version}" for platform, version in judged)
    first_judged = min(judged.values(), default=inputs.as_of)
    params = {"as_of": inputs.as_of, "excluded": excluded, "judged": keys, "first_judged": first_judged,
              "errors_since": _errors_since(first_judged, baseline_hours)}
    if excluded and keys:
        daily = read_frame(connection, "select_version_errors_excluding", params,
                           ["day", "platform", "app_version", "error_events", "erroring_customers"], expanding=["excluded"])
        daily["day"] = pd.to_datetime(daily["day"], format="ISO8601")
        on = ["day", "platform", "app_version"]
        errors = ["error_events", "erroring_customers"]
        recounted = activity[on].merge(daily, on=on, how="left")[errors].fillna(0).astype("int64")
        late = (activity["day"] >= params["errors_since"]).to_numpy()
        activity.loc[late, errors] = recounted.loc[late].to_numpy()
    if not keys:
        customers = pd.DataFrame(columns=columns)
    elif excluded:
        customers = read_frame(connection, "select_version_customers_excluding", params, columns,
                               expanding=["excluded", "judged"])
    else:
        customers = read_frame(connection, "select_version_customers", params, columns, expanding=["judged"])
    for column in ("first_active_at", "first_error_at"):
        customers[column] = pd.to_datetime(customers[column], format="ISO8601")
    customers["error_events"] = customers["error_events"].fillna(0).astype("int64")
    return activity, customers


def _errors_since(first_judged: datetime, baseline_hours: int) -> datetime:
    """The first day the release test reads errors of: the first judged release's day, less its baseline and
    a day of margin."""
    since = pd.Timestamp(first_judged).floor("D") - pd.Timedelta(hours=baseline_hours) - pd.Timedelta(days=1)
    return since.to_pydatetime()


def _signature_errors(
    connection: Connection, inputs: IncidentInputs, excluded: list[str], judged: dict[tuple[str, str], datetime],
    baseline_hours: int,
) -> pd.DataFrame:
    """Distinct customers a day per platform, version and error signature, for the per-signature release test:
    on the judged releases' platforms, from the first judged release's baseline on (the days the test reads),
    the signatures other incidents explain left out. Read from the ``signature_version_daily`` aggregate, which
    :func:`~pipeline.detect.aggregates.refresh_aggregates` brings to the run's as-of."""
    columns = ["day", "platform", "app_version", "signature_id", "erroring_customers"]
    if not judged:
        return pd.DataFrame(columns=columns)
    params = {"as_of": inputs.as_of, "errors_since": _errors_since(min(judged.values()), baseline_hours),
              "excluded": excluded,
              "platforms": sorted({platform for platform, _ in judged})}
    frame = read_frame(connection, "select_version_signature_errors", params, columns,
                       expanding=["excluded", "platforms"])
    frame["day"] = pd.to_datetime(frame["day"], format="ISO8601")
    return frame


def _main_release(connection: Connection, explainer: Explainer, as_of: datetime, share: float) -> Release | None:
    """The (platform, version) holding at least ``share`` of the incident's events since it started, if any."""
    query = statement("select_signature_release_events").bindparams(expanding_texts("signature_ids"))
    rows = connection.execute(
        query, {"signature_ids": list(explainer.signatures), "since": explainer.started_at, "as_of": as_of}
    ).all()
    by_release: dict[tuple[str, str], int] = {}
    for platform, version, events in rows:
        key = ((platform or "").strip().lower(), canonical_version(version))
        by_release[key] = by_release.get(key, 0) + int(events or 0)
    total = sum(by_release.values())
    if not total:
        return None
    release, events = max(by_release.items(), key=lambda item: (item[1], item[0]))
    return release if events / total >= share else None
