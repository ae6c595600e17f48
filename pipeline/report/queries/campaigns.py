"""Read campaigns with their delivery funnel and measured deflection."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from sqlalchemy import Connection, RowMapping

from pipeline.report.model import Campaign, CampaignOutcome, ReportWindow
from pipeline.report.queries.common import fetch, to_datetime, to_float, to_int

UNSUBSCRIBE_EVENTS = ("unsubscribe", "group_unsubscribe")


def load_campaigns(connection: Connection, window: ReportWindow) -> tuple[Campaign, ...]:
    """Campaigns of the context window (and any still in flight), newest first."""
    rows = fetch(connection, "report_select_campaigns", since=window.context_start, end=window.end)
    if not rows:
        return ()
    ids = [row["campaign_id"] for row in rows]
    messages: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in fetch(connection, "report_count_campaign_messages", campaign_ids=ids):
        key = "held_out" if bool(row["is_holdout"]) else str(row["status"])
        messages[row["campaign_id"]][key] += to_int(row["messages"])
    events: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in fetch(connection, "report_count_campaign_email_events", campaign_ids=ids):
        events[row["campaign_id"]][str(row["event"])] += to_int(row["messages"])
    return _with_follow_ups([_campaign(row, messages[row["campaign_id"]], events[row["campaign_id"]]) for row in rows])


# A follow-up a person still has to decide on stays a row of its own: "waits for approval" must show.
UNDECIDED = ("pending_approval", "needs_workaround")
_SUMMED = ("audience_size", "holdout_size", "sent", "failed", "held_out", "delivered", "opened", "clicked",
           "bounced", "unsubscribed", "spam_reports")


def _with_follow_ups(campaigns: list[Campaign]) -> tuple[Campaign, ...]:
    """Newest first, each incident's decided follow-ups folded into its first campaign.

    Hourly runs give an incident a follow-up for every few newly exposed customers (30 for one release
    regression in a five-day hourly replay): one row each buried the campaign a product manager thinks of,
    and its deflection is measured over all of them under the first one's id (``outreach.outcomes``).
    """
    families: dict[str, list[Campaign]] = {}
    for campaign in campaigns:
        if campaign.incident_id and campaign.status not in UNDECIDED:
            families.setdefault(campaign.incident_id, []).append(campaign)
    folded = {
        incident: replace(
            family[-1],  # newest first, so the incident's first campaign is last
            **{name: sum(getattr(c, name) for c in family) for name in _SUMMED},
            outcome=next((c.outcome for c in family if c.outcome is not None), None),
            follow_ups=len(family) - 1,
        )
        for incident, family in families.items()
    }
    result: list[Campaign] = []
    placed: set[str] = set()
    for campaign in campaigns:  # a folded campaign takes the place of its family's newest
        if campaign.incident_id not in folded or campaign.status in UNDECIDED:
            result.append(campaign)
        elif campaign.incident_id not in placed:
            placed.add(campaign.incident_id)
            result.append(folded[campaign.incident_id])
    return tuple(result)


def _campaign(row: RowMapping, messages: dict[str, int], events: dict[str, int]) -> Campaign:
    return Campaign(
        campaign_id=row["campaign_id"],
        topic=row["pain_point_label"] or row["incident_name"] or row["incident_error_code"] or row["campaign_id"],
        status=row["status"],
        pain_point_id=row["pain_point_id"],
        incident_id=row["incident_id"],
        created_at=to_datetime(row["created_at"]),
        approved_at=to_datetime(row["approved_at"]),
        approved_by=row["approved_by"],
        audience_size=to_int(row["audience_size"]),
        holdout_size=to_int(row["holdout_size"]),
        sent=messages.get("sent", 0),
        failed=messages.get("failed", 0),
        held_out=messages.get("held_out", 0),
        delivered=events.get("delivered", 0),
        opened=events.get("open", 0),
        clicked=events.get("click", 0),
        bounced=events.get("bounce", 0) + events.get("dropped", 0),
        unsubscribed=sum(events.get(name, 0) for name in UNSUBSCRIBE_EVENTS),
        spam_reports=events.get("spamreport", 0),
        outcome=_outcome(row),
    )


def _outcome(row: RowMapping) -> CampaignOutcome | None:
    if row["treated"] is None:
        return None
    return CampaignOutcome(
        measured_at=to_datetime(row["measured_at"]),
        window_days=row["window_days"],
        treated=to_int(row["treated"]),
        holdout=to_int(row["holdout"]),
        treated_ticket_rate=to_float(row["treated_ticket_rate"]),
        holdout_ticket_rate=to_float(row["holdout_ticket_rate"]),
        ci_low=to_float(row["ci_low"]),
        ci_high=to_float(row["ci_high"]),
        deflected_tickets=to_float(row["deflected_tickets"]),
        deflected_ci_low=to_float(row["deflected_ci_low"]),
        deflected_ci_high=to_float(row["deflected_ci_high"]),
        treated_csat=to_float(row["treated_csat"]),
        holdout_csat=to_float(row["holdout_csat"]),
    )
