"""Read what the detect stage found: incidents, their strongest pain-point link, example tickets."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from sql import expanding_texts, statement

EXAMPLE_TICKETS = 3
EXAMPLE_BODY_CHARS = 300


@dataclass(frozen=True)
class Incident:
    """One incident row, as a campaign needs it."""

    incident_id: str
    kind: str
    signature_id: str | None
    name: str | None
    error_code: str | None
    feature: str | None
    platform: str | None
    app_version: str | None
    started_at: datetime
    detected_at: datetime
    customer_count: int
    severity: float | None
    mrr_at_risk: float | None
    # A release regression's symptoms (the signatures its version errs on): their codes and features
    # take part in workaround matching beside the incident's own.
    symptom_error_codes: tuple[str, ...] = ()
    symptom_features: tuple[str, ...] = ()
    # What its events say (the signature's message pattern; a regression's symptoms' too): before any
    # ticket arrives, these words are all a workaround keyed by keywords can be matched on.
    message_pattern: str | None = None
    symptom_messages: tuple[str, ...] = ()

    def event_words(self) -> str:
        """The incident as its events describe it: name, codes, features, platform, version, messages."""
        parts = [self.name, self.error_code, self.feature, self.platform, self.app_version, self.message_pattern,
                 *self.symptom_error_codes, *self.symptom_features, *self.symptom_messages]
        return " ".join(dict.fromkeys(p for p in parts if p))


@dataclass(frozen=True)
class PainPointLink:
    """The pain point most strongly linked to an incident."""

    pain_point_id: str
    label: str | None
    lift: float | None
    p_value: float | None
    strength: float | None


@dataclass(frozen=True)
class ExampleTicket:
    """A redacted ticket shown as evidence (never the raw text)."""

    ticket_id: str
    created_at: datetime
    subject: str | None
    body: str | None


def read_incidents(conn: Connection, *, as_of: datetime, lookback_days: int) -> list[Incident]:
    """Open incidents detected by ``as_of`` that are recent or still gaining customers, most severe first."""
    rows = conn.execute(
        statement("campaign_select_incidents", conn.dialect.name),
        {"as_of": as_of, "since": as_of - timedelta(days=lookback_days)},
    ).all()
    messages = _signature_messages(conn, [s for row in rows for s in _symptom_ids(row.evidence)])
    return [
        Incident(
            incident_id=row.incident_id,
            kind=row.kind,
            signature_id=row.signature_id,
            name=row.name,
            error_code=row.error_code,
            feature=row.feature,
            platform=row.platform,
            app_version=row.app_version,
            started_at=row.started_at,
            detected_at=row.detected_at,
            customer_count=int(row.customer_count or 0),
            severity=row.severity,
            mrr_at_risk=row.mrr_at_risk,
            **_symptoms(row.evidence),
            message_pattern=row.message_pattern,
            symptom_messages=tuple(
                dict.fromkeys(messages[s] for s in _symptom_ids(row.evidence) if messages.get(s))
            ),
        )
        for row in rows
    ]


def _symptom_list(evidence: str | None) -> list[dict]:
    try:
        listed = (json.loads(evidence) if evidence else {}).get("symptom_signatures") or []
    except (ValueError, AttributeError):  # evidence written by hand or by an old version: no symptoms
        listed = []
    return [s for s in listed if isinstance(s, dict)]


def _symptom_ids(evidence: str | None) -> list[str]:
    return [str(s["signature_id"]) for s in _symptom_list(evidence) if s.get("signature_id")]


def _signature_messages(conn: Connection, signature_ids: list[str]) -> dict[str, str]:
    """Message pattern per signature id (none asked: no query)."""
    if not signature_ids:
        return {}
    query = statement("campaign_select_signature_messages", conn.dialect.name).bindparams(
        expanding_texts("signature_ids")
    )
    rows = conn.execute(query, {"signature_ids": sorted(set(signature_ids))})
    return {row.signature_id: row.message_pattern for row in rows if row.message_pattern}


def _symptoms(evidence: str | None) -> dict[str, tuple[str, ...]]:
    """The symptom codes and features a regression's evidence lists (empty for every other kind)."""
    listed = _symptom_list(evidence)
    codes = tuple(dict.fromkeys(str(s["error_code"]) for s in listed if s.get("error_code")))
    features = tuple(dict.fromkeys(str(s["feature"]) for s in listed if s.get("feature")))
    return {"symptom_error_codes": codes, "symptom_features": features}


def read_pain_point_link(conn: Connection, incident_id: str) -> PainPointLink | None:
    """The strongest pain point linked to the incident, or None."""
    row = conn.execute(
        statement("campaign_select_pain_point_link", conn.dialect.name), {"incident_id": incident_id}
    ).first()
    if row is None:
        return None
    return PainPointLink(
        pain_point_id=row.pain_point_id, label=row.label, lift=row.lift, p_value=row.p_value, strength=row.strength
    )


def read_example_tickets(
    conn: Connection, *, pain_point_id: str | None, error_code: str | None, as_of: datetime
) -> list[ExampleTicket]:
    """Up to three newest redacted tickets of the pain point, or mentioning the error code without one."""
    rows = conn.execute(
        statement("campaign_select_example_tickets", conn.dialect.name),
        {
            "pain_point_id": pain_point_id,
            "error_code_pattern": None if pain_point_id else like_pattern(error_code),
            "as_of": as_of,
            "limit": EXAMPLE_TICKETS,
        },
    )
    return [
        ExampleTicket(
            ticket_id=row.ticket_id,
            created_at=row.created_at,
            subject=row.subject_redacted,
            body=_shorten(row.body_redacted),
        )
        for row in rows
    ]


def like_pattern(value: str | None) -> str | None:
    """A lower-case ``LIKE`` pattern that finds ``value`` anywhere, with ``\\`` escapes; None stays None."""
    if not value:
        return None
    escaped = value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _shorten(text: str | None) -> str | None:
    if text is None or len(text) <= EXAMPLE_BODY_CHARS:
        return text
    return text[: EXAMPLE_BODY_CHARS - 1].rstrip() + "…"
