"""Send through SendGrid's v3 Mail Send API with the official ``sendgrid`` client.

202 means SendGrid accepted the message (its id is in ``X-Message-Id``). 429 and 5xx mean it did
not: safe to retry, honouring ``Retry-After`` / ``X-RateLimit-Reset``. A timeout or a connection cut
after the request went out means we cannot know: ``DeliveryUnknownError``, never retried blindly.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import logging
import ssl
import threading
import time
import urllib.error
from typing import Any

import sendgrid
from python_http_client import exceptions as http_errors

from outreach.model import RenderedMessage
from outreach.senders.base import (
    DeliveryUnknownError,
    PermanentSendError,
    SenderConfigError,
    SendResult,
    TransientSendError,
)
from outreach.senders.keepalive import ConnectionPool, KeepAliveClient

log = logging.getLogger(__name__)

DEFAULT_HOST = "https://api.sendgrid.com"
MAX_RETRY_AFTER_SECONDS = 3600.0
MAX_ERROR_CHARS = 500


def sendgrid_payload(message: RenderedMessage) -> dict[str, Any]:
    """The v3 ``/mail/send`` request body for one message (one personalization, text then HTML)."""
    to: dict[str, str] = {"email": message.to_email}
    if message.to_name:
        to["name"] = message.to_name
    payload: dict[str, Any] = {
        "personalizations": [{"to": [to], "custom_args": dict(message.custom_args)}],
        "from": {"email": message.from_email, "name": message.from_name},
        "reply_to": {"email": message.reply_to},
        "subject": message.subject,
        # SendGrid requires text/plain before text/html.
        "content": [
            {"type": "text/plain", "value": message.text},
            {"type": "text/html", "value": message.html},
        ],
        "headers": dict(message.headers),
        "custom_args": dict(message.custom_args),
    }
    if message.categories:
        payload["categories"] = list(message.categories)
    return payload


class SendGridSender:
    """An EmailSender over SendGrid's v3 API.

    Args:
        api_key: the API key itself (read by the caller from an Airflow Connection or ``SENDGRID_API_KEY``).
        host: API base URL (``https://api.eu.sendgrid.com`` for EU subusers; a local server in tests).
        timeout_seconds: per request; the client has no timeout of its own, so a hung connection would
            otherwise block a campaign forever.
        max_concurrency: how many requests the ledger may have in flight at once.
        keep_alive: reuse one connection per thread (outreach.senders.keepalive) instead of a new
            connection and TLS handshake per message.
    """

    def __init__(
        self,
        api_key: str,
        host: str = DEFAULT_HOST,
        timeout_seconds: float = 20.0,
        max_concurrency: int = 8,
        keep_alive: bool = True,
    ) -> None:
        if not api_key or not api_key.strip():
            raise SenderConfigError(
                "no SendGrid API key: set the Airflow connection's password or the SENDGRID_API_KEY variable"
            )
        if timeout_seconds <= 0:
            raise ValueError(f"timeout_seconds must be positive, got {timeout_seconds!r}")
        self._api_key = api_key.strip()
        self.host = host.rstrip("/")
        self.timeout_seconds = float(timeout_seconds)
        self.max_concurrency = max(1, int(max_concurrency))
        self.keep_alive = bool(keep_alive)
        self._pool = ConnectionPool(self.host) if self.keep_alive else None
        self._local = threading.local()
        _silence_header_logging()

    def __repr__(self) -> str:  # never show the key
        return f"SendGridSender(host={self.host!r}, timeout_seconds={self.timeout_seconds})"

    def _client(self) -> sendgrid.SendGridAPIClient:
        # One client per thread: python_http_client mutates its header dict on every request.
        client = getattr(self._local, "client", None)
        if client is None:
            client = sendgrid.SendGridAPIClient(api_key=self._api_key, host=self.host)
            if self._pool is not None:
                client.client = KeepAliveClient(host=self.host, request_headers=client.client.request_headers,
                                                version=3, pool=self._pool)
            client.client.timeout = self.timeout_seconds  # carried to every request built from it
            self._local.client = client
        return client

    def send(self, message: RenderedMessage) -> SendResult:
        payload = sendgrid_payload(message)
        try:
            response = self._client().send(payload)
        except http_errors.HTTPError as exc:
            raise _classify_http_error(exc, message.message_id) from None
        except urllib.error.URLError as exc:
            # Raised while connecting or writing the request: SendGrid never got a whole request.
            if isinstance(exc.reason, ssl.SSLCertVerificationError):
                raise SenderConfigError(f"TLS certificate of {self.host} not trusted: {exc.reason}") from None
            raise TransientSendError(f"cannot reach SendGrid at {self.host}: {exc.reason}") from None
        except (TimeoutError, http.client.HTTPException, ConnectionError) as exc:
            # The request went out and no (complete) answer came back: maybe sent.
            raise DeliveryUnknownError(
                f"no answer from SendGrid within {self.timeout_seconds:g}s for message {message.message_id} "
                f"({type(exc).__name__}); it may have been accepted"
            ) from None
        if not 200 <= response.status_code < 300:
            raise PermanentSendError(f"SendGrid answered {response.status_code} for message {message.message_id}")
        return SendResult(provider_message_id=response.headers.get("X-Message-Id"))


def _classify_http_error(exc: http_errors.HTTPError, message_id: str) -> Exception:
    status = int(exc.status_code)
    detail = _error_text(exc.body)
    if status == 429:
        return TransientSendError(
            f"SendGrid rate limit (429) for message {message_id}: {detail}", _retry_after(exc.headers)
        )
    if status in (401, 403):
        return SenderConfigError(f"SendGrid refused the API key or its permissions ({status}): {detail}")
    if status >= 500:
        return TransientSendError(f"SendGrid server error ({status}) for message {message_id}: {detail}",
                                  _retry_after(exc.headers))
    return PermanentSendError(f"SendGrid refused message {message_id} ({status}): {detail}")


def _error_text(body: bytes | str | None) -> str:
    """SendGrid's own error messages (``{"errors": [{"message", "field"}]}``), shortened."""
    if not body:
        return "no details"
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    try:
        errors = json.loads(text).get("errors") or []
        parts = [
            f"{e.get('field')}: {e.get('message')}" if e.get("field") else str(e.get("message"))
            for e in errors if isinstance(e, dict)
        ]
        text = "; ".join(parts) or text
    except (ValueError, AttributeError):
        pass
    return text[:MAX_ERROR_CHARS]


def _retry_after(headers: Any) -> float | None:
    """Seconds to wait from ``Retry-After`` (seconds or HTTP date) or ``X-RateLimit-Reset`` (epoch seconds)."""
    if headers is None:
        return None
    value = headers.get("Retry-After")
    if value:
        try:
            return min(max(float(value), 0.0), MAX_RETRY_AFTER_SECONDS)
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(value).timestamp()
                return min(max(when - time.time(), 0.0), MAX_RETRY_AFTER_SECONDS)
            except (TypeError, ValueError):
                pass
    reset = headers.get("X-RateLimit-Reset")
    if reset:
        try:
            return min(max(float(reset) - time.time(), 0.0), MAX_RETRY_AFTER_SECONDS)
        except ValueError:
            return None
    return None


def _silence_header_logging() -> None:
    # python_http_client logs every request's headers (the Authorization: Bearer key) at DEBUG;
    # ``forewarn -vv`` turns DEBUG on for everything, so keep that one logger at INFO at most.
    logger = logging.getLogger("python_http_client.client")
    if logger.level == logging.NOTSET or logger.level < logging.INFO:
        logger.setLevel(logging.INFO)
