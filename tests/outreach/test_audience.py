"""Audience selection: each exclusion rule leaves out exactly its customers, and is counted by reason.

``World`` (a tiny warehouse built with SQL inserts) is shared by the other campaign-side tests.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from outreach.audience import select_audience
from outreach.findings import read_incidents
from outreach.model import OutreachSettings
from outreach.workarounds import parse_workaround, upsert_workarounds

T0 = datetime(2026, 3, 1, 12, 0, 0)


class World:
    """Insert just the rows a test needs; every timestamp is naive UTC."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _insert(self, sql: str, **params: object) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(sql), params)

    def customer(self, customer_id: str, *, opt_in: bool = True, email: str | None = "auto", name: str = "Real Person") -> None:
        self._insert(
            "INSERT INTO customers (customer_id, email, name, email_opt_in, created_at, loaded_at) "
            "VALUES (:c, :e, :n, :o, :t, :t)",
            c=customer_id, e=f"{customer_id}@real.example" if email == "auto" else email, n=name, o=opt_in,
            t=T0 - timedelta(days=100),
        )

    def incident(self, incident_id: str = "inc1", *, signature_id: str | None = "sig1", error_code: str | None = "E_SYNC_TIMEOUT",
                 feature: str | None = "sync", platform: str | None = "android", app_version: str | None = "5.2.0",
                 severity: float | None = 0.8, detected_at: datetime = T0, name: str = "Sync timeout on Android",
                 kind: str = "spike") -> None:
        self._insert(
            "INSERT INTO incidents (incident_id, kind, signature_id, name, error_code, feature, platform, app_version, "
            "started_at, detected_at, customer_count, event_count, severity, evidence, status) VALUES "
            "(:i, :k, :s, :n, :e, :f, :p, :v, :st, :d, 0, 0, :sev, '{}', 'open')",
            i=incident_id, k=kind, s=signature_id, n=name, e=error_code, f=feature, p=platform, v=app_version,
            st=detected_at - timedelta(hours=6), d=detected_at, sev=severity,
        )

    def exposed(self, customer_id: str, *, incident_id: str = "inc1", at: datetime = T0 - timedelta(hours=3),
                event: dict | None = None, in_audience: bool | None = None) -> None:
        if in_audience is None:  # as rows written before the column existed: the default holds
            self._insert(
                "INSERT INTO incident_customers (incident_id, customer_id, first_exposed_at, event_count) VALUES (:i, :c, :t, 1)",
                i=incident_id, c=customer_id, t=at,
            )
        else:
            self._insert(
                "INSERT INTO incident_customers (incident_id, customer_id, first_exposed_at, event_count, in_audience) "
                "VALUES (:i, :c, :t, 1, :a)",
                i=incident_id, c=customer_id, t=at, a=in_audience,
            )
        if event is not None:
            self.event(customer_id, at=at, **event)

    def event(self, customer_id: str, *, at: datetime, signature_id: str = "sig1", platform: str = "android",
              app_version: str = "5.2.0", feature: str = "sync", error_code: str = "E_SYNC_TIMEOUT") -> None:
        self._insert(
            "INSERT INTO events (event_id, customer_id, occurred_at, occurred_hour, name, feature, app_version, platform, "
            "error_code, signature_id, loaded_at) VALUES (:id, :c, :t, :t, 'error', :f, :v, :p, :e, :s, :t)",
            id=f"ev-{customer_id}-{at.isoformat()}-{signature_id}", c=customer_id, t=at, f=feature, v=app_version,
            p=platform, e=error_code, s=signature_id,
        )

    def pain_point(self, pain_point_id: str = "pp1", *, label: str = "sync times out", incident_id: str | None = "inc1",
                   lift: float = 4.2, p_value: float = 0.001, strength: float = 0.9) -> None:
        self._insert(
            "INSERT INTO pain_points (pain_point_id, label, status, ticket_count, customer_count) VALUES (:p, :l, 'active', 0, 0)",
            p=pain_point_id, l=label,
        )
        if incident_id:
            self._insert(
                "INSERT INTO pain_point_incidents (pain_point_id, incident_id, lift, p_value, strength) VALUES (:p, :i, :l, :v, :s)",
                p=pain_point_id, i=incident_id, l=lift, v=p_value, s=strength,
            )

    def ticket(self, ticket_id: str, customer_id: str, *, at: datetime, pain_point_id: str | None = None,
               status: str = "solved", subject: str = "help", body: str = "something", csat: int | None = None) -> None:
        self._insert(
            "INSERT INTO tickets (ticket_id, customer_id, created_at, subject, body, subject_redacted, body_redacted, "
            "status, csat, loaded_at) VALUES (:id, :c, :t, :s, :b, :s, :b, :st, :cs, :t)",
            id=ticket_id, c=customer_id, t=at, s=subject, b=body, st=status, cs=csat,
        )
        if pain_point_id:
            self._insert("INSERT INTO ticket_pain_points (ticket_id, pain_point_id) VALUES (:t, :p)", t=ticket_id, p=pain_point_id)

    def suppress(self, customer_id: str, *, email: str | None = None, reason: str = "unsubscribe") -> None:
        self._insert(
            "INSERT INTO suppressions (customer_id, reason, email, created_at) VALUES (:c, :r, :e, :t)",
            c=customer_id, r=reason, e=email, t=T0 - timedelta(days=1),
        )

    def campaign(self, campaign_id: str, *, incident_id: str | None = None, pain_point_id: str | None = None,
                 status: str = "sent") -> None:
        self._insert(
            "INSERT INTO campaigns (campaign_id, incident_id, pain_point_id, status, created_at, audience_size, holdout_size) "
            "VALUES (:c, :i, :p, :s, :t, 0, 0)",
            c=campaign_id, i=incident_id, p=pain_point_id, s=status, t=T0 - timedelta(days=20),
        )

    def message(self, campaign_id: str, customer_id: str, *, status: str = "sent", sent_at: datetime | None = None,
                is_holdout: bool = False) -> None:
        self._insert(
            "INSERT INTO outreach_messages (message_id, campaign_id, customer_id, is_holdout, status, attempts, created_at, sent_at) "
            "VALUES (:m, :c, :u, :h, :s, 1, :t, :sa)",
            m=f"m-{campaign_id}-{customer_id}", c=campaign_id, u=customer_id, h=is_holdout, s=status,
            t=(sent_at or T0) - timedelta(minutes=1), sa=sent_at,
        )

    def workaround(self, workaround_id: str = "wa-sync", *, status: str = "approved", error_codes: tuple[str, ...] = ("E_SYNC_TIMEOUT",),
                   platforms: tuple[str, ...] = (), keywords: tuple[str, ...] = ("sync", "timeout"), title: str = "Sync times out") -> None:
        applies = {"error_codes": list(error_codes), "platforms": list(platforms), "keywords": list(keywords)}
        doc = f"---\nid: {workaround_id}\ntitle: {title}\nstatus: {status}\napplies_to: {json.dumps(applies)}\n---\n1. Sign out.\n2. Sign in again.\n"
        upsert_workarounds(self.engine, [parse_workaround(doc, source=f"{workaround_id}.md")], now=T0)

    def rows(self, sql: str, **params: object) -> list[tuple]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]


