"""Score a replay against the truth of a simulated world.

A found incident matches an injected one by a kind-agnostic signature: the same error code, or (for a
release) the same platform and version, or, where the events carry no error code (it is optional), a
message that says what the injected error's message says; and a start within ``MATCH_TOLERANCE`` of the
true incident's life. Each injected incident is then judged on detection delay, affected-customer recall and precision,
and whether it is linked to the pain point that holds most of its true tickets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from detectors.incidents import canonical_version
from detectors.signatures import normalize_message
from pipeline.backtest.replay import Replay
from pipeline.backtest.truth import TrueIncident, Truth

MATCH_TOLERANCE = timedelta(hours=48)
# Kinds that describe the same thing: a burst that stays up is a level shift, which is a fair answer to a spike.
EQUIVALENT_KINDS = {
    "spike": {"spike", "level_shift"},
    "level_shift": {"level_shift", "spike"},
    "new_signature": {"new_signature"},
    "release_regression": {"release_regression"},
}


@dataclass(frozen=True)
class FinalState:
    """The warehouse at the end of the replay: tickets with their pain point, and incident customers."""

    as_of: datetime
    tickets: pd.DataFrame  # ticket_id, customer_id, created_at, pain_point_id
    incident_customers: pd.DataFrame  # incident_id, customer_id, first_exposed_at


def matches(found: dict, true: TrueIncident) -> bool:
    """Whether a found incident (a row of ``incidents``) is about the injected incident ``true``."""
    same_code = bool(found.get("error_code")) and _norm(found["error_code"]) == _norm(true.error_code)
    same_release = (
        bool(found.get("app_version"))
        and bool(true.app_version)
        and _norm(found.get("platform")) == _norm(true.platform)
        and canonical_version(found["app_version"]) == canonical_version(true.app_version)
    )
    same_message = not found.get("error_code") and _says_the_message(found.get("message_pattern"), true.message)
    started = pd.Timestamp(found["started_at"]).to_pydatetime()
    end = true.ended_at or true.started_at
    in_time = true.started_at - MATCH_TOLERANCE <= started <= end + MATCH_TOLERANCE
    return (same_code or same_release or same_message) and in_time


def _says_the_message(pattern: object, message: str | None) -> bool:
    """Whether a signature's message pattern holds the whole of the injected error's message (a pipeline
    may prefix it with a code or a logger's name: "E-SEARCH-TIMEOUT: Search took longer than 10 s")."""
    wanted = normalize_message(message) if message else ""
    return bool(wanted) and bool(pattern) and wanted in str(pattern)


def score(replay: Replay, truth: Truth, final: FinalState) -> dict[str, object]:
    """Score every injected incident, list false incidents, and judge pain points and outreach."""
    tickets = final.tickets.merge(truth.tickets, on="ticket_id", how="left")
    matched = {t.incident_id: [i for i, row in replay.incidents.items() if matches(row, t)] for t in truth.incidents}
    explained = {i for ids in matched.values() for i in ids}
    incidents = [_score_incident(t, matched[t.incident_id], replay, tickets, final) for t in truth.incidents]
    false = [_describe(i, row) for i, row in sorted(replay.incidents.items()) if i not in explained]
    return {
        "summary": {
            "injected": len(incidents),
            "found": sum(1 for i in incidents if i["found"]),
            "kind_ok": sum(1 for i in incidents if i["kind_ok"]),
            "linked_to_right_pain_point": sum(1 for i in incidents if i["linked"]),
            "false_incidents": len(false),
            "reached_before_writing": sum(i["reached_before_writing"] for i in incidents),
            "writers": sum(i["writers"] for i in incidents),
        },
        "incidents": incidents,
        "false_incidents": false,
        "pain_points": _pain_point_quality(tickets),
        "outreach": _outreach(replay, truth, matched),
    }


def _score_incident(
    true: TrueIncident, ids: list[str], replay: Replay, tickets: pd.DataFrame, final: FinalState
) -> dict[str, object]:
    rows = [replay.incidents[i] for i in ids]
    found_customers = set(final.incident_customers.loc[final.incident_customers["incident_id"].isin(ids), "customer_id"])
    hit = found_customers & true.affected
    detected = min((pd.Timestamp(r["detected_at"]).to_pydatetime() for r in rows), default=None)
    reported = min((r["first_as_of"] for r in rows), default=None)
    own = tickets[tickets["incident_id"] == true.incident_id]
    assigned = own["pain_point_id"].dropna()
    right = assigned.mode().sort_values().iat[0] if not assigned.empty else None
    links = {pair: link for pair, link in replay.links.items() if pair[1] in ids}
    right_links = [link for (pp, _), link in links.items() if pp == right]
    linked_first = min((link["first_as_of"] for link in right_links), default=None)
    writers, reached_before = _writers_reached(true, ids, replay, own)
    return {
        "incident_id": true.incident_id,
        "kind": true.kind,
        "subject": _subject(true),
        "started_at": true.started_at.isoformat(),
        "found": bool(ids),
        "matched": [{"incident_id": i, "kind": r["kind"], "platform": r["platform"], "app_version": r["app_version"],
                     "first_as_of": r["first_as_of"].isoformat()} for i, r in zip(ids, rows, strict=True)],
        "kind_ok": any(r["kind"] in EQUIVALENT_KINDS.get(true.kind, {true.kind}) for r in rows),
        "detected_at": detected.isoformat() if detected else None,
        "first_reported_as_of": reported.isoformat() if reported else None,
        "delay_detected_hours": _hours(detected - true.started_at) if detected else None,
        "delay_reported_hours": _hours(reported - true.started_at) if reported else None,
        "true_customers": len(true.affected),
        "found_customers": len(found_customers),
        "recall": round(len(hit) / len(true.affected), 3) if true.affected else None,
        "precision": round(len(hit) / len(found_customers), 3) if found_customers else None,
        "tickets": len(own),
        "right_pain_point": right,
        "right_pain_point_label": (replay.pain_points.get(right) or {}).get("label") if right else None,
        "right_pain_point_share": round(float((assigned == right).sum()) / len(own), 3) if right else 0.0,
        "linked": any(link["last_as_of"] == final.as_of for link in right_links),
        "linked_first_as_of": linked_first.isoformat() if linked_first else None,
        "other_links": sorted({pp for pp, _ in links if pp != right}),
        "writers": writers,
        "reached_before_writing": reached_before,
    }


def _writers_reached(true: TrueIncident, ids: list[str], replay: Replay, own: pd.DataFrame) -> tuple[int, int]:
    """Affected customers who wrote about it, and how many of them an email would have reached first."""
    first_ticket = own.dropna(subset=["created_at"]).groupby("customer_id")["created_at"].min()
    first_ticket = first_ticket[first_ticket.index.isin(true.affected)]
    reached = 0
    for customer, wrote_at in first_ticket.items():
        emailed = [replay.reached[(i, customer)] for i in ids if (i, customer) in replay.reached]
        if emailed and min(emailed) < pd.Timestamp(wrote_at).to_pydatetime():
            reached += 1
    return len(first_ticket), reached


def _outreach(replay: Replay, truth: Truth, matched: dict[str, list[str]]) -> dict[str, int]:
    """Who would have been emailed at all, and how many of them were truly affected by that incident."""
    emailed = {customer for _, customer in replay.reached}
    truly = set()
    for true in truth.incidents:
        truly |= {c for i, c in replay.reached if i in matched[true.incident_id] and c in true.affected}
    return {"emailed_customers": len(emailed), "emailed_truly_affected": len(truly), "emailed_other": len(emailed - truly)}


def _pain_point_quality(tickets: pd.DataFrame) -> dict[str, object]:
    """NMI and ARI of the assigned tickets against their true pain points, and the unassigned share."""
    known = tickets[tickets["pain_point"].notna()]
    assigned = known[known["pain_point_id"].notna()]
    if assigned.empty:
        return {"tickets": len(known), "assigned": 0, "unassigned_share": 1.0 if len(known) else None,
                "nmi": None, "ari": None, "pain_points": 0}
    return {
        "tickets": len(known),
        "assigned": len(assigned),
        "unassigned_share": round(1 - len(assigned) / len(known), 3),
        "nmi": round(float(normalized_mutual_info_score(assigned["pain_point"], assigned["pain_point_id"])), 3),
        "ari": round(float(adjusted_rand_score(assigned["pain_point"], assigned["pain_point_id"])), 3),
        "pain_points": int(assigned["pain_point_id"].nunique()),
        "true_pain_points": int(known["pain_point"].nunique()),
    }


def _describe(incident_id: str, row: dict) -> dict[str, object]:
    return {
        "incident_id": incident_id,
        "kind": row["kind"],
        "error_code": row["error_code"],
        "platform": row["platform"],
        "app_version": row["app_version"],
        "started_at": pd.Timestamp(row["started_at"]).isoformat(),
        "customers": int(row["customer_count"]),
        "first_as_of": row["first_as_of"].isoformat(),
    }


def _subject(true: TrueIncident) -> str:
    if true.kind == "release_regression" and true.app_version:
        return f"{true.platform} {true.app_version} ({true.error_code})"
    return true.error_code or true.name or "?"


def _norm(value: object) -> str:
    return "" if value is None else str(value).strip().lower()


def _hours(delta: timedelta) -> float:
    return round(delta.total_seconds() / 3600, 1) + 0.0  # + 0.0: no "-0.0" for a detection in the first hour
