"""Standing approval: a person's yes covers the incident's follow-ups within what they approved, and no more."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import Engine, text

from outreach.approval import approve, cancel
from outreach.campaigns import build_campaigns
from outreach.holdout import is_held_out
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


def test_a_workaround_that_now_scores_higher_does_not_replace_the_approved_one(world: World) -> None:
    build_campaigns(world.engine, as_of=T0, settings=SETTINGS)
    approve(world.engine, "cmp-inc1", "lead@support", T0)
    # Another approved note for the same code, written for the incident's platform: it scores higher.
    world.workaround("wa-sync-android", platforms=("android",), title="Sync timeout on Android")
    _newcomers(world, 2, at=T0 + timedelta(hours=1))

    build_campaigns(world.engine, as_of=T0 + timedelta(hours=1), settings=SETTINGS)

    assert world.rows("SELECT campaign_id, workaround_id, status, approved_by FROM campaigns ORDER BY created_at") == [
        ("cmp-inc1", "wa-sync", "approved", "lead@support"),
        ("cmp-inc1-2", "wa-sync", "approved", "standing:cmp-inc1"),
    ]


def test_the_approved_workaround_gives_way_once_it_no_longer_fits(world: World) -> None:
    build_campaigns(world.engine, as_of=T0, settings=SETTINGS)
    approve(world.engine, "cmp-inc1", "lead@support", T0)
    world.workaround(error_codes=("E_OTHER",))  # the approved note now names another code: it fits no more
    world.workaround("wa-sync-2", title="Sync times out again")
    _newcomers(world, 2, at=T0 + timedelta(hours=1))

    build_campaigns(world.engine, as_of=T0 + timedelta(hours=1), settings=SETTINGS)

    assert world.rows("SELECT workaround_id, status FROM campaigns WHERE campaign_id = 'cmp-inc1-2'") == [
        ("wa-sync-2", "pending_approval")]


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



def _users_of_the_scope(world: World, n: int, *, feature: str = "sync", platform: str = "android",
                        opt_in: bool = True, prefix: str = "user") -> None:
    """``n`` customers who used the incident's scope yesterday without hitting the problem."""
    for i in range(n):
        cid = f"{prefix}{i:03d}"
        world.customer(cid, opt_in=opt_in)
        world.event(cid, at=T0 - timedelta(days=1), feature=feature, platform=platform, signature_id=None)


def test_the_approver_is_shown_a_bound_from_the_customers_at_risk_and_one_yes_covers_it(world: World) -> None:
    # 20 exposed, 60 more opted-in users of sync on Android 5.2.0 (the scope), 30 users of other things.
    _users_of_the_scope(world, 60)
    _users_of_the_scope(world, 20, feature="export", prefix="other")
    _users_of_the_scope(world, 10, platform="ios", prefix="ios")
    _users_of_the_scope(world, 15, opt_in=False, prefix="optout")
    settings = OutreachSettings(standing_approval_growth=1.5, standing_approval_min_customers=0, holdout_share=0.0)
    build_campaigns(world.engine, as_of=T0, settings=settings)
    [(evidence,)] = world.rows("SELECT evidence FROM campaigns")
    follow_ups = json.loads(evidence)["follow_ups"]
    assert follow_ups["at_risk"] == 60  # the exposed 20 have no events in this world; only the scope's users count
    assert follow_ups["bound"] == 60  # above 1.5 x 20
    assert "used sync on android 5.2.0" in follow_ups["scope"]
    approve(world.engine, "cmp-inc1", "lead@support", T0 + timedelta(minutes=20))

    _newcomers(world, 30, at=T0 + timedelta(hours=1))  # 50 emailed in all: past 1.5 x 20, within 60
    build_campaigns(world.engine, as_of=T0 + timedelta(hours=1), settings=settings)
    assert _decisions(world)[-1][1:] == ("approved", "standing:cmp-inc1")

    _newcomers(world, 11, at=T0 + timedelta(hours=2), prefix="more")  # 61: past what the person was shown
    build_campaigns(world.engine, as_of=T0 + timedelta(hours=2), settings=settings)
    assert _decisions(world)[-1][1:] == ("pending_approval", None)
    assert _approved_by_a_person(world) == 1


