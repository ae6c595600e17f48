"""Delivery funnel of one campaign: sent, delivered, opened, clicked (and the bad outcomes)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from pipeline.report import formatting as fmt
from pipeline.report.charts.svg import (
    ACCENT,
    INK,
    MUTED,
    PRIMARY,
    SMALL_FONT_SIZE,
    LinearScale,
    chart,
    element,
    text,
)

WIDTH = 420
ROW_HEIGHT = 24
LABEL_WIDTH = 96
NOTE_WIDTH = 96
TRACK = "#f1f5f9"


def funnel_chart(steps: Sequence[tuple[str, int, bool]], *, label: str) -> Markup:
    """One bar per step as a share of the first step; ``True`` in a step marks a bad outcome.

    Args:
        steps: (name, messages, is_bad) per step, the first being the base (messages sent).
        label: the accessible name, e.g. the campaign's topic.
    """
    base = steps[0][1] if steps else 0
    scale = LinearScale(0.0, float(max(base, 1)), LABEL_WIDTH, WIDTH - NOTE_WIDTH)
    body: list[Markup] = []
    for index, (name, value, is_bad) in enumerate(steps):
        y = index * ROW_HEIGHT + 4
        body.append(element(
            "g", {"class": "funnel-row"},
            text(0, y + 12, name, font_size=SMALL_FONT_SIZE, fill=INK),
            element("rect", {"x": LABEL_WIDTH, "y": y + 2, "width": scale.end_px - LABEL_WIDTH, "height": 13,
                             "fill": TRACK, "rx": 2}),
            element("rect", {"class": "bar", "x": LABEL_WIDTH, "y": y + 2,
                             "width": max(scale(min(value, max(base, 1))) - LABEL_WIDTH, 1.5 if value else 0),
                             "height": 13, "fill": ACCENT if is_bad else PRIMARY, "rx": 2}),
            text(WIDTH - NOTE_WIDTH + 8, y + 12, f"{fmt.count(value)} ({fmt.share(value, base)})",
                 font_size=SMALL_FONT_SIZE, fill=MUTED),
        ))
    description = "; ".join(f"{name}: {fmt.count(value)}" for name, value, _ in steps)
    return chart(WIDTH, len(steps) * ROW_HEIGHT + 8, label=label, description=description, body=body,
                 css_class="chart funnel")
