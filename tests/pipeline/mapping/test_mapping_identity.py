"""Identity across sources: tickets by requester email, events by user id or another key, joined to
customers through the warehouse; rows that cannot be joined are counted and quarantined with the reason."""

from __future__ import annotations

import shutil
from pathlib import Path

from mapping_helpers import FIXTURES, LENIENT, rows
from sqlalchemy import Engine

from pipeline.ingest import ingest
from pipeline.mapping import load_mapping

EVENTS_BY_ID = """\
events:
  from: {table: tracks}
  columns:
    event_id: id
    customer_id: {field: user_id, join: customer_id}
    occurred_at: timestamp
    name: event
"""


def run(engine: Engine, source: Path, text: str, tmp_path: Path):  # noqa: ANN201
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    return ingest(engine, str(source), mapping=load_mapping(str(path)), settings=LENIENT)


def test_events_of_unknown_users_are_counted_and_quarantined(warehouse: Engine, tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(FIXTURES / "segment", source)
    (source / "users.csv").unlink()
    ingest(warehouse, str(FIXTURES / "customers"), settings=LENIENT)
    tracks = source / "tracks.csv"
    tracks.write_text(tracks.read_text().replace("anon-3,u-1003", "anon-3,u-9999"), encoding="utf-8")
    report = run(warehouse, source, EVENTS_BY_ID, tmp_path)
    events = report.tables[0]
    assert (events.loaded, events.quarantined, events.by_rule["unknown_customer"]) == (4, 1, 1)
    [(row_number, detail)] = rows(warehouse, "SELECT row_number, detail FROM quarantine")
    assert row_number == 5
    assert detail.startswith("unknown_customer: customer_id <- 'user_id' joined by customer_id: no customer has this customer_id")


def test_tickets_join_customers_by_another_key_kept_from_their_source(warehouse: Engine, tmp_path: Path) -> None:
    # The product database knows each customer's help-desk user id; it is kept in customers.extra.
    source = tmp_path / "src"
    source.mkdir()
    customers = (FIXTURES / "customers" / "customers.csv").read_text().splitlines()
    lines = [customers[0] + ",zendesk_user_id"] + [line + f",{9001 + i}" for i, line in enumerate(customers[1:])]
    (source / "customers.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ingest(warehouse, str(source), settings=LENIENT)
    shutil.copy(FIXTURES / "zendesk" / "tickets-0002.json", source / "tickets-0002.json")
    text = (FIXTURES.parents[2] / "pipeline/mapping/ready/zendesk-incremental.yaml").read_text()
    text = text.replace("{field: requester_id, lookup: users, value: email, join: email}", "{field: requester_id, join: zendesk_user_id}")
    report = run(warehouse, source, text, tmp_path)
    assert report.tables[0].loaded == 1 and report.tables[0].by_rule["unknown_customer"] == 1
    assert rows(warehouse, "SELECT ticket_id, customer_id FROM tickets") == [("503", "u-1003")]


def test_emails_join_whatever_their_case(with_customers: Engine, tmp_path: Path) -> None:
    text = (FIXTURES.parents[2] / "pipeline/mapping/ready/zendesk-incremental.yaml").read_text()
    run(with_customers, FIXTURES / "zendesk", text, tmp_path)
    # The fixture's requester 9001 is "Ann.Lee@example.com"; the customer is ann.lee@example.com.
    assert rows(with_customers, "SELECT customer_id FROM tickets WHERE ticket_id = '501'") == [("u-1001",)]
