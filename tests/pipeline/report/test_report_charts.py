"""The inline SVG charts: well-formed, accessible, and drawn to scale."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta

import pytest

from pipeline.report import formatting as fmt
from pipeline.report.charts import (
    Bar,
    Change,
    Estimate,
    Span,
    bar_chart,
    dumbbell_chart,
    forest_plot,
    funnel_chart,
    sparkline,
    timeline_chart,
)
from pipeline.report.charts.svg import ACCENT, BAD, GOOD, NEUTRAL, PRIMARY, LinearScale, element
from pipeline.report.queries.incidents import version_key

NS = "{http://www.w3.org/2000/svg}"


def _parse(markup: str) -> ET.Element:
    chart = ET.fromstring(str(markup))
    assert chart.get("role") == "img" and chart.get("aria-label")
    assert chart.find(f"{NS}title") is not None and chart.find(f"{NS}desc") is not None
    return chart


def _by_class(chart: ET.Element, tag: str, css_class: str) -> list[ET.Element]:
    return [node for node in chart.iter(f"{NS}{tag}") if node.get("class") == css_class]


def _texts(chart: ET.Element) -> list[str]:
    return ["".join(node.itertext()) for node in chart.iter(f"{NS}text")]


def test_element_escapes_text_and_attributes_but_keeps_markup_children() -> None:
    inner = element("tspan", {"x": 1}, "ok")
    markup = str(element("text", {"data-label": '"><script>'}, "<b>&", inner))
    assert markup == '<text data-label="&#34;&gt;&lt;script&gt;">&lt;b&gt;&amp;<tspan x="1">ok</tspan></text>'


def test_sparkline_has_one_point_per_day_and_describes_the_series() -> None:
    series = [(date(2026, 3, 1) + timedelta(days=i), value) for i, value in enumerate([0, 2, 5, 1, 3])]
    chart = _parse(sparkline(series, subject="sync"))

    points = chart.find(f"{NS}polyline").get("points").split()
    assert len(points) == len(series)
    heights = [float(point.split(",")[1]) for point in points]
    assert heights.index(min(heights)) == 2  # the peak (5) is drawn highest
    assert chart.get("aria-label") == ("Tickets per day about sync, 1 Mar to 5 Mar: 11 tickets in all, at most 5 "
                                       "on 3 Mar, 3 on the last day.")


def test_sparkline_without_data_says_so() -> None:
    chart = _parse(sparkline([], subject="sync"))
    assert chart.get("aria-label") == "No ticket trend yet for sync"


def test_bars_are_proportional_grouped_and_highlighted() -> None:
    bars = [Bar("5.3.2", 1.0, "1.00", group="Android"), Bar("5.4.0", 4.0, "4.00", group="Android", highlight=True),
            Bar("3.9.0", 2.0, "2.00", group="iOS")]
    chart = _parse(bar_chart(bars, label="Errors", description="by release"))

    drawn = _by_class(chart, "rect", "bar")
    widths = [float(rect.get("width")) for rect in drawn]
    assert widths[1] == pytest.approx(4 * widths[0]) and widths[2] == pytest.approx(2 * widths[0])
    assert [rect.get("fill") for rect in drawn] == [PRIMARY, ACCENT, PRIMARY]
    texts = _texts(chart)
    assert texts.count("Android") == 1 and texts.count("iOS") == 1
    assert float(chart.get("height")) > 3 * 40


def test_bar_labels_are_cut_to_fit_with_the_full_text_in_a_tooltip() -> None:
    label = "A very long pain point label " * 6
    chart = _parse(bar_chart([Bar(label, 3, "3 customers")], label="Top", description="d", width=300))
    shown = _texts(chart)[0]
    assert shown.endswith("…") and len(shown) < len(label)
    assert chart.find(f"{NS}g/{NS}title").text == f"{label}: 3 customers"


def test_forest_plot_marks_measured_rows_and_says_when_data_is_missing() -> None:
    rows = [Estimate("helped", 10.0, 2.0, 18.0, "+10 pp"), Estimate("unclear", 1.0, -3.0, 5.0, "+1 pp"),
            Estimate("hurt", -6.0, -9.0, -2.0, "-6 pp"), Estimate("too early", None, None, None, "n/a")]
    chart = _parse(forest_plot(rows, label="Deflection", description="d", unit="pp"))

    marks = [node for node in chart.iter(f"{NS}rect") if node.get("class") == "mark"]
    assert [mark.get("fill") for mark in marks] == [GOOD, NEUTRAL, BAD]
    assert "not enough data yet" in _texts(chart)
    ticks = [text for text in _texts(chart) if text.lstrip("+-").isdigit()]
    assert "0" in ticks and ticks[0] == "-" + ticks[-1].lstrip("+")  # symmetric around zero
    centre = [float(m.get("x")) + 6 for m in marks]
    assert centre[0] > centre[1] > centre[2]  # larger effect further right


def test_timeline_bar_length_is_the_detection_lag() -> None:
    start = datetime(2026, 3, 1)
    spans = [Span("slow", start + timedelta(days=1), start + timedelta(days=3), "found after 2 days"),
             Span("fast", start + timedelta(days=4), start + timedelta(days=5), "found after 1 day")]
    chart = _parse(timeline_chart(spans, start=start, end=start + timedelta(days=8),
                                  period_start=start + timedelta(days=1), label="Incidents", description="d"))

    lags = [float(rect.get("width")) for rect in _by_class(chart, "rect", "mark")]
    assert lags[0] == pytest.approx(2 * lags[1])
    ticks = [int(t.split()[0]) for t in _texts(chart) if t.endswith(" Mar")]
    steps = {later - earlier for earlier, later in zip(ticks, ticks[1:], strict=False)}
    assert ticks[0] == 1 and len(steps) == 1 and 3 <= len(ticks) <= 8  # whole days, evenly thinned


def test_a_lag_over_most_of_the_axis_keeps_its_note_on_the_chart() -> None:
    """An incident found after 7 days of an 8-day axis left no room right of its bar nor left of its
    start: the note was drawn right-aligned at x=21 and read "lays"."""
    start = datetime(2026, 3, 1)
    spans = [Span("error", start + timedelta(hours=6), start + timedelta(days=7, hours=6), "found after 7 days")]
    chart = _parse(timeline_chart(spans, start=start, end=start + timedelta(days=8),
                                  period_start=start, label="Incidents", description="d"))
    [note] = [t for t in chart.iter(f"{NS}text") if t.text == "found after 7 days"]
    width = len(note.text) * 11 * 0.58
    left = float(note.get("x")) - (width if note.get("text-anchor") == "end" else 0)
    assert left >= 0 and left + width <= float(chart.get("viewBox").split()[2])


def test_dumbbell_draws_previous_and_current_values() -> None:
    chart = _parse(dumbbell_chart([Change("export", 10, 35, "10 → 35")], label="Growing", description="d",
                                  previous_name="before", current_name="now"))
    current = _by_class(chart, "circle", "mark")[0]
    previous = [c for c in chart.iter(f"{NS}circle") if c.get("fill") == "#fff"][0]
    assert float(current.get("cx")) > 3 * float(previous.get("cx")) - 20


def test_funnel_shows_each_step_as_a_share_of_sent() -> None:
    chart = _parse(funnel_chart([("Sent", 200, False), ("Opened", 50, False), ("Unsubscribed", 2, True)],
                                label="Funnel"))
    assert [t for t in _texts(chart) if "(" in t] == ["200 (100%)", "50 (25%)", "2 (1%)"]
    bars = _by_class(chart, "rect", "bar")
    assert float(bars[0].get("width")) == pytest.approx(4 * float(bars[1].get("width")))
    assert bars[2].get("fill") == ACCENT


def test_linear_scale_ticks_are_round_numbers() -> None:
    assert LinearScale(0, 37, 0, 100).ticks(4) == [0, 10, 20, 30]
    assert LinearScale(0, 0.9, 0, 100).ticks(4) == [0, 0.2, 0.4, 0.6, 0.8]


@pytest.mark.parametrize(("value", "expected"), [(None, "—"), (0, "$0"), (950, "$950"), (999.6, "$1k"),
                                                 (12_345, "$12.3k"), (1_250_000, "$1.2M")])
def test_money(value: float | None, expected: str) -> None:
    assert fmt.money(value) == expected


@pytest.mark.parametrize(("minutes", "expected"), [(40, "40 min"), (270, "4.5 h"), (60 * 50, "2.1 days")])
def test_duration(minutes: int, expected: str) -> None:
    assert fmt.duration(timedelta(minutes=minutes)) == expected


def test_change_and_since() -> None:
    assert [fmt.change(35, 10), fmt.change(5, 10), fmt.change(3, 0), fmt.change(10, 10)] == \
        ["+250%", "-50%", "new", "no change"]
    monday = datetime(2026, 3, 9)
    assert fmt.since(datetime(2026, 3, 3, 9), monday) == "Tuesday"
    assert fmt.since(datetime(2026, 3, 8, 9), monday) == "yesterday"
    assert fmt.since(datetime(2026, 2, 10), monday) == "10 February"


def test_versions_sort_numerically() -> None:
    versions = ["5.10.0", "5.9.1", "5.9.0", "2026.2", "5.9.0-beta"]
    assert sorted(versions, key=version_key) == ["5.9.0", "5.9.0-beta", "5.9.1", "5.10.0", "2026.2"]


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(foreground: str, background: str = "#ffffff") -> float:
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_chart_colours_meet_wcag_contrast_on_white() -> None:
    from pipeline.report.charts import svg

    for name in ("INK", "MUTED", "PRIMARY", "ACCENT", "GOOD", "BAD", "NEUTRAL"):
        assert _contrast(getattr(svg, name)) >= 4.5, name  # used for text or thin marks: text contrast
    assert _contrast(svg.AXIS) >= 2.0  # decorative lines only, never the sole carrier of a value
