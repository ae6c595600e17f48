"""``forewarn report``: write the product managers' HTML report."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from pipeline.cli.common import parse_timestamp, user_errors, warehouse_engine
from pipeline.cli.errors import UserError


@click.command()
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              help="HTML file to write. Default: $FOREWARN_HOME/reports/forewarn-report-<date>.html.")
@click.option("--as-of", "as_of", metavar="TS",
              help="End of the reported period, ISO 8601 (UTC when no offset). "
                   "Default: the newest data in the warehouse (now when it is empty).")
@click.option("--days", "period_days", type=click.IntRange(min=1, max=366), default=7, show_default=True,
              help="Length of the reported period in days.")
@click.option("--detect", "run_detect", is_flag=True,
              help="First find pain points, incidents and links as of the report's end (as `forewarn detect "
                   "--as-of`), so a freshly ingested warehouse gets its first report in one command.")
def command(out: Path | None, as_of: str | None, period_days: int, run_detect: bool) -> None:
    """Write one self-contained HTML report (charts included, opens offline) and print its path.

    The report covers the DAYS before --as-of: top pain points, new and growing ones, incidents with
    detection lag, errors by release, campaigns with deflection against the holdout, and data quality.
    """
    from datetime import UTC

    from pipeline.report import latest_data_time, write_report
    from pipeline.report.formatting import counted

    when = parse_timestamp(as_of, "--as-of")
    engine = warehouse_engine()
    with user_errors():
        if when is None:
            latest = latest_data_time(engine)
            when = _ceil_minute(latest) if latest else _ceil_minute(datetime.now(UTC).replace(tzinfo=None))
        if run_detect:
            from pipeline.detect import DetectSettings, detect

            # A one-shot run looks back over the whole report period for incidents: with the hourly runs'
            # 48 h a fresh warehouse's report missed the week's biggest spike, over two days before its end.
            lookback = max(DetectSettings().incident_lookback_hours, period_days * 24)
            found = detect(engine, when, DetectSettings(incident_lookback_hours=lookback),
                           stage=lambda name: click.echo(f"detect: {name} ...", err=True))
            click.echo(f"detected as of {when:%Y-%m-%d %H:%M}: {counted(found.pain_points.pain_points, 'pain point')}, "
                       f"{counted(sum(found.incidents.by_kind.values()), 'incident')}, {counted(found.links, 'link')}")
        try:
            summary = write_report(engine, out, as_of=when, period_days=period_days)
        except OSError as exc:
            target = out or "the default report folder"
            raise UserError(f"cannot write the report to {target}: {exc.strerror}; choose another --out") from exc
    click.echo(f"report: {summary.path}")
    click.echo(
        f"{counted(period_days, 'day')} to {summary.as_of:%Y-%m-%d %H:%M} UTC: "
        f"{counted(summary.pain_points, 'pain point')} ({summary.new_pain_points} new), "
        f"{counted(summary.incidents, 'incident')}, {counted(summary.campaigns, 'campaign')}, "
        f"{counted(summary.charts, 'chart')}, {summary.size_bytes / 1024:.0f} KiB"
    )


def _ceil_minute(value: datetime) -> datetime:
    """Round up to a whole minute: a data-interval end (midnight) stays as it is."""
    from datetime import timedelta

    floor = value.replace(second=0, microsecond=0)
    return floor if floor == value else floor + timedelta(minutes=1)
