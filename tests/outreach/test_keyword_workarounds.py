"""A workaround keyed by keywords alone fits an incident its events name, before any ticket arrives.

The contract lets ``applies_to`` hold any of its keys; another team's workarounds may name no error code.
Before this, such a workaround was matched on the incident's name ("error") and later tickets only:
a world whose workarounds named keywords alone emailed 4 of 33 writers in time.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, text

from outreach.campaigns import build_campaigns
from outreach.model import OutreachSettings
from outreach.workaround_matching import IssueFacts, match_workaround
from outreach.workarounds import parse_workaround
from tests.outreach.test_audience import T0, World


def _spike_world(engine: Engine, *, message: str | None) -> World:
    w = World(engine)
    w.incident(error_code="E-SEARCH-TIMEOUT", feature="search", platform=None, app_version=None, name="error")
    with engine.begin() as conn:
        conn.execute(text("UPDATE incidents SET message_pattern = :m"), {"m": message})
    for i in range(8):
        w.customer(f"c{i:02d}")
        w.exposed(f"c{i:02d}")
    return w


def _campaign(world: World) -> tuple:
    [row] = world.rows("SELECT status, workaround_id, evidence FROM campaigns")
    return row[0], row[1], json.loads(row[2])


def test_a_keywords_only_workaround_fits_the_spike_its_error_code_names(warehouse: Engine) -> None:
    world = _spike_world(warehouse, message="search took longer than <num> s and was cancelled")
    world.workaround("wa-search", error_codes=(), keywords=("search", "timeout", "slow"),
                     title="Search is slow, find tasks another way")

    build_campaigns(warehouse, as_of=T0, settings=OutreachSettings())

    status, workaround_id, evidence = _campaign(world)
    assert (status, workaround_id) == ("pending_approval", "wa-search")
    assert any("2 of its 3 keywords: search, timeout" in why for why in evidence["workaround"]["why"])


def test_a_keywords_only_workaround_about_something_else_does_not_fit(warehouse: Engine) -> None:
    world = _spike_world(warehouse, message="search took longer than <num> s and was cancelled")
    world.workaround("wa-password", error_codes=(), keywords=("password", "reset", "forgot", "email"),
                     title="The password reset email does not arrive")

    build_campaigns(warehouse, as_of=T0, settings=OutreachSettings())

    assert _campaign(world)[:2] == ("needs_workaround", None)


def test_a_regression_is_matched_on_its_symptoms_messages(warehouse: Engine) -> None:
    world = World(warehouse)
    world.incident(kind="release_regression", signature_id=None, error_code=None, feature=None, platform="android",
                   app_version="5.14.0", name=None)
    symptom = {"signature_id": "sig-db", "name": "crash", "error_code": "E-CRASH-DB", "feature": None, "events": 60,
               "baseline_events": 1, "rate_ratio": 40.0}
    with warehouse.begin() as conn:
        conn.execute(text("UPDATE incidents SET evidence = :e"), {"e": json.dumps({"symptom_signatures": [symptom]})})
        conn.execute(
            text("INSERT INTO signatures (signature_id, name, error_code, feature, platform, message_pattern, "
                 "first_seen_at, last_seen_at) VALUES ('sig-db', 'crash', 'E-CRASH-DB', NULL, 'android', "
                 "'sqlitedatabaselockedexception in offlinesyncworker', :t, :t)"),
            {"t": T0},
        )
    for i in range(8):
        world.customer(f"c{i:02d}")
        world.exposed(f"c{i:02d}", event={"app_version": "5.14.0", "platform": "android"})
    # Only the symptom's message names "sqlite" and "offline"; the code and the version name neither.
    world.workaround("wa-offline", error_codes=(), keywords=("sqlite", "offline"),
                     title="Keep working while the app crashes")

    build_campaigns(warehouse, as_of=T0, settings=OutreachSettings())

    assert _campaign(world)[:2] == ("pending_approval", "wa-offline")


@pytest.mark.parametrize(
    ("keyword", "text_", "named"),
    [
        ("timeout", "E-SEARCH-TIMEOUT", True),  # a part of a code
        ("offline", "sqlitedatabaselockedexception in offlinesyncworker", True),  # the start of an identifier
        ("notification", "push notifications stopped", True),  # a plural
        ("invalid_grant", "invalid_grant: token has been expired", True),
        ("rate limit", "HTTP-429 rate limit exceeded", True),  # a phrase
        ("sync", "async job failed", False),  # inside a word
        ("api", "rapid growth", False),
    ],
)
def test_a_keyword_is_named_at_the_start_of_a_word(keyword: str, text_: str, named: bool) -> None:
    doc = f"---\nid: wa-k\ntitle: T\nstatus: approved\napplies_to:\n  keywords: [\"{keyword}\"]\n---\n1. Do it.\n"
    workaround = parse_workaround(doc, source="k.md")
    match = match_workaround([workaround], IssueFacts(text=text_))
    assert (match is not None and any("keywords" in why for why in match.why)) is named
