"""``forewarn detect``: pain points, incidents and links as of a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import click

from pipeline.cli.common import parse_timestamp, user_errors, warehouse_engine
from pipeline.detect.lookback import FIRST_LOOKBACK_HOURS

if TYPE_CHECKING:
    from sqlalchemy import Engine


@click.command()
@click.option("--as-of", "as_of", help="Detect with data before this time (ISO 8601). Default: now.")
@click.option("--embedder", type=click.Choice(["auto", "tfidf"]), default="auto", show_default=True,
              help="Text embedding for pain points: auto = MiniLM when installed.")
@click.option("--rebuild-aggregates", is_flag=True,
              help="Recount the event aggregates from all events (after events were written other than by ingest).")
@click.option("--incident-lookback-hours", "lookback_hours", type=click.IntRange(min=1), default=None,
              help="How far back an alert may lie to start an incident. Default: the hourly runs' 48 h, or "
                   f"{FIRST_LOOKBACK_HOURS} h when no detect ran before this as-of.")
def command(as_of: str | None, embedder: str, rebuild_aggregates: bool, lookback_hours: int | None) -> None:
    """Find pain points in tickets, incidents in events, and link them (idempotent per --as-of)."""
    from pipeline.detect import DetectSettings, detect
    from pipeline.detect.lookback import first_run_lookback

    # Now to the second: an as-of is printed and passed again by people, microseconds only clutter it.
    moment = parse_timestamp(as_of, "--as-of") or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    engine = warehouse_engine()
    with user_errors():
        lookback = lookback_hours or first_run_lookback(engine, moment, DetectSettings().incident_lookback_hours)
        summary = detect(engine, moment, DetectSettings(embedder=embedder, incident_lookback_hours=lookback),
                         stage=lambda name: click.echo(f"detect: {name} ...", err=True),
                         rebuild_aggregates=rebuild_aggregates)
    from pipeline.detect.extent import data_extent

    extent = data_extent(engine, moment, DetectSettings(embedder=embedder))
    if getattr(summary, "nothing_to_detect", False):
        click.echo(f"as of {moment.isoformat()}: found nothing; {extent.describe()}")
        return
    p = summary.pain_points
    muted = _muted_pain_points(engine)
    # The report leaves muted pain points out of its lists; say how many of these it will not show.
    hidden = f"; {muted} muted, not in the report" if muted else ""
    click.echo(f"as of {moment.isoformat()}: {p.tickets} tickets, {p.assigned} in {p.pain_points} pain points "
               f"({p.created} first found at this as-of{hidden})")
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(summary.incidents.by_kind.items())) or "none"
    click.echo(f"incidents: {kinds}; {summary.incidents.customers} affected customers "
               f"(alerts of the last {lookback} h judged)")
    click.echo(f"links between pain points and incidents: {summary.links}")
    stale = extent.data_until is not None and moment - extent.data_until > timedelta(days=1)
    if stale:
        click.echo(f"note: {extent.describe()} (the data stops {(moment - extent.data_until) / timedelta(hours=1):.0f} h "
                   "before this as-of)")


def _muted_pain_points(engine: Engine) -> int:
    from sql import statement

    with engine.connect() as connection:
        return int(connection.execute(statement("report_count_muted_pain_points", connection.dialect.name)).scalar_one())
