"""Write "the week in one paragraph": the report's figures in plain sentences, no jargon."""

from __future__ import annotations

from datetime import timedelta
from statistics import median

from pipeline.report import formatting as fmt
from pipeline.report.model import Campaign, LinkedIncident, PainPoint, ReportData
from pipeline.report.selection import biggest, growing_pain_points, worst_release_jump

FRESH = timedelta(hours=26)  # a daily load plus slack


def write_paragraph(data: ReportData) -> str:
    """One paragraph that a product manager can read in thirty seconds; every number is in a table below."""
    if _is_empty(data):
        return (
            f"Nothing to report yet: the warehouse holds no tickets, pain points, incidents or campaigns for "
            f"the {fmt.counted(data.window.period_days, 'day')} to {fmt.day(data.window.end_day)}. Load data with "
            "forewarn ingest, find pain points with forewarn detect, then write this report again."
        )
    sentences = [
        _pain_points(data),
        _growing(data),
        _campaigns(data),
        _incidents(data),
        _releases(data),
        _tickets(data),
        _quality(data),
    ]
    return " ".join(sentence for sentence in sentences if sentence)


def period_phrase(days: int) -> str:
    """'this week' for a seven-day report, otherwise 'in the last N days'."""
    return "this week" if days == 7 else f"in the last {fmt.counted(days, 'day')}"


def _is_empty(data: ReportData) -> bool:
    return not (data.pain_points or data.incidents or data.campaigns or data.releases or data.tickets.this_period
                or data.tickets.previous_period or not data.quality.is_empty)


def _pain_points(data: ReportData) -> str:
    period = period_phrase(data.window.period_days)
    new = data.new_pain_points
    if not data.pain_points:
        return f"No pain points found {period}."
    if len(new) == 1:
        point = new[0]
        opening = f"One new pain point {period}, '{point.label}', affects"
    elif new:
        point = biggest(new)
        opening = (f"{fmt.count_words(len(new)).capitalize()} new pain points {period}; the biggest, "
                   f"'{point.label}', affects")
    else:
        point = biggest(data.pain_points)
        opening = f"No new pain points {period}; the biggest open one, '{point.label}', affects"
    mrr = f" ({fmt.money(point.mrr_at_risk)} MRR)" if point.mrr_at_risk is not None else ""
    sentence = (f"{opening} {fmt.counted(point.customer_count, 'customer')}{mrr} "
                f"since {fmt.since(point.first_seen_at, data.window.end)}{_link_clause(point.link)}.")
    return f"{sentence} {_outreach_clause(point)}"


def _link_clause(link: LinkedIncident | None) -> str:
    if link is None:
        return ""
    release = fmt.release(link.app_version, link.platform)
    if link.app_version and release:
        return f" and is linked to the {release} release"
    what = link.error_code or link.name
    return f" and is linked to the error {what}" if what else ""


def _outreach_clause(point: PainPoint) -> str:
    if point.emailed_customers:
        whom = "of them" if point.emailed_customers <= point.customer_count else "affected customers"
        return f"We emailed {fmt.count(point.emailed_customers)} {whom} a workaround."
    if point.campaign_count:
        return "Its outreach campaign has not sent any email yet."
    return "No outreach has run for it yet."


def _growing(data: ReportData) -> str:
    growing = growing_pain_points(data.pain_points)
    if not growing:
        return ""
    point = growing[0]
    more = f" ({fmt.count_words(len(growing) - 1)} more grew too)" if len(growing) > 1 else ""
    return (f"'{point.label}' grew fastest: {fmt.counted(point.tickets_this_period, 'ticket')}, up from "
            f"{fmt.count(point.tickets_previous_period)} the period before{more}.")


def _campaigns(data: ReportData) -> str:
    sending = [campaign for campaign in data.campaigns if campaign.sent]
    waiting = [campaign for campaign in data.campaigns if campaign.status == "pending_approval"]
    parts = []
    if sending:
        sent = sum(campaign.sent for campaign in sending)
        opened = sum(campaign.opened for campaign in sending)
        unsubscribed = sum(campaign.unsubscribed for campaign in sending)
        sent_line = f"Across {fmt.counted(len(sending), 'campaign', words=True)} we sent {fmt.counted(sent, 'email')}; "
        if any(_has_events(campaign) for campaign in sending):
            sent_line += f"{fmt.share(opened, sent)} were opened and {fmt.counted(unsubscribed, 'customer')} unsubscribed."
        else:  # no webhook data yet: "0% were opened" would claim what nobody measured
            sent_line += "no delivery or open events have come back for them yet."
        parts.append(sent_line)
        parts.append(_deflection(sending))
    if waiting:
        parts.append(f"{fmt.counted(len(waiting), 'campaign', words=True).capitalize()} "
                     f"{'waits' if len(waiting) == 1 else 'wait'} for approval.")
    return " ".join(part for part in parts if part)


