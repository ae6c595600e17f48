"""Incidents in product events: new bugs, spikes and level shifts, and release regressions.

Every detector reads only aggregates built from events before the as-of (no look-ahead). New
signatures and spikes are judged per bug (signatures grouped across platforms), so one bug is one
incident. A finding that continues an incident of the same subject started within
``incident_merge_hours`` keeps that incident's id, so a long spike is one incident, not one per day.
Release regressions are tested last, on errors that none of the other incidents explains; a finding
of this run that falls on a flagged release is reported as part of that regression.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Connection, Engine

from detectors.incidents import score_severity
from pipeline.detect.bugs import bug_of_row, bug_of_signatures
from pipeline.detect.found import Found, incident_subject, with_audience
from pipeline.detect.inputs import IncidentInputs, read_incident_inputs
from pipeline.detect.mrr import mrr_at_risk
from pipeline.detect.new_bugs import detect_new_bugs
from pipeline.detect.regressions import (
    Explainer,
    detect_regressions,
    locate_explainers,
    release_key,
    release_of,
)
from pipeline.detect.release_focus import focus_on_releases
from pipeline.detect.settings import DetectSettings
from pipeline.detect.spikes import detect_spikes
from pipeline.detect.symptoms import with_symptoms
from pipeline.detect.times import incident_times
from sql import statement

log = logging.getLogger(__name__)

EXPLAINING_KINDS = frozenset({"new_signature", "spike", "level_shift"})


@dataclass(frozen=True)
class IncidentRun:
    """Counts of one incident run: incidents by kind, their customers, and the error events looked at."""

    by_kind: dict[str, int]
    customers: int
    error_events: int = 0


def detect_incidents(engine: Engine, as_of: datetime, settings: DetectSettings) -> IncidentRun:
    """Run every incident detector on the aggregates before ``as_of`` and store the incidents."""
    with engine.connect() as connection:
        inputs = read_incident_inputs(connection, as_of, settings)
        known = _open_incidents(connection, as_of, settings)
        new = detect_new_bugs(inputs, settings)
        fresh = {_bug(item) for item in new}
        bursts = detect_spikes(connection, inputs, settings, skip_bugs=fresh, stored=_stored_spikes(known, as_of))
        ids = _assign_ids(new + bursts, known, settings)
        explainers = locate_explainers(connection, _explainers(new + bursts, ids, known, inputs), as_of, settings)
        focused = focus_on_releases(connection, new + bursts, ids, explainers, as_of, settings.release_focus_max_p_value)
        regressions = [with_symptoms(connection, r, as_of) for r in detect_regressions(connection, inputs, settings, explainers)]
    focused, ids, extensions = _symptoms_of_stored(focused, ids, regressions, explainers, known)
    found, took_over = _absorb_symptoms(focused, ids, regressions, explainers, {str(r["incident_id"]) for r in known})
    ids = _continue_symptoms(found, _assign_ids(found, known, settings), took_over, known)
    merged = _merge_same_incident(found, ids)
    promoted = {row["incident_id"] for row in known if row["kind"] != "release_regression"} & set(took_over.values())
    by_kind: dict[str, int] = {}
    with engine.begin() as connection:
        for incident_id, item in merged.items():
            if incident_id in promoted and item.finding.kind == "release_regression":
                _promote(connection, incident_id, item)
            _write_incident(connection, incident_id, item, inputs, as_of)
            by_kind[item.finding.kind] = by_kind.get(item.finding.kind, 0) + 1
        for incident_id, item in extensions:
            _extend_customers(connection, incident_id, item)
    customers = sum(len(item.affected) for item in merged.values())
    log.info("incidents as of %s: %s", as_of, by_kind or "none")
    return IncidentRun(by_kind, customers, int(inputs.hourly["event_count"].sum()) if not inputs.hourly.empty else 0)


def _stored_spikes(known: list[dict], as_of: datetime) -> dict[str, list[tuple[pd.Timestamp, pd.Timestamp]]]:
    """Per bug, each stored spike's alert hour and end (``detect_spikes``; an ongoing one ends at ``as_of``)."""
    held: dict[str, list[tuple[pd.Timestamp, pd.Timestamp]]] = {}
    for row in known:
        if row["kind"] not in ("spike", "level_shift") or row.get("evidence_at") is None:
            continue
        evidence = json.loads(row["evidence"]) if isinstance(row.get("evidence"), str) else (row.get("evidence") or {})
        ended = evidence.get("ended_at")
        alert = pd.Timestamp(row["evidence_at"]) - pd.Timedelta(hours=1)
        held.setdefault(bug_of_row(row), []).append((alert, pd.Timestamp(ended) if ended else pd.Timestamp(as_of)))
    return held


def _bug(item: Found) -> str:
    f = item.finding
    return bug_of_row({"name": f.name, "error_code": f.error_code, "feature": f.feature, "message_pattern": item.message_pattern})


def _open_incidents(connection: Connection, as_of: datetime, settings: DetectSettings) -> list[dict]:
    since = as_of - timedelta(days=settings.series_history_days)
    return [dict(row) for row in connection.execute(statement("select_open_incidents"), {"since": since}).mappings()]