def test_a_regression_s_bound_counts_its_platform_whose_customers_the_release_reaches(warehouse: Engine) -> None:
    world = World(warehouse)
    world.incident(kind="release_regression", feature="sync")
    world.pain_point()
    world.customer("c00")
    world.exposed("c00")
    world.workaround()
    _users_of_the_scope(world, 12, feature="export")  # other feature, the regression's version
    for i in range(5):  # still on the version before: the rollout reaches them next
        world.customer(f"old{i}")
        world.event(f"old{i}", at=T0 - timedelta(days=2), app_version="5.1.0", signature_id=None)
    _users_of_the_scope(world, 7, platform="ios", prefix="ios")  # not reached by an Android release
    build_campaigns(world.engine, as_of=T0, settings=OutreachSettings(standing_approval_min_customers=0,
                                                                       holdout_share=0.0))
    [(evidence,)] = world.rows("SELECT evidence FROM campaigns")
    follow_ups = json.loads(evidence)["follow_ups"]
    assert (follow_ups["at_risk"], follow_ups["bound"]) == (17, 17)
    assert follow_ups["scope"] == "used the app on android in the last 7 days"


def test_the_bound_never_passes_the_send_cap(world: World) -> None:
    _users_of_the_scope(world, 60)
    build_campaigns(world.engine, as_of=T0, settings=OutreachSettings(standing_approval_min_customers=0,
                                                                       send_cap_per_campaign=25))
    [(evidence,)] = world.rows("SELECT evidence FROM campaigns")
    assert json.loads(evidence)["follow_ups"]["bound"] == 25


def test_a_campaign_approved_before_bounds_were_shown_keeps_the_growth_bound(world: World) -> None:
    _users_of_the_scope(world, 60)
    settings = OutreachSettings(standing_approval_growth=1.5, standing_approval_min_customers=0, holdout_share=0.0)
    build_campaigns(world.engine, as_of=T0, settings=settings)
    with world.engine.begin() as conn:  # what an older version stored: no follow_ups in the evidence
        [(evidence,)] = conn.execute(text("SELECT evidence FROM campaigns")).all()
        old = {k: v for k, v in json.loads(evidence).items() if k != "follow_ups"}
        conn.execute(text("UPDATE campaigns SET evidence = :e"), {"e": json.dumps(old)})
    approve(world.engine, "cmp-inc1", "lead@support", T0 + timedelta(minutes=20))
    _newcomers(world, 30, at=T0 + timedelta(hours=1))

    build_campaigns(world.engine, as_of=T0 + timedelta(hours=1), settings=settings)

    assert _decisions(world)[-1][1:] == ("pending_approval", None)


def test_a_follow_up_whose_newcomers_are_all_held_out_is_recorded_with_its_holdout(world: World) -> None:
    build_campaigns(world.engine, as_of=T0, settings=SETTINGS)
    approve(world.engine, "cmp-inc1", "lead@support", T0 + timedelta(minutes=20))
    # A newcomer the follow-up's holdout draw holds out, alone in the hour.
    held = next(f"late{i:03d}" for i in range(1000) if is_held_out("cmp-inc1-2", f"late{i:03d}", SETTINGS.holdout_share))
    world.customer(held)
    world.exposed(held, at=T0 + timedelta(minutes=30))

    build_campaigns(world.engine, as_of=T0 + timedelta(hours=1), settings=SETTINGS)

    # Skipped, the customer would be held out of nothing on record, and dropped from the next follow-up once
    # they wrote in: the holdout arm would lose exactly its writers.
    assert world.rows("SELECT customer_id, is_holdout FROM outreach_messages WHERE campaign_id = 'cmp-inc1-2'") == [
        (held, 1)]
    assert world.rows("SELECT status, approved_by FROM campaigns WHERE campaign_id = 'cmp-inc1-2'") == [
        ("approved", "standing:cmp-inc1")]
    # Nobody in it is emailed: an approval for the held-out alone asks nobody and sends nothing.
    assert _approved_by_a_person(world) == 1
