"""Standing approval: a person's yes covers the incident's follow-ups within what they approved, and no more."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine

from outreach.approval import approve, cancel
from outreach.campaigns import build_campaigns
from outreach.model import OutreachSettings
from outreach.workarounds import WorkaroundError, parse_workaround, upsert_workarounds
from tests.outreach.test_audience import T0, World

SETTINGS = OutreachSettings()


@pytest.fixture
def world(warehouse: Engine) -> World:
    """One incident, 20 exposed opted-in customers, an approved workaround."""
    w = World(warehouse)
    w.incident()
    w.pain_point()
    for i in range(20):
        w.customer(f"c{i:02d}")
        w.exposed(f"c{i:02d}")
    w.workaround()
    return w


def _newcomers(world: World, n: int, *, at, prefix: str = "late") -> None:
    for i in range(n):
        cid = f"{prefix}{i:03d}"
        world.customer(cid)
        world.exposed(cid, at=at - timedelta(minutes=30))


def _decisions(world: World) -> list[tuple]:
    return world.rows("SELECT campaign_id, status, approved_by FROM campaigns ORDER BY created_at, campaign_id")


def _approved_by_a_person(world: World) -> int:
    return sum(1 for _, status, by in _decisions(world) if by and ":" not in by)


def test_follow_ups_go_out_under_the_first_approval_and_a_person_is_asked_once(world: World) -> None:
    build_campaigns(world.engine, as_of=T0, settings=SETTINGS)
    approve(world.engine, "cmp-inc1", "lead@support", T0 + timedelta(minutes=20))
    for hour in (1, 2, 3):
        _newcomers(world, 4, at=T0 + timedelta(hours=hour), prefix=f"h{hour}-")
        build_campaigns(world.engine, as_of=T0 + timedelta(hours=hour), settings=SETTINGS)

    decisions = _decisions(world)
    assert [d[0] for d in decisions] == ["cmp-inc1", "cmp-inc1-2", "cmp-inc1-3", "cmp-inc1-4"]
    assert {d[1] for d in decisions[1:]} == {"approved"}
    assert {d[2] for d in decisions[1:]} == {"standing:cmp-inc1"}
    assert _approved_by_a_person(world) == 1
    [(reason,)] = world.rows("SELECT decided_reason FROM campaigns WHERE campaign_id = 'cmp-inc1-2'")
    assert "lead@support" in reason and "same workaround" in reason


def test_a_rerun_of_the_same_hour_adds_nothing(world: World) -> None:
    build_campaigns(world.engine, as_of=T0, settings=SETTINGS)
    approve(world.engine, "cmp-inc1", "lead@support", T0 + timedelta(minutes=20))
    _newcomers(world, 3, at=T0 + timedelta(hours=1))
    build_campaigns(world.engine, as_of=T0 + timedelta(hours=1), settings=SETTINGS)
    before = world.rows("SELECT * FROM campaigns ORDER BY campaign_id"), world.rows(
        "SELECT * FROM outreach_messages ORDER BY message_id")

    build_campaigns(world.engine, as_of=T0 + timedelta(hours=1), settings=SETTINGS)

    assert (world.rows("SELECT * FROM campaigns ORDER BY campaign_id"),
            world.rows("SELECT * FROM outreach_messages ORDER BY message_id")) == before


def test_an_audience_past_the_approved_bound_asks_again(world: World) -> None:
    settings = OutreachSettings(standing_approval_growth=1.5, standing_approval_min_customers=0)
    build_campaigns(world.engine, as_of=T0, settings=settings)
    approve(world.engine, "cmp-inc1", "lead@support", T0 + timedelta(minutes=20))
    [(size, held)] = world.rows("SELECT audience_size, holdout_size FROM campaigns")
    _newcomers(world, size - held, at=T0 + timedelta(hours=1))  # doubles the emailed customers: past 1.5x

    build_campaigns(world.engine, as_of=T0 + timedelta(hours=1), settings=settings)

    assert _decisions(world)[-1][1:] == ("pending_approval", None)


def test_an_expired_approval_asks_again(world: World) -> None:
    settings = OutreachSettings(standing_approval_hours=6)
    build_campaigns(world.engine, as_of=T0, settings=settings)
    approve(world.engine, "cmp-inc1", "lead@support", T0)
    _newcomers(world, 2, at=T0 + timedelta(hours=7))

    build_campaigns(world.engine, as_of=T0 + timedelta(hours=7), settings=settings)

    assert _decisions(world)[-1][1:] == ("pending_approval", None)


def test_an_incident_that_keeps_going_is_not_asked_again_when_the_window_passes(world: World) -> None:
    # The window rolls with the follow-ups it covered: hourly newcomers for longer than the window stay covered.
    settings = OutreachSettings(standing_approval_hours=6)
    build_campaigns(world.engine, as_of=T0, settings=settings)
    approve(world.engine, "cmp-inc1", "lead@support", T0)
    for hour in range(4, 13, 4):
        _newcomers(world, 2, at=T0 + timedelta(hours=hour), prefix=f"h{hour}-")
        build_campaigns(world.engine, as_of=T0 + timedelta(hours=hour), settings=settings)

    decisions = _decisions(world)
    assert len(decisions) == 4
    assert {d[2] for d in decisions[1:]} == {"standing:cmp-inc1"}
    assert _approved_by_a_person(world) == 1


def test_an_edited_workaround_asks_again(world: World) -> None:
    build_campaigns(world.engine, as_of=T0, settings=SETTINGS)
    approve(world.engine, "cmp-inc1", "lead@support", T0)
    world.workaround(title="Sync times out - new steps")  # same id, other content
    _newcomers(world, 2, at=T0 + timedelta(hours=1))

    build_campaigns(world.engine, as_of=T0 + timedelta(hours=1), settings=SETTINGS)

    assert _decisions(world)[-1][1:] == ("pending_approval", None)


def test_a_cancelled_campaign_stops_the_follow_ups(world: World) -> None:
    build_campaigns(world.engine, as_of=T0, settings=SETTINGS)
    approve(world.engine, "cmp-inc1", "lead@support", T0)
    _newcomers(world, 2, at=T0 + timedelta(hours=1))
    build_campaigns(world.engine, as_of=T0 + timedelta(hours=1), settings=SETTINGS)
    cancel(world.engine, "cmp-inc1-2", "lead@support", T0 + timedelta(hours=1, minutes=5))
    _newcomers(world, 2, at=T0 + timedelta(hours=2), prefix="later")

    [summary] = build_campaigns(world.engine, as_of=T0 + timedelta(hours=2), settings=SETTINGS)

    assert (summary.campaign_id, summary.status, summary.action) == ("cmp-inc1-2", "cancelled", "unchanged")
    assert len(_decisions(world)) == 2


def _pre_approved(world: World, bound: int) -> None:
    doc = ("---\nid: wa-sync\ntitle: Sync times out\nstatus: approved\n"
           "applies_to: {error_codes: [E_SYNC_TIMEOUT], keywords: [sync]}\n"
           f"pre_approved: {{max_audience: {bound}}}\n---\n1. Sign out.\n2. Sign in again.\n")
    upsert_workarounds(world.engine, [parse_workaround(doc, source="wa-sync.md")], now=T0)


def test_a_pre_approved_workaround_sends_in_the_run_that_finds_the_incident(world: World) -> None:
    _pre_approved(world, 50)

    [summary] = build_campaigns(world.engine, as_of=T0, settings=SETTINGS)

    assert summary.status == "approved"
    assert _decisions(world) == [("cmp-inc1", "approved", "workaround:wa-sync")]


def test_a_pre_approval_covers_only_its_bound(world: World) -> None:
    _pre_approved(world, 5)

    [summary] = build_campaigns(world.engine, as_of=T0, settings=SETTINGS)

    assert summary.status == "pending_approval"


@pytest.mark.parametrize("value", ["yes", "{max_audience: 0}", "{max_audience: 10, severity: 2}"])
def test_a_malformed_pre_approval_is_refused_with_the_file(value: str) -> None:
    doc = f"---\nid: wa\ntitle: T\nstatus: approved\npre_approved: {value}\n---\n1. Step.\n"
    with pytest.raises(WorkaroundError, match=r"wa\.md: field 'pre_approved'"):
        parse_workaround(doc, source="wa.md")

