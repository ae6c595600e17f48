"""``forewarn campaigns``: the human gate from a terminal (list, show, approve, cancel, reject, reopen)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from pipeline.cli.common import echo_table, warehouse_engine
from pipeline.cli.errors import UserError
from pipeline.cli.outreach import cli_actor, utc_now

STATUSES = ("needs_workaround", "pending_approval", "approved", "sending", "sent", "rejected", "cancelled", "expired")


@contextmanager
def _gate_errors() -> Iterator[None]:
    from outreach.approval import CampaignNotFound, InvalidTransition

    try:
        yield
    except (CampaignNotFound, InvalidTransition) as exc:
        raise UserError(str(exc)) from exc


@click.group()
def command() -> None:
    """List, show, approve, cancel, reject or reopen campaigns (the human gate)."""


@command.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only campaigns in this status.")
def list_command(status: str | None) -> None:
    """List campaigns, newest first."""
    from outreach.approval import list_campaigns

    campaigns = list_campaigns(warehouse_engine(), status=status)
    if not campaigns:
        click.echo("no campaigns" + (f" in status {status}" if status else "") + " (run forewarn outreach)")
        return
    echo_table(
        [
            (c.campaign_id, c.status, c.treated, c.holdout_size, c.workaround_id or "-", c.incident_id or "-",
             c.created_at.strftime("%Y-%m-%d %H:%M"), c.approved_by or "")
            for c in campaigns
        ],
        ("campaign", "status", "treated", "holdout", "workaround", "incident", "created", "approved by"),
    )


@command.command("show")
@click.argument("campaign_id")
@click.option("--html", is_flag=True, help="Print the HTML preview instead of the text one.")
def show_command(campaign_id: str, html: bool) -> None:
    """Show a campaign's evidence, audience, workaround and the rendered email preview."""
    from outreach.approval import show_campaign

    with _gate_errors():
        detail = show_campaign(warehouse_engine(), campaign_id)
    for line in _detail_lines(detail):
        click.echo(line)
    click.echo("")
    preview = detail.preview_html if html else detail.preview_text
    if detail.preview_subject is None:
        click.echo("preview: none (no approved workaround, or no recipient)")
        return
    click.echo(f"--- preview (placeholder name and address) ---\nSubject: {detail.preview_subject}\n")
    click.echo(preview or "")
    languages = detail.evidence.get("languages") or {}
    if languages.get("summary"):
        click.echo(f"\nlanguages: {languages['summary']}")
    for language, sample in sorted((languages.get("samples") or {}).items()):
        if not html:
            click.echo(f"\n--- sample in {language} ---\nSubject: {sample.get('subject', '')}\n\n{sample.get('text', '')}")


@command.command("approve")
@click.argument("campaign_id")
@click.option("--by", help="Who approves (default: cli:<login name>).")
def approve_command(campaign_id: str, by: str | None) -> None:
    """Approve a pending campaign; its audience is frozen from now on."""
    from outreach.approval import approve

    if _decided_already(campaign_id, "approved", "approve"):
        return
    with _gate_errors():
        row = approve(warehouse_engine(), campaign_id, cli_actor(by), utc_now())
    click.echo(f"approved {row.campaign_id} as {row.approved_by}: {row.treated} emails will go out on the next send")
    _answer_in_airflow(row.campaign_id, "approve")


@command.command("cancel")
@click.argument("campaign_id")
@click.option("--by", help="Who cancels (default: cli:<login name>).")
@click.option("--reason", help="Why, for the record.")
def cancel_command(campaign_id: str, by: str | None, reason: str | None) -> None:
    """Cancel a campaign, also while it is sending (messages not yet out stay unsent)."""
    from outreach.approval import cancel

    with _gate_errors():
        row = cancel(warehouse_engine(), campaign_id, cli_actor(by), utc_now(), reason)
    click.echo(f"cancelled {row.campaign_id}")
    _answer_in_airflow(row.campaign_id, "reject")


@command.command("reject")
@click.argument("campaign_id")
@click.option("--by", help="Who rejects (default: cli:<login name>).")
@click.option("--reason", help="Why, for the record.")
def reject_command(campaign_id: str, by: str | None, reason: str | None) -> None:
    """Reject a campaign that waits for approval or for a workaround; it never sends."""
    from outreach.approval import reject

    if _decided_already(campaign_id, "rejected", "reject"):
        return
    with _gate_errors():
        row = reject(warehouse_engine(), campaign_id, cli_actor(by), utc_now(), reason)
    click.echo(f"rejected {row.campaign_id}")
    _answer_in_airflow(row.campaign_id, "reject")


