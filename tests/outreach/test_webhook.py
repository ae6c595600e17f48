"""SendGrid Event Webhook data into email_events, once per event, with suppressions that stop later sends."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from sqlalchemy import text

from outreach.delivery import send_campaign
from outreach.model import OutreachSettings
from outreach.senders.outbox import OutboxSender
from outreach.webhook import EventPayloadError, ingest_email_events, parse_events
from pipeline.cli import main as cli_main
from tests.outreach.test_delivery_support import NOW, SECRET, customer_of, seed_campaign, statuses

TS = 1773133200  # 2026-03-10 09:00:00 UTC


def event(name: str, n: int, ids: list[str], engine, **extra) -> dict:
    customer_id, email = customer_of(engine, ids[n])
    return {"email": email, "timestamp": TS + n, "event": name, "sg_event_id": f"ev-{name}-{n}",
            "sg_message_id": f"sgm{n}.filter0001", "message_id": ids[n], "campaign_id": "camp-1",
            "customer_id": customer_id, **extra}


def suppressions(engine) -> dict[str, set[str]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT customer_id, reason FROM suppressions")).all()
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row.customer_id, set()).add(row.reason)
    return found


def test_events_are_stored_with_their_message_and_the_whole_raw_event(warehouse):
    ids = seed_campaign(warehouse, customers=3)
    payload = [event("delivered", 0, ids, warehouse, response="250 OK", unknown_field={"kept": True}),
               event("open", 1, ids, warehouse, sg_machine_open=False)]
    counts = ingest_email_events(warehouse, json.dumps(payload).encode(), now=NOW)
    assert (counts.received, counts.inserted, counts.duplicates) == (2, 2, 0)
    with warehouse.connect() as conn:
        rows = conn.execute(text("SELECT * FROM email_events ORDER BY occurred_at")).mappings().all()
    assert [r["event"] for r in rows] == ["delivered", "open"]
    assert rows[0]["message_id"] == ids[0] and rows[0]["campaign_id"] == "camp-1"
    assert rows[0]["customer_id"] == customer_of(warehouse, ids[0])[0]
    assert rows[0]["occurred_at"].isoformat() == "2026-03-10T09:00:00"
    assert rows[0]["reason"] == "250 OK"
    assert json.loads(rows[0]["raw"]) == payload[0]  # unknown fields are kept


def test_the_same_events_posted_again_change_nothing(warehouse):
    ids = seed_campaign(warehouse, customers=3)
    payload = [event("bounce", 0, ids, warehouse, type="bounce", reason="550 no such user"),
               event("delivered", 1, ids, warehouse)]
    ingest_email_events(warehouse, payload, now=NOW)
    before = suppressions(warehouse)
    again = ingest_email_events(warehouse, payload + payload, now=NOW)
    assert (again.inserted, again.duplicates, again.suppressions_added) == (0, 4, 0)
    assert suppressions(warehouse) == before
    with warehouse.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM email_events")).scalar_one() == 2


def test_bounces_drops_spam_reports_and_unsubscribes_suppress_at_once(warehouse):
    ids = seed_campaign(warehouse, customers=9)
    payload = [
        event("bounce", 0, ids, warehouse, type="bounce"),
        event("bounce", 1, ids, warehouse, type="blocked"),  # the receiving server refused us for now
        event("dropped", 2, ids, warehouse, reason="Bounced Address"),
        event("spamreport", 3, ids, warehouse),
        event("unsubscribe", 4, ids, warehouse),
        event("group_unsubscribe", 5, ids, warehouse, asm_group_id=1),
        event("deferred", 6, ids, warehouse, attempt="2"),
        event("click", 7, ids, warehouse, url="https://help.acme.example"),
        event("processed", 8, ids, warehouse),
    ]
    counts = ingest_email_events(warehouse, payload, now=NOW)
    assert counts.suppressions_added == 5
    expected = {customer_of(warehouse, ids[n])[0]: {reason}
                for n, reason in [(0, "bounce"), (2, "dropped"), (3, "spamreport"), (4, "unsubscribe"),
                                  (5, "group_unsubscribe")]}
    assert suppressions(warehouse) == expected


def test_a_group_resubscribe_lifts_only_the_group_unsubscribe(warehouse):
    ids = seed_campaign(warehouse, customers=1)
    ingest_email_events(warehouse, [event("group_unsubscribe", 0, ids, warehouse),
                                    event("spamreport", 0, ids, warehouse)], now=NOW)
    later = event("group_resubscribe", 0, ids, warehouse)
    later["timestamp"] += 60
    counts = ingest_email_events(warehouse, [later], now=NOW)
    assert counts.resubscribed == 1
    assert suppressions(warehouse) == {customer_of(warehouse, ids[0])[0]: {"spamreport"}}


def test_events_without_custom_args_are_matched_by_sendgrid_id_or_email(warehouse, tmp_path):
    ids = seed_campaign(warehouse, customers=4)
    send_campaign(warehouse, "camp-1", OutboxSender(tmp_path), OutreachSettings(), SECRET, now=NOW)
    with warehouse.begin() as conn:
        conn.execute(text("UPDATE outreach_messages SET provider_message_id = 'X1abc' WHERE message_id = :m"),
                     {"m": ids[0]})
    customer_id, email = customer_of(warehouse, ids[1])
    payload = [
        {"email": "x@example.com", "timestamp": TS, "event": "open", "sg_event_id": "a",
         "sg_message_id": "X1abc.filter0001.123"},
        {"email": email.upper(), "timestamp": TS, "event": "spamreport", "sg_event_id": "b"},
        {"email": "stranger@example.com", "timestamp": TS, "event": "bounce", "type": "bounce", "sg_event_id": "c"},
    ]
    ingest_email_events(warehouse, payload, now=NOW)
    with warehouse.connect() as conn:
        matched = dict(conn.execute(text("SELECT sg_event_id, message_id FROM email_events")).all())
        stranger = conn.execute(text("SELECT customer_id, email FROM suppressions WHERE reason = 'bounce'")).one()
    assert matched["a"] == ids[0]
    assert suppressions(warehouse)[customer_id] == {"spamreport"}
    assert stranger.customer_id.startswith("email:") and stranger.email == "stranger@example.com"


def test_a_suppression_from_an_event_stops_a_later_send(warehouse, tmp_path):
    ids = seed_campaign(warehouse, customers=3)
    ingest_email_events(warehouse, [event("unsubscribe", 0, ids, warehouse)], now=NOW)
    summary = send_campaign(warehouse, "camp-1", OutboxSender(tmp_path), OutreachSettings(), SECRET, now=NOW)
    assert summary.sent == 2 and summary.skipped_by_reason == {"suppressed": 1}
    assert not (tmp_path / f"{ids[0]}.eml").exists()


def test_an_event_confirms_a_message_whose_send_was_unknown(warehouse):
    ids = seed_campaign(warehouse, customers=2)
    with warehouse.begin() as conn:
        conn.execute(text("UPDATE outreach_messages SET status = 'unknown' WHERE message_id = :m"), {"m": ids[0]})
    counts = ingest_email_events(warehouse, [event("delivered", 0, ids, warehouse)], now=NOW)
    assert counts.messages_confirmed == 1
    assert statuses(warehouse, "camp-1")[ids[0]] == "sent"


def test_json_lines_and_broken_events_nothing_silently_dropped(warehouse):
    ids = seed_campaign(warehouse, customers=2)
    lines = "\n".join([json.dumps(event("delivered", 0, ids, warehouse)),
                       json.dumps([event("open", 1, ids, warehouse)]),
                       json.dumps({"timestamp": TS, "email": "a@b.c"}),
                       json.dumps({"event": "open", "timestamp": "yesterday"}),
                       "", json.dumps("just a string")])
    counts = ingest_email_events(warehouse, lines, now=NOW, source="events.jsonl")
    assert (counts.received, counts.inserted, counts.quarantined) == (5, 2, 3)
    with warehouse.connect() as conn:
        rules = Counter(conn.execute(text("SELECT rule FROM quarantine WHERE table_name = 'email_events' "
                                          "AND source = 'events.jsonl'")).scalars())
    assert rules == {"missing_event": 1, "bad_timestamp": 1, "not_an_object": 1}


def test_events_without_an_id_get_a_stable_one_so_repeats_are_still_caught(warehouse):
    bare = [{"email": "a@example.com", "timestamp": TS, "event": "processed"}]
    assert ingest_email_events(warehouse, bare, now=NOW).inserted == 1
    assert ingest_email_events(warehouse, bare, now=NOW).duplicates == 1


def test_malformed_payload_names_the_line():
    with pytest.raises(EventPayloadError, match="line 2"):
        parse_events('{"event": "open"}\n{not json')
    assert parse_events(b"") == []


def test_cli_ingests_a_file_and_reports_counts(warehouse, tmp_path, monkeypatch, capsys):
    if warehouse.dialect.name != "sqlite":
        pytest.skip("the command line uses FOREWARN_DATABASE_URL; one backend is enough here")
    monkeypatch.setenv("FOREWARN_DATABASE_URL", warehouse.url.render_as_string(hide_password=False))
    ids = seed_campaign(warehouse, customers=2)
    path = tmp_path / "events.json"
    path.write_text(json.dumps([event("delivered", 0, ids, warehouse), event("spamreport", 1, ids, warehouse)]))
    assert cli_main(["events", "ingest", str(path)]) == 0
    assert "2 events read: 2 new, 0 already stored, 0 quarantined, 1 suppressions added" in capsys.readouterr().out
    path.write_text("[{oops")
    assert cli_main(["events", "ingest", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("forewarn: error:") and "events.json" in err and "Traceback" not in err
    assert cli_main(["events", "ingest", str(tmp_path / "missing.json")]) == 2
