"""Corrections from the command line on a real warehouse, kept by every later detect run."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from corrections_world import PROBLEMS, SETTINGS, START, add_tickets, assignments, cli_url_of, pain_point_of
from sqlalchemy import Engine, text

from pipeline.cli import main
from pipeline.detect.painpoints import detect_pain_points
from pipeline.report import write_report
from sql import statement

DAY1, DAY2 = START + timedelta(days=1), START + timedelta(days=2)
TABLES = ("pain_points", "ticket_pain_points", "pain_point_corrections", "pain_point_history", "detector_state")


@pytest.fixture
def cli_url(warehouse: Engine) -> str:
    return cli_url_of(warehouse)


def _forewarn(monkeypatch: pytest.MonkeyPatch, url: str, *args: str) -> int:
    monkeypatch.setenv("FOREWARN_DATABASE_URL", url)
    return main(list(args))


def _tables(engine: Engine) -> dict[str, list[tuple]]:
    with engine.connect() as connection:
        return {t: sorted(map(tuple, connection.execute(text(f"SELECT * FROM {t}")).all()), key=repr) for t in TABLES}  # noqa: S608 - fixed names


def _row(engine: Engine, pain_point_id: str) -> dict:
    with engine.connect() as connection:
        return dict(connection.execute(text("SELECT * FROM pain_points WHERE pain_point_id = :p"), {"p": pain_point_id}).mappings().one())


def _tickets_of(problem: str, prefixes: tuple[str, ...] = ("a",), per_problem: int = 30) -> list[str]:
    return [f"{p}-{problem}-{i}" for p in prefixes for i in range(per_problem)]


def _paypal(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.execute(text("SELECT ticket_id FROM tickets WHERE body LIKE '%paypal%'")).scalars())


def test_corrections_from_the_cli_survive_a_rerun_with_new_tickets(
    warehouse: Engine, cli_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, tmp_path: Path
) -> None:
    add_tickets(warehouse, 30, 0, seed=1, prefix="a")
    detect_pain_points(warehouse, DAY1, SETTINGS)
    invoice, export = pain_point_of(warehouse, _tickets_of("invoice")), pain_point_of(warehouse, _tickets_of("export"))
    refund, password = pain_point_of(warehouse, _tickets_of("refund")), pain_point_of(warehouse, _tickets_of("password"))
    login = pain_point_of(warehouse, _tickets_of("login"))
    assert len({invoice, export, refund, password, login}) == 5

    assert _forewarn(monkeypatch, cli_url, "painpoints", "rename", password, "Password reset is broken", "--by", "ann") == 0
    assert _forewarn(monkeypatch, cli_url, "painpoints", "merge", invoice, export, "--by", "ann") == 0
    assert _forewarn(monkeypatch, cli_url, "painpoints", "split", refund, "--phrase", "PayPal", "--by", "bob") == 0
    assert _forewarn(monkeypatch, cli_url, "painpoints", "mute", login) == 0
    assert _forewarn(monkeypatch, cli_url, "painpoints", "pin", password, "--by", "ann") == 0
    out = capsys.readouterr().out
    assert f"merged {export} into {invoice}: 30 tickets moved (by ann)" in out
    split_id = out.split("split ")[1].split(" ")[0]

    # Shown at once, before any new run.
    mapping = assignments(warehouse)
    assert {mapping[t] for t in _tickets_of("export")} == {invoice}
    assert {t for t, p in mapping.items() if p == split_id} == _paypal(warehouse)
    assert _row(warehouse, export)["status"] == "merged"
    assert _row(warehouse, split_id)["ticket_count"] == len(_paypal(warehouse))
    assert _row(warehouse, invoice)["ticket_count"] == 60

    # A day later, with new tickets of every problem: the corrections still hold.
    add_tickets(warehouse, 30, 1, seed=2, prefix="b")
    detect_pain_points(warehouse, DAY2, SETTINGS)
    mapping = assignments(warehouse)
    assert {mapping[t] for t in _tickets_of("invoice", ("a", "b")) + _tickets_of("export", ("a", "b"))} == {invoice}
    assert _row(warehouse, export)["status"] == "merged"
    assert {t for t, p in mapping.items() if p == split_id} == _paypal(warehouse)
    assert _row(warehouse, password)["label"] == "Password reset is broken"
    assert bool(_row(warehouse, password)["pinned"]) and bool(_row(warehouse, login)["muted"])
    with warehouse.connect() as connection:
        linked = {r[0] for r in connection.execute(statement("select_pain_point_tickets"), {"as_of": DAY2})}
        by = dict(connection.execute(text('SELECT action, "by" FROM pain_point_corrections')).all())
        history = {r[0] for r in connection.execute(text("SELECT event FROM pain_point_history"))}
    assert login not in linked and invoice in linked  # a muted pain point never reaches the incident links
    assert by["rename"] == "ann" and by["split"] == "bob" and by["mute"]  # the login name by default
    assert {"rename", "merge", "split", "mute", "pin"} <= history

    report = tmp_path / "report.html"
    write_report(warehouse, report, as_of=DAY2)
    html = report.read_text(encoding="utf-8")
    assert "Password reset is broken" in html and "Corrections kept by every run" in html
    muted_label = _row(warehouse, login)["label"]
    assert "<span class=\"rank\"" in html and f"</span> {muted_label}" not in html


def test_a_rename_then_a_merge_shows_the_new_label_and_a_mute_drops_its_links_at_once(
    warehouse: Engine, cli_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both shown before any new run: a merge after a rename wrote the label the stored registry still had
    (the rename reaches only the row), and a muted pain point stayed linked to its incidents until the next
    detect, so outreach in between named a campaign after it."""
    add_tickets(warehouse, 30, 0, seed=1, prefix="a")
    detect_pain_points(warehouse, DAY1, SETTINGS)
    invoice, export = pain_point_of(warehouse, _tickets_of("invoice")), pain_point_of(warehouse, _tickets_of("export"))
    login = pain_point_of(warehouse, _tickets_of("login"))
    with warehouse.begin() as connection:
        connection.execute(
            text("INSERT INTO pain_point_incidents (pain_point_id, incident_id, lift, p_value, strength, as_of) "
                 "VALUES (:p, 'inc-1', 3.0, 0.001, 0.9, :at)"),
            [{"p": login, "at": DAY1}, {"p": invoice, "at": DAY1}],
        )
    assert _forewarn(monkeypatch, cli_url, "painpoints", "rename", invoice, "Invoice questions") == 0
    assert _forewarn(monkeypatch, cli_url, "painpoints", "merge", invoice, export) == 0
    assert _row(warehouse, invoice)["label"] == "Invoice questions"
    assert _forewarn(monkeypatch, cli_url, "painpoints", "mute", login) == 0
    with warehouse.connect() as connection:
        linked = set(connection.execute(text("SELECT pain_point_id FROM pain_point_incidents")).scalars())
    assert linked == {invoice}


