"""An empty or half-filled warehouse still gives a valid report that says what is missing."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from report_html import parse_report
from report_world import AS_OF
from sqlalchemy import Engine, text

from pipeline.report import write_report

SECTIONS = ["pain-points", "new-growing", "incidents", "releases", "campaigns", "data-quality"]


def test_empty_warehouse_gives_a_valid_report_saying_nothing_yet(warehouse: Engine, tmp_path: Path) -> None:
    summary = write_report(warehouse, tmp_path / "empty.html", as_of=AS_OF)
    report = parse_report(summary.path.read_text(encoding="utf-8"))

    assert summary.paragraph.startswith("Nothing to report yet")
    assert "forewarn ingest" in summary.paragraph
    assert [e.attrs["id"] for e in report.find("section")] == ["week", *SECTIONS]
    for section in SECTIONS:
        empty = [p for p in report.find("p", section) if p.attrs.get("class") == "empty"]
        assert empty, f"section {section} does not say it is empty"
    assert report.svgs() == []
    assert (summary.pain_points, summary.incidents, summary.campaigns, summary.charts) == (0, 0, 0, 0)


def test_campaign_waiting_for_approval_is_reported_without_sends(sqlite_warehouse: Engine, tmp_path: Path) -> None:
    with sqlite_warehouse.begin() as connection:
        connection.execute(text(
            "INSERT INTO campaigns (campaign_id, status, created_at, audience_size, holdout_size) "
            "VALUES ('camp-1', 'pending_approval', :created, 120, 12)"), {"created": AS_OF - timedelta(days=1)})

    summary = write_report(sqlite_warehouse, tmp_path / "r.html", as_of=AS_OF)
    report = parse_report(summary.path.read_text(encoding="utf-8"))

    assert "One campaign waits for approval." in summary.paragraph
    card = report.text_of("campaigns")
    assert "Nothing sent yet." in card and "audience 120, holdout 12" in card
    assert "not enough data yet" in card
    assert report.svgs("campaigns") == []  # nothing sent: no funnel, no deflection row


def test_release_figures_come_from_raw_events_without_the_daily_aggregate(warehouse: Engine, tmp_path: Path) -> None:
    day = datetime(2026, 3, 6)
    # Two customers on 5.4.0 on one day, one of them with three errors; one customer on 5.3.2 with none.
    events = [("e1", "c1", "5.4.0", "error", "SIG1"), ("e2", "c1", "5.4.0", "error", "SIG1"),
              ("e3", "c1", "5.4.0", "crash", None), ("e4", "c2", "5.4.0", "session_start", None),
              ("e5", "c3", "5.3.2", "session_start", None), ("e6", "c3", "5.3.2", "session_start", None)]
    with warehouse.begin() as connection:
        for offset, (event_id, customer, version, name, signature) in enumerate(events):
            when = day + timedelta(hours=offset)
            connection.execute(text(
                "INSERT INTO events (event_id, customer_id, occurred_at, occurred_hour, name, platform, app_version, "
                "signature_id, loaded_at) VALUES (:id, :customer, :at, :hour, :name, 'android', :version, :signature, "
                ":at)"), {"id": event_id, "customer": customer, "at": when, "hour": when, "name": name,
                          "version": version, "signature": signature})

    summary = write_report(warehouse, tmp_path / "r.html", as_of=AS_OF)
    section = parse_report(summary.path.read_text(encoding="utf-8")).text_of("releases")

    assert "Android 5.3.2 1 0 0.00 0.0%" in section
    assert "Android 5.4.0 2 3 1.50 50.0%" in section
    # Two customer-days are too few for a meaningful rate: the versions are tabled, not charted.
    assert "too few for a meaningful error rate" in section
    assert "2 other versions (older, or fewer than 20 active customer-days)" in section


def test_unreadable_json_columns_are_skipped_with_a_warning(
    sqlite_warehouse: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with sqlite_warehouse.begin() as connection:
        connection.execute(text(
            "INSERT INTO pain_points (pain_point_id, label, status, first_seen_at, last_seen_at, ticket_count, "
            "customer_count, key_terms, representatives, trend) VALUES ('pp-1', 'Broken JSON everywhere', 'active', "
            ":seen, :seen, 3, 2, '[1,', '{not json', 'nope')"), {"seen": AS_OF - timedelta(days=2)})

    with caplog.at_level(logging.WARNING, logger="pipeline.report"):
        summary = write_report(sqlite_warehouse, tmp_path / "r.html", as_of=AS_OF)

    assert "One new pain point this week, 'Broken JSON everywhere', affects 2 customers" in summary.paragraph
    warned = {record.getMessage() for record in caplog.records}
    assert {"ignoring unreadable JSON in column pain_points.trend",
            "ignoring unreadable JSON in column pain_points.representatives"} <= warned