def _deflection(campaigns: list[Campaign]) -> str:
    measured = [
        (campaign.topic, outcome.deflected_tickets, outcome.deflected_ci_low, outcome.deflected_ci_high)
        for campaign in campaigns
        if (outcome := campaign.outcome) is not None and outcome.deflected_tickets is not None
        and outcome.deflected_ci_low is not None and outcome.deflected_ci_high is not None
    ]
    if not measured:
        return "Deflection against the holdout: not enough data yet."
    topic, deflected, low, high = max(measured, key=lambda item: item[1])
    interval = f"95% interval {low:.0f} to {high:.0f}"
    if low > 0:
        return f"The campaign about '{topic}' deflected about {deflected:.0f} tickets against its holdout ({interval})."
    return f"The campaign about '{topic}' shows no clear effect on tickets yet ({interval} tickets deflected)."


def _incidents(data: ReportData) -> str:
    recent = [incident for incident in data.incidents if incident.detected_at >= data.window.start]
    period = period_phrase(data.window.period_days)
    if not recent:
        return f"No incidents were detected {period}." if data.incidents or data.releases else ""
    worst = max(recent, key=lambda incident: (incident.customer_count, incident.severity or 0.0))
    what = fmt.incident_phrase(worst.kind, worst.name, worst.error_code, worst.feature, worst.platform,
                               worst.app_version)
    lag = fmt.duration(timedelta(seconds=median(i.detection_lag.total_seconds() for i in recent)))
    count = fmt.counted(len(recent), "incident", words=True).capitalize()
    was = "was" if len(recent) == 1 else "were"
    return (f"{count} {was} detected {period} (median detection lag {lag}); the largest, {what}, hit "
            f"{fmt.counted(worst.customer_count, 'customer')} and was found {fmt.duration(worst.detection_lag)} "
            f"after it began.")


def _releases(data: ReportData) -> str:
    jump = worst_release_jump(data.releases)
    if jump is None:
        return ""
    newer, previous = jump
    ratio = newer.errors_per_active_customer / previous.errors_per_active_customer
    return (f"On {fmt.platform(newer.platform)}, {newer.app_version} errs {ratio:.1f} times as often per active "
            f"customer as {previous.app_version} ({newer.errors_per_active_customer:.2f} against "
            f"{previous.errors_per_active_customer:.2f} errors per customer-day).")


def _tickets(data: ReportData) -> str:
    volume = data.tickets
    if not (volume.this_period or volume.previous_period):
        return ""
    return (f"Support received {fmt.counted(volume.this_period, 'ticket')} "
            f"({fmt.change(volume.this_period, volume.previous_period)} on the period before).")


def _has_events(campaign: Campaign) -> bool:
    """Whether the provider reported anything about the campaign's emails (delivered, opened, bounced ...)."""
    return any((campaign.delivered, campaign.opened, campaign.clicked, campaign.bounced, campaign.unsubscribed,
                campaign.spam_reports))


def _quality(data: ReportData) -> str:
    quality = data.quality
    if quality.is_empty:
        return ""
    parts = []
    ages = [(load.freshness(data.window.end), load.table_name) for load in quality.loads]
    known = [(age, table) for age, table in ages if age is not None]
    if known:
        oldest, table = max(known)
        age = fmt.duration(oldest)
        age = age if age.startswith("under") else f"at most {age}"
        # Only tables whose rows carry a time are judged (customers carry none): name them, so the
        # sentence never vouches for a table it could not read the age of.
        judged = [name for _, name in sorted(known, key=lambda item: item[1], reverse=True)]
        parts.append(f"{_and_list(judged).capitalize()} are fresh (newest rows {age} old)" if oldest <= FRESH
                     else f"The {table} data is stale: its newest row is {fmt.duration(oldest)} old")
    if quality.rows_quarantined:
        top = max(quality.quarantine, key=lambda item: item.rows)
        was = "was" if quality.rows_quarantined == 1 else "were"
        parts.append(f"{fmt.counted(quality.rows_quarantined, 'row')} {was} quarantined, most for '{top.rule}'")
    elif quality.loads:
        parts.append("no row was quarantined")
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "." if sentence else ""


def _and_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
