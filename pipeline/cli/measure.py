"""``forewarn measure``: ticket deflection and CSAT of sent campaigns against their holdout."""

from __future__ import annotations

import click

from pipeline.cli.common import echo_table, parse_timestamp, user_errors, warehouse_engine
from pipeline.cli.outreach import utc_now


@click.command()
@click.option("--as-of", "as_of", metavar="TS", help="Time of the measurement, ISO 8601 (default: now, UTC).")
@click.option("--window-days", type=click.IntRange(min=1), default=14, show_default=True,
              help="Tickets are counted this many days after the first send; only finished windows are measured.")
def command(as_of: str | None, window_days: int) -> None:
    """Compare the ticket rate of emailed customers with the holdout's (95% interval, Newcombe)."""
    from outreach.outcomes import NOT_ENOUGH_DATA, measure_outcomes

    when = parse_timestamp(as_of, "--as-of") or utc_now()
    engine = warehouse_engine()
    with user_errors():
        outcomes = measure_outcomes(engine, as_of=when, window_days=window_days)
    if not outcomes:
        click.echo(f"no campaign sent at least {window_days} days before {when:%Y-%m-%d %H:%M}: nothing to measure yet")
        return
    rows = []
    for o in outcomes:
        if o.enough_data:
            effect = f"{_pct(o.difference)} [{_pct(o.ci_low)}, {_pct(o.ci_high)}]"
            deflected = f"{o.deflected_tickets:.1f} [{o.deflected_ci_low:.1f}, {o.deflected_ci_high:.1f}]"
        else:
            effect = deflected = NOT_ENOUGH_DATA
        csat = (
            f"{o.treated_csat:.2f} vs {o.holdout_csat:.2f} [{o.csat_ci_low:+.2f}, {o.csat_ci_high:+.2f}]"
            if o.csat_ci_low is not None else NOT_ENOUGH_DATA
        )
        rows.append((o.campaign_id, o.treated, o.holdout, _pct(o.treated_ticket_rate), _pct(o.holdout_ticket_rate),
                     effect, deflected, csat))
    echo_table(rows, ("campaign", "treated", "holdout", "treated rate", "holdout rate",
                      "holdout - treated [95% CI]", "tickets deflected [95% CI]", "CSAT treated vs holdout [diff CI]"))
    click.echo(f"window: {window_days} days after each campaign's first send, an incident's follow-ups measured with its "
               "first campaign; intervals: Newcombe hybrid score (rates), Welch (CSAT)")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"
