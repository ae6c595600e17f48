"""Outcomes: deflection against the holdout with an interval that covers the truth, and no claim without one."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import Engine, text

from outreach.approval import approve
from outreach.campaigns import build_campaigns
from outreach.delivery import send_campaign
from outreach.intervals import newcombe_difference, welch_difference, wilson_interval
from outreach.model import OutreachSettings
from outreach.outcomes import measure_outcomes
from outreach.senders import make_sender
from tests.outreach.test_audience import T0, World

SENT = T0 + timedelta(hours=1)


@pytest.mark.parametrize(
    ("n_holdout", "p_holdout", "n_treated", "p_treated"),
    [(100, 0.20, 900, 0.12), (60, 0.05, 540, 0.02), (400, 0.30, 400, 0.30)],
)
def test_newcombe_interval_covers_the_true_difference_about_95_percent_of_the_time(
    n_holdout: int, p_holdout: float, n_treated: int, p_treated: float
) -> None:
    rng = np.random.default_rng(20260301)
    trials = 400
    covered = 0
    for _ in range(trials):
        k_h, k_t = int(rng.binomial(n_holdout, p_holdout)), int(rng.binomial(n_treated, p_treated))
        _, low, high = newcombe_difference(k_h, n_holdout, k_t, n_treated)
        covered += low <= p_holdout - p_treated <= high
    # 400 trials at 95%: sd 1.1 points; 0.92..0.985 is about ±3 sd (the method is slightly conservative).
    assert 0.92 <= covered / trials <= 0.985


def test_wilson_and_welch_known_values() -> None:
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-4)
    difference, low, high = welch_difference([4, 5, 4, 5, 4], [2, 3, 2, 3, 2])
    assert difference == pytest.approx(2.0) and low < 2.0 < high and low > 1.0


def _campaign_world(engine: Engine, *, customers: int, holdout_share: float, pain_point: bool = True) -> tuple[World, list, list]:
    """A sent campaign; returns the world and the treated and holdout customer ids."""
    w = World(engine)
    w.incident()
    if pain_point:
        w.pain_point()
    w.workaround()
    for i in range(customers):
        w.customer(f"c{i:03d}")
        w.exposed(f"c{i:03d}")
    build_campaigns(engine, as_of=T0, settings=OutreachSettings(holdout_share=holdout_share))
    approve(engine, "cmp-inc1", "cli:test", T0)
    with engine.begin() as conn:  # what delivery does
        conn.execute(text("UPDATE outreach_messages SET status = 'sent', sent_at = :t WHERE status = 'queued'"), {"t": SENT})
        conn.execute(text("UPDATE campaigns SET status = 'sent'"))
    rows = w.rows("SELECT customer_id, is_holdout FROM outreach_messages ORDER BY customer_id")
    return w, [c for c, h in rows if not h], [c for c, h in rows if h]


def test_deflection_counts_only_tickets_on_the_issue_inside_the_window(warehouse: Engine) -> None:
    w, treated, holdout = _campaign_world(warehouse, customers=300, holdout_share=0.3)
    for cid in holdout[:30]:
        w.ticket(f"h-{cid}", cid, at=SENT + timedelta(days=2), pain_point_id="pp1")
    for cid in treated[:10]:
        w.ticket(f"t-{cid}", cid, at=SENT + timedelta(days=3), pain_point_id="pp1")
        w.ticket(f"t2-{cid}", cid, at=SENT + timedelta(days=4), pain_point_id="pp1")  # one customer, one count
    w.pain_point("pp-other", label="billing", incident_id=None)
    # Wrote in after exposure and before the send: the send would have skipped them; out of the treated arm.
    w.ticket("noise-before", treated[20], at=SENT - timedelta(minutes=5), pain_point_id="pp1")
    w.ticket("noise-after", treated[21], at=SENT + timedelta(days=15), pain_point_id="pp1")
    w.ticket("noise-topic", treated[22], at=SENT + timedelta(days=1), pain_point_id="pp-other")

    assert measure_outcomes(warehouse, as_of=SENT + timedelta(days=13), window_days=14) == []
    [outcome] = measure_outcomes(warehouse, as_of=SENT + timedelta(days=15), window_days=14)

    in_treated = len(treated) - 1
    assert (outcome.treated, outcome.holdout) == (in_treated, len(holdout))
    assert (outcome.treated_tickets, outcome.holdout_tickets) == (10, 30)
    assert outcome.holdout_ticket_rate == pytest.approx(30 / len(holdout))
    assert outcome.treated_ticket_rate == pytest.approx(10 / in_treated)
    assert outcome.enough_data and outcome.ci_low < outcome.difference < outcome.ci_high
    assert outcome.deflected_tickets == pytest.approx(outcome.difference * in_treated)
    assert outcome.deflected_ci_low == pytest.approx(outcome.ci_low * in_treated)
    stored = w.rows("SELECT campaign_id, treated, holdout, ci_low, deflected_tickets, window_days FROM campaign_outcomes")
    assert stored == [("cmp-inc1", in_treated, len(holdout), pytest.approx(outcome.ci_low),
                       pytest.approx(outcome.deflected_tickets), 14)]
    measure_outcomes(warehouse, as_of=SENT + timedelta(days=16), window_days=14)
    assert len(w.rows("SELECT campaign_id FROM campaign_outcomes")) == 1


def test_who_wrote_in_before_the_first_send_is_out_of_both_arms(warehouse: Engine, tmp_path) -> None:
    # The send skips a customer who wrote to support since exposed (T0 - 3 h); the holdout has no send, so
    # without the same cut it keeps such customers, who write again, and the email looks like it deflected.
    w = World(warehouse)
    w.incident()
    w.pain_point()
    w.workaround()
    for i in range(300):
        w.customer(f"c{i:03d}")
        w.exposed(f"c{i:03d}")
    build_campaigns(warehouse, as_of=T0, settings=OutreachSettings(holdout_share=0.3))
    approve(warehouse, "cmp-inc1", "cli:test", T0)
    rows = w.rows("SELECT customer_id, is_holdout FROM outreach_messages ORDER BY customer_id")
    treated, holdout = [c for c, h in rows if not h], [c for c, h in rows if h]
    wrote_early = treated[:12] + holdout[:12]
    for cid in wrote_early:
        w.ticket(f"early-{cid}", cid, at=T0 - timedelta(hours=1), pain_point_id="pp1")
        w.ticket(f"again-{cid}", cid, at=SENT + timedelta(days=2), pain_point_id="pp1")
    w.ticket("long-ago", holdout[12], at=T0 - timedelta(days=5), pain_point_id="pp1")  # before exposure: stays
    w.ticket("after", holdout[13], at=SENT + timedelta(days=3), pain_point_id="pp1")

    summary = send_campaign(warehouse, "cmp-inc1", make_sender("outbox", directory=tmp_path), OutreachSettings(),
                            "secret", now=SENT)
    assert summary.skipped_by_reason == {"wrote_in": 12}

    [outcome] = measure_outcomes(warehouse, as_of=SENT + timedelta(days=15), window_days=14)
    assert (outcome.treated, outcome.holdout) == (len(treated) - 12, len(holdout) - 12)
    assert (outcome.treated_tickets, outcome.holdout_tickets) == (0, 1)


def test_an_incident_and_its_follow_ups_are_measured_together(warehouse: Engine, tmp_path) -> None:
    # Hourly runs give an incident a follow-up for every few newly exposed customers; measured one by one, no
    # campaign ever had a holdout to compare with, and the report listed each as "not enough data yet".
    w = World(warehouse)
    w.incident()
    w.pain_point()
    w.workaround()
    settings = OutreachSettings(holdout_share=0.3)
    sender = make_sender("outbox", directory=tmp_path)
    for hour in range(6):
        at = T0 + timedelta(hours=hour)
        for i in range(40):
            cid = f"h{hour}-{i:02d}"
            w.customer(cid)
            w.exposed(cid, at=at - timedelta(minutes=30))
        build_campaigns(warehouse, as_of=at, settings=settings)
        if hour == 0:
            approve(warehouse, "cmp-inc1", "lead@support", at)
        for (campaign_id,) in w.rows("SELECT campaign_id FROM campaigns WHERE status = 'approved'"):
            send_campaign(warehouse, campaign_id, sender, settings, "secret", now=at + timedelta(minutes=5))
    arms = dict(w.rows("SELECT is_holdout, COUNT(*) FROM outreach_messages GROUP BY is_holdout"))
    per_campaign = w.rows("SELECT campaign_id, SUM(CASE WHEN is_holdout THEN 1 ELSE 0 END) FROM outreach_messages "
                          "GROUP BY campaign_id ORDER BY campaign_id")
    assert len(per_campaign) == 6 and all(held < 20 for _, held in per_campaign) and arms[True] >= 20
    # One ticket on the issue per arm, each inside its own campaign's window; the last follow-up's window
    # ends latest, so it joins only when the measure reaches it.
    last_treated, last_held = (w.rows("SELECT customer_id FROM outreach_messages WHERE campaign_id = 'cmp-inc1-6' "
                                      f"AND is_holdout = {flag} ORDER BY customer_id LIMIT 1")[0][0]
                               for flag in ("false", "true"))
    w.ticket("t-late", last_treated, at=T0 + timedelta(hours=5, days=1), pain_point_id="pp1")
    w.ticket("h-late", last_held, at=T0 + timedelta(hours=5, days=1), pain_point_id="pp1")

    [early] = measure_outcomes(warehouse, as_of=T0 + timedelta(days=3, hours=3), window_days=3)
    assert early.campaign_id == "cmp-inc1" and early.holdout < arms[True] and early.holdout_tickets == 0
    [outcome] = measure_outcomes(warehouse, as_of=T0 + timedelta(days=4), window_days=3)

    assert (outcome.campaign_id, outcome.treated, outcome.holdout) == ("cmp-inc1", arms[False], arms[True])
    assert (outcome.treated_tickets, outcome.holdout_tickets) == (1, 1)
    assert outcome.enough_data
    assert w.rows("SELECT campaign_id, treated, holdout FROM campaign_outcomes") == [
        ("cmp-inc1", arms[False], arms[True])
    ]


def test_too_small_a_holdout_stores_no_interval_and_no_claim(warehouse: Engine) -> None:
    w, treated, holdout = _campaign_world(warehouse, customers=60, holdout_share=0.1)
    assert 0 < len(holdout) < 20
    w.ticket("h", holdout[0], at=SENT + timedelta(days=1), pain_point_id="pp1")

    [outcome] = measure_outcomes(warehouse, as_of=SENT + timedelta(days=14), window_days=14)

    assert not outcome.enough_data
    assert outcome.holdout_ticket_rate == pytest.approx(1 / len(holdout))
    assert (outcome.ci_low, outcome.ci_high, outcome.deflected_tickets, outcome.deflected_ci_low) == (None,) * 4
    assert w.rows("SELECT ci_low, ci_high, deflected_tickets FROM campaign_outcomes") == [(None, None, None)]


def test_without_a_pain_point_tickets_mentioning_the_error_code_count(warehouse: Engine) -> None:
    w, treated, holdout = _campaign_world(warehouse, customers=120, holdout_share=0.5, pain_point=False)
    w.ticket("h1", holdout[0], at=SENT + timedelta(days=1), body="Sync says E_SYNC_TIMEOUT again")
    w.ticket("h2", holdout[1], at=SENT + timedelta(days=1), body="the app is slow")
    w.ticket("t1", treated[0], at=SENT + timedelta(days=1), subject="e_sync_timeout")

    [outcome] = measure_outcomes(warehouse, as_of=SENT + timedelta(days=14), window_days=14)

    assert (outcome.treated_tickets, outcome.holdout_tickets) == (1, 1)


def test_csat_is_compared_only_with_enough_ratings(warehouse: Engine) -> None:
    w, treated, holdout = _campaign_world(warehouse, customers=200, holdout_share=0.5)
    for i, cid in enumerate(treated[:12]):
        w.ticket(f"t{i}", cid, at=SENT + timedelta(days=1), csat=5 if i % 2 else 4)
    for i, cid in enumerate(holdout[:12]):
        w.ticket(f"h{i}", cid, at=SENT + timedelta(days=1), csat=3 if i % 2 else 2)

    [outcome] = measure_outcomes(warehouse, as_of=SENT + timedelta(days=14), window_days=14)
    assert outcome.treated_csat == pytest.approx(4.5) and outcome.holdout_csat == pytest.approx(2.5)
    assert outcome.csat_ci_low < 2.0 < outcome.csat_ci_high

    [fewer] = measure_outcomes(warehouse, as_of=SENT + timedelta(days=14), window_days=14, min_csat_ratings=13)
    assert (fewer.treated_csat, fewer.csat_ci_low) == (None, None)
