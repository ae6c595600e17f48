"""Incident timeline: when each incident started, when we detected it, and the lag between."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from pipeline.report import formatting as fmt
from pipeline.report.charts.svg import (
    ACCENT,
    GRID,
    INK,
    MUTED,
    PRIMARY,
    SMALL_FONT_SIZE,
    TimeScale,
    chart,
    element,
    fit,
    text,
)

WIDTH = 720
ROW_HEIGHT = 46
TOP = 22
AXIS_HEIGHT = 30
PERIOD_FILL = "#eff6ff"


@dataclass(frozen=True)
class Span:
    label: str
    started_at: datetime
    detected_at: datetime
    note: str


def timeline_chart(spans: Sequence[Span], *, start: datetime, end: datetime, period_start: datetime,
                   label: str, description: str) -> Markup:
    """One row per incident: a dot at its start, a bar for the detection lag, a tick at detection.

    The report period is shaded so "this week" stands out from the context before it.
    """
    scale = TimeScale(start, end, 30.0, WIDTH - 30.0)  # margins keep edge tick labels whole
    axis_y = TOP + len(spans) * ROW_HEIGHT
    body: list[Markup] = [
        element("rect", {"x": scale(max(period_start, start)), "y": 0, "width": scale(end) - scale(
            max(period_start, start)), "height": axis_y, "fill": PERIOD_FILL}),
        text(scale(end) - 4, 14, "this period", font_size=SMALL_FONT_SIZE, fill=PRIMARY, text_anchor="end"),
    ]
    for tick in scale.day_ticks(8):
        x = scale(tick)
        body.append(element("line", {"x1": x, "y1": TOP - 4, "x2": x, "y2": axis_y, "stroke": GRID}))
        body.append(text(x, axis_y + 16, fmt.short_day(tick), font_size=SMALL_FONT_SIZE, fill=MUTED,
                         text_anchor="middle"))
    for index, span in enumerate(spans):
        body.append(_row(span, TOP + index * ROW_HEIGHT, scale))
    legend_y = axis_y + AXIS_HEIGHT + 4
    body += [
        element("circle", {"cx": 16, "cy": legend_y - 4, "r": 4.5, "fill": PRIMARY}),
        text(26, legend_y, "started", font_size=SMALL_FONT_SIZE, fill=MUTED),
        element("rect", {"x": 90, "y": legend_y - 9, "width": 22, "height": 9, "fill": ACCENT, "rx": 2}),
        text(118, legend_y, "detection lag", font_size=SMALL_FONT_SIZE, fill=MUTED),
        element("rect", {"x": 216, "y": legend_y - 11, "width": 3, "height": 13, "fill": INK}),
        text(226, legend_y, "detected", font_size=SMALL_FONT_SIZE, fill=MUTED),
    ]
    return chart(WIDTH, legend_y + 8, label=label, description=description, body=body,
                 css_class="chart timeline")


def _row(span: Span, y: float, scale: TimeScale) -> Markup:
    x_start = scale(max(span.started_at, scale.start))
    x_detected = max(scale(min(span.detected_at, scale.end)), x_start + 3)
    bar_y = y + 22
    note_right = x_detected + 8
    # The note goes right of the detection mark, else left of the start, else inside a bar long enough
    # to hold it; a lag over most of the axis left room on neither side, and the note was cut at the
    # chart's left edge ("found after 7 days" read "lays").
    note_width = len(span.note) * SMALL_FONT_SIZE * 0.58
    if note_right + note_width < WIDTH:
        note = text(note_right, bar_y + 9, span.note, font_size=SMALL_FONT_SIZE, fill=MUTED)
    elif x_start - 9 - note_width > 0:
        note = text(x_start - 9, bar_y + 9, span.note, font_size=SMALL_FONT_SIZE, fill=MUTED, text_anchor="end")
    else:
        inside = max(x_start + 10, x_detected - 6 - note_width)
        note = text(inside, bar_y + 9, span.note, font_size=SMALL_FONT_SIZE, fill=INK, halo=True)
    label_x = min(x_start, WIDTH * 0.55)
    return element(
        "g",
        {"class": "span-row"},
        element("title", None, f"{span.label}: started {fmt.timestamp(span.started_at)}, detected "
                               f"{fmt.timestamp(span.detected_at)} ({span.note})"),
        text(label_x, y + 14, fit(span.label, WIDTH - label_x), fill=INK, font_weight="600", halo=True),
        element("rect", {"class": "mark", "x": x_start, "y": bar_y, "width": x_detected - x_start,
                         "height": 11, "fill": ACCENT, "rx": 2}),
        element("circle", {"cx": x_start, "cy": bar_y + 5.5, "r": 5, "fill": PRIMARY}),
        element("rect", {"x": x_detected - 1.5, "y": bar_y - 3, "width": 3, "height": 17, "fill": INK}),
        note,
    )
