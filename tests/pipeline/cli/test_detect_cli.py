"""``forewarn detect`` past the end of the data says which window it read and where the data stops."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine

from pipeline.cli import main
from tests.outreach.test_audience import T0, World


def _detect(capsys: pytest.CaptureFixture[str], as_of: str) -> str:
    code = main(["detect", "--as-of", as_of, "--embedder", "tfidf"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_an_as_of_long_after_the_data_names_the_window_and_where_the_data_stops(
    sqlite_warehouse: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FOREWARN_DATABASE_URL", str(sqlite_warehouse.url))
    world = World(sqlite_warehouse)
    world.customer("c1")
    world.ticket("t1", "c1", at=T0 - timedelta(hours=3), subject="Sync stuck", body="sync times out")
    world.event("c1", at=T0 - timedelta(hours=2))

    out = _detect(capsys, (T0 + timedelta(days=400)).isoformat())

    assert "nothing to detect yet" not in out
    assert "found nothing" in out
    assert f"tickets from {(T0 - timedelta(hours=3)):%Y-%m-%d %H:%M}" in out
    assert "the data stops before this window" in out and "--as-of" in out


def test_an_empty_warehouse_says_to_ingest_first(
    sqlite_warehouse: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FOREWARN_DATABASE_URL", str(sqlite_warehouse.url))

    out = _detect(capsys, T0.isoformat())

    assert "holds no tickets and no error events" in out and "forewarn ingest" in out
