"""The week in one paragraph, written from small inline figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from pipeline.report.model import (
    Campaign,
    CampaignOutcome,
    DataQuality,
    Incident,
    LinkedIncident,
    PainPoint,
    QuarantineCount,
    Release,
    ReportData,
    ReportWindow,
    TableLoad,
    TicketVolume,
)
from pipeline.report.paragraph import write_paragraph

END = datetime(2026, 3, 9)
WINDOW = ReportWindow(end=END, period_days=7, context_days=28, trend_days=30)


def _point(label: str, customers: int, *, first_seen: datetime, link: LinkedIncident | None = None,
           emailed: int = 0, campaigns: int = 0, this_period: int = 10, previous: int = 10) -> PainPoint:
    return PainPoint(
        pain_point_id=label, label=label, status="active", first_seen_at=first_seen, last_seen_at=END,
        ticket_count=this_period + previous, customer_count=customers, mrr_at_risk=customers * 50.0, key_terms=(),
        examples=(), trend=((date(2026, 3, 8), this_period),), tickets_this_period=this_period,
        tickets_previous_period=previous, is_new=first_seen >= WINDOW.start, link=link, campaign_count=campaigns,
        emailed_customers=emailed,
    )


def _data(**parts: object) -> ReportData:
    base = ReportData(window=WINDOW, pain_points=(), incidents=(), releases=(), campaigns=(),
                      quality=DataQuality(loads=(), quarantine=()), tickets=TicketVolume(0, 0, 0))
    return replace(base, **parts)  # type: ignore[arg-type]


def _campaign(topic: str, sent: int, outcome: CampaignOutcome | None, status: str = "sent") -> Campaign:
    return Campaign(
        campaign_id=topic, topic=topic, status=status, pain_point_id=None, incident_id=None, created_at=END,
        approved_at=None, approved_by=None, audience_size=sent, holdout_size=0, sent=sent, failed=0, held_out=0,
        delivered=sent, opened=sent // 2, clicked=0, bounced=0, unsubscribed=1, spam_reports=0, outcome=outcome,
    )


def _outcome(deflected: float | None, low: float | None, high: float | None) -> CampaignOutcome:
    return CampaignOutcome(
        measured_at=END, window_days=7, treated=100, holdout=10, treated_ticket_rate=0.1, holdout_ticket_rate=0.2,
        ci_low=None if low is None else low / 100, ci_high=None if high is None else high / 100,
        deflected_tickets=deflected, deflected_ci_low=low, deflected_ci_high=high, treated_csat=None,
        holdout_csat=None,
    )


def test_empty_warehouse_says_what_to_run() -> None:
    assert write_paragraph(_data()) == (
        "Nothing to report yet: the warehouse holds no tickets, pain points, incidents or campaigns for the 7 days "
        "to Sun 8 Mar 2026. Load data with forewarn ingest, find pain points with forewarn detect, then write this "
        "report again.")


def test_one_new_pain_point_linked_to_an_error_without_a_release() -> None:
    link = LinkedIncident("i1", "spike", "Timeout", "E_TIMEOUT", None, None, 2.0, 0.01, 0.5)
    point = _point("Uploads time out", 1, first_seen=datetime(2026, 3, 8, 10), link=link)
    paragraph = write_paragraph(_data(pain_points=(point,)))
    assert paragraph.startswith("One new pain point this week, 'Uploads time out', affects 1 customer ($50 MRR) "
                                "since yesterday and is linked to the error E_TIMEOUT. No outreach has run for it "
                                "yet.")


def test_without_new_pain_points_the_biggest_open_one_leads() -> None:
    points = (_point("Small", 5, first_seen=datetime(2026, 1, 2)), _point("Big", 50, first_seen=datetime(2026, 2, 1),
                                                                          campaigns=1))
    paragraph = write_paragraph(_data(pain_points=points))
    assert paragraph.startswith("No new pain points this week; the biggest open one, 'Big', affects 50 customers "
                                "($2.5k MRR) since 1 February. Its outreach campaign has not sent any email yet.")


def test_growth_is_named_with_both_periods() -> None:
    points = (_point("Old", 9, first_seen=datetime(2026, 1, 1)),
              _point("Export", 8, first_seen=datetime(2026, 1, 1), this_period=21, previous=6))
    assert "'Export' grew fastest: 21 tickets, up from 6 the period before." in write_paragraph(
        _data(pain_points=points))


def test_deflection_with_an_interval_above_zero() -> None:
    campaigns = (_campaign("Sync", 180, _outcome(25.2, 3.6, 46.8)), _campaign("Later", 20, None))
    paragraph = write_paragraph(_data(campaigns=campaigns))
    assert "Across two campaigns we sent 200 emails; 50% were opened and 2 customers unsubscribed." in paragraph
    assert "The campaign about 'Sync' deflected about 25 tickets against its holdout (95% interval 4 to 47)." \
        in paragraph


def test_no_provider_events_yet_is_not_reported_as_nothing_opened() -> None:
    quiet = replace(_campaign("Sync", 40, None), delivered=0, opened=0, unsubscribed=0)
    paragraph = write_paragraph(_data(campaigns=(quiet,)))
    assert "Across one campaign we sent 40 emails; no delivery or open events have come back for them yet." \
        in paragraph
    assert "0% were opened" not in paragraph


def test_deflection_interval_spanning_zero_is_no_clear_effect() -> None:
    paragraph = write_paragraph(_data(campaigns=(_campaign("Sync", 50, _outcome(3.0, -2.0, 8.0)),)))
    assert "shows no clear effect on tickets yet (95% interval -2 to 8 tickets deflected)" in paragraph


def test_deflection_without_interval_is_not_enough_data_yet() -> None:
    paragraph = write_paragraph(_data(campaigns=(_campaign("Sync", 50, _outcome(None, None, None)),
                                                 _campaign("Wait", 0, None, status="pending_approval"))))
    assert "Deflection against the holdout: not enough data yet." in paragraph
    assert "One campaign waits for approval." in paragraph


def test_incidents_with_median_lag_and_the_largest_named() -> None:
    def incident(name: str, customers: int, lag_hours: float, kind: str = "spike") -> Incident:
        started = datetime(2026, 3, 4)
        return Incident(name, kind, name, None, None, "android", "5.4.0", started,
                        started + timedelta(hours=lag_hours), customers, 0, None, None, "open", (), ())

    incidents = (incident("a", 10, 1), incident("b", 300, 4, kind="release_regression"), incident("c", 5, 9))
    paragraph = write_paragraph(_data(incidents=incidents))
    assert ("Three incidents were detected this week (median detection lag 4 h); the largest, a release "
            "regression in 5.4.0 Android, hit 300 customers and was found 4 h after it began.") in paragraph


def test_the_largest_incident_is_named_by_its_code_feature_and_platform_not_its_event_name() -> None:
    started = datetime(2026, 3, 4)
    spike = Incident("inc-1", "spike", "error", "E_SYNC_TIMEOUT", "sync", "ios", None, started,
                     started + timedelta(hours=2), 40, 0, None, None, "open", (), ())
    paragraph = write_paragraph(_data(incidents=(spike,)))
    assert "the largest, a spike of E_SYNC_TIMEOUT in sync on iOS, hit 40 customers" in paragraph


def test_stale_data_and_quarantine_are_reported() -> None:
    loads = (TableLoad("tickets", 7, 0, 100, 1, END - timedelta(hours=2), END),
             TableLoad("events", 7, 0, 100, 0, END - timedelta(days=3), END))
    quality = DataQuality(loads=loads, quarantine=(QuarantineCount("tickets", "created_at_parseable", 1),))
    paragraph = write_paragraph(_data(quality=quality, tickets=TicketVolume(120, 100, 50)))
    assert "Support received 120 tickets (+20% on the period before)." in paragraph
    assert paragraph.endswith("The events data is stale: its newest row is 3 days old; 1 row was quarantined, "
                              "most for 'created_at_parseable'.")


def test_fresh_data_under_a_minute_old_reads_as_such() -> None:
    loads = (TableLoad("tickets", 7, 0, 100, 0, END - timedelta(seconds=20), END),
             TableLoad("events", 7, 0, 100, 0, END - timedelta(minutes=30), END))
    fresh = write_paragraph(_data(quality=DataQuality(loads=loads, quarantine=())))
    assert fresh.endswith("Tickets and events are fresh (newest rows at most 30 min old); no row was quarantined.")
    newest = write_paragraph(_data(quality=DataQuality(loads=loads[:1], quarantine=())))
    assert newest.endswith("Tickets are fresh (newest rows under 1 min old); no row was quarantined.")


def test_freshness_vouches_only_for_tables_whose_rows_carry_a_time() -> None:
    # Customers have no row time: their age is unknown, so the sentence must not say "all sources".
    loads = (TableLoad("customers", 1, 0, 50, 0, None, END),
             TableLoad("events", 7, 0, 100, 0, END - timedelta(minutes=30), END))
    paragraph = write_paragraph(_data(quality=DataQuality(loads=loads, quarantine=())))
    assert "All sources" not in paragraph
    assert paragraph.endswith("Events are fresh (newest rows at most 30 min old); no row was quarantined.")


def test_a_longer_period_is_named_in_days() -> None:
    window = ReportWindow(end=END, period_days=14, context_days=28, trend_days=30)
    paragraph = write_paragraph(_data(window=window, tickets=TicketVolume(5, 0, 5)))
    assert paragraph.startswith("No pain points found in the last 14 days.")


def test_the_release_whose_error_rate_jumped_most_is_named() -> None:
    releases = (Release("android", "5.3.2", 400, 40, 30, None), Release("android", "5.4.0", 200, 100, 60, "i1"),
                Release("ios", "3.9.0", 300, 30, 20, None), Release("ios", "3.9.1", 300, 60, 40, None),
                Release("web", "1.0", 5, 50, 5, None), Release("web", "1.1", 500, 50, 5, None))
    paragraph = write_paragraph(_data(releases=releases))
    # 5.4.0: 0.50 against 0.10, five times; iOS doubles; web 1.0 has too little activity to compare.
    assert ("On Android, 5.4.0 errs 5.0 times as often per active customer as 5.3.2 (0.50 against 0.10 errors "
            "per customer-day).") in paragraph
    assert "iOS" not in paragraph and "web" not in paragraph.lower()


def test_no_release_is_named_when_rates_hold_steady() -> None:
    releases = (Release("android", "5.3.2", 400, 40, 30, None), Release("android", "5.4.0", 400, 50, 30, None))
    assert " errs " not in write_paragraph(_data(releases=releases))


def test_the_emails_tile_counts_its_campaigns_in_words_that_agree() -> None:
    from pipeline.report.figures import build_figures
    from pipeline.report.render import render_report

    for campaigns, expected in (((_campaign("Sync", 37, None),), "in 1 campaign<"),
                                ((_campaign("Sync", 37, None), _campaign("Later", 3, None)), "in 2 campaigns<")):
        data = _data(campaigns=campaigns)
        html = render_report(data, build_figures(data), paragraph=write_paragraph(data))
        assert expected in html
