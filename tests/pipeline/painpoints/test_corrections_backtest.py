"""A backtest replays with production's corrections: each replayed run applies them to its own ids."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from pipeline.cli import main
from pipeline.detect import DetectSettings
from pipeline.detect.painpoints import detect_pain_points
from pipeline.ingest import ingest
from pipeline.simulate import WorldSettings, simulate_world
from pipeline.warehouse import make_engine, migrate


def test_backtest_with_corrections_from_production(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    world = tmp_path / "world"
    simulate_world(WorldSettings(customers=150, days=10, seed=4, start=date(2026, 3, 2)), world)
    production_url = f"sqlite:///{tmp_path / 'production.db'}"
    production = make_engine(production_url)
    migrate(production)
    ingest(production, str(world))
    detect_pain_points(production, datetime(2026, 3, 12), DetectSettings(embedder="tfidf"))
    with production.connect() as connection:
        biggest, tickets = connection.execute(
            text("SELECT pain_point_id, ticket_count FROM pain_points ORDER BY ticket_count DESC, pain_point_id LIMIT 1")
        ).one()
        members = set(connection.execute(text("SELECT ticket_id FROM ticket_pain_points WHERE pain_point_id = :p"), {"p": biggest}).scalars())
    monkeypatch.setenv("FOREWARN_DATABASE_URL", production_url)
    assert main(["painpoints", "rename", biggest, "Everything about logging in", "--by", "pm"]) == 0
    assert main(["painpoints", "mute", biggest, "--by", "pm"]) == 0

    replay_url = f"sqlite:///{tmp_path / 'replay.db'}"
    code = main(["backtest", str(world), "--from", "2026-03-11", "--to", "2026-03-12", "--embedder", "tfidf",
                 "--no-progress", "--database-url", replay_url, "--corrections-from", production_url])
    assert code == 0, capsys.readouterr().err
    replay = make_engine(replay_url)
    with replay.connect() as connection:
        renamed = connection.execute(
            text("SELECT pain_point_id, muted FROM pain_points WHERE label = 'Everything about logging in'")
        ).all()
        held = set(connection.execute(
            text("SELECT ticket_id FROM ticket_pain_points WHERE pain_point_id = :p"), {"p": renamed[0][0]}
        ).scalars())
    # The replay's own pain point holding most of those tickets carries the correction, muted too.
    assert len(renamed) == 1 and bool(renamed[0][1])
    assert len(held & members) * 2 > len(members)
    assert tickets > 0
