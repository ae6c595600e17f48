"""A pain point a run names otherwise is in its history and in the report; a person's rename is not repeated."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from corrections_world import SETTINGS, START, add_tickets, cli_url_of, pain_point_of
from sqlalchemy import Engine, text

from pipeline.cli import main
from pipeline.detect.painpoints import REGISTRY, detect_pain_points
from pipeline.detect.state import load_state, save_state
from pipeline.report import write_report

DAY1, DAY2 = START + timedelta(days=1), START + timedelta(days=2)


def _tickets_of(problem: str) -> list[str]:
    return [f"a-{problem}-{i}" for i in range(30)]


def _history(engine: Engine, event: str) -> list[dict]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT pain_point_id, as_of, detail FROM pain_point_history WHERE event = :e"), {"e": event}
        ).mappings()
        return [dict(r) for r in rows]


def _label(engine: Engine, pain_point_id: str) -> str:
    with engine.connect() as connection:
        return connection.execute(
            text("SELECT label FROM pain_points WHERE pain_point_id = :p"), {"p": pain_point_id}
        ).scalar_one()


def test_a_run_that_names_a_pain_point_otherwise_says_so_in_its_history_and_the_report(
    warehouse: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    add_tickets(warehouse, 30, 0, seed=1, prefix="a")
    detect_pain_points(warehouse, DAY1, SETTINGS)
    invoice, export = pain_point_of(warehouse, _tickets_of("invoice")), pain_point_of(warehouse, _tickets_of("export"))
    # As if the first run had named the invoice tickets from words none of them write now.
    with warehouse.begin() as connection:
        state = load_state(connection, REGISTRY, DAY1 + timedelta(seconds=1))
        for point in state["pain_points"]:
            if point["pain_point_id"] == invoice:
                point["label"] = "google button loops"
        save_state(connection, REGISTRY, DAY1, state, SETTINGS.state_keep_days)
    # A person names the export tickets: their correction is their history, not the run's.
    monkeypatch.setenv("FOREWARN_DATABASE_URL", cli_url_of(warehouse))
    assert main(["painpoints", "rename", export, "CSV export trouble", "--by", "maria (PM)"]) == 0
    assert not _history(warehouse, "relabelled")

    add_tickets(warehouse, 30, 1, seed=2, prefix="b")
    detect_pain_points(warehouse, DAY2, SETTINGS)  # a day later: the window is clustered again
    renamed = _history(warehouse, "relabelled")
    assert [r["pain_point_id"] for r in renamed] == [invoice]
    now = _label(warehouse, invoice)
    assert json.loads(renamed[0]["detail"]) == {"from": "google button loops", "to": now}
    assert "invoice" in now.lower()
    assert _label(warehouse, export) == "CSV export trouble"

    # A rerun of the same as-of writes the same history, once.
    detect_pain_points(warehouse, DAY2, SETTINGS)
    assert len(_history(warehouse, "relabelled")) == 1

    # From the terminal, oldest first: created by the first run, then the run's rename; a person's
    # rename is their correction, once.
    capsys.readouterr()
    assert main(["painpoints", "history", invoice]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[2] for line in lines[1:]] == ["created", "relabelled"]
    assert f"named “google button loops” → “{now}”" in lines[2]
    assert main(["painpoints", "history", export]) == 0
    history = capsys.readouterr().out
    assert history.count("renamed “CSV export trouble” by maria (PM)") == 1 and "relabelled" not in history
    assert main(["painpoints", "history", "pp-999999"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "forewarn: error: pain point 'pp-999999' is unknown; forewarn painpoints list shows the ids"
    ]

    report = tmp_path / "report.html"
    write_report(warehouse, report, as_of=DAY2 + timedelta(hours=1))
    html = report.read_text(encoding="utf-8")
    assert "Renamed as their tickets" in html
    assert f"{invoice}: “google button loops” → “{now}”" in html
    # Out of the report's period, the change is not listed: a run as of the period's start read the
    # period before.
    for as_of in (DAY2 + timedelta(days=7), DAY2 + timedelta(days=9)):
        later = tmp_path / "later.html"
        write_report(warehouse, later, as_of=as_of)
        assert "google button loops" not in later.read_text(encoding="utf-8"), as_of
    write_report(warehouse, later, as_of=DAY2 + timedelta(days=7) - timedelta(seconds=1))
    assert "google button loops" in later.read_text(encoding="utf-8")