@command.command("reopen")
@click.argument("campaign_id")
@click.option("--by", help="Who asks again (default: cli:<login name>).")
def reopen_command(campaign_id: str, by: str | None) -> None:
    """Ask again about a campaign that expired unanswered; the next outreach run rebuilds its audience."""
    from outreach.approval import reopen

    with _gate_errors():
        row = reopen(warehouse_engine(), campaign_id, cli_actor(by), utc_now())
    click.echo(f"reopened {row.campaign_id}: it waits for approval again; the next forewarn outreach rebuilds "
               "its audience")


def _decided_already(campaign_id: str, status: str, decision: str) -> bool:
    """The same decision again: nothing changes here, and Airflow's task is given the recorded answer.

    An Airflow approval task may ask again after it was answered (a retry: see the README's known limit),
    so repeating the decision is how a person answers it from the terminal; a different decision on a
    decided campaign is still refused by the transition rules.
    """
    from outreach.campaign_store import CampaignNotFound, read_campaign_row

    with warehouse_engine().connect() as connection:
        try:
            row = read_campaign_row(connection, campaign_id)
        except CampaignNotFound:
            return False  # the decision itself says so, in its own words
    if row.status != status:
        return False
    who = f" ({row.decided_reason})" if row.decided_reason else ""
    click.echo(f"{campaign_id} is {status} already{who}: nothing changed here")
    _answer_in_airflow(campaign_id, decision)
    return True


def _answer_in_airflow(campaign_id: str, decision: str) -> None:
    """Give Airflow's waiting approval task for the campaign the same answer (``FOREWARN_AIRFLOW_API_URL``).

    The decision is recorded either way; when Airflow cannot be told, the line says so and what to do,
    and the command still succeeds (an approval task that asks later reads the decision instead).
    """
    from pipeline.airflow_approvals import APPROVE, REJECT, AirflowApprovalError, AirflowApprovals

    airflow = AirflowApprovals.from_env()
    if airflow is None:
        return
    try:
        runs = airflow.answer(campaign_id, APPROVE if decision == "approve" else REJECT)
    except AirflowApprovalError as exc:
        click.echo(
            f"warning: recorded here, but Airflow's approval task was not answered: {exc}. Answer it in Airflow's "
            "Required actions, or it waits until its timeout", err=True,
        )
        return
    if runs:
        try:
            others = airflow.still_waiting(runs)
        except AirflowApprovalError:
            others = []
        if others:
            click.echo(f"answered the waiting approval task in Airflow ({', '.join(runs)}); the run sends once its "
                       f"other waiting campaign(s) are decided too: {', '.join(others)}")
        else:
            click.echo(f"answered the waiting approval task in Airflow ({', '.join(runs)}): the run goes on")
    else:
        click.echo("no approval task waits for it in Airflow; one that starts later takes this decision without asking")


def _detail_lines(detail: Any) -> list[str]:
    c, ev = detail.campaign, detail.evidence
    incident = ev.get("incident") or {}
    lines = [
        f"campaign {c.campaign_id}  [{c.status}]",
        f"issue: {ev.get('issue_summary', '-')}",
        f"incident {c.incident_id} ({incident.get('kind', '?')}): {incident.get('name') or '-'}; "
        f"severity {_num(c.severity)}; signature {ev.get('signature_id') or '-'}; release {ev.get('release') or '-'}; "
        f"started {incident.get('started_at', '-')}",
    ]
    pain_point = ev.get("pain_point")
    if pain_point:
        lines.append(
            f"pain point {pain_point['pain_point_id']}: {pain_point.get('label') or '-'}; lift {_num(pain_point.get('lift'))}; "
            f"p-value {_num(pain_point.get('p_value'), '.2g')}"
        )
    else:
        lines.append("pain point: none linked (tickets matched on the error code)")
    workaround = ev.get("workaround")
    if workaround:
        lines.append(
            f"workaround {workaround['workaround_id']}: {detail.workaround_title or workaround['title']} "
            f"({detail.workaround_status or 'missing'}); match score {workaround['score']:.2f}: {'; '.join(workaround['why'])}"
        )
    else:
        lines.append("workaround: NONE approved matches; write one (status: approved) and run forewarn outreach")
    lines.append(f"audience: {c.audience_size} ({c.treated} to email, {c.holdout_size} held out); send cap {c.send_cap}")
    lines.append(f"who is left out: {ev.get('summary', '-')}")
    counts = ", ".join(f"{k} {v}" for k, v in sorted(detail.message_counts.items())) or "none"
    lines.append(f"messages: {counts}")
    lines.append(f"created {c.created_at:%Y-%m-%d %H:%M}; decision: {c.decided_reason or 'none yet'}")
    examples = ev.get("example_tickets") or []
    if examples:
        lines.append("example tickets (redacted):")
        lines += [f"  - {t['ticket_id']} {str(t['created_at'])[:10]}: {t.get('subject') or ''} | {t.get('body') or ''}"
                  for t in examples]
    return lines


def _num(value: float | None, fmt: str = ".2f") -> str:
    return "-" if value is None else format(value, fmt)
