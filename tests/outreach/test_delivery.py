"""The send ledger on SQLite and PostgreSQL: every message at most once, and every stop respected."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import text

from outreach import ledger
from outreach.delivery import (
    CampaignNotFound,
    CampaignNotSendable,
    RetryPolicy,
    send_campaign,
)
from outreach.model import OutreachSettings
from outreach.senders import SenderConfigError
from outreach.senders.local_sendgrid import LocalSendGrid
from outreach.senders.outbox import OutboxSender
from outreach.senders.sendgrid_api import SendGridSender
from outreach.unsubscribe import UnsubscribeSecretMissing
from outreach.webhook import ingest_email_events
from tests.outreach.test_delivery_support import (
    NOW,
    SECRET,
    campaign_status,
    customer_of,
    seed_campaign,
    set_campaign_status,
    statuses,
    write_profile,
)

KEY = "SG.delivery-test-key"
FAST = RetryPolicy(max_attempts=4, base_delay_seconds=0.01, max_delay_seconds=2.0, max_claims=2)
SETTINGS = OutreachSettings()


@pytest.fixture
def sendgrid():
    with LocalSendGrid(api_key=KEY, hang_seconds=2.0) as server:
        yield server


def sg_sender(server, timeout_seconds: float = 2.0) -> SendGridSender:
    return SendGridSender(KEY, host=server.url, timeout_seconds=timeout_seconds, max_concurrency=4)


def send(engine, sender, campaign_id="camp-1", **kwargs):
    kwargs.setdefault("retry", FAST)
    return send_campaign(engine, campaign_id, sender, SETTINGS, SECRET, now=NOW, **kwargs)


class CallbackSender:
    """A real sender (the outbox) that runs a callback after each message it sends, to act mid-campaign."""

    def __init__(self, directory, after_each) -> None:
        self.inner = OutboxSender(directory)
        self.after_each = after_each
        self.count = 0

    def send(self, message):
        result = self.inner.send(message)
        self.count += 1
        self.after_each(self.count)
        return result


def test_every_queued_message_is_sent_once_and_the_holdout_never(warehouse, sendgrid):
    ids = seed_campaign(warehouse, customers=30, holdout=5)
    summary = send(warehouse, sg_sender(sendgrid), batch_size=8)
    assert (summary.sent, summary.failed, summary.unknown, summary.stopped_reason) == (30, 0, 0, None)
    assert sendgrid.message_ids() == Counter({mid: 1 for mid in ids})
    final = statuses(warehouse, "camp-1")
    assert Counter(final.values()) == {"sent": 30, "held_out": 5}
    assert campaign_status(warehouse, "camp-1") == "sent"
    with warehouse.connect() as conn:
        rows = conn.execute(text("SELECT provider_message_id, sent_at, attempts FROM outreach_messages "
                                 "WHERE status = 'sent'")).all()
    accepted = {p["_x_message_id"] for p in sendgrid.received}
    assert {r.provider_message_id for r in rows} == accepted
    assert all(r.sent_at >= NOW and r.attempts == 1 for r in rows)


def test_a_rerun_sends_nothing_again(warehouse, sendgrid):
    seed_campaign(warehouse, customers=12)
    send(warehouse, sg_sender(sendgrid))
    set_campaign_status(warehouse, "camp-1", "sending")  # as if a retried task found it mid-way
    again = send(warehouse, sg_sender(sendgrid))
    assert again.sent == 0 and len(sendgrid.received) == 12


def test_each_customer_gets_their_own_language_and_situation(warehouse, sendgrid, tmp_path):
    seed_campaign(warehouse, customers=6)
    settings = replace(SETTINGS, product_profile=str(write_profile(tmp_path)))
    send_campaign(warehouse, "camp-1", sg_sender(sendgrid), settings, SECRET, now=NOW, retry=FAST)
    by_greeting = Counter(p["content"][0]["value"].split()[0].rstrip(",:") for p in sendgrid.received)
    assert by_greeting == {"Hi": 3, "Hallo": 1, "Bonjour": 1, "Hola": 1}  # en, pt-BR and no locale read English
    assert all("5.2.0" in p["content"][0]["value"] and "E_EXPORT_409" in p["content"][1]["value"]
               for p in sendgrid.received)
    texts = {p["content"][0]["value"].split()[0].rstrip(",:"): p["content"][0]["value"] for p in sendgrid.received}
    assert "Wählen Sie eine Woche" in texts["Hallo"] and "Ihr Acme-Team" in texts["Hallo"]
    assert "Der Export funktioniert nicht" in texts["Hallo"] and "export" not in texts["Hallo"].split("Export")[0]
    with warehouse.connect() as conn:
        rows = conn.execute(text(
            "SELECT c.locale, m.language, m.language_reason FROM outreach_messages m "
            "JOIN customers c ON c.customer_id = m.customer_id WHERE m.campaign_id = 'camp-1'"
        )).all()
    recorded = {row.locale: (row.language, row.language_reason) for row in rows}
    assert recorded["de"] == ("de", "customer's language") and recorded["es"] == ("es", "customer's language")
    assert recorded["pt-BR"] == ("en", "no email templates for the customer's locale 'pt-BR'")


def test_a_missing_product_profile_stops_the_run_before_anything_is_claimed(warehouse, sendgrid, tmp_path):
    from outreach.profile import ProfileError

    ids = seed_campaign(warehouse, customers=3)
    settings = replace(SETTINGS, product_profile=str(tmp_path / "missing.yaml"))
    with pytest.raises(ProfileError, match="missing.yaml"):
        send_campaign(warehouse, "camp-1", sg_sender(sendgrid), settings, SECRET, now=NOW, retry=FAST)
    assert set(statuses(warehouse, "camp-1").values()) == {"queued"} and len(ids) == 3 and not sendgrid.received


def test_rate_limits_and_server_errors_are_retried_without_duplicates(warehouse, sendgrid):
    ids = seed_campaign(warehouse, customers=10)
    sendgrid.script("429", "500", "500", "429")
    summary = send(warehouse, sg_sender(sendgrid))
    assert summary.sent == 10 and summary.failed == 0
    assert sendgrid.message_ids() == Counter({mid: 1 for mid in ids})
    assert sendgrid.requests == 14


def test_a_timeout_is_unknown_and_never_resent(warehouse, sendgrid):
    seed_campaign(warehouse, customers=5)
    sendgrid.script("hang")
    summary = send(warehouse, sg_sender(sendgrid, timeout_seconds=0.3), concurrency=1)
    assert (summary.sent, summary.unknown) == (4, 1)
    unknown = [mid for mid, s in statuses(warehouse, "camp-1").items() if s == "unknown"]
    set_campaign_status(warehouse, "camp-1", "approved")
    send(warehouse, sg_sender(sendgrid))
    assert sendgrid.message_ids()[unknown[0]] == 1  # it reached SendGrid once; no rerun sends it again
    assert statuses(warehouse, "camp-1")[unknown[0]] == "unknown"


def test_a_provider_that_keeps_failing_stops_the_run_and_keeps_messages_for_later(warehouse, sendgrid):
    seed_campaign(warehouse, customers=4)
    sendgrid.default_behaviour = "500"
    first = send(warehouse, sg_sender(sendgrid), concurrency=1)
    assert first.stopped_reason == "provider_unavailable" and first.sent == 0
    assert sendgrid.requests == FAST.max_attempts  # one message tried, the rest not even attempted
    assert set(statuses(warehouse, "camp-1").values()) == {"queued"}  # SendGrid took none: a later run may
    second = send(warehouse, sg_sender(sendgrid), concurrency=1)
    assert second.failed == 4  # after max_claims runs a message is failed for good
    with warehouse.connect() as conn:
        errors = conn.execute(text("SELECT last_error FROM outreach_messages")).scalars().all()
    assert all(e.startswith("gave up after 2 runs") and "(500)" in e for e in errors)
    assert sendgrid.received == []


def test_a_refused_message_fails_with_sendgrids_reason(warehouse, sendgrid):
    seed_campaign(warehouse, customers=3)
    sendgrid.script("400")
    summary = send(warehouse, sg_sender(sendgrid), concurrency=1)
    assert (summary.sent, summary.failed) == (2, 1)
    with warehouse.connect() as conn:
        error = conn.execute(text("SELECT last_error FROM outreach_messages WHERE status = 'failed'")).scalar_one()
    assert "verified Sender Identity" in error


def test_a_wrong_api_key_stops_everything_and_loses_nothing(warehouse, sendgrid):
    seed_campaign(warehouse, customers=6)
    with pytest.raises(SenderConfigError):
        send(warehouse, SendGridSender("SG.wrong", host=sendgrid.url))
    assert set(statuses(warehouse, "camp-1").values()) == {"queued"}
    assert sendgrid.received == []


def test_cancelling_mid_way_stops_before_the_next_batch(warehouse, tmp_path):
    seed_campaign(warehouse, customers=40)

    def cancel_after_three(count):
        if count == 3:
            set_campaign_status(warehouse, "camp-1", "cancelled")

    summary = send(warehouse, CallbackSender(tmp_path, cancel_after_three), batch_size=10)
    assert summary.stopped_reason == "cancelled"
    assert summary.sent == 10  # the batch in flight finishes; no further batch is claimed
    assert Counter(statuses(warehouse, "camp-1").values()) == {"sent": 10, "queued": 30}
    assert campaign_status(warehouse, "camp-1") == "cancelled"


def test_the_kill_switch_sends_nothing(warehouse, sendgrid, monkeypatch):
    seed_campaign(warehouse, customers=5)
    monkeypatch.setenv("FOREWARN_KILL_SWITCH", "1")
    summary = send(warehouse, sg_sender(sendgrid))
    assert summary.stopped_reason == "kill_switch" and sendgrid.requests == 0
    assert set(statuses(warehouse, "camp-1").values()) == {"queued"}


def test_the_kill_switch_mid_batch_gives_back_what_was_not_sent(warehouse, tmp_path, monkeypatch):
    seed_campaign(warehouse, customers=20)

    def engage(count):
        if count == 4:
            monkeypatch.setenv("FOREWARN_KILL_SWITCH", "true")

    sender = CallbackSender(tmp_path, engage)
    summary = send(warehouse, sender, batch_size=10, concurrency=1)
    assert summary.stopped_reason == "kill_switch" and summary.sent == sender.count == 4
    assert Counter(statuses(warehouse, "camp-1").values()) == {"sent": 4, "queued": 16}
    assert len(list(tmp_path.glob("*.eml"))) == 4


def test_never_more_sent_than_the_cap(warehouse, sendgrid):
    seed_campaign(warehouse, customers=12, send_cap=5)
    first = send(warehouse, sg_sender(sendgrid), batch_size=3)
    assert first.sent == 5 and first.stopped_reason == "send_cap_reached"
    second = send(warehouse, sg_sender(sendgrid))
    assert second.sent == 0 and len(sendgrid.received) == 5
    seed_campaign(warehouse, "camp-2", customers=4)
    capped = send_campaign(warehouse, "camp-2", sg_sender(sendgrid), OutreachSettings(send_cap_per_campaign=2),
                           SECRET, now=NOW)
    assert capped.sent == 2


def test_customers_who_unsubscribed_or_opted_out_since_targeting_are_skipped(warehouse, sendgrid):
    ids = seed_campaign(warehouse, customers=6)
    by_id, _ = customer_of(warehouse, ids[0])
    _, email = customer_of(warehouse, ids[1])
    opted_out, _ = customer_of(warehouse, ids[2])
    with warehouse.begin() as conn:
        conn.execute(text("INSERT INTO suppressions (customer_id, reason, email, created_at) "
                          "VALUES (:c, 'unsubscribe', NULL, :t)"), {"c": by_id, "t": NOW})
        conn.execute(text("INSERT INTO suppressions (customer_id, reason, email, created_at) "
                          "VALUES ('email:x', 'bounce', :e, :t)"), {"e": email.upper(), "t": NOW})
        conn.execute(text("UPDATE customers SET email_opt_in = :f WHERE customer_id = :c"), {"f": False, "c": opted_out})
    summary = send(warehouse, sg_sender(sendgrid))
    assert summary.sent == 3 and summary.skipped_by_reason == {"suppressed": 2, "opted_out": 1}
    assert set(sendgrid.message_ids()) == set(ids[3:])
    with warehouse.connect() as conn:
        reasons = dict(conn.execute(text("SELECT message_id, last_error FROM outreach_messages "
                                         "WHERE status = 'failed'")).all())
    assert reasons == {ids[0]: "suppressed", ids[1]: "suppressed", ids[2]: "opted_out"}


def test_customers_who_wrote_to_support_since_they_were_exposed_are_skipped_at_send(warehouse, sendgrid):
    # A campaign built at an older as-of (a replayed or rerun interval) or approved hours later: a customer
    # who has written to support since the incident reached them hears from an agent, not a crossing email.
    # The audience's own rule when it was built; a ticket before their exposure is about something else.
    ids = seed_campaign(warehouse, customers=5)
    wrote, wrote_before, wrote_before_exposed, writes_later = (customer_of(warehouse, i)[0] for i in ids[:4])
    exposed = NOW - timedelta(hours=10)
    with warehouse.begin() as conn:
        conn.execute(text("INSERT INTO incidents (incident_id, kind, started_at, detected_at) "
                          "VALUES ('inc-1', 'spike', :s, :s)"), {"s": NOW - timedelta(days=1)})
        conn.execute(text("UPDATE campaigns SET incident_id = 'inc-1' WHERE campaign_id = 'camp-1'"))
        for customer in (wrote, wrote_before, wrote_before_exposed, writes_later):
            conn.execute(text("INSERT INTO incident_customers (incident_id, customer_id, first_exposed_at, event_count) "
                              "VALUES ('inc-1', :c, :at, 1)"), {"c": customer, "at": exposed})
        for ticket, customer, at in (("t-1", wrote, NOW - timedelta(hours=2)),
                                     ("t-2", wrote_before, NOW - timedelta(days=3)),
                                     ("t-3", wrote_before_exposed, NOW - timedelta(hours=20)),
                                     ("t-4", writes_later, NOW + timedelta(days=1))):
            conn.execute(text("INSERT INTO tickets (ticket_id, customer_id, created_at, loaded_at) "
                              "VALUES (:t, :c, :at, :at)"), {"t": ticket, "c": customer, "at": at})
    summary = send(warehouse, sg_sender(sendgrid))
    assert summary.sent == 4 and summary.skipped_by_reason == {"wrote_in": 1}
    assert set(sendgrid.message_ids()) == set(ids[1:])
    assert statuses(warehouse, "camp-1")[ids[0]] == "failed"


def test_campaigns_that_are_not_approved_or_not_ready_send_nothing(warehouse, sendgrid):
    seed_campaign(warehouse, "pending", customers=2, status="pending_approval")
    assert send(warehouse, sg_sender(sendgrid), "pending").stopped_reason == "pending_approval"
    seed_campaign(warehouse, "draft-wa", customers=2, workaround_status="draft")
    with pytest.raises(CampaignNotSendable, match="only approved workarounds"):
        send(warehouse, sg_sender(sendgrid), "draft-wa")
    with pytest.raises(CampaignNotFound, match="nope"):
        send(warehouse, sg_sender(sendgrid), "nope")
    with pytest.raises(UnsubscribeSecretMissing):
        send_campaign(warehouse, "pending", sg_sender(sendgrid), SETTINGS, "", now=NOW)
    assert sendgrid.requests == 0


def test_reconcile_settles_what_a_dead_run_left_in_sending(warehouse, sendgrid):
    ids = seed_campaign(warehouse, customers=6)
    # A run claims a batch, hands two messages to SendGrid, then dies before recording anything.
    claim = ledger.claim_batch(warehouse, "camp-1", claimed_at=NOW, limit=4, default_cap=100)
    assert len(claim.claimed) == 4
    sender = sg_sender(sendgrid)
    from outreach.delivery import _context  # the same rendering path the run uses
    from outreach.messages import render_message

    campaign = ledger.load_campaign(warehouse, "camp-1")
    rows = {r.message_id: r for r in ledger.load_message_rows(warehouse, claim.claimed)}
    handed = sorted(claim.claimed)[:2]
    for mid in handed:
        sender.send(render_message(_context(rows[mid], campaign), SETTINGS, SECRET))
    ingest_email_events(warehouse, sendgrid.webhook_events("processed"), now=NOW)

    fresh = ledger.reconcile_stale(warehouse, NOW + timedelta(minutes=5), stale_after_minutes=30)
    assert (fresh.sent, fresh.unknown) == (0, 0)  # a live run may still be working on them
    settled = ledger.reconcile_stale(warehouse, NOW + timedelta(hours=1), stale_after_minutes=30)
    assert (settled.sent, settled.unknown) == (2, 2)
    final = statuses(warehouse, "camp-1")
    assert {mid for mid in handed} == {mid for mid, s in final.items() if s == "sent"}
    assert sum(1 for s in final.values() if s == "unknown") == 2

    send(warehouse, sender)  # the rest goes out; nothing reconciled is sent again
    final = statuses(warehouse, "camp-1")
    unknown = {mid for mid, s in final.items() if s == "unknown"}
    assert Counter(final.values()) == {"sent": 4, "unknown": 2}
    assert sendgrid.message_ids() == Counter({mid: 1 for mid in ids if mid not in unknown})


def test_an_unexpected_sender_error_is_unknown_stops_the_run_and_keeps_the_rest(warehouse, tmp_path):
    seed_campaign(warehouse, customers=8)

    def explode(count):
        if count == 3:
            raise RuntimeError("bug in a sender")

    with pytest.raises(RuntimeError, match="bug in a sender"):
        send(warehouse, CallbackSender(tmp_path, explode), batch_size=8, concurrency=1)
    # Two recorded as sent, the third may or may not have gone out, the rest were never tried.
    assert Counter(statuses(warehouse, "camp-1").values()) == {"sent": 2, "unknown": 1, "queued": 5}
