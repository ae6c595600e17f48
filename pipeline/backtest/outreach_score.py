"""Did the replayed loop reach affected customers before they wrote? Per incident, from the replay's warehouse.

Per found incident: its evidence and detection times, its campaigns, the approvals it asked for, its first
email. Per injected incident (with a truth): reach-before-ticket, emails to customers who had already
written, audience precision and coverage. Definitions (what the README's figures mean):

- *writers*: affected customers who wrote about the incident in the world without any email (the
  source's tickets: written ones plus those an email kept unwritten), first ticket time each;
- *could be emailed*: opted in with an address, and not held out in any of the incident's campaigns;
- *reached first*: a writer who could be emailed and whose first email about it went out before their
  first ticket about it; *reach-before-ticket* = reached first / writers who could be emailed;
- *emailed after writing*: emailed customers whose first ticket about it came before their first email;
- *precision*: emailed customers truly affected / emailed customers;
- *coverage*: emailed / affected customers who could be emailed.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, inspect

from pipeline.backtest.replay import Replay
from pipeline.backtest.scoring import matches
from pipeline.backtest.truth import TrueIncident, Truth
from sql import statement

SENT = ("sent", "unknown")


def evidence_times(engine: Engine) -> dict[str, datetime]:
    """When each incident's evidence first crossed its threshold.

    THE ONE PLACE that decides which column says so: ``incidents.evidence_at`` when the warehouse has it
    (the honest-times revision), else ``detected_at`` (which, before that revision, held the evidence hour).
    """
    columns = {column["name"] for column in inspect(engine).get_columns("incidents")}
    name = "select_backtest_incident_evidence" if "evidence_at" in columns else None
    with engine.connect() as connection:
        if name is None:
            rows = connection.execute(statement("select_backtest_incidents")).mappings().all()
            return {r["incident_id"]: _time(r["detected_at"]) for r in rows if r["detected_at"] is not None}
        rows = connection.execute(statement(name)).mappings().all()
    return {r["incident_id"]: _time(r["evidence_at"]) for r in rows if r["evidence_at"] is not None}


def outreach_report(engine: Engine, replay: Replay, truth: Truth | None = None,
                    unwritten: dict[str, tuple[str, str, datetime]] | None = None) -> dict[str, object]:
    """Per found incident, per injected incident (with ``truth``) and a summary, as JSON-ready values."""
    with engine.connect() as connection:
        messages = [dict(r) for r in connection.execute(statement("select_backtest_messages")).mappings()]
        campaigns = [dict(r) for r in connection.execute(statement("select_backtest_campaigns")).mappings()]
        opted_in = {str(r[0]) for r in connection.execute(statement("select_backtest_opted_in"))}
        tickets = connection.execute(statement("select_backtest_tickets")).all()
    evidence = evidence_times(engine)
    found = [_found(i, row, messages, campaigns, replay, evidence) for i, row in sorted(replay.incidents.items())]
    report: dict[str, object] = {"found_incidents": found, "injected_incidents": None}
    if truth is not None:
        first_ticket = _first_tickets(tickets, truth, unwritten or {})
        injected = [_injected(t, replay, messages, campaigns, opted_in, first_ticket.get(t.incident_id, {}), evidence,
                              unwritten or {}) for t in truth.incidents]
        report["injected_incidents"] = injected
        report["summary"] = _summary(injected, found)
    return report


def _found(incident_id: str, row: dict, messages: list[dict], campaigns: list[dict], replay: Replay,
           evidence: dict[str, datetime]) -> dict[str, object]:
    own = [c for c in campaigns if c["incident_id"] == incident_id]
    sent = [m for m in messages if m["incident_id"] == incident_id and _emailed(m)]
    first_email = min((_time(m["sent_at"]) for m in sent), default=None)
    evidence_at = evidence.get(incident_id)
    detected_at = _time(row["detected_at"]) if row.get("detected_at") is not None else None
    return {
        "incident_id": incident_id,
        "kind": row["kind"],
        "started_at": _iso(_time(row["started_at"])),
        "evidence_at": _iso(evidence_at),
        "detected_at": _iso(detected_at),
        "first_found_as_of": _iso(row["first_as_of"]),
        "first_email_at": _iso(first_email),
        "hours_evidence_to_first_email": _hours(evidence_at, first_email),
        "hours_found_to_first_email": _hours(row["first_as_of"], first_email),
        "campaigns": len(own),
        "campaign_statuses": dict(sorted(_count(c["status"] for c in own).items())),
        "approvals_asked": sum(1 for c in own if c["campaign_id"] in replay.asked),
        "emails_sent": len(sent),
        "held_out": sum(1 for m in messages if m["incident_id"] == incident_id and m["is_holdout"]),
    }


def _injected(true: TrueIncident, replay: Replay, messages: list[dict], campaigns: list[dict], opted_in: set[str],
              first_ticket: dict[str, datetime], evidence: dict[str, datetime],
              unwritten: dict[str, tuple[str, str, datetime]]) -> dict[str, object]:
    ids = sorted(i for i, row in replay.incidents.items() if matches(row, true))
    about = [m for m in messages if m["incident_id"] in ids]
    first_email: dict[str, datetime] = {}
    for m in about:
        if _emailed(m):
            customer, sent = str(m["customer_id"]), _time(m["sent_at"])
            first_email[customer] = min(first_email.get(customer, sent), sent)
    held_out = {str(m["customer_id"]) for m in about if m["is_holdout"]}
    reachable = (true.affected & opted_in) - held_out
    writers = {c for c in first_ticket if c in reachable}
    reached = {c for c in writers if c in first_email and first_email[c] < first_ticket[c]}
    # Writers who wrote before the replay's first run: no run could have told them first.
    began = replay.days[0].as_of if replay.days else None
    too_early = {c for c in writers if began is not None and first_ticket[c] < began}
    emailed = set(first_email)
    after_writing = {c for c in emailed if c in first_ticket and first_ticket[c] < first_email[c]}
    evidence_at = min((evidence[i] for i in ids if i in evidence), default=None)
    detected_at = min((_time(replay.incidents[i]["detected_at"]) for i in ids), default=None)
    first_found = min((replay.incidents[i]["first_as_of"] for i in ids), default=None)
    first = min(first_email.values(), default=None)
    own = [c for c in campaigns if c["incident_id"] in ids]
    return {
        "true_incident_id": true.incident_id,
        "kind": true.kind,
        "subject": true.error_code if true.kind != "release_regression" else f"{true.platform} {true.app_version}",
        "found_as": ids,
        "true_start": _iso(true.started_at),
        "evidence_at": _iso(evidence_at),
        "detected_at": _iso(detected_at),
        "first_found_as_of": _iso(first_found),
        "first_email_at": _iso(first),
        "hours_start_to_first_email": _hours(true.started_at, first),
        "hours_evidence_to_first_email": _hours(evidence_at, first),
        "affected": len(true.affected),
        "affected_could_be_emailed": len(reachable),
        "writers_could_be_emailed": len(writers),
        "reached_before_ticket": len(reached),
        "reach_before_ticket": _share(len(reached), len(writers)),
        "writers_before_first_run": len(too_early),
        "emailed": len(emailed),
        "emailed_truly_affected": len(emailed & true.affected),
        "precision": _share(len(emailed & true.affected), len(emailed)),
        "coverage": _share(len(emailed & reachable), len(reachable)),
        "emailed_after_writing": len(after_writing),
        "approvals_asked": sum(1 for c in own if c["campaign_id"] in replay.asked),
        "campaigns": len(own),
        "tickets_not_written": sum(1 for inc, _, _ in unwritten.values() if inc == true.incident_id),
    }


def _summary(injected: list[dict], found: list[dict]) -> dict[str, object]:
    writers = sum(i["writers_could_be_emailed"] for i in injected)
    reached = sum(i["reached_before_ticket"] for i in injected)
    early = sum(i["writers_before_first_run"] for i in injected)
    emailed = sum(i["emailed"] for i in injected)
    matched = {incident_id for i in injected for incident_id in i["found_as"]}
    false = [f for f in found if f["incident_id"] not in matched]
    lags = [i["hours_evidence_to_first_email"] for i in injected if i["hours_evidence_to_first_email"] is not None]
    return {
        "injected": len(injected),
        "emailed_incidents": sum(1 for i in injected if i["first_email_at"]),
        "writers_could_be_emailed": writers,
        "reached_before_ticket": reached,
        "reach_before_ticket": _share(reached, writers),
        "writers_before_first_run": early,
        "reach_before_ticket_after_first_run": _share(reached, writers - early),
        "median_hours_evidence_to_first_email": round(statistics.median(lags), 1) if lags else None,
        "emailed": emailed,
        "precision": _share(sum(i["emailed_truly_affected"] for i in injected), emailed),
        "emailed_after_writing": sum(i["emailed_after_writing"] for i in injected),
        "max_approvals_asked_per_incident": max((i["approvals_asked"] for i in injected), default=0),
        "tickets_not_written": sum(i["tickets_not_written"] for i in injected),
        # Found incidents that match no injected one: the false alarms, and the emails they sent.
        "false_incidents": len(false),
        "emails_about_false_incidents": sum(int(f["emails_sent"]) for f in false),
    }


def _first_tickets(tickets: list, truth: Truth, unwritten: dict[str, tuple[str, str, datetime]]
                   ) -> dict[str, dict[str, datetime]]:
    """True incident -> customer -> first ticket about it, in the world without email (written + unwritten)."""
    about = dict(zip(truth.tickets["ticket_id"], truth.tickets["incident_id"], strict=True))
    first: dict[str, dict[str, datetime]] = defaultdict(dict)

    def note(incident: str | None, customer: str, at: datetime) -> None:
        if incident:
            known = first[incident].get(customer)
            first[incident][customer] = at if known is None else min(known, at)

    for ticket_id, customer_id, created_at, _ in tickets:
        if created_at is not None:
            note(about.get(ticket_id), str(customer_id), _time(created_at))
    for incident, customer, at in unwritten.values():
        note(incident, customer, at)
    return first


def _emailed(message: dict) -> bool:
    return not message["is_holdout"] and message["status"] in SENT and message["sent_at"] is not None


def _count(values) -> dict[str, int]:  # noqa: ANN001 - any iterable of strings
    counts: dict[str, int] = defaultdict(int)
    for value in values:
        counts[str(value)] += 1
    return counts


def _time(value: object) -> datetime:
    return pd.Timestamp(value).to_pydatetime()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _hours(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 3600, 2) + 0.0


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None
