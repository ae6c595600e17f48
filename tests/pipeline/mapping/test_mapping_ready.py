"""Each shipped ready mapping loads its format's documented shape into the contract (fixtures written
from the public documentation of each format) through the same gate and quarantine as native rows."""

from __future__ import annotations

from mapping_helpers import FIXTURES, LENIENT, rows
from sqlalchemy import Engine

from pipeline.ingest import ingest, ingest_summary
from pipeline.mapping import load_mapping


def load(engine: Engine, folder: str, mapping: str) -> dict[str, dict[str, int]]:
    report = ingest(engine, str(FIXTURES / folder), mapping=load_mapping(mapping), settings=LENIENT)
    assert all(table.adds_up() for table in report.tables)
    return ingest_summary(report)


def test_zendesk_incremental_export(with_customers: Engine) -> None:
    counts = load(with_customers, "zendesk", "zendesk-incremental")
    assert counts == {"tickets": {"read": 4, "outside_interval": 0, "loaded": 3, "unchanged": 0, "quarantined": 1, "late_loaded": 0, "consent_withdrawn": 0}}
    tickets = rows(with_customers, "SELECT ticket_id, customer_id, status, csat, tags, channel FROM tickets ORDER BY ticket_id")
    # Requester ids become customers through the sideloaded users' emails (case-insensitively);
    # good -> 5, offered/unoffered -> no rating; solved -> closed.
    assert tickets == [
        ("501", "u-1001", "open", None, "export;pdf", "email"),
        ("502", "u-1002", "closed", 5, "export", "web"),
        ("503", "u-1003", "open", None, None, "web"),
    ]
    [(rule, detail, raw)] = rows(with_customers, "SELECT rule, detail, raw FROM quarantine")
    assert rule == "unknown_customer"
    assert "customer_id <- 'requester_id' via users.email" in detail
    assert "unmapped_value: csat <- 'satisfaction_rating.score': value 'meh'" in detail
    assert '"requester_id": 9999' in raw  # the source record as read, not the mapped row


def test_zendesk_csv_export(with_customers: Engine) -> None:
    counts = load(with_customers, "zendesk-csv", "zendesk-csv")
    assert counts["tickets"]["loaded"] == 2 and counts["tickets"]["quarantined"] == 1
    assert rows(with_customers, "SELECT ticket_id, customer_id, created_at, csat FROM tickets ORDER BY ticket_id") == [
        ("601", "u-1001", rows(with_customers, "SELECT created_at FROM tickets WHERE ticket_id = '601'")[0][0], None),
        ("602", "u-1002", rows(with_customers, "SELECT created_at FROM tickets WHERE ticket_id = '602'")[0][0], 5),
    ]
    assert str(rows(with_customers, "SELECT created_at FROM tickets WHERE ticket_id = '602'")[0][0]).startswith("2026-01-05 08:30")
    assert rows(with_customers, "SELECT tags FROM tickets WHERE ticket_id = '602'") == [("sync;mobile",)]  # space-separated in the CSV
    [(rule, detail)] = rows(with_customers, "SELECT rule, detail FROM quarantine")
    assert rule == "unparseable_timestamp" and "created_at <- 'Created at'" in detail and "%Y-%m-%d %H:%M" in detail
    assert "missing_timestamp" not in detail  # the suite's echo of the same empty value is not a second reason


def test_intercom_conversations(with_customers: Engine) -> None:
    counts = load(with_customers, "intercom", "intercom-conversations")
    assert counts["tickets"]["loaded"] == 2
    assert rows(with_customers, "SELECT ticket_id, customer_id, status, tags, csat FROM tickets ORDER BY ticket_id") == [
        ("147000001", "u-1001", "closed", "calendar;bug", 4),
        ("147000002", "u-1004", "open", None, None),
    ]
    [(rule, detail)] = rows(with_customers, "SELECT rule, detail FROM quarantine")
    assert rule == "unmapped_value" and "status <- 'state': value 'archived'" in detail


def test_segment_users_and_tracks(warehouse: Engine) -> None:
    counts = load(warehouse, "segment", "segment-tracks")
    assert counts["customers"]["loaded"] == 4
    # "Button Clicked" is left out by the mapping's filter: it is not a row of the contract at all.
    assert counts["events"] == {"read": 4, "outside_interval": 0, "loaded": 4, "unchanged": 0, "quarantined": 0, "late_loaded": 0, "consent_withdrawn": 0}
    assert rows(warehouse, "SELECT event_id, customer_id, name, app_version, platform, error_code FROM events ORDER BY event_id") == [
        ("ajs-0001", "u-1001", "session_start", "5.4.0", "Android", None),
        ("ajs-0002", "u-1001", "error", "5.4.0", "Android", "E1042"),
        ("ajs-0003", "u-1002", "crash", "5.4.0", "iOS", "SIGABRT"),
        ("ajs-0005", "u-1003", "error", "5.3.2", "Android", "E1042"),
    ]
    # Unmapped source columns are kept in extra, as for native files.
    [(extra,)] = rows(warehouse, "SELECT extra FROM customers WHERE customer_id = 'u-1002'")
    assert '"context_library_name": "analytics-ios"' in extra


def test_amplitude_export_json_lines(warehouse: Engine) -> None:
    counts = load(warehouse, "amplitude", "amplitude-export")
    assert counts["events"]["loaded"] == 4
    assert rows(warehouse, "SELECT customer_id, name, feature, error_code FROM events ORDER BY event_id") == [
        ("u-1001", "error", "export", "E1042"),
        ("u-1002", "session_start", None, None),
        ("u-1003", "crash", "editor", "SIGSEGV"),
        ("u-1004", "Song Played", None, None),
    ]


def test_sentry_events(warehouse: Engine) -> None:
    counts = load(warehouse, "sentry", "sentry-events")
    assert counts["events"]["loaded"] == 2  # the warning is filtered out
    got = rows(warehouse, "SELECT customer_id, name, app_version, error_code, occurred_at FROM events ORDER BY customer_id")
    assert [row[:4] for row in got] == [("u-1001", "error", "web@5.4.0", "ExportError"), ("u-1002", "crash", "ios@5.4.0", "EXC_BAD_ACCESS")]
    assert str(got[0][4]).startswith("2026-01-05 09:15:00.25")


def test_a_rerun_of_a_mapped_source_changes_nothing(with_customers: Engine) -> None:
    load(with_customers, "zendesk", "zendesk-incremental")
    again = load(with_customers, "zendesk", "zendesk-incremental")
    assert again["tickets"]["loaded"] == 0 and again["tickets"]["unchanged"] == 3
    assert rows(with_customers, "SELECT count(*) FROM quarantine") == [(1,)]


def test_the_readme_walkthrough_loads_a_zendesk_export_and_a_segment_table(warehouse: Engine) -> None:
    mapping = load_mapping(str(FIXTURES / "walkthrough" / "mapping.yaml"))
    assert len((FIXTURES / "walkthrough" / "mapping.yaml").read_text().splitlines()) < 40
    report = ingest(warehouse, str(FIXTURES / "walkthrough"), mapping=mapping)
    counts = ingest_summary(report)
    assert all(table.adds_up() for table in report.tables)
    assert counts["customers"]["loaded"] == 401 and counts["tickets"]["loaded"] == 68
    assert counts["events"]["loaded"] == 5501
    # Every ticket found its customer through the requester's email, whatever its case.
    assert rows(warehouse, "SELECT count(*) FROM tickets t JOIN customers c ON c.customer_id = t.customer_id") == [(68,)]
