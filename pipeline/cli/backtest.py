"""``forewarn backtest``: replay the daily loop over a past period, and score it against a world's truth."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from pipeline.cli.common import user_errors
from pipeline.cli.errors import UserError


@click.command()
@click.argument("source")
@click.option("--from", "start", required=True, help="First day replayed (ISO date); its run loads all history before it.")
@click.option("--to", "end", required=True, help="Last day replayed (ISO date, inclusive).")
@click.option("--truth", type=click.Path(file_okay=False, path_type=Path),
              help="Truth folder of a simulated world (DIR/truth): score the replay against it.")
@click.option("--embedder", type=click.Choice(["auto", "tfidf"]), default="auto", show_default=True,
              help="Text embedding for pain points: auto = MiniLM when installed (embedded once, cached across days).")
@click.option("--database-url", help="An empty warehouse to replay into (kept). Default: a temporary SQLite file.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write everything as JSON to this file.")
@click.option("--progress/--no-progress", default=True, help="Show progress per day on stderr.")
@click.option("--corrections-from", "corrections_url", metavar="URL",
              help="A warehouse whose pain point corrections every replayed run applies (e.g. production's).")
def command(start: str, end: str, source: str, truth: Path | None, embedder: str, database_url: str | None,
            out: Path | None, progress: bool, corrections_url: str | None = None) -> None:
    """Replay ingest and detect day by day over [--from, --to] as they would have run.

    Reports when each pain point and incident was first found and which customers would have been
    emailed before writing in; with --truth, scores detection against the injected incidents.
    """
    from tqdm import tqdm

    from pipeline.backtest import TruthError, WarehouseNotEmpty, backtest
    from pipeline.backtest.render import format_result
    from pipeline.detect import DetectSettings

    first, last = _day(start, "--from"), _day(end, "--to")
    if last < first:
        raise UserError(f"--to {end} is before --from {start}: give a period that runs forward")
    days = (last - first).days + 1
    corrections = _corrections(corrections_url)
    # Every day redraws the bar (a day takes seconds), so a log of stderr shows each one.
    with tqdm(total=days, desc="backtest", unit=" day", disable=not progress, mininterval=0, miniters=1) as bar:
        def on_day(day) -> None:  # noqa: ANN001 - a DayRun
            found = sum(day.incidents.values())
            bar.set_postfix_str(f"{day.as_of.date()}: {day.pain_points} pain points, {found} incidents, {day.links} links")
            bar.update(1)

        try:
            with user_errors():
                result = backtest(source, first, last, truth=truth, database_url=database_url,
                                  settings=DetectSettings(embedder=embedder), progress=on_day,
                                  corrections=corrections)
        except (TruthError, WarehouseNotEmpty) as exc:
            raise UserError(str(exc)) from exc
    click.echo(format_result(result))
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result.as_dict(), indent=2, default=str), encoding="utf-8")
        click.echo(f"wrote {out}")


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


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError as exc:
        raise UserError(f"{option} {value!r} is not a date (use YYYY-MM-DD, e.g. 2026-01-10)") from exc
