"""``forewarn outreach``: build campaigns, optionally approve the pending ones, send the approved ones."""

from __future__ import annotations

import getpass
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from pipeline.cli.common import echo_table, parse_timestamp, user_errors, warehouse_engine
from pipeline.cli.errors import UserError

SENDERS = ("outbox", "sendgrid", "smtp")


def utc_now() -> datetime:
    """Now as a naive UTC datetime, like every warehouse timestamp."""
    return datetime.now(UTC).replace(tzinfo=None)


def cli_actor(by: str | None) -> str:
    """Who decides from this terminal: ``--by`` as given, else ``cli:<login name>``."""
    return by or f"cli:{getpass.getuser()}"


@click.command()
@click.option("--as-of", "as_of", metavar="TS", help="Time of the run, ISO 8601 (default: now, UTC).")
@click.option("--approve", is_flag=True, help="Approve every pending campaign as cli:<user> before sending.")
@click.option("--sender", type=click.Choice(SENDERS), default="outbox", show_default=True,
              help="outbox writes .eml files; sendgrid needs SENDGRID_API_KEY; smtp reads FOREWARN_SMTP_*.")
@click.option("--outbox", "outbox_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder of the outbox sender (default: $FOREWARN_HOME/outbox).")
@click.option("--workarounds", "workarounds_dir", type=click.Path(path_type=Path),
              help="Load this folder of workaround Markdown files into the warehouse first.")
@click.option("--holdout-share", type=click.FloatRange(0.0, 0.99), default=0.10, show_default=True,
              help="Share of each audience held out (gets nothing) to measure the effect.")
@click.option("--send-cap", type=click.IntRange(min=1), default=5000, show_default=True,
              help="At most this many emails per campaign.")
@click.option("--frequency-cap-days", type=click.IntRange(min=0), default=7, show_default=True,
              help="The frequency cap's window: at most --frequency-cap-emails proactive emails per customer in "
                   "this many days (never two about one incident).")
@click.option("--frequency-cap-emails", type=click.IntRange(min=1), default=2, show_default=True,
              help="Proactive emails per customer allowed in the frequency cap's window.")
@click.option("--policy-max-audience", type=click.IntRange(min=1),
              help="Auto-approve campaigns emailing at most N customers (with --policy-min-severity). Off by default.")
@click.option("--policy-min-severity", type=float, default=0.0, show_default=True,
              help="Minimum incident severity for the auto-approval policy.")
@click.option("--no-send", is_flag=True, help="Build (and approve) only; send nothing.")
@click.option("--product-profile", "product_profile", type=click.Path(dir_okay=False, path_type=Path),
              help="Product profile YAML: names of product, team, features and platforms per language "
                   "(default: $FOREWARN_PRODUCT_PROFILE, else built-in platform names only).")
def command(
    as_of: str | None, approve: bool, sender: str, outbox_dir: Path | None, workarounds_dir: Path | None,
    holdout_share: float, send_cap: int, frequency_cap_days: int, frequency_cap_emails: int, policy_max_audience: int | None, policy_min_severity: float, no_send: bool,
    product_profile: Path | None,
) -> None:
    """Build one campaign per open incident, then send the approved ones.

    Campaigns without an approved workaround are listed as needs_workaround and never send. Pending
    campaigns older than the approval timeout expire. FOREWARN_KILL_SWITCH=1 stops every send.
    """
    from outreach.model import OutreachSettings

    when = parse_timestamp(as_of, "--as-of") or utc_now()
    settings = OutreachSettings(
        holdout_share=holdout_share,
        send_cap_per_campaign=send_cap,
        frequency_cap_days=frequency_cap_days,
        max_emails_per_frequency_window=frequency_cap_emails,
        auto_approve=policy_max_audience is not None,
        auto_approve_max_audience=policy_max_audience or 0,
        auto_approve_min_severity=policy_min_severity,
        product_profile=str(product_profile or ""),
    )
    _check_profile(settings)
    # The sender is checked before anything is built or approved: a missing key or host is one error
    # line with nothing changed, not approvals recorded and then no send.
    delivery = None if no_send else _sender(sender, outbox_dir)
    engine = warehouse_engine()
    if workarounds_dir is not None:
        _load_workarounds(engine, workarounds_dir, when)
    _build(engine, when, settings)
    if approve:
        _approve_pending(engine, when)
    if delivery is not None:
        _send_approved(engine, when, settings, sender, outbox_dir, delivery)


def _check_profile(settings: Any) -> None:
    """Read the product profile once up front: a bad file is one error line, its gaps are warnings."""
    from outreach.messages import active_profile
    from outreach.profile import ProfileError

    try:
        profile = active_profile(settings)
    except ProfileError as exc:
        raise UserError(str(exc)) from exc
    for warning in profile.warnings:
        click.echo(f"warning: {warning}", err=True)


def _load_workarounds(engine: Any, folder: Path, when: datetime) -> None:
    from outreach.workarounds import WorkaroundError, load_workarounds, upsert_workarounds

    # The loader logs each warning (what a DAG task's log shows); here they are printed once, below.
    quiet = logging.getLogger("outreach.workarounds")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        workarounds = load_workarounds(folder)
        counts = upsert_workarounds(engine, workarounds, now=when)
    except WorkaroundError as exc:
        raise UserError(str(exc)) from exc
    finally:
        quiet.setLevel(level)
    for workaround in workarounds:
        for warning in workaround.warnings:
            click.echo(f"warning: {warning}", err=True)
    click.echo(f"workarounds: {counts.inserted} new, {counts.updated} changed, {counts.unchanged} unchanged")


