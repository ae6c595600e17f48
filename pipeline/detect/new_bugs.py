"""New bugs: signatures never seen before, grouped across platforms into one incident per bug.

A new error that breaks every client appears as one new signature per platform. Those that share the
bug (name, code, feature; the pattern when there is no code) and first appear within
``incident_merge_hours`` of each other are one group; the new-signature detector then judges the
group as a whole (distinct customers over all its platforms), so a bug spread thin over five
platforms is found as early as one concentrated on one.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta

import pandas as pd

from detectors.incidents import IncidentFinding, NewSignatureDetector
from pipeline.detect.bugs import bug_of_signatures, describe_bug
from pipeline.detect.found import Found
from pipeline.detect.inputs import IncidentInputs
from pipeline.detect.settings import DetectSettings

log = logging.getLogger(__name__)


def detect_new_bugs(inputs: IncidentInputs, settings: DetectSettings) -> list[Found]:
    """New-signature incidents, one per new bug (group of new signatures), with the union of their customers."""
    detector = NewSignatureDetector(
        min_customers=settings.new_signature_min_customers,
        min_history_hours=settings.new_signature_min_history_hours,
        max_p_value=settings.new_signature_max_p_value,
    )
    if inputs.hourly.empty or inputs.exposures.empty or inputs.history_start is None:
        return []
    members = _new_groups(inputs, detector.min_history_hours, settings.incident_merge_hours)
    if members.empty:
        return []
    group_of = members.set_index("signature_id")["group_id"]
    hourly = inputs.hourly[inputs.hourly["signature_id"].isin(group_of.index)]
    hourly = hourly.assign(signature_id=hourly["signature_id"].map(group_of))
    hourly = hourly.groupby(["hour", "signature_id"], as_index=False)[["event_count", "customer_count"]].sum()
    exposed = inputs.exposures[inputs.exposures["signature_id"].isin(group_of.index)]
    exposed = (
        exposed.assign(signature_id=exposed["signature_id"].map(group_of))
        .groupby(["signature_id", "customer_id"], as_index=False)
        .agg(first_exposed_at=("first_exposed_at", "min"), event_count=("event_count", "sum"))
    )
    first_seen = members.groupby("group_id", as_index=False)["first_hour"].min()
    detector.fit(
        hourly,
        exposed,
        signatures=_group_catalog(members, inputs.catalog),
        first_seen=first_seen.rename(columns={"group_id": "signature_id", "first_hour": "first_seen_at"}),
        history_start=inputs.history_start,
        as_of=inputs.as_of - timedelta(hours=1),
        others=inputs.hourly[~inputs.hourly["signature_id"].isin(group_of.index)],
    )
    horizon = pd.Timestamp(inputs.as_of - timedelta(days=settings.series_history_days), tz="UTC")
    found = []
    for finding in detector.findings_:
        if finding.detected_at < horizon:
            continue
        group = members[members["group_id"] == finding.signature_id]
        found.append(_found(finding, group, detector.affected_, inputs.catalog))
    log.info("new bugs: %s new signatures in %s groups, %s incidents", len(members), group_of.nunique(), len(found))
    return found


def _new_groups(inputs: IncidentInputs, min_history_hours: int, merge_hours: int) -> pd.DataFrame:
    """Signatures first seen after the warm-up, with the group (bug and first hour) each belongs to."""
    first = inputs.exposures.groupby("signature_id", as_index=False)["first_exposed_at"].min()
    first["first_hour"] = first["first_exposed_at"].dt.floor("h")
    earliest_new = pd.Timestamp(inputs.history_start) + pd.Timedelta(hours=min_history_hours)
    first = first[first["first_hour"] >= earliest_new]
    if first.empty:
        return first.assign(bug_id=pd.Series(dtype="str"), group_id=pd.Series(dtype="str"))
    bug_of = bug_of_signatures(inputs.catalog)
    first["bug_id"] = first["signature_id"].map(bug_of).fillna(first["signature_id"])
    first = first.sort_values(["bug_id", "first_exposed_at", "signature_id"], kind="stable")
    groups = []
    for _, rows in first.groupby("bug_id", sort=False):
        start = None
        for hour in rows["first_hour"]:
            if start is None or hour > start + pd.Timedelta(hours=merge_hours):
                start = hour  # too long after the group began: the same bug again is a new incident
            groups.append(f"{rows['bug_id'].iat[0]}@{start:%Y-%m-%dT%H}")
    first = first.assign(group_id=groups).reset_index(drop=True)
    return first[~first["group_id"].isin(_known_before(first, inputs, bug_of))].reset_index(drop=True)


def _known_before(members: pd.DataFrame, inputs: IncidentInputs, bug_of: pd.Series) -> set[str]:
    """Groups whose bug already showed on another signature before the group began: a bug the web client
    has hit all along is not new when it first reaches iOS (seen on a short history, where the iOS
    signatures of a search outage had not shown in two days and its web one had: the spike detector judges it)."""
    seen = inputs.hourly[~inputs.hourly["signature_id"].isin(members["signature_id"])]
    seen_bugs = seen["signature_id"].map(bug_of).fillna(seen["signature_id"])
    earliest = pd.to_datetime(seen["hour"], utc=True).groupby(seen_bugs).min()
    began = members.groupby("group_id").agg(bug_id=("bug_id", "first"), start=("first_hour", "min"))
    known = began["bug_id"].map(earliest)
    start = pd.to_datetime(began["start"], utc=True)
    return set(began.index[known.notna() & (known < start)])


def _group_catalog(members: pd.DataFrame, catalog: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for group_id, group in members.groupby("group_id", sort=True):
        described = describe_bug(catalog, group["signature_id"].tolist())
        rows.append({"signature_id": group_id, **described})
    return pd.DataFrame(rows, columns=["signature_id", "name", "error_code", "feature", "platform", "message_pattern"])


def _found(finding: IncidentFinding, group: pd.DataFrame, affected: pd.DataFrame, catalog: pd.DataFrame) -> Found:
    """The group's finding told in terms of its first signature (the one outreach reads), all signatures kept."""
    signatures = group["signature_id"].tolist()  # sorted by first exposure: the first one started the bug
    described = describe_bug(catalog, signatures)
    platforms = sorted({p for p in catalog.set_index("signature_id").reindex(signatures)["platform"] if isinstance(p, str) and p})
    rows = affected[affected["incident_id"] == finding.incident_key()]
    told = dataclasses.replace(
        finding,
        signature_id=signatures[0],
        platform=described["platform"],
        evidence={**finding.evidence, "signature_ids": signatures, "platforms": platforms},
    )
    return Found(
        told,
        rows[["customer_id", "first_exposed_at", "event_count"]].reset_index(drop=True),
        tuple(signatures),
        described["message_pattern"],
    )
