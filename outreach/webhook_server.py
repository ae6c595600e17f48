"""A small HTTP receiver: SendGrid's signed Event Webhook and the one-click unsubscribe link.

Routes:
    POST /sendgrid/events   signed SendGrid events (ECDSA, verified with the ``sendgrid`` package's
                            EventWebhook helper); a missing or bad signature gets 403.
    GET  /unsubscribe       a page with one button (link scanners only GET, so GET changes nothing).
    POST /unsubscribe       RFC 8058 one-click unsubscribe (token in the query or the form) → suppression.
    GET  /healthz           "ok".

Standard library ``http.server`` (threaded): small, no extra dependency; put it behind the same
TLS-terminating proxy as any other internal service.
"""

from __future__ import annotations

import binascii
import html
import json
import logging
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import UnsupportedAlgorithm
from sendgrid.helpers.eventwebhook import EventWebhook
from sendgrid.helpers.eventwebhook.eventwebhook_header import EventWebhookHeader
from sqlalchemy import Engine

from outreach.unsubscribe import InvalidToken, verify_token
from outreach.webhook import EventPayloadError, ingest_email_events, record_unsubscribe

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 16 * 1024 * 1024
EVENTS_PATHS = ("/sendgrid/events", "/events")


class _Server(ThreadingHTTPServer):
    # socketserver's default backlog of 5 drops connections under a few parallel clients.
    request_queue_size = 128
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that vanished mid-connection (killed, timed out) is routine here, not a traceback.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class WebhookConfigError(ValueError):
    """The verification key cannot be used; the message says what to paste where."""


def load_public_key(key: str) -> Any:
    """SendGrid's verification key (base64 DER as shown in its settings, or a PEM block) as an EC public key.

    Raises:
        WebhookConfigError: not a valid public key.
    """
    body = "".join(line.strip() for line in key.strip().splitlines() if line.strip() and "-----" not in line)
    try:
        return EventWebhook().convert_public_key_to_ecdsa(body)
    except (ValueError, UnsupportedAlgorithm, binascii.Error) as exc:
        raise WebhookConfigError(
            "the Event Webhook verification key is not a valid public key: copy it from SendGrid → Settings → "
            f"Mail Settings → Signed Event Webhook ({type(exc).__name__})"
        ) from None


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class WebhookServer:
    """Serve the routes above on ``host:port`` (port 0 picks a free one).

    Args:
        public_key: SendGrid's verification key; None only with ``allow_unsigned=True`` (local trials).
        unsubscribe_secret: the same secret the senders sign unsubscribe links with.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        public_key: str | None,
        unsubscribe_secret: str,
        host: str = "127.0.0.1",
        port: int = 0,
        allow_unsigned: bool = False,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        if public_key is None and not allow_unsigned:
            raise WebhookConfigError(
                "no Event Webhook verification key: set SENDGRID_WEBHOOK_PUBLIC_KEY (SendGrid → Settings → Mail "
                "Settings → Signed Event Webhook), or allow unsigned posts for a local trial only"
            )
        if public_key is None:
            log.warning("accepting UNSIGNED event posts: anyone who can reach this port can write events")
        self.engine = engine
        self.public_key = load_public_key(public_key) if public_key else None
        self.unsubscribe_secret = unsubscribe_secret
        self.clock = clock
        self._httpd = _Server((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def start(self) -> WebhookServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), name="forewarn-webhook",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> WebhookServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def signature_ok(self, body: bytes, signature: str | None, timestamp: str | None) -> bool:
        """True when the body carries SendGrid's valid signature (or unsigned posts are allowed)."""
        if self.public_key is None:
            return True
        if not signature or not timestamp:
            return False
        try:
            return EventWebhook().verify_signature(body.decode("utf-8"), signature, timestamp,
                                                   public_key=self.public_key)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return False  # malformed base64 or body: not SendGrid's


def _page(title: str, paragraph: str, form_token: str | None = None) -> bytes:
    form = ""
    if form_token is not None:
        form = ('<form method="post" action="/unsubscribe"><input type="hidden" name="token" value="'
                f'{html.escape(form_token)}"><button type="submit">Unsubscribe</button></form>')
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
            f'<body style="font-family:sans-serif;max-width:480px;margin:40px auto;"><h1>{html.escape(title)}</h1>'
            f"<p>{html.escape(paragraph)}</p>{form}</body></html>").encode()


def _handler_for(server: WebhookServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        wbufsize = -1  # one write per response: headers and body apart stall on Nagle + delayed ACK

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            # The request line may hold an unsubscribe token: log only method, path and status.
            log.debug("%s %s", self.command, urlsplit(self.path).path)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/healthz":
                self._send(200, b"ok", "text/plain")
            elif url.path == "/unsubscribe":
                token = (parse_qs(url.query).get("token") or [""])[0]
                if not self._customer(token):
                    self._send(400, _page("This link does not work", "This unsubscribe link is not valid. "
                                          "Reply to any of our emails and we will take you off the list."))
                    return
                self._send(200, _page("Unsubscribe", "Press the button and we will not email you about "
                                      "problems like this again.", form_token=token))
            else:
                self._send(404, b"not found", "text/plain")

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                self._send(413, b"payload too large", "text/plain")
                self.close_connection = True
                return
            body = self.rfile.read(length)
            if url.path in EVENTS_PATHS:
                self._events(body)
            elif url.path == "/unsubscribe":
                self._unsubscribe(url.query, body)
            else:
                self._send(404, b"not found", "text/plain")

        def _events(self, body: bytes) -> None:
            signature = self.headers.get(EventWebhookHeader.SIGNATURE)
            timestamp = self.headers.get(EventWebhookHeader.TIMESTAMP)
            if not server.signature_ok(body, signature, timestamp):
                log.warning("rejected an event post with a missing or bad signature (403)")
                self._send(403, b"bad signature", "text/plain")
                return
            try:
                counts = ingest_email_events(server.engine, body, now=server.clock(), source="webhook")
            except (EventPayloadError, UnicodeDecodeError) as exc:
                self._send(400, str(exc).encode(), "text/plain")
                return
            self._send(200, json.dumps(vars(counts)).encode(), "application/json")

        def _unsubscribe(self, query: str, body: bytes) -> None:
            form = parse_qs(body.decode("utf-8", "replace"))
            token = (parse_qs(query).get("token") or form.get("token") or [""])[0]
            customer_id = self._customer(token)
            if not customer_id:
                self._send(400, _page("This link does not work", "This unsubscribe link is not valid."))
                return
            one_click = form.get("List-Unsubscribe") == ["One-Click"]
            record_unsubscribe(server.engine, customer_id, now=server.clock(),
                               source="one_click" if one_click else "unsubscribe_page")
            self._send(200, _page("You are unsubscribed", "We will not email you about problems like this again."))

        def _customer(self, token: str) -> str | None:
            try:
                return verify_token(token, server.unsubscribe_secret)
            except InvalidToken:
                return None

        def _send(self, status: int, data: bytes, content_type: str = "text/html; charset=utf-8") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

    return Handler
