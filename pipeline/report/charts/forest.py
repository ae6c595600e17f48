"""Forest plot: each campaign's effect on the ticket rate with its 95% interval, against zero."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from pipeline.report.charts.svg import (
    AXIS,
    BAD,
    GOOD,
    GRID,
    INK,
    MUTED,
    NEUTRAL,
    SMALL_FONT_SIZE,
    LinearScale,
    chart,
    element,
    fit,
    nice_step,
    text,
)

WIDTH = 640
ROW_HEIGHT = 46
AXIS_HEIGHT = 44
MISSING = "not enough data yet"
NOTE_WIDTH = 200
MARGIN = 24.0
TOP = 8.0


@dataclass(frozen=True)
class Estimate:
    """One row: a point estimate with its interval, or None where it is not measured yet."""

    label: str
    estimate: float | None
    low: float | None
    high: float | None
    note: str


def forest_plot(rows: Sequence[Estimate], *, label: str, description: str, unit: str) -> Markup:
    """Rows share one axis centred on zero; a row without an interval says so instead of a mark."""
    measured = [row for row in rows if _complete(row)]
    extent = max((abs(value) for row in measured for value in (row.low, row.high, row.estimate)
                  if value is not None), default=1.0) or 1.0
    step = nice_step(extent / 2)
    extent = step * max(round(extent / step + 0.49), 1)
    scale = LinearScale(-extent, extent, MARGIN, WIDTH - MARGIN)
    axis_y = TOP + len(rows) * ROW_HEIGHT + 6
    body: list[Markup] = []
    tick = -extent
    while tick <= extent + step * 1e-9:
        x = scale(tick)
        body.append(element("line", {"x1": x, "y1": 0, "x2": x, "y2": axis_y, "stroke": GRID}))
        body.append(text(x, axis_y + 15, f"{tick:+g}" if abs(tick) > 1e-12 else "0", font_size=SMALL_FONT_SIZE,
                         fill=MUTED, text_anchor="middle"))
        tick += step
    zero = scale(0.0)
    body.append(element("line", {"x1": zero, "y1": 0, "x2": zero, "y2": axis_y, "stroke": INK,
                                 "stroke-dasharray": "4 3"}))
    body.append(text(zero - 8, axis_y + 34, f"← more tickets than holdout ({unit})", font_size=SMALL_FONT_SIZE,
                     fill=MUTED, text_anchor="end"))
    body.append(text(zero + 8, axis_y + 34, "fewer tickets than holdout →", font_size=SMALL_FONT_SIZE,
                     fill=MUTED))
    for index, row in enumerate(rows):
        body.append(_row(row, TOP + index * ROW_HEIGHT, scale))
    return chart(WIDTH, axis_y + AXIS_HEIGHT, label=label, description=description, body=body,
                 css_class="chart forest")


def _complete(row: Estimate) -> bool:
    return row.estimate is not None and row.low is not None and row.high is not None


def _row(row: Estimate, y: float, scale: LinearScale) -> Markup:
    # The label takes the left of the heading line; the figures sit right-aligned on the same line.
    heading = text(MARGIN, y + 15, fit(row.label, WIDTH - 2 * MARGIN - NOTE_WIDTH), fill=INK, font_weight="600",
                   halo=True)
    separator = element("line", {"x1": MARGIN, "y1": y + ROW_HEIGHT - 2, "x2": WIDTH - MARGIN,
                                 "y2": y + ROW_HEIGHT - 2, "stroke": AXIS, "stroke-opacity": 0.25})
    if row.estimate is None or row.low is None or row.high is None:
        return element("g", {"class": "estimate-row missing"}, element("title", None, f"{row.label}: {MISSING}"),
                       heading, text(scale(0.0) + 10, y + 34, MISSING, font_size=SMALL_FONT_SIZE, fill=MUTED,
                                     font_style="italic", halo=True), separator)
    # Green only when the whole interval shows fewer tickets; red when it shows more; grey otherwise.
    colour = GOOD if row.low > 0 else BAD if row.high < 0 else NEUTRAL
    mark_y = y + 29
    x = scale(row.estimate)
    return element(
        "g",
        {"class": "estimate-row"},
        element("title", None, f"{row.label}: {row.note}"),
        heading,
        element("line", {"x1": scale(row.low), "y1": mark_y, "x2": scale(row.high), "y2": mark_y,
                         "stroke": colour, "stroke-width": 2.5}),
        element("line", {"x1": scale(row.low), "y1": mark_y - 5, "x2": scale(row.low), "y2": mark_y + 5,
                         "stroke": colour, "stroke-width": 2}),
        element("line", {"x1": scale(row.high), "y1": mark_y - 5, "x2": scale(row.high), "y2": mark_y + 5,
                         "stroke": colour, "stroke-width": 2}),
        element("rect", {"class": "mark", "x": x - 6, "y": mark_y - 6, "width": 12, "height": 12,
                         "fill": colour}),
        text(WIDTH - MARGIN, y + 15, row.note, font_size=SMALL_FONT_SIZE, fill=MUTED, text_anchor="end", halo=True),
        separator,
    )
