"""``forewarn events``: ingest SendGrid Event Webhook data from a file, or serve the webhook receiver."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import click

from pipeline.cli.errors import UserError


@click.group(name="events")
def command() -> None:
    """Ingest SendGrid Event Webhook data, or serve a webhook receiver."""


@command.command("ingest")
@click.argument("file", type=click.Path(path_type=Path))
def ingest(file: Path) -> None:
    """Store the events in FILE (a JSON array or JSON lines) once each; apply their suppressions."""
    from outreach.webhook import EventPayloadError, ingest_email_events

    if not file.is_file():
        raise UserError(f"no events file at {file}: pass a file of SendGrid Event Webhook JSON (array or JSON lines)")
    engine = _engine()
    try:
        counts = ingest_email_events(engine, file.read_bytes(), now=_utcnow(), source=str(file))
    except EventPayloadError as exc:
        raise UserError(f"{file}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise UserError(f"{file}: not UTF-8 text (byte {exc.start}): export the events as JSON") from None
    click.echo(
        f"{counts.received} events read: {counts.inserted} new, {counts.duplicates} already stored, "
        f"{counts.quarantined} quarantined, {counts.suppressions_added} suppressions added, "
        f"{counts.resubscribed} resubscribed, {counts.messages_confirmed} unknown sends confirmed"
    )


@command.command("serve")
@click.option("--port", type=click.IntRange(0, 65535), default=8025, show_default=True, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (behind your TLS proxy).")
@click.option("--public-key-env", default="SENDGRID_WEBHOOK_PUBLIC_KEY", show_default=True,
              help="Environment variable holding SendGrid's Signed Event Webhook verification key.")
@click.option("--allow-unsigned", is_flag=True, help="Accept unsigned event posts (local trials only).")
def serve(port: int, host: str, public_key_env: str, allow_unsigned: bool) -> None:
    """Receive SendGrid events (POST /sendgrid/events) and one-click unsubscribes (POST /unsubscribe)."""
    from outreach.unsubscribe import UnsubscribeSecretMissing, load_unsubscribe_secret
    from outreach.webhook_server import WebhookConfigError, WebhookServer

    public_key = os.environ.get(public_key_env) or None
    try:
        secret = load_unsubscribe_secret(allow_dev_secret=True)
        server = WebhookServer(_engine(), public_key=public_key, unsubscribe_secret=secret, host=host, port=port,
                               allow_unsigned=allow_unsigned)
    except (WebhookConfigError, UnsubscribeSecretMissing) as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror}; pick another --port") from None
    click.echo(f"listening on {server.url} (events: /sendgrid/events, unsubscribe: /unsubscribe); Ctrl-C stops")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


def _engine():  # noqa: ANN202 - SQLAlchemy Engine, imported lazily
    from pipeline.warehouse import make_engine, migrate
    from pipeline.warehouse.engine import WarehouseConfigError
    from pipeline.warehouse.migrate import WarehouseUnavailable

    try:
        engine = make_engine()
        migrate(engine)
    except (WarehouseConfigError, WarehouseUnavailable) as exc:
        raise UserError(str(exc)) from None
    return engine


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
