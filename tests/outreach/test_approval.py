"""The human gate: approve, reject, cancel (also mid-send) and expiry, with clear errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, text

from outreach.approval import (
    CampaignNotFound,
    InvalidTransition,
    approve,
    cancel,
    expire_pending,
    list_campaigns,
    reject,
    reopen,
    show_campaign,
)
from outreach.campaigns import build_campaigns
from outreach.model import OutreachSettings
from tests.outreach.test_audience import T0, World


@pytest.fixture
def world(warehouse: Engine) -> World:
    """A pending campaign cmp-inc1 (20 recipients) and a needs_workaround campaign cmp-inc2."""
    w = World(warehouse)
    w.incident()
    w.incident("inc2", signature_id="sig2", error_code="E_EXPORT", feature="export", severity=0.3, name="Export fails")
    w.pain_point()
    w.workaround()
    for i in range(20):
        w.customer(f"c{i:02d}")
        w.exposed(f"c{i:02d}")
        w.exposed(f"c{i:02d}", incident_id="inc2")
    build_campaigns(warehouse, as_of=T0, settings=OutreachSettings(holdout_share=0.0))
    return w


def _status(world: World, campaign_id: str) -> str:
    return world.rows("SELECT status FROM campaigns WHERE campaign_id = :c", c=campaign_id)[0][0]


def test_approve_records_who_and_when(world: World) -> None:
    row = approve(world.engine, "cmp-inc1", "cli:ana", T0 + timedelta(hours=1))
    assert (row.status, row.approved_by, row.approved_at) == ("approved", "cli:ana", T0 + timedelta(hours=1))
    with pytest.raises(InvalidTransition, match="campaign cmp-inc1 is approved already"):
        approve(world.engine, "cmp-inc1", "cli:bob", T0 + timedelta(hours=2))


@pytest.mark.parametrize(
    ("first", "then", "message"),
    [
        (cancel, approve, "campaign cmp-inc1 is cancelled; it cannot be approved"),
        (reject, approve, "campaign cmp-inc1 is rejected; it cannot be approved"),
        (reject, cancel, "campaign cmp-inc1 is rejected; it cannot be cancelled"),
        (cancel, reject, "campaign cmp-inc1 is cancelled; it cannot be rejected"),
    ],
)
def test_decided_campaigns_refuse_other_decisions(world: World, first, then, message: str) -> None:
    first(world.engine, "cmp-inc1", "cli:ana", T0)
    with pytest.raises(InvalidTransition, match=message):
        then(world.engine, "cmp-inc1", "cli:bob", T0)


def test_needs_workaround_cannot_be_approved_but_can_be_rejected(world: World) -> None:
    with pytest.raises(InvalidTransition, match="campaign cmp-inc2 needs a workaround; it cannot be approved"):
        approve(world.engine, "cmp-inc2", "cli:ana", T0)
    assert reject(world.engine, "cmp-inc2", "cli:ana", T0, reason="known issue, fix ships today").status == "rejected"
    assert "fix ships today" in show_campaign(world.engine, "cmp-inc2").campaign.decided_reason


def test_approval_refuses_a_workaround_that_went_back_to_draft(world: World) -> None:
    world.workaround(status="draft")
    with pytest.raises(InvalidTransition, match="uses workaround 'wa-sync', which is draft now"):
        approve(world.engine, "cmp-inc1", "cli:ana", T0)
    assert _status(world, "cmp-inc1") == "pending_approval"


def test_unknown_campaign_is_a_clear_error(world: World) -> None:
    for action in (approve, reject, cancel):
        with pytest.raises(CampaignNotFound, match="no campaign 'cmp-nope'"):
            action(world.engine, "cmp-nope", "cli:ana", T0)
    with pytest.raises(CampaignNotFound):
        show_campaign(world.engine, "cmp-nope")


def test_pending_campaigns_expire_after_the_timeout_and_never_send(world: World) -> None:
    assert expire_pending(world.engine, T0 + timedelta(hours=47), 48) == []
    assert expire_pending(world.engine, T0 + timedelta(hours=49), 48) == ["cmp-inc1"]
    assert _status(world, "cmp-inc1") == "expired"
    assert _status(world, "cmp-inc2") == "needs_workaround"  # waits for a workaround, not for a person
    with pytest.raises(InvalidTransition, match="is expired .*; it cannot be approved. forewarn campaigns reopen cmp-inc1"):
        approve(world.engine, "cmp-inc1", "cli:ana", T0 + timedelta(hours=50))
    statuses = world.rows("SELECT DISTINCT status FROM outreach_messages WHERE campaign_id = 'cmp-inc1'")
    assert statuses == [("queued",)]


def test_an_expired_campaign_reopened_asks_again_with_todays_audience(world: World) -> None:
    expire_pending(world.engine, T0 + timedelta(hours=49), 48)
    later = T0 + timedelta(hours=60)
    world.ticket("t-c03", "c03", at=later - timedelta(hours=2))  # wrote in while nobody answered

    row = reopen(world.engine, "cmp-inc1", "cli:ana", later)
    assert row.status == "pending_approval"
    assert "reopened by cli:ana" in show_campaign(world.engine, "cmp-inc1").campaign.decided_reason
    assert expire_pending(world.engine, later + timedelta(hours=47), 48) == []  # its clock restarted
    build_campaigns(world.engine, as_of=later, settings=OutreachSettings(holdout_share=0.0))
    queued = {c for (c,) in world.rows("SELECT customer_id FROM outreach_messages WHERE campaign_id = 'cmp-inc1'")}
    assert len(queued) == 19 and "c03" not in queued
    assert approve(world.engine, "cmp-inc1", "cli:ana", later + timedelta(hours=1)).status == "approved"


@pytest.mark.parametrize("first", [None, reject, cancel, approve])
def test_only_an_expired_campaign_can_be_reopened(world: World, first) -> None:
    if first is not None:
        first(world.engine, "cmp-inc1", "cli:ana", T0)
    status = _status(world, "cmp-inc1")
    refusal = "already" if status == "pending_approval" else "it cannot be reopened"
    with pytest.raises(InvalidTransition, match=f"campaign cmp-inc1 is {status}.*{refusal}"):
        reopen(world.engine, "cmp-inc1", "cli:bob", T0 + timedelta(hours=1))
    assert _status(world, "cmp-inc1") == status


def test_cancel_mid_send_keeps_the_remaining_rows_unsent(world: World) -> None:
    approve(world.engine, "cmp-inc1", "cli:ana", T0)
    with world.engine.begin() as conn:  # what delivery does: some rows out, the campaign still sending
        conn.execute(text("UPDATE campaigns SET status = 'sending' WHERE campaign_id = 'cmp-inc1'"))
        conn.execute(text("UPDATE outreach_messages SET status = 'sent', sent_at = :t "
                          "WHERE campaign_id = 'cmp-inc1' AND customer_id < 'c05'"), {"t": T0})

    row = cancel(world.engine, "cmp-inc1", "cli:ana", T0 + timedelta(minutes=5), reason="wrong workaround")

    assert row.status == "cancelled"
    detail = show_campaign(world.engine, "cmp-inc1")
    assert detail.message_counts == {"sent": 5, "queued": 15}
    with pytest.raises(InvalidTransition, match="is cancelled; it cannot be approved"):
        approve(world.engine, "cmp-inc1", "cli:ana", T0 + timedelta(minutes=6))


def test_a_sent_campaign_cannot_be_cancelled(world: World) -> None:
    with world.engine.begin() as conn:
        conn.execute(text("UPDATE campaigns SET status = 'sent' WHERE campaign_id = 'cmp-inc1'"))
    with pytest.raises(InvalidTransition, match="campaign cmp-inc1 is sent; it cannot be cancelled"):
        cancel(world.engine, "cmp-inc1", "cli:ana", T0)


def test_list_and_show_give_what_a_support_lead_needs(world: World) -> None:
    assert [c.campaign_id for c in list_campaigns(world.engine)] == ["cmp-inc1", "cmp-inc2"]
    assert [c.campaign_id for c in list_campaigns(world.engine, status="needs_workaround")] == ["cmp-inc2"]
    detail = show_campaign(world.engine, "cmp-inc1")
    assert detail.campaign.audience_size == 20 and detail.campaign.holdout_size == 0
    assert detail.workaround_title == "Sync times out" and detail.workaround_status == "approved"
    assert detail.evidence["audience"]["affected"] == 20
    assert detail.message_counts == {"queued": 20}