def _assign_ids(found: list[Found], known: list[dict], settings: DetectSettings) -> list[str]:
    """Each finding's incident id: the incident it continues (stored, or found earlier in this run), else its own key."""
    candidates = [
        (incident_subject(r["kind"], r["name"], r["error_code"], r["feature"], r["message_pattern"], r["platform"],
                          r["app_version"]), pd.Timestamp(r["started_at"]), str(r["incident_id"]))
        for r in known
    ]
    ids = []
    for item in sorted(found, key=lambda i: (i.finding.started_at, i.finding.incident_key())):
        start = item.finding.started_at.tz_convert(None)
        same = [
            (abs((start - started).total_seconds()), started, incident_id)
            for subject, started, incident_id in candidates
            if subject == item.subject and abs((start - started).total_seconds()) <= settings.incident_merge_hours * 3600
        ]
        incident_id = min(same)[2] if same else item.finding.incident_key()
        candidates.append((item.subject, start, incident_id))
        ids.append((id(item), incident_id))
    by_object = dict(ids)
    return [by_object[id(item)] for item in found]


def _merge_same_incident(found: list[Found], ids: list[str]) -> dict[str, Found]:
    """One finding per incident id: the earliest, with the customers of all its findings in this run."""
    merged: dict[str, Found] = {}
    for item, incident_id in sorted(zip(found, ids, strict=True), key=lambda pair: pair[0].finding.started_at):
        if incident_id not in merged:
            merged[incident_id] = item
            continue
        first = merged[incident_id]
        customers = pd.concat([with_audience(first.affected), with_audience(item.affected)], ignore_index=True)
        customers = customers.groupby("customer_id", as_index=False).agg(
            first_exposed_at=("first_exposed_at", "min"), event_count=("event_count", "max"),
            in_audience=("in_audience", "max"),
        )
        signatures = tuple(dict.fromkeys(first.signatures + item.signatures))
        merged[incident_id] = Found(first.finding, customers, signatures, first.message_pattern)
    return merged


def _releases(explainers: list[Explainer]) -> dict[str, tuple[str, str]]:
    """Incident id -> the release holding most of its events, for the incidents that have one."""
    return {e.label: e.release for e in explainers if e.release is not None}


def _absorb_symptoms(
    found: list[Found], ids: list[str], regressions: list[Found], explainers: list[Explainer], stored: set[str]
) -> tuple[list[Found], dict[int, str]]:
    """This run's findings, with those that fall on a flagged release folded into its regression; and, per
    regression (by ``id()`` of its returned object), the stored incident it continues: the earliest
    symptom an earlier run already reported (and may have emailed about).

    A bad build's crashes are also a spike (or a new signature) of the crash signature; reported apart
    they would be two incidents, and two campaigns, for one broken release. When the spike came first,
    the regression carries on as that incident, so its campaign's approval holds for the follow-ups.
    """
    on_release = _releases(explainers)
    flagged = {release_of(r): r for r in regressions}
    symptoms: dict[int, list[tuple[Found, str]]] = {}
    kept = []
    for item, incident_id in zip(found, ids, strict=True):
        release = on_release.get(incident_id)
        regression = flagged.get(release) if release else None
        if regression is None:
            kept.append(item)
            continue
        symptoms.setdefault(id(regression), []).append((item, incident_id))
        log.info("%s %s (%s) is a symptom of the %s regression", item.finding.kind, item.finding.error_code,
                 incident_id, release_of(regression))
    took_over: dict[int, str] = {}
    for regression in regressions:
        mine = sorted(symptoms.get(id(regression), []), key=lambda pair: (pair[0].finding.started_at, pair[1]))
        if mine:
            told = dataclasses.replace(regression.finding, evidence={
                **regression.finding.evidence,
                "symptoms": [{"kind": s.finding.kind, "error_code": s.finding.error_code, "signature_ids": list(s.signatures),
                              "started_at": s.finding.started_at.isoformat()} for s, _ in mine],
            })
            regression = Found(told, regression.affected, regression.signatures, regression.message_pattern)
            earlier = [incident_id for _, incident_id in mine if incident_id in stored]
            if earlier:
                took_over[id(regression)] = earlier[0]
        kept.append(regression)
    return kept, took_over


