"""The world honours the SPEC input contract and looks like a real SaaS product's data."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from simworld import EMAIL, SETTINGS, World, incidents, parse_time, read_csv

CUSTOMER_COLUMNS = ["customer_id", "email", "name", "locale", "plan", "mrr", "email_opt_in", "created_at"]
TICKET_COLUMNS = ["ticket_id", "customer_id", "created_at", "subject", "body", "channel", "status", "tags", "csat"]
EVENT_COLUMNS = ["event_id", "customer_id", "occurred_at", "name", "feature", "app_version", "platform",
                 "error_code", "message"]
LANGUAGE_MARKERS = {
    "de": r"\b(?:hallo|guten tag|sehr geehrte|viele grüße|können sie|mit freundlichen|bitte)\b",
    "fr": r"\b(?:bonjour|cordialement|pouvez-vous|merci d'avance|madame, monsieur)",
    "es": r"\b(?:hola|buenos días|saludos|me pueden|estimados)\b",
}
RESERVED_DOMAIN = re.compile(r"@(?:[a-z0-9-]+\.)*(?:example\.(?:com|org|net)|example|test)$")


def test_every_contract_file_is_written_with_its_columns(world_dir: Path) -> None:
    assert list(read_csv(world_dir / "customers.csv").columns) == CUSTOMER_COLUMNS
    assert list(read_csv(world_dir / "tickets.csv").columns) == TICKET_COLUMNS
    assert list(read_csv(world_dir / "tickets-2.csv").columns) == [*TICKET_COLUMNS, "priority"]
    assert list(read_csv(world_dir / "events.csv").columns) == EVENT_COLUMNS
    for name in ("incidents.json", "ticket_pain_points.csv", "dirty_rows.csv", "releases.csv", "manifest.json"):
        assert (world_dir / "truth" / name).is_file(), name


def test_customers_are_plausible(world: World) -> None:
    customers = world.customers
    assert len(customers) == SETTINGS.customers
    assert customers["customer_id"].is_unique and customers["customer_id"].str.fullmatch(r"C\d{6}").all()
    assert customers["email"].str.match(EMAIL).all()
    assert customers["email"].str.contains(RESERVED_DOMAIN).all(), "only reserved domains may be used"
    assert set(customers["locale"]) <= {"en", "de", "fr", "es", "pt"}
    assert (customers["locale"] == "en").mean() > 0.6 and customers["locale"].nunique() >= 4
    assert set(customers["plan"]) == {"free", "pro", "business", "enterprise"}
    mrr = customers["mrr"].astype(float)
    assert (mrr >= 0).all() and (mrr[customers["plan"] == "free"] == 0).all() and (mrr[customers["plan"] != "free"] > 0).all()
    assert set(customers["email_opt_in"]) == {"true", "false"}
    assert 0.78 <= (customers["email_opt_in"] == "true").mean() <= 0.92
    created = parse_time(customers["created_at"])
    start = pd.Timestamp(SETTINGS.start, tz="UTC")
    assert (created < start).mean() > 0.9 and (created >= start).any(), "a few sign up during the window"


def test_tickets_are_plausible(world: World) -> None:
    tickets = world.tickets
    assert tickets["ticket_id"].is_unique and tickets["ticket_id"].str.fullmatch(r"T\d{6}").all()
    assert tickets["customer_id"].isin(world.customers["customer_id"]).all()
    assert set(tickets["channel"]) == {"email", "web", "chat", "phone"}
    assert set(tickets["status"]) <= {"open", "pending", "solved", "closed"}
    rated = tickets[tickets["csat"] != ""]
    assert len(rated) > 0 and rated["csat"].astype(int).between(1, 5).all()
    assert rated["status"].isin(["solved", "closed"]).all(), "only finished tickets carry a CSAT"
    tags = tickets.loc[tickets["tags"] != "", "tags"].str.split(";").explode()
    assert (tags.str.len() > 0).all() and tags.nunique() > 10
    assert (tickets["subject"].str.len() > 0).all() and (tickets["body"].str.len() > 20).all()
    # Only the second export (after the helpdesk migration) has local-time offsets and a priority.
    second = tickets["_file"] == "tickets-2.csv"
    assert tickets.loc[~second, "created_at"].str.endswith("Z").all()
    assert tickets.loc[second, "created_at"].str.contains(r"[+-]\d\d:\d\d$").all()
    assert tickets.loc[~second, "t"].max() < tickets.loc[second, "t"].min()
    customer_weeks = SETTINGS.customers * SETTINGS.days / 7
    assert 1 / 25 <= len(tickets) / customer_weeks <= 1 / 8, "about one ticket per 10-20 customers a week"


def test_ticket_truth_covers_exactly_the_clean_tickets(world: World) -> None:
    truth = read_csv(world.path / "truth" / "ticket_pain_points.csv")
    assert list(truth.columns) == ["ticket_id", "pain_point", "incident_id"]
    assert sorted(truth["ticket_id"]) == sorted(world.tickets["ticket_id"])
    background = truth[truth["incident_id"] == ""]
    assert background["pain_point"].str.startswith("incident:").sum() == 0
    recurring = background.loc[~background["pain_point"].str.startswith("one_off:"), "pain_point"]
    assert recurring.nunique() >= 15 and recurring.value_counts().iloc[0] >= 5
    assert background["pain_point"].str.startswith("one_off:").any()
    by_incident = truth[truth["incident_id"] != ""]
    assert (by_incident["pain_point"] == "incident:" + by_incident["incident_id"]).all()
    assert set(by_incident["incident_id"]) == {i["incident_id"] for i in incidents(world.path)}


def test_ticket_text_is_messy_like_real_tickets(world: World) -> None:
    bodies = world.tickets["body"]
    assert bodies.str.contains(r"<(?:p|div|br)\b").sum() >= 1, "some bodies are HTML mail"
    addresses = bodies.str.findall(r"[\w.+-]+@[\w.-]*\w").explode().dropna()
    assert len(addresses) >= 1, "some paste e-mail addresses"
    assert addresses.str.contains(RESERVED_DOMAIN).all(), "pasted addresses use reserved domains only"
    assert bodies.str.contains(r"\+?\d[\d ()-]{7,}\d").sum() >= 1, "some paste phone or card numbers"
    assert bodies.str.contains(r"https://\S+token=|\bsig=").any() or bodies.str.contains(r"\b[A-Z]{2}\d\d(?: ?[A-Z0-9]{4}){3,}").any()
    assert 4_000 <= bodies.str.len().max() <= 25_000, "a few long bodies, up to ~20 KB"
    assert bodies.str.len().median() < 600
    assert bodies.nunique() / len(bodies) > 0.97, "phrasings vary"
    locale = world.customers.set_index("customer_id")["locale"]
    foreign = 0
    for language, markers in LANGUAGE_MARKERS.items():
        written = world.tickets[bodies.str.contains(markers, case=False)]
        assert (locale[written["customer_id"]] == language).all(), f"{language} only from {language} customers"
        foreign += len(written)
    assert foreign >= 1


def test_events_look_like_a_product(world: World) -> None:
    events = world.events
    assert events["event_id"].is_unique and events["event_id"].str.fullmatch(r"E\d{9}").all()
    assert events["customer_id"].isin(world.customers["customer_id"]).all()
    assert {"session_start", "feature_used", "error", "crash"} <= set(events["name"])
    assert set(events["platform"]) == {"web", "ios", "android", "windows", "macos"}
    assert (events["app_version"].str.fullmatch(r"\d+\.\d+\.\d+")).all()
    failing = events["name"].isin(["error", "crash"])
    assert (events.loc[failing, "error_code"] != "").all() and (events.loc[failing, "message"] != "").all()
    assert (events.loc[~failing, "error_code"] == "").all()
    assert (events.loc[events["name"] == "feature_used", "feature"] != "").all()
    assert 0.01 < failing.mean() < 0.06, "a realistic baseline of errors"
    rate = len(events) / (SETTINGS.customers * SETTINGS.days)
    assert 0.6 * SETTINGS.events_per_customer_day < rate < 1.3 * SETTINGS.events_per_customer_day
    created = world.customers.set_index("customer_id")["created_at"].pipe(parse_time)
    assert (events["t"] >= created[events["customer_id"]].to_numpy()).all(), "no activity before sign-up"


def test_activity_has_daily_and_weekly_rhythm(world: World) -> None:
    t = world.events["t"]
    per_day = t.dt.floor("D").value_counts()
    weekend = per_day[per_day.index.dayofweek >= 5].mean()
    weekday = per_day[per_day.index.dayofweek < 5].mean()
    assert weekend < 0.55 * weekday
    # Customers sit in the Americas, Europe and Australia; UTC 03-05 is night almost everywhere.
    by_hour = t.dt.hour.value_counts()
    assert by_hour[[3, 4, 5]].mean() < 0.5 * by_hour[[13, 14, 15, 16]].mean()


@pytest.mark.parametrize("platform", ["ios", "android", "windows", "macos"])
def test_new_versions_roll_out_over_days(world: World, platform: str) -> None:
    releases = read_csv(world.path / "truth" / "releases.csv")
    releases["t"] = parse_time(releases["released_at"])
    start = pd.Timestamp(SETTINGS.start, tz="UTC")
    # Regular builds roll out over days; an expedited hotfix is pushed within hours, on purpose.
    mine = releases[(releases["platform"] == platform) & (releases["t"] >= start) & (releases["rollout"] != "hotfix")
                    & (releases["t"] < start + pd.Timedelta(days=SETTINGS.days - 6))]
    sessions = world.events[(world.events["name"] == "session_start") & (world.events["platform"] == platform)]
    for release in mine.itertuples():
        day = (sessions["t"] - release.t) // pd.Timedelta(days=1)
        share = [(sessions.loc[day == d, "app_version"].map(_version) >= _version(release.app_version)).mean()
                 for d in (0, 1, 4)]
        assert share[0] < 0.5 and share[0] <= share[1] < share[2], f"{platform} {release.app_version}: {share}"
        assert share[2] > 0.3


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def test_workarounds_have_front_matter_and_cover_every_incident(world_dir: Path) -> None:
    notes = {}
    for path in sorted((world_dir / "workarounds").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("---\n")
        front, body = text[4:].split("\n---\n", 1)
        meta = yaml.safe_load(front)
        assert {"id", "title", "status", "applies_to"} <= set(meta) <= {
            "id", "title", "status", "applies_to", "language", "translations"}
        if meta["status"] == "approved":  # the demo's customers read German, French and Spanish too
            assert set(meta["translations"]) == {"de", "fr", "es"} and meta["language"] == "en"
        assert meta["status"] in {"approved", "draft"} and path.stem == meta["id"]
        assert set(meta["applies_to"]) <= {"error_codes", "features", "platforms", "app_versions", "keywords"}
        assert all(isinstance(v, list) and v for v in meta["applies_to"].values())
        assert re.search(r"^1\. ", body, re.MULTILINE), "concrete numbered steps"
        notes[meta["id"]] = meta
    statuses = [m["status"] for m in notes.values()]
    assert "draft" in statuses and statuses.count("approved") >= 3 + 3
    for incident in incidents(world_dir):
        note = notes[incident["workaround_id"]]
        assert note["status"] == "approved"
        assert incident["signature"]["error_code"] in note["applies_to"]["error_codes"]
        if incident["kind"] == "release_regression":
            assert note["applies_to"]["app_versions"] == [incident["signature"]["app_version"]]
            assert note["applies_to"]["platforms"] == [incident["signature"]["platform"]]


def test_numbers_are_written_with_fixed_formatting(world_dir: Path) -> None:
    mrr = read_csv(world_dir / "customers.csv")["mrr"]
    assert mrr.str.fullmatch(r"-?\d+\.\d\d").all()
    assert not np.isnan(mrr.astype(float)).any()
