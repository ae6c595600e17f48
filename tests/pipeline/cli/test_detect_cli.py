"""``forewarn detect`` past the end of the data says which window it read and where the data stops."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import Engine

from pipeline.cli import main
from tests.outreach.test_audience import T0, World


def _twelve_tickets(engine: Engine, *topics: tuple[str, str]) -> None:
    """Twelve customers with a ticket each in the hours before T0, the topics (subject, body) taking turns."""
    world = World(engine)
    for i in range(12):
        subject, body = topics[i % len(topics)]
        world.customer(f"c{i}")
        world.ticket(f"t{i}", f"c{i}", at=T0 - timedelta(hours=20 - i), subject=subject, body=body)


def _detect(capsys: pytest.CaptureFixture[str], as_of: str, *options: str) -> str:
    code = main(["detect", "--as-of", as_of, "--embedder", "tfidf", *options])
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


def test_a_rerun_of_one_as_of_counts_the_pain_points_that_as_of_first_found(
    sqlite_warehouse: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # "new" read as new since this command's last run; a rerun is idempotent, so the count is the
    # pain points this as-of first found, the same on every rerun, and none at a later as-of.
    monkeypatch.setenv("FOREWARN_DATABASE_URL", str(sqlite_warehouse.url))
    _twelve_tickets(sqlite_warehouse, ("Invoice wrong", "invoice charges twice"), ("Sync stuck", "sync times out at 99 percent"))

    first = _detect(capsys, T0.isoformat()).splitlines()[0]
    again = _detect(capsys, T0.isoformat()).splitlines()[0]
    later = _detect(capsys, (T0 + timedelta(hours=1)).isoformat()).splitlines()[0]

    assert first == again and "first found at this as-of" in first
    assert "(0 first found at this as-of)" not in first
    assert "(0 first found at this as-of)" in later



def test_detect_says_how_many_of_its_pain_points_are_muted_and_left_out_of_the_report(
    sqlite_warehouse: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The report counted pain points without the muted ones while detect counted them all, unexplained.
    monkeypatch.setenv("FOREWARN_DATABASE_URL", str(sqlite_warehouse.url))
    _twelve_tickets(sqlite_warehouse, ("Invoice wrong", "invoice charges twice"), ("Sync stuck", "sync times out at 99 percent"))
    first = _detect(capsys, T0.isoformat()).splitlines()[0]
    assert "muted" not in first
    main(["painpoints", "list"])
    listed = capsys.readouterr().out
    pain_point = next(word for word in listed.split() if word.startswith("pp-"))

    assert main(["painpoints", "mute", pain_point]) == 0
    capsys.readouterr()
    later = _detect(capsys, (T0 + timedelta(hours=1)).isoformat()).splitlines()[0]

    assert "; 1 muted, not in the report)" in later, later


def test_the_dag_s_first_run_judges_a_week_of_alerts_as_the_command_does(
    sqlite_warehouse: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A README walk: the DAG's history run judged 48 h and never reported a spike three days back.
    from pipeline.detect import DetectSettings
    from pipeline.detect.lookback import FIRST_LOOKBACK_HOURS, with_first_run_lookback

    monkeypatch.setenv("FOREWARN_DATABASE_URL", str(sqlite_warehouse.url))
    hourly = DetectSettings(embedder="tfidf")
    assert with_first_run_lookback(sqlite_warehouse, T0, hourly).incident_lookback_hours == FIRST_LOOKBACK_HOURS
    _twelve_tickets(sqlite_warehouse, ("Invoice wrong", "invoice charges twice"), ("Sync stuck", "sync times out at 99 percent"))
    _detect(capsys, T0.isoformat())

    later = T0 + timedelta(hours=1)
    assert with_first_run_lookback(sqlite_warehouse, later, hourly) == hourly  # a run before it left its trace
    assert with_first_run_lookback(sqlite_warehouse, T0, hourly).incident_lookback_hours == FIRST_LOOKBACK_HOURS


@pytest.mark.integration
def test_a_first_detect_by_hand_looks_back_a_week_for_incidents(
    loaded_fortnight: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    """The hourly runs judge alerts of the last 48 h; a first `forewarn detect` on a warehouse just loaded
    did the same and missed the week's search spike (days 10-11 of 14)."""
    from sqlalchemy import text

    engine = loaded_fortnight
    with engine.connect() as connection:
        end = connection.execute(text("SELECT MAX(occurred_at) FROM events")).scalar_one()
    as_of = (pd.Timestamp(end).ceil("h")).isoformat()

    def spikes() -> int:
        with engine.connect() as connection:
            return connection.execute(text("SELECT COUNT(*) FROM incidents WHERE kind = 'spike'")).scalar_one()

    narrow = _detect(capsys, as_of, "--incident-lookback-hours", "48")
    assert "(alerts of the last 48 h judged)" in narrow and spikes() == 0
    first = _detect(capsys, as_of)
    assert "(alerts of the last 168 h judged)" in first and spikes() >= 1
    later = _detect(capsys, (pd.Timestamp(as_of) + pd.Timedelta(hours=1)).isoformat())
    assert "(alerts of the last 48 h judged)" in later  # an earlier run exists: the hourly runs' window


def test_mrr_at_risk_is_unknown_not_zero_when_no_customer_has_a_known_mrr(
    sqlite_warehouse: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A help desk export maps no MRR: the report said "$0 MRR at risk" where it knew nothing.
    from sqlalchemy import text

    monkeypatch.setenv("FOREWARN_DATABASE_URL", str(sqlite_warehouse.url))
    _twelve_tickets(sqlite_warehouse, ("Sync stuck", "sync times out"))
    _detect(capsys, T0.isoformat())
    with sqlite_warehouse.connect() as connection:
        unknown = connection.execute(text("SELECT mrr_at_risk FROM pain_points WHERE status = 'active'")).scalars().all()
    assert unknown and all(value is None for value in unknown)

    with sqlite_warehouse.begin() as connection:
        connection.execute(text("UPDATE customers SET mrr = 25.5 WHERE customer_id IN ('c1', 'c2')"))
    _detect(capsys, T0.isoformat())
    with sqlite_warehouse.connect() as connection:
        known = connection.execute(text("SELECT SUM(mrr_at_risk) FROM pain_points WHERE status = 'active'")).scalar_one()
    assert known == pytest.approx(51.0)  # the known ones add up; the unknown add nothing
