"""``forewarn simulate``: write a synthetic world in the input contract, plus its truth."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import click

from pipeline.cli.errors import UserError

# Above this many expected events a run takes long enough to deserve a progress bar.
PROGRESS_FROM_EVENTS = 250_000


class _Whole(click.ParamType):
    """An integer option whose bad values become one clear line (not click's usage block)."""

    name = "integer"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            return int(str(value).replace("_", "").strip())
        except ValueError:
            raise UserError(f"{_flag(param)} must be a whole number, got {value!r}") from None


class _Number(click.ParamType):
    name = "number"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise UserError(f"{_flag(param)} must be a number, got {value!r}") from None
        if not math.isfinite(number):
            raise UserError(f"{_flag(param)} must be a finite number, got {value!r}")
        return number


class _Date(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise UserError(f"{_flag(param)} must be a date like 2026-01-01, got {value!r}") from None


def _shares(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in text.split(","))
    except ValueError:
        raise UserError(f"--affected-share must be two shares LOW,HIGH such as 0.01,0.02, got {text!r}") from None


def _flag(param: click.Parameter | None) -> str:
    return f"--{param.name.replace('_', '-')}" if param is not None and param.name else "value"


@click.command(
    help="Write a synthetic world (customers, tickets, events, workarounds) in the input contract, "
    "plus DIR/truth/ with the injected incidents, the pain point of every ticket and every dirty row. "
    "The same options always write byte-identical files."
)
@click.option("--out", "out_dir", metavar="DIR", help="Folder to write (new, empty, or a previous simulate output).")
@click.option("--customers", type=_Whole(), default=2000, show_default=True, help="Number of customers.")
@click.option("--days", type=_Whole(), default=30, show_default=True, help="Number of simulated days.")
@click.option("--seed", type=_Whole(), default=7, show_default=True, help="Random seed.")
@click.option("--start", type=_Date(), default="2026-01-01", show_default=True, help="First simulated day (UTC).")
@click.option("--events-per-customer-day", type=_Number(), default=4.0, show_default=True,
              help="Average product events per customer and day.")
@click.option("--events-rows-per-file", type=_Whole(), default=500_000, show_default=True,
              help="Start a new events-<part>.csv after this many rows (at a day boundary).")
@click.option("--no-dirty", is_flag=True, help="Leave out the deliberately dirty rows.")
@click.option("--incidents", "mix", default="spike,new_signature,release_regression", show_default=True,
              metavar="KIND,...", help="The injected incidents, one kind per incident (spike, new_signature, "
              "release_regression; repeats allowed, e.g. spike,spike,release_regression,release_regression).")
@click.option("--affected-share", default="0.03,0.08", show_default=True, metavar="LOW,HIGH",
              help="Share of the active customers a spike or new error hits, drawn between LOW and HIGH.")
@click.option("--min-affected", type=_Whole(), default=25, show_default=True,
              help="Fewest customers a spike or new error hits (at most an eighth of the world).")
@click.option("--arrival", type=click.Choice(["even", "ramp"]), default="even", show_default=True,
              help="How a spike's or new error's customers first hit it: evenly over its life, or on a ramp.")
def command(
    out_dir: str | None, customers: int, days: int, seed: int, start: date, events_per_customer_day: float,
    events_rows_per_file: int, no_dirty: bool, mix: str, affected_share: str, min_affected: int, arrival: str,
) -> None:
    from pipeline.simulate import OutputFolderError, WorldSettings, WorldSettingsError, simulate_world

    if not out_dir:
        raise UserError("--out DIR is required: the folder to write the world into, e.g. --out ./world")
    try:
        settings = WorldSettings(
            customers=customers, days=days, seed=seed, start=start, events_per_customer_day=events_per_customer_day,
            dirty=not no_dirty, events_rows_per_file=events_rows_per_file,
            incidents=tuple(kind.strip() for kind in mix.split(",") if kind.strip()),
            affected_share=_shares(affected_share), min_affected=min_affected, arrival=arrival,
        )
    except WorldSettingsError as exc:
        raise UserError(f"--{exc.setting.replace('_', '-')} {exc.detail}") from None
    progress = customers * days * events_per_customer_day >= PROGRESS_FROM_EVENTS
    try:
        summary = simulate_world(settings, Path(out_dir), progress=progress)
    except OutputFolderError as exc:
        raise UserError(str(exc)) from None
    events = summary.rows("events")
    click.echo(
        f"wrote {summary.out_dir}: {summary.rows('customers'):,} customer rows, {summary.rows('tickets'):,} ticket rows, "
        f"{events:,} event rows ({summary.dirty_rows:,} of all rows deliberately dirty)"
    )
    for incident in summary.incidents:
        signature = incident.signature
        where = " ".join(part for part in (signature.platform, signature.app_version) if part)
        click.echo(
            f"  {incident.incident_id} {incident.kind}: {signature.error_code}{' on ' + where if where else ''}, "
            f"{incident.started_at:%Y-%m-%d %H:%M}Z, {len(incident.affected_customer_ids)} customers affected, "
            f"{incident.ticket_count} tickets"
        )
