"""A pain point's public counts agree with the tickets ``ticket_pain_points`` maps to it.

A refit may leave out a ticket an earlier run placed (a group too small for a queue ten times larger, a
ticket at a pain point's edge); the ticket keeps its earlier pain point (``identity.py``). The pain point's
``ticket_count`` counted only the tickets the refit placed, while ``ticket_pain_points`` (what BI tools
count), the theme's size and the registry held the left-out one too: on the demo three pain points read
one ticket fewer than the table, and ``painpoints split`` named a size ``painpoints list`` did not show.
"""

from __future__ import annotations

import csv
import random
from datetime import datetime
from pathlib import Path

import pytest
from detect_world import SETTINGS, count_disagreements
from sqlalchemy import Engine, text

from detectors.painpoints import OnnxMiniLmEmbedder, default_embedder
from pipeline.detect import DetectSettings, detect
from pipeline.detect.corrections import CorrectionRequest, correct_pain_point
from pipeline.ingest import ingest
from tests.pipeline.test_ingest import CUSTOMER_HEADER, TICKET_HEADER, customer

_PROBLEMS = [
    ["My CSV export fails", "The export to CSV never finishes", "Exporting the report to CSV gives an error"],
    ["Password reset email never arrives", "I did not get the reset link", "No email to reset my password"],
    ["Calendar sync stopped", "My calendar does not sync with Outlook", "Outlook calendar is out of date"],
    ["I was charged twice this month", "Double charge on my card", "Duplicate payment on my invoice"],
    ["Cannot log in with SSO", "Single sign-on login fails", "Okta login does not work"],
    ["File upload times out", "Uploading large files fails", "Attachment upload gives a timeout"],
    ["Search returns no results", "Searching finds nothing", "No search results for my tasks"],
    ["Push notifications stopped", "Mobile notifications missing", "Notifications do not arrive on iOS"],
]
_TAILS = ["since yesterday", "again today", "for the whole team", "on every try", "after the update", "please help"]
# Three tickets of a rare problem: a group of three on the first day's hundred tickets, too small to be one
# once the queue holds three thousand (the smallest pain point grows with the queue).
_RARE = ["Barcode scanner freezes the till", "Barcode scanner freezes the till again", "The barcode scanner freezes the till"]


