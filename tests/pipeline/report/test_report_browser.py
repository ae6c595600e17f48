"""The report in a real headless Chromium: no errors, charts drawn, nothing executed, phone and print layouts.

Skips when no Chromium is installed (``scripts/install_chromium.sh`` installs Debian's). Set
``FOREWARN_UPDATE_SCREENSHOTS=1`` to refresh ``docs/report.png`` from the realistic world.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from report_chromium import Chromium, find_chromium
from report_world import AS_OF, HOSTILE_TICKET, PAIN_POINTS, RELEASES, populate

from pipeline.report import ReportSummary, write_report
from pipeline.warehouse import make_engine, migrate

CHROMIUM = find_chromium()
REPO_ROOT = Path(__file__).resolve().parents[3]
README_SCREENSHOT = REPO_ROOT / "docs" / "report.png"
SCREENSHOT_HEIGHT = 1500

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium not found (looked for /usr/bin/chromium): run "
                       "scripts/install_chromium.sh, or set FOREWARN_CHROMIUM to a Chromium binary"),
]

CHART_FACTS = """(() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.width, r.height]; };
  const charts = [...document.querySelectorAll('svg.chart')].map((svg) => ({
    kind: svg.getAttribute('class').replace('chart ', ''),
    section: svg.closest('section').id,
    box: box(svg),
    marks: [...svg.querySelectorAll('.bar, .mark, polyline')].map((m) => { const b = m.getBBox(); return [b.width, b.height]; }),
    rows: svg.querySelectorAll('.span-row, .estimate-row').length,
  }));
  return charts;
})()"""


def _report(tmp_path_factory: pytest.TempPathFactory, name: str, *, world: bool) -> ReportSummary:
    folder = tmp_path_factory.mktemp(name)
    engine = make_engine(f"sqlite:///{folder / 'warehouse.db'}")
    try:
        migrate(engine)
        if world:
            populate(engine)
        return write_report(engine, folder / "report.html", as_of=AS_OF)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def world_report(tmp_path_factory: pytest.TempPathFactory) -> ReportSummary:
    return _report(tmp_path_factory, "world", world=True)


@pytest.fixture(scope="module")
def empty_report(tmp_path_factory: pytest.TempPathFactory) -> ReportSummary:
    return _report(tmp_path_factory, "empty", world=False)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Chromium]:
    assert CHROMIUM is not None
    with Chromium(CHROMIUM, tmp_path / "chromium-profile") as chromium:
        yield chromium


@pytest.mark.parametrize("which", ["world_report", "empty_report"])
def test_report_loads_offline_without_any_error(browser: Chromium, which: str, request: pytest.FixtureRequest) -> None:
    summary: ReportSummary = request.getfixturevalue(which)
    browser.open(summary.path)

    assert browser.log.problems == []
    assert browser.log.requests == [summary.path.resolve().as_uri()]  # nothing fetched beyond the file itself
    assert browser.evaluate("document.querySelectorAll('section').length") == 7
    assert browser.evaluate("document.title").startswith("Forewarn report: 7 days to")


def test_every_chart_is_drawn_with_its_marks(browser: Chromium, world_report: ReportSummary) -> None:
    browser.open(world_report.path)
    charts = browser.evaluate(CHART_FACTS)

    assert len(charts) == world_report.charts
    for chart in charts:
        width, height = chart["box"]
        assert width > 100 and height > 20, chart
        assert chart["marks"] and all(w > 0 and h >= 0 for w, h in chart["marks"]), chart
    by_kind = {}
    for chart in charts:
        by_kind.setdefault((chart["section"], chart["kind"]), []).append(chart)
    assert len(by_kind[("pain-points", "bars")][0]["marks"]) == len(PAIN_POINTS)
    assert len(by_kind[("pain-points", "sparkline")]) == len(PAIN_POINTS)
    assert len(by_kind[("releases", "bars")][0]["marks"]) == len(RELEASES)
    assert by_kind[("incidents", "timeline")][0]["rows"] == 3
    assert by_kind[("campaigns", "forest")][0]["rows"] == 2
    assert len(by_kind[("campaigns", "funnel")]) == 2


def test_hostile_ticket_text_shows_literally_and_runs_nothing(browser: Chromium, world_report: ReportSummary) -> None:
    browser.open(world_report.path)

    shown = browser.evaluate("[...document.querySelectorAll('blockquote.ticket')].map((q) => q.firstChild.textContent)")
    assert HOSTILE_TICKET in shown
    assert browser.evaluate("document.scripts.length") == 0
    assert browser.evaluate("document.images.length") == 0
    assert browser.evaluate("[...document.querySelectorAll('*')].filter((e) => [...e.attributes].some("
                            "(a) => a.name.startsWith('on'))).length") == 0
    assert browser.log.dialogs == [] and browser.log.problems == []


def test_phone_width_scrolls_only_inside_charts(browser: Chromium, world_report: ReportSummary,
                                                 tmp_path: Path) -> None:
    browser.set_viewport(390, 844, mobile=True)
    browser.open(world_report.path)

    assert browser.evaluate("document.documentElement.scrollWidth") <= 390
    assert browser.evaluate("innerWidth") == 390
    # Charts and tables too wide for a phone keep legible text and scroll inside their own box.
    loose = browser.evaluate("[...document.querySelectorAll('svg.chart, table')].filter((e) => "
                             "e.getBoundingClientRect().right > innerWidth && !e.closest('.chart-scroll, .table-wrap'))"
                             ".length")
    assert loose == 0
    assert browser.evaluate("document.querySelectorAll('.chart-scroll svg.chart').length") > 5
    font = browser.evaluate("parseFloat(getComputedStyle(document.querySelector('.lede')).fontSize)")
    assert font >= 16
    browser.screenshot(tmp_path / "phone.png", height=2000)
    assert _png_size(tmp_path / "phone.png") == (390, 2000)


def test_print_layout_hides_navigation_and_prints(browser: Chromium, world_report: ReportSummary) -> None:
    browser.open(world_report.path)
    browser.call("Emulation.setEmulatedMedia", {"media": "print"})

    assert browser.evaluate("getComputedStyle(document.querySelector('nav')).display") == "none"
    assert browser.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    pdf = browser.print_to_pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    assert browser.log.problems == []


def test_screenshot_of_the_realistic_report(browser: Chromium, world_report: ReportSummary, tmp_path: Path) -> None:
    browser.open(world_report.path)
    out = tmp_path / "report.png"
    browser.screenshot(out, height=SCREENSHOT_HEIGHT)

    assert _png_size(out) == (1280, SCREENSHOT_HEIGHT)
    assert out.stat().st_size > 50_000  # a blank page compresses to a few kilobytes
    if os.environ.get("FOREWARN_UPDATE_SCREENSHOTS") == "1":
        README_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        README_SCREENSHOT.write_bytes(out.read_bytes())


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height
