"""Render report data and its charts into one self-contained HTML page with Jinja2."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from pipeline.report import formatting as fmt
from pipeline.report.figures import Figures
from pipeline.report.model import ReportData
from pipeline.report.paragraph import FRESH, period_phrase
from pipeline.report.selection import (
    CAMPAIGN_CARDS,
    LISTED_GROWING,
    LISTED_NEW,
    MIN_RELEASE_CUSTOMER_DAYS,
    charted_incidents,
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
    top = top_pain_points(data.pain_points)
    growing = growing_pain_points(data.pain_points)
    releases = charted_releases(data.releases)
    incidents = charted_incidents(data.incidents)
    return environment().get_template("report.html.j2").render(
        data=data,
        window=data.window,
        figures=figures,
        paragraph=paragraph,
        period=period_phrase(data.window.period_days),
        fresh=FRESH,
        top=top,
        others=len(data.pain_points) - len(top),
        new=data.new_pain_points,
        listed_new=data.new_pain_points[:LISTED_NEW],
        growing=growing,
        listed_growing=growing[:LISTED_GROWING],
        campaign_cards=data.campaigns[:CAMPAIGN_CARDS],
        charted_releases=releases,
        other_releases=[release for release in data.releases if release not in releases],
        min_release_days=MIN_RELEASE_CUSTOMER_DAYS,
        charted_incidents=incidents,
        other_incidents=[incident for incident in data.incidents if incident not in incidents],
        recent_incidents=[incident for incident in data.incidents if incident.detected_at >= data.window.start],
    )
