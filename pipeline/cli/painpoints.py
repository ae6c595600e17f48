"""``forewarn painpoints``: a product manager's corrections (rename, merge, split, mute, pin), kept by every run."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import click

from pipeline.cli.common import echo_table, warehouse_engine
from pipeline.cli.errors import UserError
from pipeline.cli.outreach import utc_now

_BY_HELP = "Who makes the correction (default: your login name)."
# A theme's name is cut to this many characters in the listing, so the pain point labels stay on one line.
THEME_WIDTH = 32


@contextmanager
def _correction_errors() -> Iterator[None]:
    from pipeline.detect.corrections import CorrectionError

    try:
        yield
    except CorrectionError as exc:
        raise UserError(str(exc)) from exc


def _by(value: str | None) -> str:
    if value is not None:
        return value
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in a bare container: say so rather than guess
        raise UserError("cannot tell who you are (no login name); pass --by NAME") from None


def _correct(action: str, pain_point_id: str, by: str | None, **arguments: object):  # noqa: ANN202
    from pipeline.detect.corrections import CorrectionRequest, correct_pain_point

    request = CorrectionRequest(action=action, pain_point_id=pain_point_id, by=_by(by), at=utc_now(), **arguments)
    with _correction_errors():
        return correct_pain_point(warehouse_engine(), request)


@click.group()
def command() -> None:
    """Correct pain points; every later detect run, rerun and backtest keeps the corrections."""


@command.command("list")
@click.option("--all", "show_all", is_flag=True, help="Also merged and dormant pain points.")
def list_command(show_all: bool) -> None:
    """List pain points with their theme, size and corrections."""
    from sql import statement

    with warehouse_engine().connect() as connection:
        rows = connection.execute(statement("select_pain_point_list")).mappings().all()
    rows = [r for r in rows if show_all or r["status"] == "active"]
    if not rows:
        click.echo("no pain points (run forewarn detect)")
        return
    echo_table(
        [
            (r["pain_point_id"], r["status"], int(r["ticket_count"] or 0), int(r["customer_count"] or 0),
             _theme(r["theme_id"], r["theme_label"]), ",".join(f for f, on in (("muted", r["muted"]), ("pinned", r["pinned"])) if on) or "-",
             r["label"])
            for r in rows
        ],
        ("pain point", "status", "tickets", "customers", "theme", "flags", "label"),
    )


@command.command("history")
@click.argument("pain_point_id")
def history_command(pain_point_id: str) -> None:
    """When a pain point was created, split, merged, renamed by a run or corrected, oldest first."""
    from sql import statement

    with warehouse_engine().connect() as connection:
        if connection.execute(statement("select_pain_point_row"), {"pain_point_id": pain_point_id}).first() is None:
            raise UserError(f"pain point {pain_point_id!r} is unknown; forewarn painpoints list shows the ids")
        rows = connection.execute(
            statement("select_pain_point_history"), {"pain_point_id": pain_point_id, "parent": f'%"{pain_point_id}"%'}
        ).mappings().all()
    if not rows:
        click.echo(f"no history for {pain_point_id} yet")
        return
    echo_table(
        [(str(r["as_of"])[:16], r["event"], _happened(pain_point_id, r)) for r in rows],
        ("when", "event", "what"),
    )


def _happened(pain_point_id: str, row: Mapping) -> str:
    """One history row in words, seen from ``pain_point_id`` (a part split off it, or it merged away)."""
    from pipeline.detect.painpoints import RELABELLED

    pid, event = row["pain_point_id"], row["event"]
    parents = ", ".join(json.loads(row["parent_ids"] or "[]"))
    detail = json.loads(row["detail"] or "{}")
    by = f" by {detail['by']}" if detail.get("by") else ""
    if event == RELABELLED:
        return f"named “{detail.get('from', '')}” → “{detail.get('to', '')}” (its tickets' words)"
    if event in ("split", "created") and pid != pain_point_id:
        return f"{pid} split off it{by}" + (f" (tickets saying “{detail['phrase']}”)" if detail.get("phrase") else "")
    if event in ("split", "created"):
        return f"split off {parents}{by}" if parents else f"created{by}"
    if event in ("merge", "merged"):
        return f"{parents} merged into {pid}{by}"
    if event == "rename":
        return f"renamed “{detail.get('label', '')}”{by}"
    return f"{event}{by}"


def _theme(theme_id: str | None, label: str | None) -> str:
    """A theme by id and name ("th-0003 password reset"): the id alone told a reader nothing."""
    if not theme_id:
        return "-"
    text = f"{theme_id} {label}" if label else theme_id
    return text if len(text) <= THEME_WIDTH else text[: THEME_WIDTH - 1] + "…"


@command.command("rename")
@click.argument("pain_point_id")
@click.argument("label")
@click.option("--by", help=_BY_HELP)
def rename_command(pain_point_id: str, label: str, by: str | None) -> None:
    """Give PAIN_POINT_ID the label LABEL, whatever later runs would call it."""
    result = _correct("rename", pain_point_id, by, label=label)
    click.echo(f"renamed {result.correction.pain_point_id} to {result.correction.label!r} (by {result.correction.by})")


@command.command("merge")
@click.argument("pain_point_id")
@click.argument("other_ids", nargs=-1, required=True)
@click.option("--by", help=_BY_HELP)
def merge_command(pain_point_id: str, other_ids: tuple[str, ...], by: str | None) -> None:
    """Merge OTHER_IDS into PAIN_POINT_ID; they stay merged in every later run."""
    result = _correct("merge", pain_point_id, by, other_ids=other_ids)
    c = result.correction
    click.echo(f"merged {', '.join(c.other_ids)} into {c.pain_point_id}: {result.moved_tickets} tickets moved (by {c.by})")


@command.command("split")
@click.argument("pain_point_id")
@click.option("--phrase", help="Tickets holding this phrase (whole words, any case) form the new pain point.")
@click.option("--examples", help="Comma-separated ticket ids that form the new pain point.")
@click.option("--by", help=_BY_HELP)
def split_command(pain_point_id: str, phrase: str | None, examples: str | None, by: str | None) -> None:
    """Split a part off PAIN_POINT_ID, by a phrase its tickets hold or by example tickets."""
    ticket_ids = tuple(t.strip() for t in (examples or "").split(",") if t.strip())
    if examples is not None and not ticket_ids:
        raise UserError("--examples is empty; give ticket ids separated by commas")
    result = _correct("split", pain_point_id, by, phrase=phrase, ticket_ids=ticket_ids)
    c = result.correction
    click.echo(f"split {c.new_pain_point_id} off {c.pain_point_id}: {result.moved_tickets} tickets moved (by {c.by})")


@command.command("mute")
@click.argument("pain_point_id")
@click.option("--by", help=_BY_HELP)
def mute_command(pain_point_id: str, by: str | None) -> None:
    """Hide PAIN_POINT_ID from the report's top lists and from incident links (still counted); an incident
    found in the events is still emailed once a person approves."""
    result = _correct("mute", pain_point_id, by)
    click.echo(f"muted {result.correction.pain_point_id} (by {result.correction.by})")


@command.command("pin")
@click.argument("pain_point_id")
@click.option("--by", help=_BY_HELP)
def pin_command(pain_point_id: str, by: str | None) -> None:
    """Keep PAIN_POINT_ID: later runs never merge it away."""
    result = _correct("pin", pain_point_id, by)
    click.echo(f"pinned {result.correction.pain_point_id} (by {result.correction.by})")
