"""``forewarn backtest`` replays outreach too: emails in an outbox, a kept warehouse, consistent per-incident figures."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from outreach.standing_approval import STANDING_PREFIX
from pipeline.cli import main
from pipeline.simulate import WorldSettings, simulate_world
from pipeline.warehouse import make_engine

WORLD = WorldSettings(customers=1000, days=14, seed=3, start=date(2026, 1, 1))
FROM, TO = "2026-01-09", "2026-01-12T12:00"

pytestmark = pytest.mark.slow  # two replays of 15 runs each (~1 min on a quiet machine)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("backtest-outreach") / "world"
    simulate_world(WORLD, out)
    return out


def _replay(world: Path, folder: Path, approve_after: str) -> tuple[dict, str, str]:
    url = f"sqlite:///{folder / 'warehouse.db'}"
    code = main(["backtest", str(world), "--from", FROM, "--to", TO, "--every", "6h", "--truth", str(world / "truth"),
                 "--embedder", "tfidf", "--approve-after", approve_after, "--database-url", url,
                 "--outbox", str(folder / "outbox"), "--json", str(folder / "result.json"),
                 "--html", str(folder / "result.html"), "--no-progress"])
    assert code == 0
    return json.loads((folder / "result.json").read_text()), (folder / "result.html").read_text(), url


@pytest.fixture(scope="module")
def at_once(world: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str, str, Path]:
    folder = tmp_path_factory.mktemp("at-once")
    return (*_replay(world, folder, "0h"), folder)


@pytest.fixture(scope="module")
def after_12h(world: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str, str, Path]:
    folder = tmp_path_factory.mktemp("after-12h")
    return (*_replay(world, folder, "12h"), folder)


def test_every_injected_incident_is_reported_with_its_outreach_fields(at_once) -> None:  # noqa: ANN001
    document = at_once[0]
    assert document["every_hours"] == 6 and len(document["days"]) == 15
    injected = document["outreach"]["injected_incidents"]
    assert {i["true_incident_id"] for i in injected} == {"inc-1", "inc-2", "inc-3"}
    for field in ("true_start", "evidence_at", "detected_at", "first_email_at", "reach_before_ticket", "precision",
                  "coverage", "emailed_after_writing", "approvals_asked"):
        assert all(field in i for i in injected), field
    assert sum(1 for i in injected if i["first_email_at"]) >= 2


def test_figures_are_consistent(at_once) -> None:  # noqa: ANN001
    document = at_once[0]
    for found in document["outreach"]["found_incidents"]:
        if found["first_email_at"]:
            # An email can only follow the run that found the incident, and its detection.
            assert found["first_email_at"] >= found["first_found_as_of"] >= found["detected_at"][:19]
            assert found["evidence_at"] <= found["detected_at"]
    injected = document["outreach"]["injected_incidents"]
    for i in injected:
        assert i["reached_before_ticket"] <= i["writers_could_be_emailed"] <= i["affected_could_be_emailed"]
        assert i["emailed_truly_affected"] <= i["emailed"]
        if i["writers_could_be_emailed"]:
            assert i["reach_before_ticket"] == round(i["reached_before_ticket"] / i["writers_could_be_emailed"], 3)
        # Nobody who wrote before the first run can have had an email first.
        assert i["writers_before_first_run"] <= i["writers_could_be_emailed"] - i["reached_before_ticket"]
    summary = document["outreach"]["summary"]
    early = sum(i["writers_before_first_run"] for i in injected)
    assert summary["writers_before_first_run"] == early
    if summary["writers_could_be_emailed"] > early:
        assert summary["reach_before_ticket_after_first_run"] == round(
            summary["reached_before_ticket"] / (summary["writers_could_be_emailed"] - early), 3)
    assert summary["reached_before_ticket"] == sum(i["reached_before_ticket"] for i in injected)
    assert summary["writers_could_be_emailed"] == sum(i["writers_could_be_emailed"] for i in injected)
    assert summary["emailed"] == sum(i["emailed"] for i in injected)


def test_no_email_goes_to_a_customer_who_already_wrote_in_the_linked_pain_point(at_once) -> None:  # noqa: ANN001
    engine = make_engine(at_once[2])
    with engine.connect() as connection:
        wrote_first = connection.execute(text(
            "SELECT COUNT(*) FROM outreach_messages m JOIN campaigns c ON c.campaign_id = m.campaign_id "
            "JOIN tickets t ON t.customer_id = m.customer_id "
            "JOIN ticket_pain_points tpp ON tpp.ticket_id = t.ticket_id AND tpp.pain_point_id = c.pain_point_id "
            "WHERE m.status = 'sent' AND t.created_at < c.created_at")).scalar()
    engine.dispose()
    assert wrote_first == 0


def test_the_warehouse_is_kept_and_the_outbox_holds_every_email_sent(at_once) -> None:  # noqa: ANN001
    document, _, url, folder = at_once
    engine = make_engine(url)
    with engine.connect() as connection:
        sent = connection.execute(text("SELECT COUNT(*) FROM outreach_messages WHERE status = 'sent'")).scalar()
        approvers = {r[0] for r in connection.execute(text("SELECT DISTINCT approved_by FROM campaigns "
                                                            "WHERE approved_by IS NOT NULL"))}
    engine.dispose()
    assert sent > 0 and sent == len(list((folder / "outbox").glob("*.eml")))
    assert sent == sum(day["outreach"]["sent"] for day in document["days"])
    # A person ("backtest") approves the first campaign of an incident; its follow-ups carry that standing approval.
    people = {a for a in approvers if not a.startswith(STANDING_PREFIX)}
    standing = {a.removeprefix(STANDING_PREFIX) for a in approvers if a.startswith(STANDING_PREFIX)}
    assert people == {"backtest"}
    with engine.connect() as connection:
        for campaign_id in standing:
            source = connection.execute(text("SELECT approved_by FROM campaigns WHERE campaign_id = :c"),
                                        {"c": campaign_id}).scalar()
            assert source == "backtest", campaign_id
    engine.dispose()


def test_html_shows_the_json_figures(at_once) -> None:  # noqa: ANN001
    document, html, _, _ = at_once
    summary = document["outreach"]["summary"]
    for field in ("reach_before_ticket", "precision", "emailed_after_writing", "max_approvals_asked_per_incident",
                  "false_incidents"):
        cell = re.search(rf'data-field="{field}">([^<]*)<', html)
        assert cell is not None and cell.group(1) == str(summary[field]), field
    for incident in document["outreach"]["injected_incidents"]:
        row = re.search(rf'<tr data-incident="{incident["true_incident_id"]}">(.*?)</tr>', html, re.S)
        assert row is not None
        # a time shows to the minute and keeps its exact value in data-value
        cells = {field: exact or shown
                 for field, exact, shown in re.findall(r'data-field="(\w+)"(?: data-value="([^"]*)")?>([^<]*)<', row.group(1))}
        for field in ("reached_before_ticket", "writers_could_be_emailed", "precision", "first_email_at"):
            expected = incident[field]
            assert cells[field] == ("-" if expected is None else str(expected)), field
    assert "<th>true_incident_id</th>" not in html and "<th>reach-before-ticket</th>" in html


def test_false_incidents_are_the_found_ones_no_true_incident_matches(at_once) -> None:  # noqa: ANN001
    outreach = at_once[0]["outreach"]
    matched = {i for incident in outreach["injected_incidents"] for i in incident["found_as"]}
    false = [f for f in outreach["found_incidents"] if f["incident_id"] not in matched]
    assert outreach["summary"]["false_incidents"] == len(false)
    assert outreach["summary"]["emails_about_false_incidents"] == sum(f["emails_sent"] for f in false)
    # Every injected incident of this world is found, and each found one is one of them.
    assert matched and len(matched) + len(false) == len(outreach["found_incidents"])


def test_approve_after_delays_every_first_email_by_at_least_that_long(at_once, after_12h) -> None:  # noqa: ANN001
    engine = make_engine(after_12h[2])
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT c.created_at, c.approved_at, c.approved_by, MIN(m.sent_at) FROM campaigns c "
            "JOIN outreach_messages m ON m.campaign_id = c.campaign_id WHERE m.status = 'sent' "
            "GROUP BY c.campaign_id, c.created_at, c.approved_at, c.approved_by")).all()
    engine.dispose()
    assert rows
    asked = [row for row in rows if not row[2].startswith(STANDING_PREFIX)]
    assert asked
    for created, approved, _, first_sent in asked:
        created, approved, first_sent = (datetime.fromisoformat(str(v)) for v in (created, approved, first_sent))
        assert (approved - created).total_seconds() >= 12 * 3600 and first_sent >= approved
    # Follow-ups under a standing approval go out without waiting, but never before the approval they stand on.
    first_approval = min(datetime.fromisoformat(str(row[1])) for row in asked)
    for _, approved, by, first_sent in rows:
        if by.startswith(STANDING_PREFIX):
            assert datetime.fromisoformat(str(first_sent)) >= datetime.fromisoformat(str(approved)) >= first_approval
    soon = {f["incident_id"]: f for f in at_once[0]["outreach"]["found_incidents"]}
    for late in after_12h[0]["outreach"]["found_incidents"]:
        early = soon.get(late["incident_id"])
        if late["first_email_at"] and early and early["first_email_at"]:
            hours = (datetime.fromisoformat(late["first_email_at"]) -
                     datetime.fromisoformat(early["first_email_at"])).total_seconds() / 3600
            # A send is stamped with its run's as-of plus the seconds the run has taken so far.
            assert hours >= 12 - 1 / 60
