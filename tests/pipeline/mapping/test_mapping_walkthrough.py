"""The README's walk-through, its two commands verbatim: a Zendesk export and a Segment table to a first report."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.cli import main

WALKTHROUGH = Path(__file__).resolve().parents[2] / "fixtures" / "mapping" / "walkthrough"
README = Path(__file__).resolve().parents[3] / "README.md"


def _readme_claim() -> str:
    """What the README says ``report --detect`` prints for the walk-through ("12 pain points, 2 incidents, 2 links")."""
    line = next(line for line in README.read_text(encoding="utf-8").splitlines()
                if line.startswith("forewarn report --detect") and "pain points" in line)
    return line.split("#", 1)[1].split(";", 1)[0].strip()


@pytest.mark.slow
def test_one_mapping_file_and_two_commands_give_a_first_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FOREWARN_DATABASE_URL", f"sqlite:///{tmp_path / 'warehouse.db'}")
    mapping = WALKTHROUGH / "mapping.yaml"
    assert len(mapping.read_text(encoding="utf-8").splitlines()) < 40

    assert main(["ingest", str(WALKTHROUGH), "--mapping", str(mapping)]) == 0
    assert main(["report", "--detect"]) == 0

    out = capsys.readouterr().out
    report = Path(next(line for line in out.splitlines() if line.startswith("report: ")).removeprefix("report: "))
    html = report.read_text(encoding="utf-8")
    assert f": {_readme_claim()}" in out, (_readme_claim(), out)  # the README's figures, as printed
    assert "<svg" in html and "Pain points" in html
