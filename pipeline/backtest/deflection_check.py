"""The measure stage on a replayed world, next to the effect the world was given: does it recover the truth?

``measure_outcomes`` (what ``forewarn measure`` and the measure DAG call) estimates per campaign
``holdout rate - treated rate`` with its 95% interval. The world knows what that difference should be
for the emailed customers: the share of them who would have written about the incident in the window
without the email (written plus unwritten tickets) minus the share who did write. That true difference
is stored beside each measured one, and scaled to what the measurement can see: it counts only tickets in
the campaign's linked pain point, so it sees the effect times the share of the incident's (written) tickets
in the window that sit in that pain point (``ticket_recall``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Engine

from outreach.outcomes import measure_outcomes
from pipeline.backtest.outreach_score import SENT
from pipeline.backtest.replay import Replay
from pipeline.backtest.scoring import matches
from pipeline.backtest.truth import Truth
from sql import statement


def measured_deflection(engine: Engine, replay: Replay, truth: Truth | None, *, as_of: datetime, window_days: int,
                        unwritten: dict[str, tuple[str, str, datetime]]) -> list[dict[str, object]]:
    """Measure every campaign whose window has passed; add the true difference when the truth is known."""
    outcomes = measure_outcomes(engine, as_of=as_of, window_days=window_days)
    if not outcomes:
        return []
    with engine.connect() as connection:
        messages: dict[str, list[dict]] = {}
        for r in connection.execute(statement("select_backtest_messages")).mappings():
            messages.setdefault(r["campaign_id"], []).append(dict(r))
        tickets = connection.execute(statement("select_backtest_tickets")).all()
        linked = {r["campaign_id"]: r["pain_point_id"]
                  for r in connection.execute(statement("select_backtest_campaigns")).mappings()}
    about = dict(zip(truth.tickets["ticket_id"], truth.tickets["incident_id"], strict=True)) if truth else {}
    written = [(about.get(t[0]), str(t[1]), t[2], t[3]) for t in tickets if t[2] is not None]
    result = []
    for outcome in outcomes:
        row: dict[str, object] = {
            "campaign_id": outcome.campaign_id, "treated": outcome.treated, "holdout": outcome.holdout,
            "treated_ticket_rate": outcome.treated_ticket_rate, "holdout_ticket_rate": outcome.holdout_ticket_rate,
            "measured_difference": outcome.difference, "ci_low": outcome.ci_low, "ci_high": outcome.ci_high,
            "window_days": window_days, "true_difference": None, "ticket_recall": None,
            "true_difference_as_measured": None,
        }
        if truth is not None and outcome.treated:
            true, recall = _true_difference(outcome.members, linked, window_days, messages, replay, truth,
                                            written, unwritten)
            row.update(true_difference=true, ticket_recall=recall,
                       true_difference_as_measured=None if true is None else round(true * recall, 4))
        result.append(row)
    return result


def _true_difference(members: tuple[tuple[str, datetime], ...], linked: dict[str, str | None], window_days: int,
                     messages: dict[str, list[dict]], replay: Replay, truth: Truth, written: list,
                     unwritten: dict[str, tuple[str, str, datetime]]) -> tuple[float | None, float]:
    """(would have written - did write) / treated, and the share of written incident tickets the measure counts.

    Over the campaigns measured together (an incident's first and its follow-ups), each over its own window;
    ``messages`` holds each campaign's messages under its id.
    """
    treated_count, prevented, seen_total, seen_linked = 0, 0, 0, 0
    for campaign_id, sent_at in members:
        own = messages.get(campaign_id, [])
        if not own:
            continue
        treated = {str(m["customer_id"]) for m in own if not m["is_holdout"] and m["status"] in SENT}
        arms = {str(m["customer_id"]) for m in own if m["is_holdout"] or m["status"] in SENT}
        found = replay.incidents.get(own[0]["incident_id"]) or own[0]
        incidents = {t.incident_id for t in truth.incidents if matches(found, t)}
        window = (sent_at, sent_at + timedelta(days=window_days))
        actual = {c for inc, c, at, _ in written if c in treated and _about(inc, at, incidents, window)}
        would = actual | {c for inc, c, at in unwritten.values() if c in treated and _about(inc, at, incidents, window)}
        seen = [pp for inc, c, at, pp in written if c in arms and _about(inc, at, incidents, window)]
        pain_point_id = linked.get(campaign_id)
        # Without a linked pain point the measure matches the error code in the text: taken as seeing them all.
        seen_total += len(seen)
        seen_linked += sum(1 for pp in seen if pp == pain_point_id) if pain_point_id else len(seen)
        treated_count += len(treated)
        prevented += len(would) - len(actual)
    recall = seen_linked / seen_total if seen_total else 1.0
    if not treated_count:
        return None, recall
    return round(prevented / treated_count, 4), round(recall, 3)


def _about(incident: str | None, at: object, incidents: set[str], window: tuple[datetime, datetime]) -> bool:
    """A ticket about one of the incidents, written inside the (start, end] window."""
    return incident in incidents and window[0] < _naive(at) <= window[1]


def _naive(value: object) -> datetime:
    return pd.Timestamp(value).to_pydatetime()
