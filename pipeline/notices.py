"""What the owner is told when an incident opens or a campaign waits for approval: pure text, plus the
one read that says which incidents a detect run opened.

The Airflow notifiers (``dags/forewarn_tasks/notifiers.py``) only deliver these notices; they build no
text. A notice carries problem, numbers and a link, never a customer's address or a ticket's body (a
pain point's label is the only ticket-derived text, already redacted).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from outreach.approval_text import shorten
from sql import statement

TITLE_CHARS = 80


@dataclass(frozen=True)
class Notice:
    """One message for a person: a one-line subject, a plain-text body, and the link to act on."""

    subject: str
    text: str
    link: str | None = None


def incident_ids(engine: Engine) -> set[str]:
    """Every incident id now in the warehouse."""
    with engine.connect() as conn:
        return set(conn.execute(statement("incident_select_ids", conn.dialect.name)).scalars())


def opened_incidents(engine: Engine, known: Collection[str]) -> list[dict[str, Any]]:
    """The incidents not in ``known`` (the ids before a run), JSON-ready, oldest start first.

    A rerun of the same as-of opens nothing new, so its owner is not told twice.
    """
    with engine.connect() as conn:
        rows = conn.execute(statement("incident_select_for_notice", conn.dialect.name)).mappings().all()
    return [
        {key: value.isoformat() if isinstance(value, datetime) else value for key, value in row.items()}
        for row in rows
        if row["incident_id"] not in known
    ]


def incident_notice(incident: Mapping[str, Any], link: str | None = None) -> Notice:
    """``Incident opened: new signature E2001 on ios, 41 customers, severity 65``, with its evidence."""
    kind = str(incident.get("kind") or "incident").replace("_", " ")
    what = incident.get("pain_point_label") or incident.get("name") or incident.get("error_code") or kind
    where = ", ".join(
        str(incident[k]) for k in ("error_code", "feature", "platform", "app_version") if incident.get(k)
    )
    customers = int(incident.get("customer_count") or 0)
    subject = (
        f"Incident opened: '{shorten(str(what), TITLE_CHARS)}', {_customers(customers)}, "
        f"{_severity(incident.get('severity'))}"
    )
    lines = [
        f"{kind.capitalize()}{f' ({where})' if where else ''}.",
        f"Customers affected: {customers:,}; error events: {int(incident.get('event_count') or 0):,}.",
        f"Monthly revenue at risk: {float(incident['mrr_at_risk']):,.0f}." if incident.get("mrr_at_risk") else "",
        f"Started: {incident.get('started_at')}; detected: {incident.get('detected_at')}.",
        f"Customers say: '{shorten(str(incident['pain_point_label']), TITLE_CHARS)}'."
        if incident.get("pain_point_label") else "No pain point linked yet.",
        f"Incident id: {incident.get('incident_id')}.",
        "Campaigns for it wait for approval in forewarn_outreach (Required actions)."
        + (f"\n{link}" if link else ""),
    ]
    return Notice(subject=subject, text="\n".join(line for line in lines if line), link=link)


def approval_notice(request: Mapping[str, Any], link: str | None = None) -> Notice:
    """The approval request of ``outreach.approval_text`` as a notice: its subject, the facts, the link."""
    left_out = list(request.get("left_out") or [])
    lines = [
        f"A campaign waits for your approval: {request.get('subject')}",
        f"Problem: {request.get('issue')}",
        f"Customers to email: {int(request.get('customers') or 0):,}; {_severity(request.get('severity'))}.",
        f"Workaround: {request.get('workaround') or 'none'}.",
        "Left out: " + ("; ".join(left_out) if left_out else "nobody") + ".",
        f"Campaign: {request.get('campaign_id')}" + (f"; incident: {request['incident_id']}" if request.get("incident_id") else ""),
        f"Approve or reject: {link}" if link else "Approve or reject in Airflow, Required actions.",
        "No answer in time counts as reject: nothing is sent.",
    ]
    return Notice(subject=str(request.get("subject") or "A campaign waits for approval"), text="\n".join(lines), link=link)


def _customers(count: int) -> str:
    return "1 customer" if count == 1 else f"{count:,} customers"


def _severity(value: Any) -> str:
    return "severity unknown" if value is None else f"severity {float(value):.0f}"
