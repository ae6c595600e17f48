"""The README's walk-through, its two commands verbatim: a Zendesk export and a Segment table to a first report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.cli import main

WALKTHROUGH = Path(__file__).resolve().parents[2] / "fixtures" / "mapping" / "walkthrough"
README = Path(__file__).resolve().parents[3] / "README.md"


def _readme_claims() -> list[str]:
    """What the README says ``report --detect`` prints for the walk-through ("12 pain points, 2 incidents, 2 links"),
    one figure per kind of CPU it names: int8 MiniLM's vectors differ slightly between CPUs with and without
    AVX-512 VNNI, and so can a small queue's cut."""
    line = next(line for line in README.read_text(encoding="utf-8").splitlines()
                if line.startswith("forewarn report --detect") and "pain points" in line)
    return re.findall(r"\d+ pain points, \d+ incidents, \d+ links", line.split("#", 1)[1].split(";", 1)[0])


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
    claims = _readme_claims()
    assert claims and any(f": {claim}" in out for claim in claims), (claims, out)  # the README's figures, as printed
    assert "<svg" in html and "Pain points" in html
