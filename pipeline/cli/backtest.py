"""``forewarn backtest``: replay ingest -> detect -> outreach at its cadence over a past period, and score it."""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from pipeline.cli.common import parse_timestamp, user_errors
from pipeline.cli.errors import UserError


@click.command()
@click.argument("source")
@click.option("--from", "start", required=True, help="First run's as-of (ISO date or time); it loads all history before it.")
@click.option("--to", "end", required=True, help="Last run's as-of (ISO date or time, inclusive).")
@click.option("--every", default="1h", show_default=True, help="Cadence of the loop: 30m, 1h, 6h, 1d ...")
@click.option("--truth", type=click.Path(file_okay=False, path_type=Path),
              help="Truth folder of a simulated world (DIR/truth): the world reacts to email, and the replay is scored.")
@click.option("--workarounds", "workarounds_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Workarounds folder (as forewarn outreach takes it). Default: a simulated world's own workarounds/.")
@click.option("--approve-after", help="Approve every waiting campaign this long after it was created (e.g. 0h, 1h), "
              "by 'backtest'. Default: only the configured policy approves; the rest expire.")
@click.option("--outreach-settings", help="Outreach settings as JSON (or a JSON file), as the Variable "
              "forewarn_outreach_settings; default: $FOREWARN_OUTREACH_SETTINGS, else the defaults.")
@click.option("--email-effect", type=click.FloatRange(0.0, 1.0), default=0.4, show_default=True,
              help="With --truth: share of an emailed customer's later tickets about the incident not written.")
@click.option("--measure-window-days", type=click.IntRange(min=1), default=3, show_default=True,
              help="Window of the deflection measurement after each campaign's first send.")
@click.option("--embedder", type=click.Choice(["auto", "tfidf"]), default="auto", show_default=True,
              help="Text embedding for pain points: auto = MiniLM when installed (embedded once, cached across runs).")
@click.option("--database-url", help="An empty warehouse to replay into (kept). Default: a temporary SQLite file.")
@click.option("--outbox", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the emails sent (outbox sender). Default: a temporary folder.")
@click.option("--json", "--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write everything as JSON to this file.")
@click.option("--html", type=click.Path(dir_okay=False, path_type=Path), help="Write the outreach section as an HTML page.")
@click.option("--progress/--no-progress", default=True, help="Show progress per run on stderr.")
@click.option("--corrections-from", "corrections_url", metavar="URL",
              help="A warehouse whose pain point corrections every replayed run applies (e.g. production's).")
def command(source: str, start: str, end: str, every: str, truth: Path | None, workarounds_dir: Path | None,
            approve_after: str | None, outreach_settings: str | None, email_effect: float, measure_window_days: int,
            embedder: str, database_url: str | None, outbox: Path | None, out: Path | None, html: Path | None,
            progress: bool, corrections_url: str | None = None) -> None:
    """Replay ingest, detect and outreach every --every over [--from, --to] as they would have run.

    Reports when each pain point and incident was found, when each incident was first emailed, how
    many approvals it asked for, and (with --truth) whom the emails reached before they wrote.
    """
    from tqdm import tqdm

    from pipeline.backtest import (
        CadenceError,
        OutreachPlan,
        TruthError,
        WarehouseNotEmpty,
        backtest,
        default_workarounds,
        parse_duration,
    )
    from pipeline.backtest.cadence import replay_times
    from pipeline.backtest.html import write_html
    from pipeline.backtest.render import format_result
    from pipeline.detect import DetectSettings

    first, last = _moment(start, "--from"), _moment(end, "--to")
    if _midnight(last) < _midnight(first):
        raise UserError(f"--to {end} is before --from {start}: give a period that runs forward")
    try:
        cadence = parse_duration(every, "--every")
        delay = parse_duration(approve_after, "--approve-after", allow_zero=True) if approve_after is not None else None
        runs = len(replay_times(first, last, cadence))
    except CadenceError as exc:
        raise UserError(str(exc)) from exc
    corrections = _corrections(corrections_url)
    plan = OutreachPlan(settings=_outreach_settings(outreach_settings),
                        workarounds_dir=workarounds_dir or default_workarounds(source), approve_after=delay)
    with tqdm(total=runs, desc="backtest", unit=" run", disable=not progress, mininterval=0, miniters=1) as bar:
        def on_run(run) -> None:  # noqa: ANN001 - a DayRun
            found = sum(run.incidents.values())
            sent = run.outreach.get("sent", 0)
            bar.set_postfix_str(f"{run.as_of:%Y-%m-%d %H:%M}: {run.pain_points} pain points, {found} incidents, "
                                f"{run.links} links, {sent} sent")
            bar.update(1)

        try:
            with user_errors():
                result = backtest(source, first, last, every=cadence, truth=truth, database_url=database_url,
                                  settings=DetectSettings(embedder=embedder), plan=plan, outbox=outbox,
                                  email_effect=email_effect, measure_window_days=measure_window_days, progress=on_run,
                                  corrections=corrections)
        except (TruthError, WarehouseNotEmpty, CadenceError) as exc:
            raise UserError(str(exc)) from exc
    click.echo(format_result(result))
    document = result.as_dict()
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(document, indent=2, default=str), encoding="utf-8")
        click.echo(f"wrote {out}")
    if html is not None:
        write_html(document, html)
        click.echo(f"wrote {html}")
    if database_url:
        click.echo(f"warehouse kept: {database_url}")


def _corrections(url: str | None) -> list:
    """The corrections stored in the warehouse at ``url`` (none without one)."""
    if url is None:
        return []
    from pipeline.detect.corrections import load_corrections
    from pipeline.warehouse import make_engine, migrate

    with user_errors():
        engine = make_engine(url)
        migrate(engine)
    with engine.connect() as connection:
        return load_corrections(connection)


def _moment(value: str, option: str) -> date | datetime:
    text = value.strip()
    if len(text) == 10:
        try:
            return date.fromisoformat(text)
        except ValueError as exc:
            raise UserError(f"{option} {value!r} is not a date (use YYYY-MM-DD, e.g. 2026-01-10)") from exc
    try:
        return parse_timestamp(text, option)  # type: ignore[return-value]
    except UserError as exc:
        raise UserError(f"{option} {value!r} is not a date (use YYYY-MM-DD, e.g. 2026-01-10, or an ISO time)") from exc


def _midnight(value: date | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)


def _outreach_settings(raw: str | None) -> Any:
    from outreach.model import OutreachSettings

    text = raw if raw is not None else os.environ.get("FOREWARN_OUTREACH_SETTINGS")
    if not text:
        return OutreachSettings()
    where = "--outreach-settings" if raw is not None else "FOREWARN_OUTREACH_SETTINGS"
    if not text.lstrip().startswith("{"):
        path = Path(text)
        if not path.is_file():
            raise UserError(f"{where} {text!r} is neither JSON nor a file; give e.g. '{{\"auto_approve\": true}}'")
        where, text = str(path), path.read_text(encoding="utf-8")
    try:
        return OutreachSettings(**json.loads(text))
    except (ValueError, TypeError) as exc:
        raise UserError(f"{where}: not valid outreach settings ({exc}); use the fields of OutreachSettings") from exc
