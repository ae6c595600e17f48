"""Read the current pain points with their trend, examples, linked incident and outreach."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from sqlalchemy import Connection, RowMapping

from pipeline.report.model import ExampleTicket, LinkedIncident, PainPoint, ReportWindow
from pipeline.report.queries.common import (
    fetch,
    parse_json,
    text_list,
    to_datetime,
    to_day,
    to_float,
    to_int,
)
from pipeline.report.selection import TOP_PAIN_POINTS

EXAMPLES_PER_PAIN_POINT = 2
EXAMPLE_MAX_CHARS = 280


def load_pain_points(connection: Connection, window: ReportWindow) -> tuple[PainPoint, ...]:
    """Current pain points, biggest first, each with everything its card shows."""
    rows = fetch(connection, "report_select_pain_points", since=window.context_start, end=window.end)
    if not rows:
        return ()
    links = _strongest_links(fetch(connection, "report_select_pain_point_links"))
    emails = {row["pain_point_id"]: row for row in fetch(connection, "report_count_pain_point_emails")}
    fallback_trends = _trends_from_tickets(connection, window, rows)
    fallback_mrr = _mrr_from_tickets(connection, rows)
    points = []
    for rank, row in enumerate(rows):
        point_id = row["pain_point_id"]
        trend = _dense_trend(_stored_trend(row) or fallback_trends.get(point_id, {}), window)
        this_period, previous_period = _period_sums(trend, window.period_days)
        first_seen = to_datetime(row["first_seen_at"])
        email_row = emails.get(point_id)
        mrr = to_float(row["mrr_at_risk"])
        points.append(
            PainPoint(
                pain_point_id=point_id,
                label=row["label"] or point_id,
                status=row["status"],
                first_seen_at=first_seen,
                last_seen_at=to_datetime(row["last_seen_at"]),
                ticket_count=to_int(row["ticket_count"]),
                customer_count=to_int(row["customer_count"]),
                mrr_at_risk=mrr if mrr is not None else fallback_mrr.get(point_id),
                key_terms=text_list(row["key_terms"], column="pain_points.key_terms")[:6],
                # Only the top cards show examples: skip the fallback query for the rest.
                examples=_examples(connection, row, query=rank < TOP_PAIN_POINTS),
                trend=trend,
                tickets_this_period=this_period,
                tickets_previous_period=previous_period,
                is_new=first_seen is not None and first_seen >= window.start,
                link=links.get(point_id),
                campaign_count=to_int(email_row["campaigns"]) if email_row else 0,
                emailed_customers=to_int(email_row["customers"]) if email_row else 0,
                theme_label=row["theme_label"],
            )
        )
    return tuple(points)


def _strongest_links(rows: Iterable[RowMapping]) -> dict[str, LinkedIncident]:
    # Rows come strongest first per pain point; keep the first of each.
    links: dict[str, LinkedIncident] = {}
    for row in rows:
        links.setdefault(
            row["pain_point_id"],
            LinkedIncident(
                incident_id=row["incident_id"],
                kind=row["kind"],
                name=row["name"],
                error_code=row["error_code"],
                platform=row["platform"],
                app_version=row["app_version"],
                lift=to_float(row["lift"]),
                p_value=to_float(row["p_value"]),
                strength=to_float(row["strength"]),
            ),
        )
    return links


def _stored_trend(row: RowMapping) -> dict[date, int]:
    parsed = parse_json(row["trend"], column="pain_points.trend")
    counts: dict[date, int] = {}
    if not isinstance(parsed, list):
        return counts
    for item in parsed:
        if isinstance(item, list | tuple) and len(item) == 2:
            day = to_day(item[0])
            if day is not None and isinstance(item[1], int | float):
                counts[day] = counts.get(day, 0) + int(item[1])
    return counts


def _trends_from_tickets(
    connection: Connection, window: ReportWindow, rows: list[RowMapping]
) -> dict[str, dict[date, int]]:
    """Daily ticket counts from ticket assignments, for the pain points without a stored trend."""
    missing = [row["pain_point_id"] for row in rows if not _stored_trend(row)]
    if not missing:
        return {}
    first_day = window.trend_days_list()[0]
    found: dict[str, dict[date, int]] = defaultdict(dict)
    for count in fetch(
        connection,
        "report_count_pain_point_tickets_daily",
        pain_point_ids=missing,
        start=datetime.combine(first_day, time()),
        end=datetime.combine(window.end_day + timedelta(days=1), time()),
    ):
        day = to_day(count["day"])
        if day is not None:
            found[count["pain_point_id"]][day] = to_int(count["tickets"])
    return found


def _mrr_from_tickets(connection: Connection, rows: list[RowMapping]) -> dict[str, float | None]:
    missing = [row["pain_point_id"] for row in rows if row["mrr_at_risk"] is None]
    if not missing:
        return {}
    return {
        row["pain_point_id"]: to_float(row["mrr"])  # None: no customer of it has a known MRR
        for row in fetch(connection, "report_select_pain_point_customers", pain_point_ids=missing)
    }


def _dense_trend(counts: dict[date, int], window: ReportWindow) -> tuple[tuple[date, int], ...]:
    """One point per day of the trend window, zero where no ticket came in."""
    return tuple((day, int(counts.get(day, 0))) for day in window.trend_days_list())


def _period_sums(trend: tuple[tuple[date, int], ...], period_days: int) -> tuple[int, int]:
    values = [count for _, count in trend]
    this_period = sum(values[-period_days:]) if period_days else 0
    previous = sum(values[-2 * period_days : -period_days]) if len(values) > period_days else 0
    return this_period, previous


def _examples(connection: Connection, row: RowMapping, *, query: bool) -> tuple[ExampleTicket, ...]:
    stored = parse_json(row["representatives"], column="pain_points.representatives")
    examples = []
    if isinstance(stored, list):
        for item in stored:
            if isinstance(item, dict) and item.get("text"):
                examples.append(ExampleTicket(str(item.get("ticket_id") or ""), _clip(str(item["text"]))))
    if not examples and query:
        for ticket in fetch(
            connection,
            "report_select_example_tickets",
            pain_point_id=row["pain_point_id"],
            limit=EXAMPLES_PER_PAIN_POINT,
        ):
            text = " — ".join(part for part in (ticket["subject_redacted"], ticket["body_redacted"]) if part)
            if text:
                examples.append(ExampleTicket(ticket["ticket_id"], _clip(text)))
    return tuple(examples[:EXAMPLES_PER_PAIN_POINT])


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXAMPLE_MAX_CHARS else text[: EXAMPLE_MAX_CHARS - 1].rstrip() + "…"