@pytest.fixture
def world(warehouse: Engine) -> World:
    return World(warehouse)


def _audience(world: World, settings: OutreachSettings | None = None, campaign_id: str = "cmp-new"):
    with world.engine.connect() as conn:
        [incident] = read_incidents(conn, as_of=T0, lookback_days=14)
        return select_audience(conn, incident, campaign_id=campaign_id, as_of=T0, settings=settings or OutreachSettings())


def test_each_exclusion_rule_leaves_out_exactly_its_customers(world: World) -> None:
    world.incident()
    world.pain_point()
    exposed_at = T0 - timedelta(hours=3)
    for cid in ["ok", "ok_wrote_before_exposure", "ok_other_before_exposure", "ok_cap_expired", "wrote",
                "wrote_before_their_event", "wrote_code", "wrote_other", "open", "optout", "supp", "supp_email",
                "contacted", "capped"]:
        world.customer(cid, opt_in=cid != "optout")
        world.exposed(cid)
    world.exposed("noemail")
    world.customer("noemail", email=None)
    # Exposed at a level the signature's usual traffic explains: counted, never emailed (even having written).
    world.customer("usual")
    world.exposed("usual", in_audience=False)
    world.ticket("t-usual", "usual", at=exposed_at + timedelta(hours=1), pain_point_id="pp1")
    world.customer("usual_quiet")
    world.exposed("usual_quiet", in_audience=False)
    world.customer("ok_in_audience")
    world.exposed("ok_in_audience", in_audience=True)
    world.ticket("t-before", "ok_wrote_before_exposure", at=exposed_at - timedelta(days=2), pain_point_id="pp1")
    world.ticket("t-wrote", "wrote", at=exposed_at + timedelta(hours=1), pain_point_id="pp1")
    # The incident began 6 h before T0: a ticket about it before the customer's own event reached the
    # warehouse is still about it; an unrelated one then is not a conversation about this incident.
    world.ticket("t-early", "wrote_before_their_event", at=exposed_at - timedelta(hours=1), pain_point_id="pp1")
    world.ticket("t-unrelated", "ok_other_before_exposure", at=exposed_at - timedelta(hours=1), subject="invoice")
    world.ticket("t-code", "wrote_code", at=exposed_at + timedelta(hours=1), body="I keep seeing e_sync_timeout")
    world.ticket("t-other", "wrote_other", at=exposed_at + timedelta(hours=2), subject="app keeps closing")
    world.ticket("t-open", "open", at=T0 - timedelta(days=30), status="Open", subject="billing question")
    world.suppress("supp")
    world.customer("other-id")
    world.suppress("other-id", email="SUPP_EMAIL@real.example")
    world.campaign("cmp-old", pain_point_id="pp1", status="sent")
    world.message("cmp-old", "contacted", sent_at=T0 - timedelta(days=30))
    world.campaign("cmp-unrelated", incident_id="inc-other", status="sent")
    world.message("cmp-unrelated", "capped", sent_at=T0 - timedelta(days=2))
    world.campaign("cmp-unrelated-2", incident_id="inc-third", status="sent")
    world.message("cmp-unrelated-2", "capped", sent_at=T0 - timedelta(days=1))  # two a week: the cap
    world.message("cmp-unrelated-2", "ok_cap_expired", sent_at=T0 - timedelta(days=9))
    world.message("cmp-unrelated", "ok_cap_expired", sent_at=T0 - timedelta(days=8))

    audience = _audience(world)

    assert sorted(m.customer_id for m in audience.members) == [
        "ok", "ok_cap_expired", "ok_in_audience", "ok_other_before_exposure", "ok_wrote_before_exposure"]
    assert audience.affected == 18
    assert audience.excluded == {
        "usual_traffic": 2, "wrote_in": 3, "wrote_since_exposed": 1, "open_ticket": 1, "no_email": 1, "opted_out": 1, "suppressed": 2,
        "contacted_before": 1, "frequency_cap": 1, "too_late": 0,
    }
    assert audience.summary() == (
        "18 affected, 2 hit it no more than its usual traffic does, 3 already wrote in, 1 wrote to support since they were affected, 1 have an open ticket, "
        "1 have no email address, 1 opted out, "
        "2 are suppressed, 1 were contacted about it before, 1 hit the frequency cap, 5 eligible"
    )


