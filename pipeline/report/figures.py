"""Turn report data into the charts each section shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from markupsafe import Markup

from pipeline.report import formatting as fmt
from pipeline.report.charts import (
    Bar,
    Change,
    Estimate,
    Span,
    bar_chart,
    dumbbell_chart,
    forest_plot,
    funnel_chart,
    sparkline,
    timeline_chart,
)
from pipeline.report.model import Campaign, ReportData
from pipeline.report.selection import (
    CAMPAIGN_CARDS,
    LISTED_GROWING,
    LISTED_NEW,
    charted_incidents,
    charted_releases,
    growing_pain_points,
    top_pain_points,
)


@dataclass(frozen=True)
class Figures:
    """Every chart of one report; a None chart means its section has nothing to draw."""

    top_pain_points: Markup | None
    growing: Markup | None
    incidents: Markup | None
    releases: Markup | None
    deflection: Markup | None
    quarantine: Markup | None
    sparklines: dict[str, Markup]
    funnels: dict[str, Markup]


def build_figures(data: ReportData) -> Figures:
    """Draw every chart the data allows."""
    listed = (*top_pain_points(data.pain_points), *data.new_pain_points[:LISTED_NEW],
              *growing_pain_points(data.pain_points)[:LISTED_GROWING])
    shown = {point.pain_point_id: point for point in listed}
    return Figures(
        top_pain_points=_top_pain_points(data),
        growing=_growing(data),
        incidents=_incidents(data),
        releases=_releases(data),
        deflection=_deflection(data.campaigns[:CAMPAIGN_CARDS]),
        quarantine=_quarantine(data),
        sparklines={point_id: sparkline(point.trend, subject=point.label) for point_id, point in shown.items()},
        funnels={campaign.campaign_id: _funnel(campaign) for campaign in data.campaigns[:CAMPAIGN_CARDS]
                 if campaign.sent},
    )


def _top_pain_points(data: ReportData) -> Markup | None:
    top = top_pain_points(data.pain_points)
    if not top:
        return None
    bars = [
        Bar(label=f"{rank}. {point.label}", value=point.customer_count,
            note=f"{fmt.counted(point.customer_count, 'customer')} · "
                 + (f"{fmt.money(point.mrr_at_risk)} MRR" if point.mrr_at_risk is not None else "MRR unknown"),
            highlight=point.is_new)
        for rank, point in enumerate(top, start=1)
    ]
    return bar_chart(
        bars,
        label=f"Top {len(top)} pain points by customers affected",
        description="Bar length: customers affected. Orange bars are new this period. "
        + "; ".join(f"{bar.label}: {bar.note}" for bar in bars),
    )


def _growing(data: ReportData) -> Markup | None:
    growing = growing_pain_points(data.pain_points)[:LISTED_GROWING]
    if not growing:
        return None
    rows = [Change(label=point.label, previous=point.tickets_previous_period, current=point.tickets_this_period,
                   note=f"{point.tickets_previous_period} → {point.tickets_this_period} tickets "
                   f"({fmt.change(point.tickets_this_period, point.tickets_previous_period)})")
            for point in growing]
    days = data.window.period_days
    return dumbbell_chart(
        rows,
        label="Growing pain points: tickets this period against the period before",
        description="; ".join(f"{row.label}: {row.note}" for row in rows),
        previous_name=f"previous {days} days", current_name=f"last {days} days",
    )


def _incidents(data: ReportData) -> Markup | None:
    if not data.incidents:
        return None
    spans = [Span(label=_incident_title(incident.name, incident.error_code, incident.kind, incident.app_version,
                                        incident.platform),
                  started_at=incident.started_at, detected_at=incident.detected_at,
                  note=f"found after {fmt.duration(incident.detection_lag)}")
             for incident in charted_incidents(data.incidents)]
    # The axis covers the whole period and reaches back to the earliest start, but no further than a
    # week before the context window, so one ancient incident does not squash the rest.
    earliest = min(span.started_at for span in spans)
    start = max(min(earliest, data.window.start), data.window.context_start - timedelta(days=7))
    return timeline_chart(
        spans, start=datetime.combine(start.date(), time()), end=data.window.end,
        period_start=data.window.start,
        label=f"Timeline of {fmt.counted(len(spans), 'incident')} with detection lag",
        description="; ".join(f"{span.label}: started {fmt.timestamp(span.started_at)}, {span.note}"
                              for span in spans),
    )


def _incident_title(name: str | None, error_code: str | None, kind: str, version: str | None,
                    platform: str | None) -> str:
    what = name or error_code or kind.replace("_", " ")
    where = fmt.release(version, platform)
    return f"{what} ({where})" if where else what


def _releases(data: ReportData) -> Markup | None:
    releases = charted_releases(data.releases)
    if not releases:
        return None
    bars = [
        Bar(label=release.app_version, group=fmt.platform(release.platform),
            value=release.errors_per_active_customer, highlight=release.regression_incident_id is not None,
            note=f"{release.errors_per_active_customer:.2f} errors per active customer-day · "
                 f"{fmt.count(release.active_customer_days)} active")
        for release in releases
    ]
    return bar_chart(
        bars,
        label="Error rate per active customer by app version and platform",
        description="Bar length: error events per active customer per day over the period. Orange: a release "
        "regression was detected. " + "; ".join(f"{bar.group} {bar.label}: {bar.note}" for bar in bars),
    )


def _deflection(campaigns: tuple[Campaign, ...]) -> Markup | None:
    measured = [campaign for campaign in campaigns if campaign.sent or campaign.outcome]
    if not measured:
        return None
    rows = []
    for campaign in measured:
        outcome = campaign.outcome
        if outcome is not None and outcome.has_interval:
            difference = outcome.rate_difference
            note = f"{fmt.points(difference)} ({fmt.points(outcome.ci_low)} to {fmt.points(outcome.ci_high)})"
            rows.append(Estimate(campaign.topic, _pp(difference), _pp(outcome.ci_low), _pp(outcome.ci_high), note))
        else:
            rows.append(Estimate(campaign.topic, None, None, None, "not enough data yet"))
    return forest_plot(
        rows,
        label="Ticket rate of emailed customers against the holdout, with 95% intervals",
        description="Square: holdout ticket rate minus emailed customers' rate, in percentage points; line: 95% "
        "interval. Right of zero means fewer tickets after the email. "
        + "; ".join(f"{row.label}: {row.note}" for row in rows),
        unit="percentage points",
    )


def _pp(value: float | None) -> float | None:
    return None if value is None else value * 100


def _funnel(campaign: Campaign) -> Markup:
    steps = [("Sent", campaign.sent, False), ("Delivered", campaign.delivered, False),
             ("Opened", campaign.opened, False), ("Clicked", campaign.clicked, False)]
    if campaign.bounced:
        steps.append(("Bounced", campaign.bounced, True))
    steps.append(("Unsubscribed", campaign.unsubscribed, True))
    return funnel_chart(steps, label=f"Delivery funnel of the campaign about {campaign.topic}")


def _quarantine(data: ReportData) -> Markup | None:
    counts = data.quality.quarantine
    if not counts:
        return None
    ordered = sorted(counts, key=lambda item: (item.table_name, -item.rows, item.rule))
    bars = [Bar(label=item.rule, group=item.table_name, value=item.rows, note=fmt.counted(item.rows, "row"))
            for item in ordered]
    return bar_chart(
        bars,
        label=f"{fmt.counted(data.quality.rows_quarantined, 'row')} quarantined by table and rule",
        description="; ".join(f"{bar.group}, {bar.label}: {bar.note}" for bar in bars),
    )