def _symptoms_of_stored(
    found: list[Found], ids: list[str], regressions: list[Found], explainers: list[Explainer], known: list[dict]
) -> tuple[list[Found], list[str], list[tuple[str, Found]]]:
    """``found`` and ``ids`` without the new findings that fall on the release of a stored regression this run
    did not find again, and those findings paired with that regression's id: they add customers to it.

    The release test's chance moves about its bound as a day's counts come in, so a regression flagged at
    14:00 may not be flagged at 16:00, when its crash signature reaches its third customer and is found as
    new. Stored apart, that crash was a second incident, campaign and approval for one bad build (a sparse
    world replayed hourly from its second day). A finding that continues a stored incident of its own stays.
    """
    on_release = _releases(explainers)
    refound = {release_of(r) for r in regressions}
    stored = {str(r["incident_id"]) for r in known}
    regression_of: dict[tuple[str, str], str] = {}
    for row in sorted(known, key=lambda r: (str(r["started_at"]), str(r["incident_id"]))):
        if row["kind"] == "release_regression":
            regression_of.setdefault(release_key(row["platform"], row["app_version"]), str(row["incident_id"]))
    kept: list[Found] = []
    kept_ids: list[str] = []
    extensions: list[tuple[str, Found]] = []
    for item, incident_id in zip(found, ids, strict=True):
        release = on_release.get(incident_id)
        if release in regression_of and release not in refound and incident_id not in stored:
            log.info("%s %s is a symptom of the stored %s regression %s", item.finding.kind, item.finding.error_code,
                     release, regression_of[release])
            extensions.append((regression_of[release], item))
            continue
        kept.append(item)
        kept_ids.append(incident_id)
    return kept, kept_ids, extensions


def _extend_customers(connection: Connection, incident_id: str, item: Found) -> None:
    """Add the customers of a symptom that ``incident_id`` does not hold yet; nothing else about it changes."""
    held = {str(c) for c in connection.execute(statement("select_incident_customer_ids"), {"incident_id": incident_id}).scalars()}
    rows = [
        {"incident_id": incident_id, "customer_id": str(row.customer_id), "first_exposed_at": _naive(row.first_exposed_at),
         "event_count": int(row.event_count), "in_audience": bool(row.in_audience)}
        for row in with_audience(item.affected).itertuples(index=False)
        if str(row.customer_id) not in held
    ]
    if rows:
        connection.execute(statement("insert_incident_customer"), rows)
        connection.execute(statement("update_incident_customer_count"), {"incident_id": incident_id})


def _continue_symptoms(found: list[Found], ids: list[str], took_over: dict[int, str], known: list[dict]) -> list[str]:
    """``ids`` with each regression that continues no stored regression taking the id of its stored symptom."""
    regressions = {str(r["incident_id"]) for r in known if r["kind"] == "release_regression"}
    return [
        took_over[id(item)] if id(item) in took_over and incident_id not in regressions else incident_id
        for item, incident_id in zip(found, ids, strict=True)
    ]


def _promote(connection: Connection, incident_id: str, item: Found) -> None:
    """Make a stored spike or new signature the release regression it turned out to be a symptom of."""
    f = item.finding
    log.info("incident %s is the %s %s regression it was a symptom of", incident_id, f.platform, f.app_version)
    connection.execute(statement("update_incident_subject"), {
        "incident_id": incident_id, "kind": f.kind, "signature_id": f.signature_id, "name": f.name,
        "error_code": f.error_code, "feature": f.feature, "platform": f.platform, "app_version": f.app_version,
        "message_pattern": item.message_pattern,
    })


def _explainers(found: list[Found], ids: list[str], known: list[dict], inputs: IncidentInputs) -> list[Explainer]:
    """Non-regression incidents of this run and stored open ones, each with all signatures of its bug."""
    bug_of = bug_of_signatures(inputs.catalog)
    explainers: dict[str, Explainer] = {}
    for item, incident_id in zip(found, ids, strict=True):
        if item.finding.kind in EXPLAINING_KINDS:
            signatures = tuple(sorted(set(item.signatures) | set(bug_of.index[bug_of == _bug(item)])))
            explainers[incident_id] = Explainer(incident_id, signatures, item.finding.started_at.tz_convert(None).to_pydatetime())
    for row in known:
        if row["kind"] in EXPLAINING_KINDS and row["incident_id"] not in explainers:
            signatures = tuple(sorted(bug_of.index[bug_of == bug_of_row(row)]))
            if signatures:
                explainers[row["incident_id"]] = Explainer(row["incident_id"], signatures, pd.Timestamp(row["started_at"]).to_pydatetime())
    return list(explainers.values())


def _write_incident(connection: Connection, incident_id: str, item: Found, inputs: IncidentInputs, as_of: datetime) -> None:
    finding, affected = item.finding, item.affected
    times = incident_times(finding, as_of)
    at_risk = mrr_at_risk(inputs.mrr.reindex(affected["customer_id"])) if not affected.empty else None
    growth = float(finding.evidence.get("rate_ratio") or 1.0)
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
            "message_pattern": item.message_pattern,
            "started_at": times.started_at,
            "evidence_at": times.evidence_at,
            "detected_at": times.detected_at,
            "customer_count": len(affected),
            "event_count": int(affected["event_count"].sum()) if not affected.empty else finding.event_count,
            "mrr_at_risk": at_risk,
            "severity": score_severity(len(affected), at_risk or 0.0, growth),
            "evidence": json.dumps(finding.evidence, default=str, sort_keys=True),
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
                    "first_exposed_at": _naive(row.first_exposed_at),
                    "event_count": int(row.event_count),
                    "in_audience": bool(row.in_audience),
                }
                for row in with_audience(affected).itertuples(index=False)
            ],
        )


def _naive(value: object) -> datetime:
    stamp = pd.Timestamp(value)
    return (stamp.tz_convert(None) if stamp.tzinfo else stamp).to_pydatetime()