def test_a_split_source_shows_only_its_own_tickets_as_examples_and_terms(
    warehouse: Engine, cli_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The source of a split kept the fitted cluster's examples and key terms, split-off tickets included,
    at once and after the next runs (a crash pain point showed "Can't DRAG files" as its example)."""
    add_tickets(warehouse, 30, 0, seed=1, prefix="a")
    detect_pain_points(warehouse, DAY1, SETTINGS)
    refund = pain_point_of(warehouse, _tickets_of("refund"))
    assert _forewarn(monkeypatch, cli_url, "painpoints", "split", refund, "--phrase", "PayPal") == 0

    def card() -> tuple[list[str], list[str]]:
        row = _row(warehouse, refund)
        return [r["text"] for r in json.loads(row["representatives"])], json.loads(row["key_terms"])

    for moment in ("at once", "after the next run"):
        if moment == "after the next run":
            add_tickets(warehouse, 30, 1, seed=2, prefix="b")
            detect_pain_points(warehouse, DAY2, SETTINGS)
        examples, terms = card()
        assert examples and not any("paypal" in e.lower() for e in examples), (moment, examples)
        assert not any("paypal" in t.lower() for t in terms), (moment, terms)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("rename", "pp-999999", "x"), "pain point 'pp-999999' is unknown"),
        (("merge", "{invoice}", "{invoice}"), "with itself"),
        (("merge", "{invoice}", "{export}"), "was merged into"),  # export is already merged away
        (("rename", "{export}", "new name"), "was merged into"),
        (("split", "{refund}", "--phrase", "zebra crossing"), "matches none of the"),
        (("split", "{refund}", "--phrase", "refund"), "leave it empty"),
        (("split", "{refund}", "--examples", "a-login-1"), "is not in"),
        (("merge", "{refund}", "{password}"), "is pinned"),
        (("merge", "{login}", "{refund}"), "is muted"),
        (("rename", "{refund}", "   "), "label"),
        (("merge", "{invoice}", "{refund}", "{refund}"), "is named twice"),
        (("mute", "{login}"), "is muted already"),  # stored again, the log listed it twice
        (("pin", "{password}"), "is pinned already"),
    ],
)
def test_bad_corrections_fail_with_one_line_and_change_nothing(
    warehouse: Engine, cli_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture,
    args: tuple[str, ...], message: str,
) -> None:
    add_tickets(warehouse, 30, 0, seed=1, prefix="a")
    detect_pain_points(warehouse, DAY1, SETTINGS)
    ids = {problem: pain_point_of(warehouse, _tickets_of(problem)) for problem in PROBLEMS}
    assert _forewarn(monkeypatch, cli_url, "painpoints", "merge", ids["invoice"], ids["export"]) == 0
    assert _forewarn(monkeypatch, cli_url, "painpoints", "pin", ids["password"]) == 0
    assert _forewarn(monkeypatch, cli_url, "painpoints", "mute", ids["login"]) == 0
    capsys.readouterr()
    before = _tables(warehouse)
    code = _forewarn(monkeypatch, cli_url, "painpoints", *(a.format(**ids) for a in args))
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith("forewarn: error: ") and message in err[0]
    assert _tables(warehouse) == before


def test_correcting_before_any_detect_run_says_what_to_do(
    warehouse: Engine, cli_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    assert _forewarn(monkeypatch, cli_url, "painpoints", "mute", "pp-000001") == 2
    assert "run forewarn detect first" in capsys.readouterr().err


def test_themes_keep_their_ids_across_runs(warehouse: Engine) -> None:
    add_tickets(warehouse, 30, 0, seed=1, prefix="a")
    detect_pain_points(warehouse, DAY1, SETTINGS)
    with warehouse.connect() as connection:
        first = dict(connection.execute(text("SELECT pain_point_id, theme_id FROM pain_points")).all())
    add_tickets(warehouse, 20, 1, seed=2, prefix="b")
    detect_pain_points(warehouse, DAY2, SETTINGS)
    with warehouse.connect() as connection:
        second = dict(connection.execute(text("SELECT pain_point_id, theme_id FROM pain_points WHERE status = 'active'")).all())
        themes = dict(connection.execute(text("SELECT theme_id, ticket_count FROM themes WHERE status = 'active'")).all())
    assert all(second[p] == first[p] for p in first if p in second)
    assert None not in second.values()
    assert set(second.values()) == set(themes)
    assert sum(themes.values()) == 250  # every assigned ticket of the window, once


def test_the_listing_names_each_pain_points_theme(
    warehouse: Engine, cli_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """`painpoints list` showed only theme ids ("th-0003"), which tell a product manager nothing."""
    add_tickets(warehouse, 30, 0, seed=1, prefix="a")
    detect_pain_points(warehouse, DAY1, SETTINGS)
    invoice = pain_point_of(warehouse, _tickets_of("invoice"))
    with warehouse.connect() as connection:
        theme_id, theme_label = connection.execute(text(
            "SELECT t.theme_id, t.label FROM pain_points p JOIN themes t ON t.theme_id = p.theme_id "
            "WHERE p.pain_point_id = :p"), {"p": invoice}).one()
    capsys.readouterr()
    assert _forewarn(monkeypatch, cli_url, "painpoints", "list") == 0
    [line] = [row for row in capsys.readouterr().out.splitlines() if row.startswith(invoice)]
    assert f"{theme_id} {theme_label}"[:20] in line
