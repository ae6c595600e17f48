"""Email senders behind one small Protocol: an outbox of .eml files (default), SendGrid and SMTP."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from outreach.senders.base import (
    DeliveryUnknownError,
    EmailSender,
    PermanentSendError,
    SenderConfigError,
    SendError,
    SendResult,
    TransientSendError,
)

SENDER_KINDS = ("outbox", "sendgrid", "smtp")

__all__ = [
    "SENDER_KINDS",
    "DeliveryUnknownError",
    "EmailSender",
    "PermanentSendError",
    "SendError",
    "SendResult",
    "SenderConfigError",
    "TransientSendError",
    "make_sender",
]


def make_sender(kind: str = "outbox", **config: Any) -> EmailSender:
    """Build a sender by name.

    Args:
        kind: ``outbox`` (default; ``directory``, default ``$FOREWARN_HOME/outbox``), ``sendgrid``
            (``api_key``, ``host``, ``timeout_seconds``, ``max_concurrency``) or ``smtp`` (``host``,
            ``port``, ``username``, ``password``, ``starttls``, ``timeout_seconds``, ``use_ssl``).

    Raises:
        SenderConfigError: unknown kind, unknown option, or a required option is missing.
    """
    name = (kind or "outbox").strip().lower()
    try:
        if name == "outbox":
            from outreach.senders.outbox import OutboxSender

            directory = config.pop("directory", None) or _default_outbox()
            return OutboxSender(directory, **config)
        if name == "sendgrid":
            from outreach.senders.sendgrid_api import SendGridSender

            return SendGridSender(**config)
        if name == "smtp":
            from outreach.senders.smtp import SmtpSender

            return SmtpSender(**config)
    except TypeError as exc:
        raise SenderConfigError(f"bad option for the {name} sender: {exc}") from None
    raise SenderConfigError(f"unknown sender kind {kind!r}: use one of {', '.join(SENDER_KINDS)}")


def _default_outbox() -> Path:
    return Path(os.environ.get("FOREWARN_HOME") or Path.cwd() / "var").resolve() / "outbox"
