"""How answers of the Airflow approval tasks become campaign decisions: only an explicit Approve sends."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, text

from pipeline.outreach_run import approval_requests, record_decisions

NOW = datetime(2026, 1, 22)


def pending_campaign(engine: Engine, campaign_id: str) -> None:
    """A campaign waiting for approval, with an approved workaround (shared with the approval task's tests)."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO workarounds (workaround_id, title, status, applies_to, body_markdown, loaded_at) "
                "VALUES ('wa-1', 'Export another way', 'approved', '{}', '1. Use Excel export.', :now) "
                "ON CONFLICT (workaround_id) DO NOTHING"
            ),
            {"now": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO campaigns (campaign_id, incident_id, workaround_id, status, created_at, audience_size, "
                "holdout_size, send_cap, severity, evidence, preview_subject, preview_text) VALUES (:c, 'inc-1', "
                "'wa-1', 'pending_approval', :now, 20, 2, 100, 55.0, :evidence, 'Sorry about exports', 'Hi Alex,')"
            ),
            {"c": campaign_id, "now": NOW, "evidence": '{"issue_summary": "csv export fails"}'},
        )


def _status(engine: Engine, campaign_id: str) -> tuple[str, str | None]:
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT status, approved_by FROM campaigns WHERE campaign_id = :c"), {"c": campaign_id}
        ).one()
    return row.status, row.approved_by


def test_requests_show_what_a_person_needs_to_decide(warehouse: Engine) -> None:
    pending_campaign(warehouse, "cmp-a")
    [request] = approval_requests(warehouse)
    assert request["campaign_id"] == "cmp-a"
    assert request["subject"] == "Email 18 customers about 'csv export fails'? severity 55"
    assert "csv export fails" in request["body"]
    assert "Export another way" in request["body"]
    assert "Sorry about exports" in request["body"]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ({"chosen_options": ["Approve"], "responded_by_user": {"id": "7", "name": "jane"}}, "approved"),
        ({"chosen_options": ["Reject"], "responded_by_user": {"id": "7", "name": "jane"}}, "rejected"),
        ({"chosen_options": ["Approve"], "timedout": True}, "expired"),
        ({"chosen_options": ["Reject"], "timedout": True, "responded_by_user": None}, "expired"),
        (None, "expired"),
    ],
    ids=["approve", "reject", "timeout-approve-default", "timeout", "no-answer"],
)
def test_only_an_explicit_approval_approves(warehouse: Engine, answer: dict | None, expected: str) -> None:
    pending_campaign(warehouse, "cmp-a")
    requests = approval_requests(warehouse)
    counts = record_decisions(warehouse, requests, [answer] if answer is not None else [], now=NOW)
    status, by = _status(warehouse, "cmp-a")
    assert status == expected
    assert counts[expected] == 1
    if expected == "approved":
        assert by == "airflow:jane"


def test_a_timed_out_approval_can_be_reopened_and_a_rejection_cannot(warehouse: Engine) -> None:
    from outreach.approval import InvalidTransition, reopen

    pending_campaign(warehouse, "cmp-a")
    pending_campaign(warehouse, "cmp-b")
    requests = approval_requests(warehouse)
    answers = {"cmp-a": {"chosen_options": ["Reject"], "timedout": True},
               "cmp-b": {"chosen_options": ["Reject"], "responded_by_user": {"id": "7", "name": "jane"}}}
    record_decisions(warehouse, requests, [answers[r["campaign_id"]] for r in requests], now=NOW)
    assert reopen(warehouse, "cmp-a", "cli:lead", NOW).status == "pending_approval"
    with pytest.raises(InvalidTransition, match="cmp-b is rejected; it cannot be reopened"):
        reopen(warehouse, "cmp-b", "cli:lead", NOW)


def test_a_campaign_decided_meanwhile_from_the_cli_keeps_that_decision(warehouse: Engine) -> None:
    from outreach.approval import cancel

    pending_campaign(warehouse, "cmp-a")
    requests = approval_requests(warehouse)
    cancel(warehouse, "cmp-a", "cli:lead", NOW)
    counts = record_decisions(warehouse, requests, [{"chosen_options": ["Approve"]}], now=NOW)
    assert _status(warehouse, "cmp-a")[0] == "cancelled"
    assert counts["skipped"] == 1
