"""Detection on thin warehouses: empty, one ticket, tickets only, events only."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from detect_world import LAST_AS_OF, SETTINGS, findings
from sqlalchemy import Engine, text

from pipeline.contract import CUSTOMERS, EVENTS, TICKETS
from pipeline.detect import detect
from pipeline.ingest import ingest


def count(engine: Engine, table: str) -> int:
    queries = {
        "pain_points": "SELECT COUNT(*) FROM pain_points",
        "ticket_pain_points": "SELECT COUNT(*) FROM ticket_pain_points",
        "incidents": "SELECT COUNT(*) FROM incidents",
        "pain_point_incidents": "SELECT COUNT(*) FROM pain_point_incidents",
    }
    with engine.connect() as connection:
        return int(connection.execute(text(queries[table])).scalar())


def test_empty_warehouse_is_a_clear_no_op(warehouse: Engine) -> None:
    summary = detect(warehouse, datetime(2026, 3, 1), SETTINGS)

    assert summary.nothing_to_detect
    result = summary.as_dict()
    assert result["nothing_to_detect"] is True
    assert (result["tickets"], result["error_events"], result["pain_points"], result["links"]) == (0, 0, 0, 0)
    assert result["incidents"] == {}
    assert all(rows == [] for rows in findings(warehouse).values())


def test_one_ticket_makes_no_pain_point_and_no_error(warehouse: Engine, tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    (source / "customers.csv").write_text(
        "customer_id,email,name,email_opt_in,created_at\nC1,ada@example.com,Ada,true,2026-01-01T00:00:00Z\n",
        encoding="utf-8",
    )
    (source / "tickets.csv").write_text(
        "ticket_id,customer_id,created_at,subject,body\n"
        "T1,C1,2026-02-27T10:00:00Z,Export broken,The CSV export shows weird characters since yesterday.\n",
        encoding="utf-8",
    )
    ingest(warehouse, str(source))

    summary = detect(warehouse, datetime(2026, 3, 1), SETTINGS)
    rerun = detect(warehouse, datetime(2026, 3, 1), SETTINGS)

    assert not summary.nothing_to_detect
    assert summary.pain_points.tickets == 1
    # One ticket is no recurring problem: a pain point needs several tickets.
    assert summary.pain_points.pain_points == 0 and count(warehouse, "pain_points") == 0
    assert summary.incidents.by_kind == {} and summary.links == 0
    assert rerun.as_dict() == summary.as_dict()


def test_tickets_only_give_pain_points_and_no_incident(warehouse: Engine, world_dir: Path) -> None:
    ingest(warehouse, str(world_dir), tables=(CUSTOMERS, TICKETS))

    summary = detect(warehouse, LAST_AS_OF, SETTINGS)

    assert summary.pain_points.pain_points >= 5
    assert count(warehouse, "ticket_pain_points") == summary.pain_points.assigned > 0
    assert summary.incidents.by_kind == {} and count(warehouse, "incidents") == 0
    assert summary.incidents.error_events == 0
    assert summary.links == 0 and count(warehouse, "pain_point_incidents") == 0


def test_events_only_give_incidents_and_no_pain_point(warehouse: Engine, world_dir: Path) -> None:
    ingest(warehouse, str(world_dir), tables=(CUSTOMERS, EVENTS))

    summary = detect(warehouse, LAST_AS_OF, SETTINGS)

    assert summary.pain_points.tickets == 0 and count(warehouse, "pain_points") == 0
    assert summary.incidents.error_events > 0
    assert {"new_signature", "release_regression"} <= set(summary.incidents.by_kind)
    assert count(warehouse, "incidents") == sum(summary.incidents.by_kind.values())
    assert summary.links == 0 and count(warehouse, "pain_point_incidents") == 0