def _build(engine: Any, when: datetime, settings: Any) -> list:
    from outreach.approval import expire_pending
    from outreach.campaigns import build_campaigns, built_after

    with user_errors():
        expired = expire_pending(engine, when, settings.approval_timeout_hours)
        summaries = build_campaigns(engine, as_of=when, settings=settings)
    if expired:
        click.echo(f"expired (no decision within {settings.approval_timeout_hours:g} h): {', '.join(expired)}")
    newest = built_after(engine, when)
    if newest is not None:
        click.echo(f"campaigns: none built as of {when.isoformat()}: they were built as of {newest.isoformat()} "
                   "already, and an earlier view would add customers who wrote in since")
        return summaries
    if not summaries:
        click.echo("campaigns: none (no open incident with customers to write to)")
        return summaries
    click.echo("campaigns:")
    echo_table(
        [(s.campaign_id, s.status, s.action, s.treated, s.holdout_size, s.summary) for s in summaries],
        ("campaign", "status", "action", "treated", "holdout", "audience"),
    )
    return summaries


def _approve_pending(engine: Any, when: datetime) -> None:
    from outreach.approval import InvalidTransition, approve, list_campaigns

    actor = cli_actor(None)
    for campaign in list_campaigns(engine, status="pending_approval"):
        try:
            approve(engine, campaign.campaign_id, actor, when)
        except InvalidTransition as exc:  # e.g. its workaround went back to draft: say so, approve the others
            click.echo(f"not approved: {exc}", err=True)
            continue
        click.echo(f"approved {campaign.campaign_id} as {actor}")


def _send_approved(engine: Any, when: datetime, settings: Any, kind: str, outbox_dir: Path | None,
                   delivery: tuple[Any, str]) -> None:
    from outreach.delivery import CampaignNotSendable
    from outreach.dispatch import send_approved
    from outreach.senders import SenderConfigError

    sender, secret = delivery
    try:
        result = send_approved(
            engine, sender, settings, secret, now=when, on_campaign=lambda c: click.echo(f"sending {c} ...", err=True)
        )
    except (CampaignNotSendable, SenderConfigError) as exc:
        raise UserError(str(exc)) from exc
    if result.held_back:
        suffix = f": {result.ready} approved campaign(s) not sent" if result.ready else ""
        click.echo(f"sent: nothing ({result.held_back}){suffix}")
        return
    click.echo(f"sent with {kind}:")
    echo_table(
        [
            (s.campaign_id, s.sent, s.failed, s.unknown, s.skipped, s.campaign_status or "", s.stopped_reason or "")
            for s in result.summaries
        ],
        ("campaign", "sent", "failed", "unknown", "skipped", "status", "stopped"),
    )
    if kind == "outbox":
        click.echo(f"outbox: {getattr(sender, 'directory', outbox_dir)}")
    if any(s.stopped_reason == "provider_unavailable" for s in result.summaries):
        where = f" at {sender.host}:{sender.port}" if kind == "smtp" else ""
        click.echo(f"the {kind} provider{where} did not take the messages: they stay queued, and the next "
                   "`forewarn outreach` sends them (nothing is sent twice)", err=True)


def _sender(kind: str, outbox_dir: Path | None) -> tuple[Any, str]:
    from outreach.senders import SenderConfigError, make_sender
    from outreach.unsubscribe import UnsubscribeSecretMissing, load_unsubscribe_secret
    from pipeline.warehouse import forewarn_home

    config: dict[str, Any] = {}
    if kind == "outbox":
        config["directory"] = outbox_dir or forewarn_home() / "outbox"
    elif kind == "sendgrid":
        config["api_key"] = os.environ.get("SENDGRID_API_KEY", "")
        if os.environ.get("FOREWARN_SENDGRID_HOST"):
            config["host"] = os.environ["FOREWARN_SENDGRID_HOST"]
    else:
        config.update(_smtp_config())
    try:
        sender = make_sender(kind, **config)
        secret = load_unsubscribe_secret(allow_dev_secret=kind == "outbox", home=forewarn_home())
    except (SenderConfigError, UnsubscribeSecretMissing) as exc:
        raise UserError(str(exc)) from exc
    return sender, secret


def _smtp_config() -> dict[str, Any]:
    env = os.environ
    if not env.get("FOREWARN_SMTP_HOST", "").strip():
        # Not "localhost": a run that quietly tried port 25 there only said "stopped provider_unavailable".
        raise UserError(
            "--sender smtp needs FOREWARN_SMTP_HOST (and FOREWARN_SMTP_PORT, FOREWARN_SMTP_USERNAME, "
            "FOREWARN_SMTP_PASSWORD; FOREWARN_SMTP_STARTTLS=0 for a server without STARTTLS)"
        )
    config: dict[str, Any] = {"host": env["FOREWARN_SMTP_HOST"].strip()}
    port = env.get("FOREWARN_SMTP_PORT", "25")
    if not port.isdigit():
        raise UserError(f"FOREWARN_SMTP_PORT={port!r} is not a port number")
    config["port"] = int(port)
    if env.get("FOREWARN_SMTP_USERNAME"):
        config["username"] = env["FOREWARN_SMTP_USERNAME"]
        config["password"] = env.get("FOREWARN_SMTP_PASSWORD", "")
    # On unless turned off, as the DAGs' Connection forewarn_smtp: a password never crosses in clear text by default.
    config["starttls"] = env.get("FOREWARN_SMTP_STARTTLS", "1").strip().lower() not in {"0", "false", "no", "off"}
    return config
