"""The hourly chain run as the DAGs run it: late batches, empty hours and reruns change nothing that was sent.

Two warehouses replay the same day hour by hour through the commands (``ingest`` the hour, ``detect --as-of``,
``outreach --as-of --approve``). The second gets a third of one hour's events two hours late, an hour with
no data at all, and a rerun of every step of an earlier hour; both must end with the same incidents,
campaigns and messages, and no customer may have two emails about one incident.
"""

from __future__ import annotations

import csv
import random
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from pipeline.cli import main

HISTORY_END = datetime(2026, 3, 16, 10)  # the test world's new signature starts on 03-16 at 14:07
HOURS = 12
LATE_HOUR = HISTORY_END + timedelta(hours=1)  # a quiet hour before the incident
RERUN_AT = 8  # at this step, every command of step RERUN_AT - 3 is run again


def _run(*args: str) -> None:
    assert main(list(args)) == 0, args


def _split_late(world: Path, into: Path, late: Path) -> None:
    """``into`` = the world without a third of LATE_HOUR's events; ``late`` = only those events."""
    shutil.copytree(world, into)
    late.mkdir()
    shutil.copy(world / "customers.csv", late / "customers.csv")
    rows = list(csv.DictReader((world / "events.csv").open(encoding="utf-8")))
    rng = random.Random(7)
    start, end = LATE_HOUR.isoformat(), (LATE_HOUR + timedelta(hours=1)).isoformat()
    held = {r["event_id"] for r in rows if start <= r["occurred_at"][:19] < end and rng.random() < 1 / 3}
    assert held, "the late hour must hold events for this test to mean anything"
    for folder, keep in ((into, lambda r: r["event_id"] not in held), (late, lambda r: r["event_id"] in held)):
        with (folder / "events.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(r for r in rows if keep(r))


def _step(source: Path, start: datetime, end: datetime, workarounds: Path, outbox: Path) -> None:
    _run("ingest", str(source), "--start", start.isoformat(), "--end", end.isoformat())
    _run("detect", "--as-of", end.isoformat(), "--embedder", "tfidf")
    _run("outreach", "--as-of", end.isoformat(), "--approve", "--workarounds", str(workarounds), "--outbox", str(outbox))


def _state(url: str) -> dict[str, list[tuple]]:
    engine = create_engine(url)
    queries = {
        "incidents": "SELECT incident_id, kind, started_at, customer_count FROM incidents ORDER BY incident_id",
        "incident_customers": "SELECT incident_id, customer_id FROM incident_customers ORDER BY 1, 2",
        "campaigns": "SELECT campaign_id, status, workaround_id, audience_size, holdout_size FROM campaigns ORDER BY 1",
        "messages": "SELECT message_id, campaign_id, customer_id, is_holdout, status FROM outreach_messages ORDER BY 1",
    }
    with engine.connect() as conn:
        state = {name: [tuple(r) for r in conn.execute(text(sql))] for name, sql in queries.items()}
        state["twice"] = [tuple(r) for r in conn.execute(text(
            "SELECT c.incident_id, m.customer_id FROM outreach_messages m JOIN campaigns c ON c.campaign_id = m.campaign_id "
            "WHERE m.status = 'sent' GROUP BY c.incident_id, m.customer_id HAVING COUNT(*) > 1"))]
    engine.dispose()
    return state


@pytest.mark.slow
def test_late_batches_empty_hours_and_reruns_end_as_one_clean_run(
    world_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workarounds = world_dir / "workarounds"
    dirty_source, late_source = tmp_path / "dirty", tmp_path / "late"
    _split_late(world_dir, dirty_source, late_source)
    hours = [HISTORY_END + timedelta(hours=h) for h in range(HOURS + 1)]
    states, outboxes = [], []
    for name in ("clean", "dirty"):
        url = f"sqlite:///{tmp_path / name}.db"
        outbox = tmp_path / f"{name}-outbox"
        monkeypatch.setenv("FOREWARN_DATABASE_URL", url)
        source = world_dir if name == "clean" else dirty_source
        _run("ingest", str(source), "--end", HISTORY_END.isoformat())
        for step, (start, end) in enumerate(zip(hours, hours[1:], strict=False), start=1):
            _step(source, start, end, workarounds, outbox)
            if name == "dirty" and end == LATE_HOUR + timedelta(hours=3):
                _run("ingest", str(late_source), "--start", LATE_HOUR.isoformat(),
                     "--end", (LATE_HOUR + timedelta(hours=1)).isoformat())
            if name == "dirty" and step == RERUN_AT:
                _step(source, hours[step - 4], hours[step - 3], workarounds, outbox)
                _run("ingest", str(source), "--start", "2020-01-01T00:00:00", "--end", "2020-01-01T01:00:00")
        states.append(_state(url))
        outboxes.append(sorted(p.name for p in outbox.glob("*.eml")))

    clean, dirty = states
    assert clean["incidents"], "the replayed day must find the injected incident"
    assert clean["messages"] and clean == dirty
    assert clean["twice"] == [] and outboxes[0] == outboxes[1]
