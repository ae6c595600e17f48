"""Read incidents and release activity: what broke, when it was found, which version errs most."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, time, timedelta

from sqlalchemy import Connection

from pipeline.report.model import Incident, PainPoint, Release, ReportWindow
from pipeline.report.queries.common import fetch, parse_json, to_datetime, to_float, to_int

EVIDENCE_ITEMS = 4


def load_incidents(
    connection: Connection, window: ReportWindow, pain_points: Sequence[PainPoint]
) -> tuple[Incident, ...]:
    """Incidents detected in the context window, oldest start first, with their linked pain points."""
    rows = fetch(connection, "report_select_incidents", since=window.context_start, end=window.end)
    if not rows:
        return ()
    labels = _linked_labels(connection, pain_points)
    fallback_mrr = {}
    if any(row["mrr_at_risk"] is None for row in rows):
        fallback_mrr = {
            row["incident_id"]: to_float(row["mrr"])  # None: no affected customer has a known MRR
            for row in fetch(connection, "report_select_incident_customers")
        }
    incidents = []
    for row in rows:
        started_at = to_datetime(row["started_at"])
        detected_at = to_datetime(row["detected_at"])
        if started_at is None or detected_at is None:
            continue
        mrr = to_float(row["mrr_at_risk"])
        incidents.append(
            Incident(
                incident_id=row["incident_id"],
                kind=row["kind"],
                name=row["name"],
                error_code=row["error_code"],
                feature=row["feature"],
                platform=row["platform"],
                app_version=row["app_version"],
                started_at=started_at,
                detected_at=detected_at,
                customer_count=to_int(row["customer_count"]),
                event_count=to_int(row["event_count"]),
                mrr_at_risk=mrr if mrr is not None else fallback_mrr.get(row["incident_id"]),
                severity=to_float(row["severity"]),
                status=row["status"] or "open",
                evidence=_evidence(row["evidence"]),
                pain_point_labels=tuple(labels.get(row["incident_id"], ())),
            )
        )
    return tuple(incidents)


def _linked_labels(connection: Connection, pain_points: Sequence[PainPoint]) -> dict[str, list[str]]:
    label_of = {point.pain_point_id: point.label for point in pain_points}
    labels: dict[str, list[str]] = defaultdict(list)
    for row in fetch(connection, "report_select_pain_point_links"):
        label = label_of.get(row["pain_point_id"])
        if label and label not in labels[row["incident_id"]]:
            labels[row["incident_id"]].append(label)
    return labels


def _evidence(value: object) -> tuple[tuple[str, str], ...]:
    """A few scalar facts from the detector's evidence JSON, for a reader who wants the numbers."""
    parsed = parse_json(value, column="incidents.evidence")
    if not isinstance(parsed, dict):
        return ()
    items = []
    for key, item in parsed.items():
        if isinstance(item, bool) or not isinstance(item, int | float | str):
            continue
        text = f"{item:.3g}" if isinstance(item, float) else str(item)
        items.append((str(key).replace("_", " "), text[:80]))
    return tuple(items[:EVIDENCE_ITEMS])


def load_releases(
    connection: Connection, window: ReportWindow, incidents: Sequence[Incident]
) -> tuple[Release, ...]:
    """Error rate per active customer by platform and version over the period's calendar days."""
    # Daily aggregates are keyed by midnight: take whole days, the same ones the trends show.
    start = datetime.combine(window.end_day - timedelta(days=window.period_days - 1), time())
    end = datetime.combine(window.end_day + timedelta(days=1), time())
    rows = fetch(connection, "report_select_release_activity", start=start, end=end)
    if not rows:
        rows = fetch(connection, "report_select_release_activity_from_events", start=start, end=end)
    regressions = {
        (incident.platform, incident.app_version): incident.incident_id
        for incident in incidents
        if incident.kind == "release_regression"
    }
    releases = [
        Release(
            platform=str(row["platform"]),
            app_version=str(row["app_version"]),
            active_customer_days=to_int(row["active_customer_days"]),
            error_events=to_int(row["error_events"]),
            erroring_customer_days=to_int(row["erroring_customer_days"]),
            regression_incident_id=regressions.get((row["platform"], row["app_version"])),
        )
        for row in rows
    ]
    return tuple(sorted(releases, key=lambda release: (release.platform, version_key(release.app_version))))


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders 5.10.0 after 5.9.0 (numbers as numbers, other parts as text)."""
    parts = []
    for part in version.replace("-", ".").split("."):
        parts.append((0, int(part)) if part.isdigit() else (1, part))
    return tuple(parts)
