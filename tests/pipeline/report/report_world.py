"""A realistic warehouse for the report tests: eight pain points, three incidents, two campaigns, a month of trend.

The world is built with plain SQL inserts into the migrated schema, the way the detect, outreach and
measure stages would leave it on Monday morning (``AS_OF``). Numbers the tests check are kept in
module constants so each test states where its expectation comes from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, MetaData, insert

AS_OF = datetime(2026, 3, 9)  # Monday 00:00 UTC: the report covers Mon 2 Mar to Sun 8 Mar
TREND_START = date(2026, 2, 7)  # 30 days of trend ending Sun 8 Mar
HOSTILE_TICKET = 'Login loops <script>alert(1)</script> then "><img src=x onerror=alert(2)> & nothing works'
RAW_PII = "jane.doe@example.com"  # only in tickets.body / subject; the report must never show it

CUSTOMERS = 1200


@dataclass(frozen=True)
class PainPointSpec:
    pain_point_id: str
    label: str
    status: str
    first_seen: datetime
    customers: int
    mrr: float | None
    daily: dict[date, int]  # tickets per day; stored as the trend JSON unless store_trend is False
    representatives: list[dict[str, str]]
    store_trend: bool = True


def _days(first: date, counts: list[int]) -> dict[date, int]:
    return {first + timedelta(days=offset): count for offset, count in enumerate(counts) if count}


def _steady(per_day: int, first: date = TREND_START, days: int = 30) -> dict[date, int]:
    # A gentle weekly wave so sparklines do not look synthetic-flat.
    return {first + timedelta(days=offset): per_day + (offset % 7 in (1, 2)) - (offset % 7 == 5)
            for offset in range(days)}


PAIN_POINTS = [
    PainPointSpec("pp-sync", "Sync fails after update on Android", "active", datetime(2026, 3, 3, 9, 40), 214,
                  12_300.0, _days(date(2026, 3, 3), [8, 25, 40, 52, 60, 45]),
                  [{"ticket_id": "t-sync-1", "text": "Since the update my notes stop syncing, error 409 on my "
                                                     "Pixel. [EMAIL] says the same."},
                   {"ticket_id": "t-sync-2", "text": "After updating to 5.4.0 nothing syncs between phone and "
                                                     "laptop."}]),
    PainPointSpec("pp-login", "Can't sign in with SSO after a password reset", "active", datetime(2026, 1, 12),
                  150, 9_800.0, _steady(4),
                  [{"ticket_id": "t-login-1", "text": HOSTILE_TICKET},
                   {"ticket_id": "t-login-2", "text": "Reset my password and now SSO says my account is locked."}]),
    PainPointSpec("pp-export", "CSV export times out for large workspaces", "active", datetime(2026, 2, 10), 90,
                  15_100.0, {**_days(date(2026, 2, 23), [1, 2, 1, 2, 1, 2, 1]),
                             **_days(date(2026, 3, 2), [3, 4, 5, 6, 5, 6, 6])},
                  [{"ticket_id": "t-export-1", "text": "Exporting our 40k-row workspace to CSV spins forever."}]),
    PainPointSpec("pp-search", "Search finds nothing for accented names", "active", datetime(2026, 1, 20), 70,
                  3_900.0, _steady(2),
                  [{"ticket_id": "t-search-1", "text": "Searching for José returns no results, Jose works."}]),
    PainPointSpec("pp-billing", "Charged twice for the annual plan", "dormant", datetime(2026, 2, 9), 60, 4_200.0,
                  _days(date(2026, 2, 9), [3, 2, 2, 1, 1, 0, 1, 0, 1]), [], store_trend=False),
    PainPointSpec("pp-notif", "Push notifications arrive hours late on iOS", "active", datetime(2026, 3, 5, 19, 30),
                  45, 2_100.0, _days(date(2026, 3, 5), [3, 9, 7, 6]),
                  [{"ticket_id": "t-notif-1", "text": "Reminders show up three hours after the meeting started."}]),
    PainPointSpec("pp-invoice", "Invoice PDF misses the VAT number", "active", datetime(2026, 2, 2), 30, None,
                  _steady(1), []),
    PainPointSpec("pp-dark", "Dark mode makes report text unreadable", "active", datetime(2026, 3, 7, 11), 12,
                  640.0, _days(date(2026, 3, 7), [4, 5]),
                  [{"ticket_id": "t-dark-1", "text": "Grey text on a black background in the weekly report."}]),
]
MERGED_LABEL = "Old duplicate: sync broken"  # merged away: must not be shown

INCIDENTS = [
    {"incident_id": "inc-regress", "kind": "release_regression", "name": "Sync conflict error",
     "error_code": "SYNC_409", "feature": "sync", "platform": "android", "app_version": "5.4.0",
     "started_at": datetime(2026, 3, 3, 9, 0), "detected_at": datetime(2026, 3, 3, 13, 30), "customer_count": 640,
     "event_count": 9_800, "mrr_at_risk": 31_000.0, "severity": 0.92,
     "evidence": json.dumps({"previous_version": "5.3.2", "error_rate": 0.31, "baseline_error_rate": 0.02,
                             "nested": {"ignored": True}})},
    {"incident_id": "inc-spike", "kind": "spike", "name": "Notification delivery delay", "error_code": "NOTIF_DELAY",
     "feature": "notifications", "platform": "ios", "app_version": "3.9.1",
     "started_at": datetime(2026, 3, 5, 18, 0), "detected_at": datetime(2026, 3, 5, 19, 10), "customer_count": 180,
     "event_count": 2_400, "mrr_at_risk": None, "severity": 0.55, "evidence": json.dumps({"z_score": 7.4})},
    {"incident_id": "inc-new", "kind": "new_signature", "name": "PDF render crash", "error_code": "PDF_500",
     "feature": "invoices", "platform": "web", "app_version": "2026.2", "started_at": datetime(2026, 2, 19, 22, 0),
     "detected_at": datetime(2026, 2, 21, 6, 0), "customer_count": 35, "event_count": 310, "mrr_at_risk": 1_900.0,
     "severity": 0.3, "evidence": None},
]
LINKS = [("pp-sync", "inc-regress", 6.2, 1e-9, 0.9), ("pp-notif", "inc-spike", 3.1, 0.001, 0.6),
         ("pp-invoice", "inc-new", 1.4, 0.2, 0.2)]
# (campaign, pain point, incident, created, sent, held out, delivered, opened, clicked, unsubscribed, bounced)
CAMPAIGNS = [
    ("camp-sync", "pp-sync", "inc-regress", datetime(2026, 3, 4, 8, 0), 180, 20, 176, 112, 41, 3, 4),
    ("camp-notif", "pp-notif", "inc-spike", datetime(2026, 3, 6, 10, 0), 40, 5, 39, 20, 5, 1, 0),
]
SYNC_OUTCOME = {"treated_ticket_rate": 0.06, "holdout_ticket_rate": 0.20, "ci_low": 0.02, "ci_high": 0.26,
                "deflected_tickets": 25.2, "deflected_ci_low": 3.6, "deflected_ci_high": 46.8}
# (table, rule, rows) quarantined during the period
QUARANTINE = [("tickets", "customer_id_not_null", 20), ("events", "platform_in_set", 12),
              ("tickets", "created_at_parseable", 5)]
# (platform, version, active customers per day, error events per day)
RELEASES = [("android", "5.3.2", 420, 60), ("android", "5.4.0", 380, 410), ("ios", "3.9.0", 300, 30),
            ("ios", "3.9.1", 260, 70), ("web", "2026.2", 500, 45)]


def populate(engine: Engine) -> None:
    """Fill an empty, migrated warehouse with the world above."""
    rows: dict[str, list[dict[str, object]]] = {
        "customers": [{"customer_id": f"c{index:04d}", "email": f"user{index}@example.org", "name": f"User {index}",
                       "mrr": float(20 + index * 37 % 300), "email_opt_in": index % 10 != 0,
                       "created_at": datetime(2025, 6, 1), "loaded_at": AS_OF} for index in range(CUSTOMERS)],
    }
    rows.update(_pain_point_rows())
    rows["incidents"] = [{**incident, "status": "open"} for incident in INCIDENTS]
    rows["pain_point_incidents"] = [{"pain_point_id": p, "incident_id": i, "lift": lift, "p_value": pv,
                                     "strength": strength} for p, i, lift, pv, strength in LINKS]
    rows.update(_campaign_rows())
    rows["version_activity_daily"] = [
        {"day": datetime(2026, 2, 23) + timedelta(days=offset), "platform": platform, "app_version": version,
         "active_customers": active, "error_events": errors, "erroring_customers": errors // 3}
        for offset in range(14) for platform, version, active, errors in RELEASES
        if not (version == "5.4.0" and offset < 7)  # 5.4.0 shipped on Mon 2 Mar
    ]
    rows.update(_quality_rows())
    # Only the tables written: SQLAlchemy cannot reflect the expression index on suppressions and warns.
    tables = MetaData()
    tables.reflect(engine, only=list(rows))
    with engine.begin() as connection:
        for name, table_rows in rows.items():
            # One executemany needs the same keys in every row: absent columns become NULL.
            columns = {key for row in table_rows for key in row}
            connection.execute(insert(tables.tables[name]), [dict.fromkeys(columns) | row for row in table_rows])


def _pain_point_rows() -> dict[str, list[dict[str, object]]]:
    points, tickets, assignments = [], [], []
    serial = 0
    for spec in PAIN_POINTS:
        trend = sorted(spec.daily.items())
        for day, count in trend:
            for _ in range(count):
                serial += 1
                ticket_id = f"t{serial:05d}"
                tickets.append({
                    "ticket_id": ticket_id, "customer_id": f"c{serial * 7 % CUSTOMERS:04d}",
                    "created_at": datetime.combine(day, datetime.min.time()) + timedelta(hours=8 + serial % 10),
                    "subject": f"Help from {RAW_PII}", "body": f"Call me, {RAW_PII}, +1 555 0100",
                    "subject_redacted": f"{spec.label} (ticket {serial})",
                    "body_redacted": "Customer [EMAIL] reports the problem again.", "loaded_at": AS_OF,
                })
                assignments.append({"ticket_id": ticket_id, "pain_point_id": spec.pain_point_id, "score": 0.8})
        points.append({
            "pain_point_id": spec.pain_point_id, "label": spec.label, "status": spec.status,
            "first_seen_at": spec.first_seen, "last_seen_at": datetime.combine(trend[-1][0], datetime.min.time()),
            "ticket_count": sum(spec.daily.values()) + 40 * (spec.first_seen < datetime(2026, 2, 8)),
            "customer_count": spec.customers, "mrr_at_risk": spec.mrr,
            "key_terms": json.dumps(spec.label.lower().split()[:4]),
            "representatives": json.dumps(spec.representatives) if spec.representatives else None,
            "trend": json.dumps([[day.isoformat(), count] for day, count in trend]) if spec.store_trend else None,
            "as_of": AS_OF,
        })
    # Most tickets belong to no pain point (how-to questions, one-offs): a steady background.
    for offset in range(30):
        for _ in range(25 + offset % 7):
            serial += 1
            tickets.append({
                "ticket_id": f"t{serial:05d}", "customer_id": f"c{serial * 7 % CUSTOMERS:04d}",
                "created_at": datetime.combine(TREND_START + timedelta(days=offset), datetime.min.time())
                + timedelta(hours=7 + serial % 12),
                "subject": f"Question from {RAW_PII}", "body": "How do I share a folder?",
                "subject_redacted": "Question", "body_redacted": "How do I share a folder?", "loaded_at": AS_OF,
            })
    points.append({"pain_point_id": "pp-merged", "label": MERGED_LABEL, "status": "merged",
                   "first_seen_at": datetime(2026, 3, 2), "last_seen_at": datetime(2026, 3, 8), "ticket_count": 900,
                   "customer_count": 900, "mrr_at_risk": 90_000.0, "as_of": AS_OF})
    return {"pain_points": points, "tickets": tickets, "ticket_pain_points": assignments}


def _campaign_rows() -> dict[str, list[dict[str, object]]]:
    campaigns, messages, events, outcomes = [], [], [], []
    for campaign_id, pain_point_id, incident_id, created, sent, held, delivered, opened, clicked, unsub, bounced \
            in CAMPAIGNS:
        campaigns.append({"campaign_id": campaign_id, "incident_id": incident_id, "pain_point_id": pain_point_id,
                          "workaround_id": "wa-1", "status": "sent", "created_at": created,
                          "approved_at": created + timedelta(hours=1), "approved_by": "maya.pm",
                          "audience_size": sent + held, "holdout_size": held})
        for index in range(sent + held):
            message_id = f"{campaign_id}-m{index:03d}"
            is_holdout = index >= sent
            messages.append({"message_id": message_id, "campaign_id": campaign_id,
                             "customer_id": f"c{(index * 13 + len(campaign_id)) % CUSTOMERS:04d}",
                             "is_holdout": is_holdout, "status": "held_out" if is_holdout else "sent",
                             "created_at": created, "sent_at": None if is_holdout else created + timedelta(hours=2)})
            for event, limit in (("delivered", delivered), ("open", opened), ("click", clicked),
                                 ("unsubscribe", unsub)):
                if index < limit:
                    events.append(_event(message_id, campaign_id, event, created))
            if sent - bounced <= index < sent:
                events.append(_event(message_id, campaign_id, "bounce", created))
        if campaign_id == "camp-sync":
            outcomes.append({"campaign_id": campaign_id, "measured_at": AS_OF - timedelta(hours=6), "window_days": 4,
                             "treated": sent, "holdout": held, "treated_csat": 4.4, "holdout_csat": 3.9,
                             **SYNC_OUTCOME})
        else:  # measured, but too few customers for an interval
            outcomes.append({"campaign_id": campaign_id, "measured_at": AS_OF - timedelta(hours=6), "window_days": 2,
                             "treated": sent, "holdout": held, "treated_ticket_rate": 0.05,
                             "holdout_ticket_rate": 0.2})
    # A second open of the same message is one opened message, not two.
    events.append({**_event(f"{CAMPAIGNS[0][0]}-m000", CAMPAIGNS[0][0], "open", CAMPAIGNS[0][3]),
                   "sg_event_id": "sg-repeat-open"})
    return {"campaigns": campaigns, "outreach_messages": messages, "email_events": events,
            "campaign_outcomes": outcomes}


def _event(message_id: str, campaign_id: str, event: str, created: datetime) -> dict[str, object]:
    return {"sg_event_id": f"sg-{message_id}-{event}", "message_id": message_id, "campaign_id": campaign_id,
            "event": event, "occurred_at": created + timedelta(hours=3), "received_at": created + timedelta(hours=3)}


def _quality_rows() -> dict[str, list[dict[str, object]]]:
    quarantine = []
    for table, rule, count in QUARANTINE:
        for index in range(count):
            day = datetime(2026, 3, 2 + index % 7)
            quarantine.append({"table_name": table, "source": f"/data/{table}.csv", "row_number": index + 1,
                               "rule": rule, "raw": "{}", "interval_start": day,
                               "interval_end": day + timedelta(days=1), "loaded_at": day + timedelta(hours=2)})
    quarantine.append({"table_name": "tickets", "source": "/data/old.csv", "row_number": 1, "rule": "before_period",
                       "raw": "{}", "interval_start": datetime(2026, 1, 31), "interval_end": datetime(2026, 2, 1),
                       "loaded_at": datetime(2026, 2, 1, 2)})
    runs = []
    lags = {"tickets": timedelta(hours=1), "events": timedelta(hours=2), "customers": timedelta(hours=20)}
    held = {table: sum(rows for name, _, rows in QUARANTINE if name == table) for table in lags}
    for offset in range(7):
        started = datetime(2026, 3, 2, 1) + timedelta(days=offset)
        for table, lag in lags.items():
            # Spread each table's quarantined rows over the week, so ingest_runs and quarantine agree.
            quarantined = held[table] // 7 + (offset < held[table] % 7)
            runs.append({"source": "/data", "table_name": table, "interval_start": started - timedelta(days=1),
                         "interval_end": started, "rows_read": 1000, "rows_in_interval": 1000,
                         "rows_loaded": 1000 - quarantined, "rows_quarantined": quarantined,
                         "max_timestamp": AS_OF - lag if offset == 6 else started,
                         "started_at": started, "finished_at": started + timedelta(minutes=3),
                         "status": "success"})
    return {"quarantine": quarantine, "ingest_runs": runs}