def _queue(folder: Path) -> Path:
    rnd = random.Random(5)
    folder.mkdir()
    rows: list[list[object]] = []

    def add(day: int, subject: str, body: str) -> None:
        stamp = f"2026-01-{day:02d}T{rnd.randrange(24):02d}:{rnd.randrange(60):02d}:00Z"
        rows.append([f"T{len(rows):05d}", f"C{rnd.randrange(300):03d}", stamp, subject, body, "email", "open", "", ""])

    for phrases in _PROBLEMS:
        for _ in range(12):
            add(1, rnd.choice(phrases), f"{rnd.choice(phrases)} {rnd.choice(_TAILS)}.")
    for subject in _RARE:
        add(1, subject, subject + ".")
    for phrases in _PROBLEMS:
        for _ in range(380):
            add(rnd.randrange(2, 5), rnd.choice(phrases), f"{rnd.choice(phrases)} {rnd.choice(_TAILS)}.")
    for name, header, table in (("customers", CUSTOMER_HEADER, [customer(i) for i in range(300)]),
                                ("tickets", TICKET_HEADER, rows)):
        with (folder / f"{name}.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(table)
    return folder


def test_a_ticket_the_refit_left_out_counts_where_it_is_mapped(sqlite_warehouse: Engine, tmp_path: Path) -> None:
    if not isinstance(default_embedder(), OnnxMiniLmEmbedder):
        pytest.skip("the packaged MiniLM is not installed; the left-out case was found and checked with it")
    ingest(sqlite_warehouse, str(_queue(tmp_path / "queue")))
    settings = DetectSettings(embedder="auto")
    for as_of in (datetime(2026, 1, 2), datetime(2026, 1, 6)):
        detect(sqlite_warehouse, as_of, settings)
        assert count_disagreements(sqlite_warehouse) == {}, as_of
    with sqlite_warehouse.connect() as connection:
        rare = connection.execute(text(
            "SELECT COUNT(*) FROM ticket_pain_points t JOIN tickets k USING (ticket_id) WHERE k.subject LIKE '%barcode%'"
        )).scalar()
    assert rare == 3  # placed on the first day, never taken back


def _active(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return dict(connection.execute(text("SELECT pain_point_id, ticket_count FROM pain_points WHERE status = 'active'")).all())


def test_a_rerun_after_a_split_finds_its_own_ids_again_and_leaves_no_twin(warehouse: Engine, world_dir: Path) -> None:
    """Rerunning an as-of after a person split one of the pain points that run had created: the rerun starts
    from the registry before that as-of, so it issues the same numbers again; it must pass over the split's
    number without jumping past the rest (the rerun's new pain points came back under fresh ids, and the
    first run's rows stayed active beside them, one the corrections then called unknown)."""
    ingest(warehouse, str(world_dir))
    first, second = datetime(2026, 3, 15), datetime(2026, 3, 20)
    detect(warehouse, first, SETTINGS)
    before = set(_active(warehouse))
    detect(warehouse, second, SETTINGS)
    shown = _active(warehouse)
    made_at_second = sorted(p for p in set(shown) - before if shown[p] >= 2)
    assert made_at_second, "the second run should find a pain point the first had not"
    source = made_at_second[0]
    with warehouse.connect() as connection:
        one = connection.execute(text("SELECT MIN(ticket_id) FROM ticket_pain_points WHERE pain_point_id = :p"),
                                 {"p": source}).scalar()
    split = correct_pain_point(warehouse, CorrectionRequest("split", source, "pm@example.com", datetime(2026, 3, 21),
                                                            ticket_ids=(one,))).correction
    assert count_disagreements(warehouse) == {}  # the split part joined its source's theme, counted at once
    detect(warehouse, second, SETTINGS)
    again = _active(warehouse)
    assert set(again) == set(shown) | {split.new_pain_point_id}
    assert again[split.new_pain_point_id] == 1 and again[source] == shown[source] - 1
    assert count_disagreements(warehouse) == {}
    # The ids the person sees are the ones the corrections know.
    correct_pain_point(warehouse, CorrectionRequest("rename", source, "pm@example.com", datetime(2026, 3, 21), label="X"))


def test_a_merge_across_themes_brings_both_themes_customers_up_at_once(warehouse: Engine, world_dir: Path) -> None:
    """A person's merge moves one theme's tickets into another theme's pain point: the themes' customer
    counts (what the report and BI show beside their sizes) move with the tickets, not only at the next run."""
    ingest(warehouse, str(world_dir))
    detect(warehouse, datetime(2026, 3, 20), SETTINGS)
    with warehouse.connect() as connection:
        points = connection.execute(text(
            "SELECT pain_point_id, theme_id FROM pain_points WHERE status = 'active' AND ticket_count >= 2 "
            "ORDER BY ticket_count DESC, pain_point_id")).all()
    themes = {theme: pid for pid, theme in reversed(points)}
    assert len(themes) >= 2, "the world should hold pain points in two themes"
    keep, other = list(themes.values())[:2]
    correct_pain_point(warehouse, CorrectionRequest("merge", keep, "pm@example.com", datetime(2026, 3, 21), other_ids=(other,)))
    assert count_disagreements(warehouse) == {}


def _theme_sets(engine: Engine) -> tuple[set[str], set[str]]:
    with engine.connect() as connection:
        table = {r[0] for r in connection.execute(text("SELECT theme_id FROM themes WHERE status = 'active'"))}
        used = {r[0] for r in connection.execute(text(
            "SELECT DISTINCT theme_id FROM pain_points WHERE status = 'active' AND theme_id IS NOT NULL"))}
    return table, used


def test_a_rerun_leaves_no_theme_active_that_its_pain_points_are_not_in(warehouse: Engine, world_dir: Path) -> None:
    """A rerun starts from the theme registry saved before its as-of: a theme that a replaced run created is
    in no registry, and stayed "active" in the table beside its successor (the demo showed two themes of the
    same three pain points, "integration and push notifications", under two ids)."""
    ingest(warehouse, str(world_dir))
    first, second = datetime(2026, 3, 15), datetime(2026, 3, 20)
    detect(warehouse, first, SETTINGS)
    detect(warehouse, second, SETTINGS)
    table, used = _theme_sets(warehouse)
    assert table == used
    detect(warehouse, first, SETTINGS)
    table, used = _theme_sets(warehouse)
    assert table == used and used
