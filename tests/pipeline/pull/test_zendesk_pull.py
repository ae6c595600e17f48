"""Pulling Zendesk's incremental export with a real HTTP client against a local server of the documented
shape: paging by cursor, 429 + Retry-After, resuming after a crash without duplicates or gaps, and the
landed pages loaded through the ready mapping."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
import requests
from sqlalchemy import Engine, text
from zendesk_server import ExportState, zendesk_server

from pipeline.ingest import Interval, ingest
from pipeline.mapping import load_mapping
from pipeline.pull import ZendeskPullError, ZendeskPullSettings, pull_tickets
from pipeline.validation import ValidationSettings

START, END = datetime(2026, 1, 5), datetime(2026, 1, 6)
CUSTOMERS = Path(__file__).resolve().parents[2] / "fixtures" / "mapping" / "customers"


def export_state() -> ExportState:
    """Nine tickets updated inside [START, END) by the four fixture customers, one before and two after."""
    users = [{"id": 9001 + n, "email": f"{name}@example.com", "role": "end-user"}
             for n, name in enumerate(["ann.lee", "bo.chen", "cleo.diaz", "dev.patel"])]
    tickets = []
    for n, (day, hour) in enumerate([(4, 23)] + [(5, h) for h in range(1, 19, 2)] + [(6, 1), (6, 5)]):
        stamp = f"2026-01-0{day}T{hour:02d}:00:00Z"
        tickets.append({
            "id": 800 + n, "created_at": stamp, "updated_at": stamp, "subject": f"Problem {n}",
            "description": f"Something is broken, case {n}.", "status": "open", "requester_id": 9001 + n % 4,
            "tags": ["sync"], "via": {"channel": "email"}, "satisfaction_rating": {"score": "unoffered"},
        })
    return ExportState(tickets=tickets, users=users)


def session() -> requests.Session:
    client = requests.Session()
    client.auth = ("agent@example.com/token", "not-a-real-token")
    return client


def landed_ids(folder: Path) -> list[int]:
    ids = []
    for page in sorted(folder.glob("tickets-*.json")):
        ids += [ticket["id"] for ticket in json.loads(page.read_text())["tickets"]]
    return ids


def test_pages_are_followed_by_cursor_and_only_the_interval_lands(warehouse: Engine, tmp_path: Path) -> None:
    state = export_state()
    with zendesk_server(state) as url:
        report = pull_tickets(session(), warehouse, tmp_path, START, END, ZendeskPullSettings(url, per_page=4))
    assert landed_ids(report.folder) == list(range(801, 810))  # not the one before, not the two after
    assert (report.pages, report.tickets, report.resumed) == (3, 9, False)
    assert state.requests[0]["start_time"] == "1767571200"  # 2026-01-05T00:00:00Z
    assert [r.get("cursor") for r in state.requests[1:]] == ["c5", "c9"]
    assert all(r["include"] == "users" for r in state.requests)
    assert all(a.startswith("Basic ") for a in state.authorization)
    # A rerun of a complete interval asks Zendesk nothing.
    again = pull_tickets(session(), warehouse, tmp_path, START, END, ZendeskPullSettings(url, per_page=4))
    assert again.already_complete and len(state.requests) == 3


def test_a_429_is_waited_out_for_its_retry_after(warehouse: Engine, tmp_path: Path) -> None:
    state = export_state()
    state.rate_limit_requests = {2, 3}
    waits: list[float] = []
    with zendesk_server(state) as url:
        report = pull_tickets(session(), warehouse, tmp_path, START, END, ZendeskPullSettings(url, per_page=4), sleep=waits.append)
    assert waits == [2.0, 2.0] and report.waited_seconds == 4.0
    assert landed_ids(report.folder) == list(range(801, 810))


def test_resumes_after_a_crash_without_duplicates_or_gaps(warehouse: Engine, tmp_path: Path) -> None:
    state = export_state()
    state.fail_from_page = 2  # Zendesk goes down after the first page
    with zendesk_server(state) as url:
        with pytest.raises(ZendeskPullError, match="resumes from its last landed page"):
            pull_tickets(session(), warehouse, tmp_path, START, END, ZendeskPullSettings(url, per_page=4, max_attempts=2),
                         sleep=lambda _: None)
        assert landed_ids(tmp_path / "20260105T0000") == [801, 802, 803, 804]
        state.fail_from_page = None
        state.requests.clear()
        report = pull_tickets(session(), warehouse, tmp_path, START, END, ZendeskPullSettings(url, per_page=4))
    assert report.resumed and state.requests[0] == {"include": "users", "per_page": "4", "cursor": "c5"}
    assert landed_ids(report.folder) == list(range(801, 810))


def test_a_crash_between_landing_a_page_and_recording_its_cursor(warehouse: Engine, tmp_path: Path) -> None:
    state = export_state()
    with zendesk_server(state) as url:
        pull_tickets(session(), warehouse, tmp_path, START, END, ZendeskPullSettings(url, per_page=4))
        # As if the process died after writing page 3 but before recording it: the cursor says page 2.
        with warehouse.begin() as connection:
            connection.execute(text("UPDATE source_cursors SET cursor = 'c9', pages = 2, end_of_stream = :f"), {"f": False})
        report = pull_tickets(session(), warehouse, tmp_path, START, END, ZendeskPullSettings(url, per_page=4))
    assert report.pages == 1
    ids = landed_ids(report.folder)
    assert ids == list(range(801, 810)) and len(ids) == len(set(ids))


def test_a_refused_request_is_one_clear_error(warehouse: Engine, tmp_path: Path) -> None:
    with zendesk_server(export_state()) as url:
        with pytest.raises(ZendeskPullError, match="answered 404.*Connection forewarn_zendesk"):
            pull_tickets(session(), warehouse, tmp_path, START, END, ZendeskPullSettings(url + "/wrong", per_page=4))


def test_landed_pages_load_through_the_ready_mapping(warehouse: Engine, tmp_path: Path) -> None:
    ingest(warehouse, str(CUSTOMERS), settings=ValidationSettings(max_bad_row_share=1.0))
    with zendesk_server(export_state()) as url:
        pull_tickets(session(), warehouse, tmp_path, START, END, ZendeskPullSettings(url, per_page=4))
    report = ingest(warehouse, str(tmp_path), Interval(START, END), mapping=load_mapping("zendesk-pull"))
    assert report.tables[0].loaded == 9 and report.tables[0].quarantined == 0
    with warehouse.connect() as connection:
        owners = dict(connection.execute(text("SELECT ticket_id, customer_id FROM tickets")).all())
    assert owners["801"] == "u-1002" and owners["804"] == "u-1001"


def test_a_pull_right_after_the_interval_waits_out_zendesks_last_minute(warehouse: Engine, tmp_path: Path) -> None:
    waits: list[float] = []
    with zendesk_server(export_state()) as url:
        pull_tickets(session(), warehouse, tmp_path, START, END, ZendeskPullSettings(url, per_page=4),
                     sleep=waits.append, clock=lambda: END.replace(second=20))
    assert waits == [45.0]  # until a full 65 s after the end: the export excludes the last minute
