"""Ticket text, labels and names are untrusted: every one is escaped, in HTML and inside SVG charts."""

from __future__ import annotations

from pathlib import Path

from report_html import parse_report, svg_texts
from report_world import AS_OF, HOSTILE_TICKET
from sqlalchemy import Engine, text

from pipeline.report import write_report

HOSTILE_LABEL = '<b>Export</b> "fails" & <script>alert(3)</script>'
HOSTILE_INCIDENT = '"><img src=x onerror=alert(4)>'
HOSTILE_RULE = "rule'><svg onload=alert(5)>"


def _make_hostile(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE pain_points SET label = :label WHERE pain_point_id = 'pp-sync'"),
                           {"label": HOSTILE_LABEL})
        connection.execute(text("UPDATE incidents SET name = :name WHERE incident_id = 'inc-regress'"),
                           {"name": HOSTILE_INCIDENT})
        connection.execute(text("UPDATE quarantine SET rule = :rule WHERE rule = 'platform_in_set'"),
                           {"rule": HOSTILE_RULE})


def test_hostile_text_shows_literally_and_creates_no_element(sqlite_world: Engine, tmp_path: Path) -> None:
    _make_hostile(sqlite_world)
    html = write_report(sqlite_world, tmp_path / "r.html", as_of=AS_OF).path.read_text(encoding="utf-8")
    report = parse_report(html)

    # Nothing in the data became markup: no script, image or handler attribute anywhere.
    assert not report.find("script") and not report.find("img") and not report.find("b")
    assert not [e for e in report.elements if any(name.startswith("on") for name in e.attrs)]
    assert len(report.find("svg")) == len(report.svgs())  # no <svg> from the quarantine rule
    # ...and the reader sees the text exactly as written.
    examples = ["".join(q.text) for q in report.find("blockquote")]
    assert HOSTILE_TICKET in examples
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert HOSTILE_LABEL in report.text_of("pain-point-1")
    assert HOSTILE_INCIDENT in report.text_of("incidents")
    assert HOSTILE_RULE in report.text_of("data-quality")
    assert HOSTILE_LABEL in report.paragraph()


def test_hostile_text_inside_charts_stays_text(sqlite_world: Engine, tmp_path: Path) -> None:
    _make_hostile(sqlite_world)
    report = parse_report(write_report(sqlite_world, tmp_path / "r.html", as_of=AS_OF).path.read_text("utf-8"))

    # Each chart parses as XML (an unescaped "<" or quote would break it) and carries the text verbatim.
    chart_text = [" ".join([*svg_texts(chart), chart.get("aria-label") or ""]) for chart in report.svgs()]
    assert any(f"1. {HOSTILE_LABEL}" in texts for texts in chart_text)  # top pain points bar label
    assert any(HOSTILE_INCIDENT in texts for texts in chart_text)  # incident timeline
    assert any(HOSTILE_RULE in texts for texts in chart_text)  # quarantine by rule
    for chart in report.svgs():
        assert not [node for node in chart.iter() if node.tag.endswith(("script", "img", "foreignObject"))]
        assert not [node for node in chart.iter() if any(name.startswith("on") for name in node.attrib)]


def test_content_security_policy_forbids_scripts(sqlite_world: Engine, tmp_path: Path) -> None:
    report = parse_report(write_report(sqlite_world, tmp_path / "r.html", as_of=AS_OF).path.read_text("utf-8"))
    policy = next(m.attrs["content"] for m in report.find("meta") if m.attrs.get("http-equiv") ==
                  "Content-Security-Policy")
    assert policy is not None and "default-src 'none'" in policy and "script-src" not in policy
