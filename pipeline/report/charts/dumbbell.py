"""Dumbbell chart: each row's previous and current value on one axis, joined by a line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from pipeline.report.charts.svg import (
    ACCENT,
    AXIS,
    GRID,
    INK,
    MUTED,
    NEUTRAL,
    SMALL_FONT_SIZE,
    LinearScale,
    chart,
    element,
    fit,
    nice_max,
    text,
)

WIDTH = 640
ROW_HEIGHT = 42
NOTE_WIDTH = 150
AXIS_HEIGHT = 26


@dataclass(frozen=True)
class Change:
    label: str
    previous: float
    current: float
    note: str


def dumbbell_chart(rows: Sequence[Change], *, label: str, description: str, previous_name: str,
                   current_name: str) -> Markup:
    """Grey dot: the previous value; orange dot: the current one; the line between is the change."""
    top = nice_max(max((max(row.previous, row.current) for row in rows), default=1.0))
    scale = LinearScale(0.0, top, 8.0, WIDTH - NOTE_WIDTH)
    height = len(rows) * ROW_HEIGHT + AXIS_HEIGHT + 24
    axis_y = len(rows) * ROW_HEIGHT + 6
    body: list[Markup] = []
    for tick in scale.ticks(4):
        x = scale(tick)
        body.append(element("line", {"x1": x, "y1": 4, "x2": x, "y2": axis_y, "stroke": GRID}))
        body.append(text(x, axis_y + 14, f"{tick:g}", font_size=SMALL_FONT_SIZE, fill=MUTED,
                         text_anchor="middle"))
    for index, row in enumerate(rows):
        y = index * ROW_HEIGHT
        x_previous, x_current = scale(row.previous), scale(row.current)
        body.append(element(
            "g", {"class": "change-row"},
            element("title", None, f"{row.label}: {row.note}"),
            text(8, y + 15, fit(row.label, WIDTH - 16), fill=INK),
            element("line", {"x1": x_previous, "y1": y + 27, "x2": x_current, "y2": y + 27, "stroke": AXIS,
                             "stroke-width": 3}),
            element("circle", {"cx": x_previous, "cy": y + 27, "r": 5, "fill": "#fff", "stroke": NEUTRAL,
                               "stroke-width": 2}),
            element("circle", {"class": "mark", "cx": x_current, "cy": y + 27, "r": 5.5, "fill": ACCENT}),
            text(WIDTH - NOTE_WIDTH + 12, y + 31, row.note, font_size=SMALL_FONT_SIZE, fill=MUTED),
        ))
    legend_y = axis_y + AXIS_HEIGHT + 6
    body += [
        element("circle", {"cx": 14, "cy": legend_y - 4, "r": 4.5, "fill": "#fff", "stroke": NEUTRAL,
                           "stroke-width": 2}),
        text(24, legend_y, previous_name, font_size=SMALL_FONT_SIZE, fill=MUTED),
        element("circle", {"cx": 164, "cy": legend_y - 4, "r": 5, "fill": ACCENT}),
        text(174, legend_y, current_name, font_size=SMALL_FONT_SIZE, fill=MUTED),
    ]
    return chart(WIDTH, height + 6, label=label, description=description, body=body,
                 css_class="chart dumbbell")
