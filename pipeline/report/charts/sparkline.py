"""A word-sized line chart of tickets per day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from markupsafe import Markup

from pipeline.report import formatting as fmt
from pipeline.report.charts.svg import ACCENT, GRID, PRIMARY, PRIMARY_LIGHT, chart, element

WIDTH = 150
HEIGHT = 36
PAD = 3


def sparkline(series: Sequence[tuple[date, int]], *, subject: str) -> Markup:
    """Tickets per day as a small line with its area, the last day marked.

    Args:
        series: one (day, tickets) pair per consecutive day, oldest first.
        subject: what the tickets are about, for the accessible label.
    """
    if not series:
        return chart(WIDTH, HEIGHT, label=f"No ticket trend yet for {subject}", description="No data.",
                     body=[], css_class="chart sparkline")
    values = [value for _, value in series]
    peak = max(values)
    top = max(peak, 1)
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)
    points = [(PAD + index * step, HEIGHT - PAD - value / top * (HEIGHT - 2 * PAD)) for index, value in
              enumerate(values)]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    area = f"M{PAD},{HEIGHT - PAD} L" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points) + \
        f" L{points[-1][0]:.1f},{HEIGHT - PAD} Z"
    peak_day = series[values.index(peak)][0]
    label = (
        f"Tickets per day about {subject}, {fmt.short_day(series[0][0])} to {fmt.short_day(series[-1][0])}: "
        f"{fmt.counted(sum(values), 'ticket')} in all, at most {fmt.count(peak)} on {fmt.short_day(peak_day)}, "
        f"{fmt.count(values[-1])} on the last day."
    )
    last_x, last_y = points[-1]
    body = [
        element("line", {"x1": PAD, "y1": HEIGHT - PAD, "x2": WIDTH - PAD, "y2": HEIGHT - PAD, "stroke": GRID}),
        element("path", {"d": area, "fill": PRIMARY_LIGHT, "fill-opacity": 0.45, "stroke": "none"}),
        element("polyline", {"points": line, "fill": "none", "stroke": PRIMARY, "stroke-width": 1.6,
                             "stroke-linejoin": "round", "stroke-linecap": "round"}),
        element("circle", {"cx": last_x, "cy": last_y, "r": 2.6, "fill": ACCENT}),
    ]
    return chart(WIDTH, HEIGHT, label=label, description="Line: tickets per day. Dot: the last day.",
                 body=body, css_class="chart sparkline")
