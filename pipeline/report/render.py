"""Render report data and its charts into one self-contained HTML page with Jinja2."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from pipeline.report import formatting as fmt
from pipeline.report.figures import Figures
from pipeline.report.model import ReportData
from pipeline.report.paragraph import FRESH, period_phrase
from pipeline.report.selection import (
    MIN_RELEASE_CUSTOMER_DAYS,
    charted_releases,
    growing_pain_points,
    top_pain_points,
)

TEMPLATES = Path(__file__).resolve().parent / "templates"


def environment() -> Environment:
    """A Jinja2 environment that escapes every value: ticket text is untrusted."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,  # on for every template, whatever its file name
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        count=fmt.count,
        money=fmt.money,
        percent=fmt.percent,
        day=fmt.day,
        short_day=fmt.short_day,
        timestamp=fmt.timestamp,
        short_timestamp=fmt.short_timestamp,
        duration=fmt.duration,
        platform=fmt.platform,
        points=fmt.points,
        rate=fmt.rate,
    )
    env.globals.update(fmt=fmt)
    return env


def render_report(data: ReportData, figures: Figures, *, paragraph: str) -> str:
    """The whole report as one HTML string."""
    template = environment().get_template("report.html.j2")
    return template.render(
        data=data,
        window=data.window,
        figures=figures,
        paragraph=paragraph,
        period=period_phrase(data.window.period_days),
        fresh=FRESH,
        top=top_pain_points(data.pain_points),
        others=len(data.pain_points) - len(top_pain_points(data.pain_points)),
        new=data.new_pain_points,
        growing=growing_pain_points(data.pain_points),
        hidden_releases=len(data.releases) - len(charted_releases(data.releases)),
        min_release_days=MIN_RELEASE_CUSTOMER_DAYS,
        recent_incidents=[i for i in data.incidents if i.detected_at >= data.window.start],
    )