def test_frequency_cap_is_configurable_and_counts_queued_rows_of_live_campaigns(world: World) -> None:
    world.incident()
    for cid in ["a", "b", "c"]:
        world.customer(cid)
        world.exposed(cid)
    world.campaign("cmp-live", incident_id="inc-x", status="pending_approval")
    world.message("cmp-live", "a", status="queued")
    world.campaign("cmp-dead", incident_id="inc-y", status="rejected")
    world.message("cmp-dead", "b", status="queued")

    one_per_week = _audience(world, OutreachSettings(max_emails_per_frequency_window=1))
    assert sorted(m.customer_id for m in one_per_week.members) == ["b", "c"]
    assert one_per_week.excluded["frequency_cap"] == 1

    # The default allows two a week: a queued row of a live campaign is one of them.
    default = _audience(world)
    assert sorted(m.customer_id for m in default.members) == ["a", "b", "c"]
    world.campaign("cmp-sent", incident_id="inc-z", status="sent")
    world.message("cmp-sent", "a", sent_at=T0 - timedelta(days=1))
    assert sorted(m.customer_id for m in _audience(world).members) == ["b", "c"]


def test_customers_affected_too_long_ago_are_left_out_once_the_incident_is_that_old(world: World) -> None:
    # Detected four days ago: a customer exposed then (held back, e.g. by the frequency cap) is too late now,
    # one exposed 71 hours ago is not.
    world.incident(detected_at=T0 - timedelta(days=4))
    for cid, hours in [("then", 96), ("edge_in", 71), ("edge_out", 73), ("now", 1)]:
        world.customer(cid)
        world.exposed(cid, at=T0 - timedelta(hours=hours))

    audience = _audience(world)
    assert sorted(m.customer_id for m in audience.members) == ["edge_in", "now"]
    assert audience.excluded["too_late"] == 2
    assert "2 were affected too long ago for a proactive email" in audience.summary()

    # Disabled, everyone exposed is eligible again.
    unbounded = _audience(world, OutreachSettings(max_exposure_age_hours=0))
    assert sorted(m.customer_id for m in unbounded.members) == ["edge_in", "edge_out", "now", "then"]


