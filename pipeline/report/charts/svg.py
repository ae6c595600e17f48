"""A tiny SVG writer: escaped elements, linear and time scales, a shared palette.

Every chart in the report is inline SVG drawn here on the server: no script runs in the report,
it prints as vectors, and text in labels is escaped like any other data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta

from markupsafe import Markup, escape

# Colours chosen for at least 3:1 contrast of marks and 4.5:1 of text on white (WCAG 2.1 AA), and
# distinguishable with the common colour-vision deficiencies (blue/orange, not red/green).
INK = "#1e293b"
MUTED = "#475569"
GRID = "#e2e8f0"
AXIS = "#94a3b8"
PRIMARY = "#1d4ed8"
PRIMARY_LIGHT = "#93b4f5"
ACCENT = "#c2410c"
GOOD = "#047857"
BAD = "#b91c1c"
NEUTRAL = "#64748b"

FONT_SIZE = 13
SMALL_FONT_SIZE = 11
CHAR_WIDTH = 0.58  # average glyph width in ems for the sans-serif stack, for layout estimates


def _value(value: object) -> str:
    if isinstance(value, float):
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    return str(value)


def element(tag: str, attributes: Mapping[str, object] | None = None, *children: object) -> Markup:
    """One SVG element; attribute values and string children are escaped, Markup children kept."""
    attrs = "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape(_value(value))}"'
        for name, value in (attributes or {}).items()
        if value is not None
    )
    if not children:
        return Markup(f"<{tag}{attrs}/>")
    inner = "".join(str(escape(child)) for child in children if child is not None)
    return Markup(f"<{tag}{attrs}>{inner}</{tag}>")


def text(x: float, y: float, content: str, *, halo: bool = False, **attributes: object) -> Markup:
    """A text element; ``halo`` paints a white outline under the glyphs so lines behind stay legible."""
    attributes.setdefault("font_size", FONT_SIZE)
    attributes.setdefault("fill", INK)
    if halo:
        attributes.update(stroke="#fff", stroke_width=4, stroke_linejoin="round", paint_order="stroke")
    return element("text", {"x": x, "y": y, **attributes}, content)


def chart(width: float, height: float, *, label: str, description: str, body: list[Markup],
          css_class: str = "chart") -> Markup:
    """An accessible SVG: role="img", an aria-label, a <title> and a <desc>, scaled by its viewBox."""
    return element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {_value(float(width))} {_value(float(height))}",
            "width": width,
            "height": height,
            "role": "img",
            "aria-label": label,
            "class": css_class,
            "font-family": "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif",
        },
        element("title", None, label),
        element("desc", None, description),
        *body,
    )


def fit(label: str, width_px: float, font_size: float = FONT_SIZE) -> str:
    """Cut a label to about ``width_px`` with an ellipsis (the full text stays in a <title>)."""
    max_chars = max(int(width_px / (font_size * CHAR_WIDTH)), 4)
    return label if len(label) <= max_chars else label[: max_chars - 1].rstrip() + "…"


class LinearScale:
    """Maps a numeric domain onto a pixel range."""

    def __init__(self, low: float, high: float, start_px: float, end_px: float) -> None:
        if high <= low:
            high = low + 1.0
        self.low, self.high, self.start_px, self.end_px = low, high, start_px, end_px

    def __call__(self, value: float) -> float:
        return self.start_px + (value - self.low) / (self.high - self.low) * (self.end_px - self.start_px)

    def ticks(self, count: int = 5) -> list[float]:
        """Round tick values ('nice numbers') covering the domain."""
        step = tick_step((self.high - self.low) / max(count, 1))
        first = math.ceil(self.low / step) * step
        values, value = [], first
        while value <= self.high + step * 1e-9:
            values.append(round(value, 10))
            value += step
        return values


def tick_step(raw: float) -> float:
    """1, 2 or 5 times a power of ten, nearest to ``raw`` (so about the asked number of ticks)."""
    if raw <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    error = raw / power
    factor = 10 if error >= math.sqrt(50) else 5 if error >= math.sqrt(10) else 2 if error >= math.sqrt(2) else 1
    return factor * power


def nice_step(raw: float) -> float:
    """1, 2 or 5 times a power of ten, at least ``raw``."""
    if raw <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


def nice_max(value: float) -> float:
    """A round upper bound for an axis starting at zero."""
    if value <= 0:
        return 1.0
    step = nice_step(value / 4)
    return math.ceil(value / step) * step


class TimeScale:
    """Maps datetimes onto a pixel range."""

    def __init__(self, start: datetime, end: datetime, start_px: float, end_px: float) -> None:
        if end <= start:
            end = start + timedelta(hours=1)
        self.start, self.end = start, end
        self._linear = LinearScale(0.0, (end - start).total_seconds(), start_px, end_px)

    def __call__(self, value: datetime) -> float:
        return self._linear((value - self.start).total_seconds())

    def day_ticks(self, max_ticks: int = 8) -> list[datetime]:
        """Midnights inside the range, thinned to at most ``max_ticks``."""
        first = datetime.combine(self.start.date(), datetime.min.time())
        if first < self.start:
            first += timedelta(days=1)
        days = max((self.end - first).days + 1, 1)
        every = max(math.ceil(days / max_ticks), 1)
        return [first + timedelta(days=offset) for offset in range(0, days, every)
                if first + timedelta(days=offset) <= self.end]
