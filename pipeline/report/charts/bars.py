"""Horizontal bar chart with the label above each bar, so it stays readable on a phone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from pipeline.report.charts.svg import (
    ACCENT,
    CHAR_WIDTH,
    FONT_SIZE,
    GRID,
    INK,
    MUTED,
    PRIMARY,
    SMALL_FONT_SIZE,
    LinearScale,
    chart,
    element,
    fit,
    text,
)

WIDTH = 400  # narrow on purpose: text stays legible when a phone scales the chart down
ROW_HEIGHT = 40
GROUP_HEIGHT = 28
BAR_HEIGHT = 14
TRACK = "#f1f5f9"


@dataclass(frozen=True)
class Bar:
    """One bar: its label, length, the figure written beside it, and an optional group heading."""

    label: str
    value: float
    note: str
    group: str | None = None
    highlight: bool = False


def bar_chart(bars: Sequence[Bar], *, label: str, description: str, width: int = WIDTH) -> Markup:
    """Bars scaled from zero to the largest value; highlighted bars drawn in the accent colour."""
    note_width = max((len(bar.note) for bar in bars), default=0) * SMALL_FONT_SIZE * CHAR_WIDTH + 14
    scale = LinearScale(0.0, max((bar.value for bar in bars), default=1.0) or 1.0, 0.0, width - note_width)
    body: list[Markup] = []
    y = 4.0
    group = None
    for bar in bars:
        if bar.group is not None and bar.group != group:
            group = bar.group
            body.append(text(0, y + 17, bar.group, font_weight="700", fill=INK))
            body.append(element("line", {"x1": 0, "y1": y + GROUP_HEIGHT - 4, "x2": width,
                                         "y2": y + GROUP_HEIGHT - 4, "stroke": GRID}))
            y += GROUP_HEIGHT
        body.append(_row(bar, y, scale, width))
        y += ROW_HEIGHT
    return chart(width, y + 4, label=label, description=description, body=body, css_class="chart bars")


def _row(bar: Bar, y: float, scale: LinearScale, width: int) -> Markup:
    length = max(scale(max(bar.value, 0.0)), 2.0 if bar.value > 0 else 0.0)
    bar_y = y + 20
    return element(
        "g",
        {"class": "bar-row"},
        element("title", None, f"{bar.label}: {bar.note}"),
        text(0, y + 14, fit(bar.label, width), font_size=FONT_SIZE, fill=INK),
        element("rect", {"x": 0, "y": bar_y, "width": scale.end_px, "height": BAR_HEIGHT, "fill": TRACK,
                         "rx": 2}),
        element("rect", {"class": "bar", "x": 0, "y": bar_y, "width": length, "height": BAR_HEIGHT,
                         "fill": ACCENT if bar.highlight else PRIMARY, "rx": 2}),
        # Figures in one column right of the track, so they line up and never sit on a bar.
        text(scale.end_px + 8, bar_y + 11, bar.note, font_size=SMALL_FONT_SIZE, fill=MUTED),
    )