def test_a_freshly_detected_incident_emails_customers_exposed_before_it_was_found(world: World) -> None:
    # A slow incident found only now: its early customers were exposed days ago, and are still told.
    world.incident(detected_at=T0 - timedelta(hours=1))
    world.customer("early")
    world.exposed("early", at=T0 - timedelta(days=5))
    assert [m.customer_id for m in _audience(world).members] == ["early"]


def test_holdout_of_an_earlier_campaign_counts_as_contacted(world: World) -> None:
    world.incident()
    world.customer("held")
    world.exposed("held")
    world.campaign("cmp-first", incident_id="inc1", status="sent")
    world.message("cmp-first", "held", status="held_out", is_holdout=True)

    audience = _audience(world)

    assert audience.members == ()
    assert audience.excluded["contacted_before"] == 1


def test_member_context_comes_from_the_customers_own_latest_event(world: World) -> None:
    world.incident(app_version="5.2.0")
    world.customer("a")
    world.exposed("a", event={"app_version": "5.2.0"})
    world.event("a", at=T0 - timedelta(hours=1), app_version="5.2.1", platform="android")
    world.event("a", at=T0 + timedelta(hours=1), app_version="9.9.9")  # after as-of: not known yet
    world.customer("b")
    world.exposed("b")  # no events kept: the incident's facts fill in

    members = {m.customer_id: m for m in _audience(world).members}

    assert members["a"].app_version == "5.2.1"
    assert members["a"].context()["first_exposed_at"] == (T0 - timedelta(hours=3)).isoformat()
    assert members["b"].app_version == "5.2.0"
    assert members["b"].error_code == "E_SYNC_TIMEOUT"


def test_a_version_is_named_only_when_the_incident_is_about_one(world: World) -> None:
    # A spike of a server-side error on every version: the customer's own version is not the cause, and an
    # email saying "Acme 5.2.1 has had a problem" would tell them it is.
    world.incident(app_version=None, platform=None)
    world.customer("a")
    world.exposed("a", event={"app_version": "5.2.1", "platform": "web"})

    [member] = _audience(world).members

    assert member.app_version is None
    assert member.platform == "web" and member.error_code == "E_SYNC_TIMEOUT"

