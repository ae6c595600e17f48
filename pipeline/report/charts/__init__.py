"""Server-side inline SVG charts: one small module per chart type, no JavaScript."""

from pipeline.report.charts.bars import Bar, bar_chart
from pipeline.report.charts.dumbbell import Change, dumbbell_chart
from pipeline.report.charts.forest import Estimate, forest_plot
from pipeline.report.charts.funnel import funnel_chart
from pipeline.report.charts.sparkline import sparkline
from pipeline.report.charts.timeline import Span, timeline_chart

__all__ = [
    "Bar", "Change", "Estimate", "Span", "bar_chart", "dumbbell_chart", "forest_plot", "funnel_chart",
    "sparkline", "timeline_chart",
]
