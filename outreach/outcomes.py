"""Did the email deflect tickets? Treated against holdout, with 95% intervals, stored in ``campaign_outcomes``.

Method: an incident's campaign and its follow-ups are measured together, each campaign's customers over its
own window, (first send, first send + ``window_days``]. The ticket rate of an arm is the share of its
customers who filed at least one ticket about the issue in the window (in the linked pain point; without one,
mentioning the incident's error code). Treated are the rows emailed (status ``sent`` or ``unknown``) or
skipped at the send because the customer had written in; holdout the ``held_out`` rows. Both arms then lose
whoever wrote to support between first exposure and the first send: the send skips them in the treated arm,
so the holdout must lose them too, or it keeps customers already in touch with support (who often write
again) that the treated arm lost, and the email looks better than it is. The arms come from the random
holdout, so their difference estimates the effect of the email. The interval of ``holdout rate - treated
rate`` is Newcombe's hybrid score interval (method 10): no bootstrap, so no seed. Deflected tickets =
difference × treated, with the interval scaled alike. CSAT compares the ratings of every ticket that each arm
filed in the window (treated minus holdout, Welch's t interval). Below the minimum sizes, intervals and the
deflection estimate are stored as NULL: no claim without its interval.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine

from outreach.findings import like_pattern
from outreach.intervals import newcombe_difference, welch_difference
from sql import statement

log = logging.getLogger(__name__)

MIN_ARM_CUSTOMERS = 20
MIN_CSAT_RATINGS = 10
NOT_ENOUGH_DATA = "not enough data"


@dataclass(frozen=True)
class Outcome:
    """One campaign's measured effect; None where there is not enough data for an interval."""

    campaign_id: str
    measured_at: datetime
    window_days: int
    sent_at: datetime
    treated: int
    holdout: int
    treated_tickets: int
    holdout_tickets: int
    treated_ticket_rate: float | None
    holdout_ticket_rate: float | None
    ci_low: float | None
    ci_high: float | None
    deflected_tickets: float | None
    deflected_ci_low: float | None
    deflected_ci_high: float | None
    treated_csat: float | None
    holdout_csat: float | None
    csat_ci_low: float | None
    csat_ci_high: float | None
    treated_csat_ratings: int = 0
    holdout_csat_ratings: int = 0
    # The campaigns measured together (the incident's first one and its follow-ups) with each one's start.
    members: tuple[tuple[str, datetime], ...] = ()

    @property
    def enough_data(self) -> bool:
        """True when the deflection estimate comes with its interval."""
        return self.ci_low is not None

    @property
    def difference(self) -> float | None:
        """Holdout rate minus treated rate (positive: fewer tickets from emailed customers)."""
        if self.holdout_ticket_rate is None or self.treated_ticket_rate is None:
            return None
        return self.holdout_ticket_rate - self.treated_ticket_rate


def measure_outcomes(
    engine: Engine,
    *,
    as_of: datetime,
    window_days: int = 14,
    min_arm_customers: int = MIN_ARM_CUSTOMERS,
    min_csat_ratings: int = MIN_CSAT_RATINGS,
) -> list[Outcome]:
    """Measure every campaign whose first email went out at least ``window_days`` before ``as_of``; upsert them.

    An incident's campaign and its follow-ups are one measurement, stored under the first of them: hourly runs
    give an incident a follow-up for every few newly exposed customers, and one of a few customers never has a
    holdout to compare with. Each campaign's customers are read over its own window, from its own start; a
    follow-up is added once its window has passed too, so a later measure can grow the row.
    """
    outcomes = []
    with engine.begin() as conn:
        rows = conn.execute(
            statement("outcome_select_campaigns", conn.dialect.name),
            {"latest_send": as_of - timedelta(days=window_days)},
        ).all()
        families: dict[str, list] = {}
        for row in rows:
            families.setdefault(row.incident_id or row.campaign_id, []).append(row)
        for family in families.values():
            outcome = _measure(
                conn, family, as_of=as_of, window_days=window_days,
                min_arm_customers=min_arm_customers, min_csat_ratings=min_csat_ratings,
            )
            params = asdict(outcome)
            for extra in ("sent_at", "treated_csat_ratings", "holdout_csat_ratings", "members"):
                params.pop(extra)
            conn.execute(statement("outcome_upsert", conn.dialect.name), params)
            for later in family[1:]:  # measured alone by an earlier version: the family's row holds them now
                conn.execute(statement("outcome_delete", conn.dialect.name), {"campaign_id": later.campaign_id})
            outcomes.append(outcome)
    log.info("measured %s incidents' campaigns (window %s days) as of %s", len(outcomes), window_days, as_of.isoformat())
    return outcomes


