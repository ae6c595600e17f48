"""The replay's clock and the world's reaction to email, on tiny inline data."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from pipeline.backtest.cadence import CadenceError, parse_duration, replay_times
from pipeline.backtest.deflection import EmailReaction, ticket_draw
from pipeline.backtest.truth import TrueIncident


@pytest.mark.parametrize(("text", "expected"), [("1h", timedelta(hours=1)), ("30m", timedelta(minutes=30)),
                                                ("1d", timedelta(days=1)), ("6H", timedelta(hours=6))])
def test_durations_read_like_the_cli_writes_them(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "1", "h", "-1h", "0h", "1w", "an hour"])
def test_a_bad_duration_is_one_clear_error(text: str) -> None:
    with pytest.raises(CadenceError, match="--every .* is not a duration"):
        parse_duration(text)


def test_runs_start_at_the_first_midnight_and_include_the_last() -> None:
    times = replay_times(date(2026, 1, 2), date(2026, 1, 3), timedelta(hours=6))
    assert times[0] == datetime(2026, 1, 2) and times[-1] == datetime(2026, 1, 3) and len(times) == 5


INCIDENT = TrueIncident("inc-1", "spike", datetime(2026, 1, 1), datetime(2026, 1, 5), "error", "E1", "export",
                        None, None, frozenset({"C1", "C2"}), "incident:inc-1")


def _tickets(n: int, customer: str, at: str, prefix: str = "T") -> pd.DataFrame:
    return pd.DataFrame({"ticket_id": [f"{prefix}{i}" for i in range(n)], "customer_id": [customer] * n,
                         "created_at": [at] * n})


def test_only_tickets_about_the_emailed_incident_after_the_email_go_unwritten_at_about_the_effect() -> None:
    many = _tickets(2000, "C1", "2026-01-03T10:00:00Z")
    reaction = EmailReaction(0.4, (INCIDENT,), dict.fromkeys(many["ticket_id"], "inc-1"))
    emailed = {("inc-1", "C1"): datetime(2026, 1, 3, 9)}

    keep = reaction.keep(many, emailed)

    assert 0.36 < 1 - keep.mean() < 0.44
    # The same draw every time: a second pass (another replay, the demo) drops the very same tickets.
    assert (reaction.keep(many, emailed) == keep).all()
    assert all(ticket_draw(t) < 0.4 for t in many["ticket_id"][~keep])
    # Written before the email, by someone not emailed, or about nothing injected: always written.
    assert reaction.keep(_tickets(50, "C1", "2026-01-03T08:00:00Z"), emailed).all()
    assert reaction.keep(_tickets(50, "C2", "2026-01-03T10:00:00Z"), emailed).all()
    assert reaction.keep(_tickets(50, "C1", "2026-01-03T10:00:00Z", prefix="X"), emailed).all()


def test_an_effect_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match="email effect 1.5"):
        EmailReaction(1.5, (), {})
