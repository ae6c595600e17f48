"""The sender contract: one Protocol, one result type and the errors that tell the ledger what happened."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from outreach.model import RenderedMessage


@dataclass(frozen=True)
class SendResult:
    """The provider accepted the message; ``provider_message_id`` is its id for it (SendGrid X-Message-Id)."""

    provider_message_id: str | None = None


class SendError(Exception):
    """Base of every error a sender raises; the message never contains a secret or an email address."""


class TransientSendError(SendError):
    """The provider did NOT accept the message this time (429, 5xx, connection refused): safe to retry.

    Args:
        retry_after_seconds: how long the provider asked us to wait, when it said so.
    """

    def __init__(self, reason: str, retry_after_seconds: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after_seconds = retry_after_seconds


class DeliveryUnknownError(TransientSendError):
    """The request may have reached the provider but no answer came (timeout, connection cut mid-reply).

    A subclass of TransientSendError because the cause is transient, but it must NEVER be retried
    blindly: the message may already be on its way. The ledger marks it ``unknown`` for a person
    (or for reconciliation against the Event Webhook).
    """


class PermanentSendError(SendError):
    """The provider refused this message for good (e.g. SendGrid 400): retrying cannot help."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SenderConfigError(SendError):
    """The sender cannot send anything (bad API key, SMTP authentication, TLS certificate).

    Nothing was sent; the campaign should stop rather than fail every message one by one.
    """


@runtime_checkable
class EmailSender(Protocol):
    """Anything that sends one rendered message and says clearly whether the provider took it."""

    def send(self, message: RenderedMessage) -> SendResult:
        """Send ``message`` once.

        Raises:
            TransientSendError: not accepted this time (retry later; DeliveryUnknownError: maybe sent).
            PermanentSendError: refused for good.
            SenderConfigError: the sender is misconfigured; nothing can be sent.
        """
        ...