def _measure(
    conn: Connection, family: list, *, as_of: datetime, window_days: int, min_arm_customers: int, min_csat_ratings: int
) -> Outcome:
    """One incident's campaigns (first one first) measured together, each over its own window."""
    arms = {False: _Arm(), True: _Arm()}
    for row in family:
        window = {"window_start": _start(row), "window_end": _start(row) + timedelta(days=window_days)}
        for arm, one in _read_arms(conn, row, window).items():
            arms[arm].customers += one.customers
            arms[arm].with_ticket += one.with_ticket
            arms[arm].ratings += one.ratings
    rates = _rates(
        arms[False].customers, arms[False].with_ticket, arms[True].customers, arms[True].with_ticket, min_arm_customers
    )
    csat = _csat(arms[False].ratings, arms[True].ratings, min_csat_ratings)
    row = family[0]
    sent_at = _start(row)
    return Outcome(
        campaign_id=row.campaign_id,
        measured_at=as_of,
        window_days=window_days,
        sent_at=sent_at,
        treated=arms[False].customers,
        holdout=arms[True].customers,
        treated_tickets=arms[False].with_ticket,
        holdout_tickets=arms[True].with_ticket,
        **rates,
        **csat,
        members=tuple((member.campaign_id, _start(member)) for member in family),
    )


@dataclass
class _Arm:
    """One arm as measured: its customers, how many filed a ticket on the issue, every CSAT rating filed."""

    customers: int = 0
    with_ticket: int = 0
    ratings: list[float] = field(default_factory=list)


def _start(row) -> datetime:  # noqa: ANN001 - a SQL row
    # SQLite returns an aggregate of timestamps as text: it has no declared type to convert from.
    return row.sent_at if isinstance(row.sent_at, datetime) else datetime.fromisoformat(row.sent_at)


def _read_arms(conn: Connection, row, window: dict) -> dict[bool, _Arm]:
    """Treated (False) and holdout (True) arms, both cut by the send's own rule (see the SQL's purpose)."""
    seen: dict[bool, set[str]] = {False: set(), True: set()}
    on_issue: dict[bool, set[str]] = {False: set(), True: set()}
    arms = {False: _Arm(), True: _Arm()}
    for r in conn.execute(
        statement("outcome_select_arms", conn.dialect.name),
        {
            "campaign_id": row.campaign_id,
            "pain_point_id": row.pain_point_id,
            "error_code_pattern": None if row.pain_point_id else like_pattern(row.error_code),
            **window,
        },
    ):
        arm = bool(r.is_holdout)
        seen[arm].add(r.customer_id)
        if r.on_issue:
            on_issue[arm].add(r.customer_id)
        if r.csat is not None:
            arms[arm].ratings.append(float(r.csat))
    for arm, one in arms.items():
        one.customers, one.with_ticket = len(seen[arm]), len(on_issue[arm])
    return arms


def _rates(treated: int, treated_tickets: int, holdout: int, holdout_tickets: int, min_arm: int) -> dict:
    result: dict[str, float | None] = {
        "treated_ticket_rate": treated_tickets / treated if treated else None,
        "holdout_ticket_rate": holdout_tickets / holdout if holdout else None,
        "ci_low": None, "ci_high": None,
        "deflected_tickets": None, "deflected_ci_low": None, "deflected_ci_high": None,
    }
    if treated < min_arm or holdout < min_arm:
        return result
    difference, low, high = newcombe_difference(holdout_tickets, holdout, treated_tickets, treated)
    result.update(
        ci_low=low, ci_high=high,
        deflected_tickets=difference * treated, deflected_ci_low=low * treated, deflected_ci_high=high * treated,
    )
    return result


def _csat(treated: list[float], holdout: list[float], min_ratings: int) -> dict:
    result: dict[str, float | int | None] = {
        "treated_csat": None, "holdout_csat": None, "csat_ci_low": None, "csat_ci_high": None,
        "treated_csat_ratings": len(treated), "holdout_csat_ratings": len(holdout),
    }
    if len(treated) < min_ratings or len(holdout) < min_ratings:
        return result
    _, low, high = welch_difference(treated, holdout)
    result.update(
        treated_csat=sum(treated) / len(treated), holdout_csat=sum(holdout) / len(holdout),
        csat_ci_low=low, csat_ci_high=high,
    )
    return result
