"""A release regression carries its symptoms: a workaround that names only a symptom's code fits it."""

from __future__ import annotations

import json

from sqlalchemy import Engine, text

from outreach.campaigns import build_campaigns
from outreach.model import OutreachSettings
from tests.outreach.test_audience import T0, World

SYMPTOMS = [
    {"signature_id": "sig-crash", "name": "crash", "error_code": "E-CRASH-42", "feature": "login", "events": 90,
     "baseline_events": 1, "rate_ratio": 60.0},
    {"signature_id": "sig-slow", "name": "error", "error_code": "E-SLOW-7", "feature": "sync", "events": 20,
     "baseline_events": 4, "rate_ratio": 3.1},
]


def _regression_world(engine: Engine, *, evidence: dict) -> World:
    w = World(engine)
    w.incident(kind="release_regression", signature_id=None, error_code=None, feature=None, platform="ios",
               app_version="5.15.0", name=None)
    with engine.begin() as conn:
        conn.execute(text("UPDATE incidents SET evidence = :e"), {"e": json.dumps(evidence)})
    for i in range(12):
        w.customer(f"c{i:02d}")
        w.exposed(f"c{i:02d}", event={"app_version": "5.15.0", "platform": "ios"})
    return w


def _status(world: World) -> tuple:
    [row] = world.rows("SELECT status, workaround_id FROM campaigns")
    return tuple(row)


def test_a_workaround_naming_only_a_symptom_code_gets_the_regression_campaign(warehouse: Engine) -> None:
    world = _regression_world(warehouse, evidence={"previous_version": "5.14.2", "symptom_signatures": SYMPTOMS})
    world.workaround("wa-slow", error_codes=("E-SLOW-7",), keywords=(), title="Keep working while sync is slow")

    [summary] = build_campaigns(warehouse, as_of=T0, settings=OutreachSettings())

    assert _status(world) == ("pending_approval", "wa-slow")
    assert summary.audience_size > 0
    evidence = json.loads(world.rows("SELECT evidence FROM campaigns")[0][0])
    assert any("E-SLOW-7" in why for why in evidence["workaround"]["why"])


def test_without_symptoms_the_same_workaround_does_not_fit(warehouse: Engine) -> None:
    world = _regression_world(warehouse, evidence={"previous_version": "5.14.2"})
    world.workaround("wa-slow", error_codes=("E-SLOW-7",), keywords=(), title="Keep working while sync is slow")

    build_campaigns(warehouse, as_of=T0, settings=OutreachSettings())

    assert _status(world) == ("needs_workaround", None)


def test_a_workaround_for_another_code_still_does_not_fit(warehouse: Engine) -> None:
    world = _regression_world(warehouse, evidence={"previous_version": "5.14.2", "symptom_signatures": SYMPTOMS})
    world.workaround("wa-other", error_codes=("E-OTHER-1",), keywords=(), title="Something else")

    build_campaigns(warehouse, as_of=T0, settings=OutreachSettings())

    assert _status(world) == ("needs_workaround", None)
