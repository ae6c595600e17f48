"""A bad build's crash found as new while the release test, near its bound, does not flag the build again this
run: the crash adds its customers to the stored regression instead of opening a second incident (and asking
a person a second time)."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pandas as pd
import pytest
from sqlalchemy import Engine, text

import pipeline.detect.incidents as incidents
from detectors.incidents import IncidentFinding
from pipeline.detect.found import Found
from pipeline.detect.settings import DetectSettings

AS_OF = datetime(2026, 1, 7, 16)
REGRESSION = "inc-windows-310"


def _store_regression(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO incidents (incident_id, kind, platform, app_version, error_code, started_at, evidence_at,"
            " detected_at, customer_count, event_count, status)"
            " VALUES (:i, 'release_regression', 'windows', '3.10.0', 'E-CRASH', :s, :d, :d, 1, 3, 'open')"),
            {"i": REGRESSION, "s": datetime(2026, 1, 7), "d": datetime(2026, 1, 7, 14)})
        connection.execute(text(
            "INSERT INTO incident_customers (incident_id, customer_id, first_exposed_at, event_count, in_audience)"
            " VALUES (:i, 'c1', :t, 3, :a)"), {"i": REGRESSION, "t": datetime(2026, 1, 7, 9), "a": True})


def _crash(platform: str = "windows") -> Found:
    finding = IncidentFinding(
        kind="new_signature", signature_id="sig-crash", name="crash", error_code="E-CRASH", feature="comments",
        platform=platform, app_version="3.10.0", started_at=pd.Timestamp("2026-01-07 03:00", tz="UTC"),
        detected_at=pd.Timestamp("2026-01-07 15:00", tz="UTC"), customer_count=3, event_count=4,
    )
    affected = pd.DataFrame({
        "customer_id": ["c1", "c2", "c3"],
        "first_exposed_at": pd.to_datetime(["2026-01-07 09:00", "2026-01-07 13:00", "2026-01-07 15:10"]),
        "event_count": [1, 2, 1],
    })
    return Found(finding, affected, ("sig-crash",), "app crashed")


def _run(engine: Engine, monkeypatch: pytest.MonkeyPatch, crash: Found, release: tuple[str, str]) -> None:
    """One incident run whose detectors find ``crash`` on ``release`` and no regression (the test's bound not met)."""
    monkeypatch.setattr(incidents, "detect_new_bugs", lambda inputs, settings: [crash])
    monkeypatch.setattr(incidents, "detect_spikes", lambda connection, inputs, settings, skip_bugs, stored=None: [])
    monkeypatch.setattr(incidents, "locate_explainers", lambda connection, explainers, as_of, settings: [
        dataclasses.replace(e, release=release) for e in explainers])
    monkeypatch.setattr(incidents, "focus_on_releases", lambda connection, found, ids, explainers, as_of, bound: found)
    monkeypatch.setattr(incidents, "detect_regressions", lambda connection, inputs, settings, explainers: [])
    incidents.detect_incidents(engine, AS_OF, DetectSettings(embedder="tfidf"))


def _incidents(engine: Engine) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text("SELECT incident_id, kind, customer_count FROM incidents"))]


def _customers(engine: Engine, incident_id: str) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT customer_id, event_count FROM incident_customers WHERE incident_id = :i"), {"i": incident_id})
        return {r.customer_id: r.event_count for r in rows}


def test_the_crash_extends_the_stored_regression(warehouse: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    _store_regression(warehouse)
    _run(warehouse, monkeypatch, _crash(), ("windows", "3.10"))
    assert _incidents(warehouse) == [(REGRESSION, "release_regression", 3)]
    # c1 keeps the regression's own count of their errors; c2 and c3 join it.
    assert _customers(warehouse, REGRESSION) == {"c1": 3, "c2": 2, "c3": 1}
    # A rerun of the same hour changes nothing.
    _run(warehouse, monkeypatch, _crash(), ("windows", "3.10"))
    assert _incidents(warehouse) == [(REGRESSION, "release_regression", 3)]


def test_a_crash_on_another_release_is_its_own_incident(warehouse: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    _store_regression(warehouse)
    _run(warehouse, monkeypatch, _crash("macos"), ("macos", "3.10"))
    kinds = sorted(kind for _, kind, _ in _incidents(warehouse))
    assert kinds == ["new_signature", "release_regression"]
    assert _customers(warehouse, REGRESSION) == {"c1": 3}
