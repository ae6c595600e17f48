"""``forewarn outreach --product-profile`` and ``--workarounds`` from a terminal: warnings, errors, languages."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from pipeline.cli import main
from tests.outreach.test_audience import T0, World

AS_OF = T0.isoformat()
WORKAROUND = """\
---
id: wa-sync
title: Sync times out
status: approved
applies_to: {error_codes: [E_SYNC_TIMEOUT], keywords: [sync]}
translations:
  de:
    title: Die Synchronisierung bricht ab
    steps: |
      1. Melden Sie sich ab.
---
We're sorry about this.

1. Sign out.
2. Sign in again.
"""
PROFILE = """\
product: Acme
team: The Acme team
locales:
  en: {features: {sync: sync}}
  de: {features: {sync: die Synchronisierung}}
  fr: {features: {}}
"""


@pytest.fixture
def world(sqlite_warehouse: Engine, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setenv("FOREWARN_DATABASE_URL", str(sqlite_warehouse.url))
    w = World(sqlite_warehouse)
    w.incident()
    for i in range(12):
        w.customer(f"c{i:02d}")
        w.exposed(f"c{i:02d}")
    with sqlite_warehouse.begin() as conn:
        conn.execute(text("UPDATE customers SET locale = 'de'"))
    return w


def test_outreach_prints_load_warnings_and_the_preview_says_why_german_customers_get_english(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "wa-sync.md").write_text(WORKAROUND, encoding="utf-8")
    profile = tmp_path / "profile.yaml"
    profile.write_text(PROFILE, encoding="utf-8")
    code = main(["outreach", "--as-of", AS_OF, "--no-send", "--workarounds", str(tmp_path / "kb"),
                 "--product-profile", str(profile)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "warning: " in err and "locales.fr.features has no name for 'sync'" in err
    assert f"warning: {tmp_path / 'kb' / 'wa-sync.md'}:" in err and "apologises" in err
    assert "the German translation has 1 steps where the workaround has 2" in err
    code = main(["campaigns", "show", "cmp-inc1"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "fell back to English: the German translation has 1 steps where the workaround has 2" in out


def test_a_missing_product_profile_is_one_error_line(world: World, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    code = main(["outreach", "--as-of", AS_OF, "--no-send", "--product-profile", str(tmp_path / "nope.yaml")])
    _, err = capsys.readouterr()
    assert code == 2
    assert err.strip().splitlines() == [
        f"forewarn: error: product profile {str(tmp_path / 'nope.yaml')!r} does not exist; point "
        "--product-profile, the Variable forewarn_product_profile or FOREWARN_PRODUCT_PROFILE at an existing YAML file"
    ]


def test_a_workaround_warning_reaches_the_terminal_once(tmp_path: Path) -> None:
    """The loader logs its warnings (a DAG task's log shows them) and the command printed them too: every
    warning twice on a terminal. A real process, since the log goes to the terminal's stderr."""
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "wa-sync.md").write_text(WORKAROUND, encoding="utf-8")
    env = {**os.environ, "FOREWARN_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}", "FOREWARN_HOME": str(tmp_path)}
    done = subprocess.run([str(Path(sys.executable).parent / "forewarn"), "outreach", "--as-of", "2026-01-01T00:00:00Z",
                           "--no-send", "--workarounds", str(tmp_path / "kb")], env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("apologises") == 1, done.stderr


def test_an_outreach_at_an_earlier_as_of_than_the_last_says_why_it_builds_nothing(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "wa-sync.md").write_text(WORKAROUND, encoding="utf-8")
    later = T0 + timedelta(hours=3)
    assert main(["outreach", "--as-of", later.isoformat(), "--no-send", "--workarounds", str(tmp_path / "kb")]) == 0
    capsys.readouterr()

    assert main(["outreach", "--as-of", AS_OF, "--no-send"]) == 0
    out, _ = capsys.readouterr()

    assert f"campaigns: none built as of {T0.isoformat()}: they were built as of {later.isoformat()} already" in out
