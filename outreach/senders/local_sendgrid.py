"""A local stand-in for SendGrid's v3 ``/mail/send``, for tests, benchmarks and demos without an account.

It checks each request the way SendGrid does (Bearer key, JSON shape: personalizations, from, subject,
content, headers, custom_args, categories), records what it accepted, and can be told to answer 202,
429 (with ``X-RateLimit-Reset``), 500, 400, to hang (a timeout), to drop the connection after
reading the request, or to close a kept-alive connection after answering. It listens on 127.0.0.1 only.

    python -m outreach.senders.local_sendgrid --port 8025 --api-key test-key
"""

from __future__ import annotations

import argparse
import hashlib
import json
import secrets
import signal
import sys
import threading
import time
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BEHAVIOURS = ("202", "429", "500", "400", "hang", "drop", "202-then-close")
RESERVED_HEADERS = {
    "x-sg-id", "x-sg-eid", "received", "dkim-signature", "content-type", "content-transfer-encoding",
    "to", "from", "subject", "reply-to", "cc", "bcc",
}
TOP_LEVEL_KEYS = {
    "personalizations", "from", "reply_to", "reply_to_list", "subject", "content", "attachments",
    "template_id", "headers", "categories", "custom_args", "send_at", "batch_id", "asm", "ip_pool_name",
    "mail_settings", "tracking_settings",
}


class _Server(ThreadingHTTPServer):
    # socketserver's default backlog of 5 drops connections under a few parallel clients.
    request_queue_size = 128
    daemon_threads = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.open_connections = 0  # accepted and not yet closed by the server
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self.open_connections += 1
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        try:
            super().shutdown_request(request)
        finally:
            with self._open_lock:
                self.open_connections -= 1

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that vanished mid-connection (killed, timed out) is routine here, not a traceback.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class LocalSendGrid:
    """A threaded HTTP server on 127.0.0.1 that behaves like SendGrid's Mail Send endpoint.

    Args:
        api_key: the only key it accepts (anything else gets 401).
        port: 0 picks a free port.
        latency_seconds: added to every answer, to look like a network.
        hang_seconds: how long a ``hang`` answer waits before replying (longer than the client timeout).
        keep_payloads: keep every accepted request body in ``received`` (tests); False keeps only the
            message ids, for long benchmarks.
    """

    def __init__(self, api_key: str = "test-key", port: int = 0, latency_seconds: float = 0.0,
                 hang_seconds: float = 5.0, keep_payloads: bool = True) -> None:
        self.api_key = api_key
        self.latency_seconds = latency_seconds
        self.hang_seconds = hang_seconds
        self.default_behaviour = "202"
        self.keep_payloads = keep_payloads
        self.received: list[dict[str, Any]] = []
        self._ids: Counter[str] = Counter()
        self.rejected: list[tuple[int, str]] = []
        self.requests = 0
        self.connections = 0
        self._script: deque[str] = deque()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Return once the server has closed every connection it accepted (e.g. a dead client's).

        A request a killed client sent may still be accepted after the client is gone, and a
        connection the server decided to close is closed by another thread a moment after its last
        reply: tests that read ``received`` or reuse a connection wait for that here.

        Raises:
            TimeoutError: if connections are still open after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while self._server.open_connections > 0:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self._server.open_connections} connections still open after {timeout} s")
            time.sleep(0.01)

    def script(self, *behaviours: str) -> None:
        """Answer the next requests with these behaviours, in order, then with ``default_behaviour``."""
        unknown = [b for b in behaviours if b not in BEHAVIOURS]
        if unknown:
            raise ValueError(f"unknown behaviours {unknown}: use {BEHAVIOURS}")
        with self._lock:
            self._script.extend(behaviours)

    def message_ids(self) -> Counter[str]:
        """How many times each ``custom_args.message_id`` was accepted (a value above 1 is a duplicate)."""
        with self._lock:
            return Counter(self._ids)

    def webhook_events(self, event: str = "processed") -> list[dict[str, Any]]:
        """SendGrid Event Webhook events for everything accepted so far (custom args as top-level keys)."""
        with self._lock:
            payloads = list(self.received)
        events = []
        for payload in payloads:
            args = {**payload.get("custom_args", {}), **payload["personalizations"][0].get("custom_args", {})}
            events.append({
                "email": payload["personalizations"][0]["to"][0]["email"],
                "timestamp": int(payload["_received_at"]),
                "event": event,
                # Stable per (message, event), like SendGrid's own ids: feeding them twice is a repeat.
                "sg_event_id": hashlib.sha256(f"{payload['_x_message_id']}:{event}".encode()).hexdigest()[:22],
                "sg_message_id": payload["_x_message_id"] + ".filter0001",
                **args,
            })
        return events

    def start(self) -> LocalSendGrid:
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="local-sendgrid",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LocalSendGrid:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _next_behaviour(self) -> str:
        with self._lock:
            self.requests += 1
            return self._script.popleft() if self._script else self.default_behaviour

    def _accept(self, payload: dict[str, Any], x_message_id: str) -> None:
        payload["_received_at"] = time.time()
        payload["_x_message_id"] = x_message_id
        with self._lock:
            self._ids[_message_id(payload)] += 1
            if self.keep_payloads:
                self.received.append(payload)


def _message_id(payload: dict[str, Any]) -> str:
    personal = payload["personalizations"][0].get("custom_args", {})
    return personal.get("message_id") or payload.get("custom_args", {}).get("message_id", "")


def validate_mail_send(body: Any) -> list[dict[str, Any]]:
    """SendGrid-style errors for a v3 ``/mail/send`` body; an empty list means it is valid."""
    errors: list[dict[str, Any]] = []

    def error(field: str | None, message: str) -> None:
        errors.append({"field": field, "message": message, "help": None})

    if not isinstance(body, dict):
        error(None, "Bad Request: the request body must be a JSON object")
        return errors
    for key in sorted(set(body) - TOP_LEVEL_KEYS):
        error(key, f"unknown field {key!r}")
    personalizations = body.get("personalizations")
    if not isinstance(personalizations, list) or not personalizations:
        error("personalizations", "You must have at least one personalization.")
    elif len(personalizations) > 1000:
        error("personalizations", "The personalization block is limited to 1000 personalizations per API request.")
    else:
        for i, p in enumerate(personalizations):
            to = p.get("to") if isinstance(p, dict) else None
            if not isinstance(to, list) or not to:
                error(f"personalizations.{i}.to", "The to array is required for all personalization objects.")
                continue
            for j, address in enumerate(to):
                if not isinstance(address, dict) or not _is_email(address.get("email")):
                    error(f"personalizations.{i}.to.{j}.email", "Does not contain a valid address.")
            _check_string_map(p.get("custom_args"), f"personalizations.{i}.custom_args", error)
    sender = body.get("from")
    if not isinstance(sender, dict) or not _is_email(sender.get("email")):
        error("from.email", "The from object must be provided for every email send with a valid address.")
    if "reply_to" in body and not (isinstance(body["reply_to"], dict) and _is_email(body["reply_to"].get("email"))):
        error("reply_to.email", "Does not contain a valid address.")
    subject = body.get("subject")
    if not isinstance(subject, str) or not subject.strip():
        error("subject", "The subject is required. You can get around this requirement if you use a template.")
    elif "\n" in subject or "\r" in subject:
        error("subject", "The subject may not contain line breaks.")
    _check_content(body.get("content"), error)
    headers = body.get("headers", {})
    _check_string_map(headers, "headers", error)
    if isinstance(headers, dict):
        for name in headers:
            if str(name).lower() in RESERVED_HEADERS:
                error(f"headers.{name}", f"The header {name!r} is reserved and may not be set.")
    _check_string_map(body.get("custom_args", {}), "custom_args", error)
    if len(json.dumps(body.get("custom_args", {}))) > 10000:
        error("custom_args", "The custom_args may not exceed 10,000 bytes.")
    categories = body.get("categories", [])
    if not isinstance(categories, list) or len(categories) > 10 or not all(
        isinstance(c, str) and 0 < len(c) <= 255 for c in categories
    ):
        error("categories", "Categories must be a list of at most 10 strings of at most 255 characters.")
    return errors


def _check_content(content: Any, error: Any) -> None:
    if not isinstance(content, list) or not content:
        error("content", "Unless a valid template_id is provided, the content parameter is required.")
        return
    types = []
    for i, part in enumerate(content):
        if not isinstance(part, dict) or not isinstance(part.get("type"), str) or not part.get("value"):
            error(f"content.{i}", "Each content object needs a type and a non-empty value.")
            continue
        types.append(part["type"])
    if "text/plain" in types and types[0] != "text/plain":
        error("content.0.type", "If present, text/plain content must be first, followed by any other content.")


def _check_string_map(value: Any, field: str, error: Any) -> None:
    if value is None:
        return
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        error(field, f"{field} must be an object whose values are strings.")


def _is_email(value: Any) -> bool:
    return isinstance(value, str) and value.count("@") == 1 and "." in value.rpartition("@")[2] and " " not in value


def _handler_for(server: LocalSendGrid) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        wbufsize = -1  # one write per response: headers and body apart stall on Nagle + delayed ACK

        def setup(self) -> None:
            super().setup()
            with server._lock:
                server.connections += 1

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            pass  # quiet: tests and benchmarks make many requests

        def do_GET(self) -> None:
            if self.path != "/_local/stats":
                self._reply(404, {"errors": [{"message": "not found", "field": None}]})
                return
            counts = server.message_ids()
            self._reply(200, {
                "requests": server.requests, "received": sum(counts.values()), "unique": len(counts),
                "duplicates": sum(n - 1 for n in counts.values() if n > 1),
            })

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if self.path != "/v3/mail/send":
                self._reply(404, {"errors": [{"message": f"no endpoint {self.path}", "field": None}]})
                return
            if self.headers.get("Authorization") != f"Bearer {server.api_key}":
                self._reject(401, "The provided authorization grant is invalid, expired, or revoked")
                return
            if not (self.headers.get("Content-Type") or "").startswith("application/json"):
                self._reject(415, "Content-Type must be application/json")
                return
            try:
                body = json.loads(raw)
            except ValueError:
                self._reject(400, "Bad Request: the body is not valid JSON")
                return
            behaviour = server._next_behaviour()
            if server.latency_seconds:
                time.sleep(server.latency_seconds)
            errors = validate_mail_send(body)
            if errors or behaviour == "400":
                errors = errors or [{"field": "from.email", "message": "The from address does not match a verified "
                                     "Sender Identity.", "help": None}]
                server.rejected.append((400, json.dumps(errors)))
                self._reply(400, {"errors": errors})
                return
            if behaviour == "429":
                self._reply(429, {"errors": [{"field": None, "message": "too many requests"}]},
                            {"X-RateLimit-Limit": "600", "X-RateLimit-Remaining": "0",
                             "X-RateLimit-Reset": str(int(time.time()) + 1)})
                return
            if behaviour == "500":
                self._reply(500, {"errors": [{"field": None, "message": "internal error"}]})
                return
            x_message_id = secrets.token_urlsafe(16)
            server._accept(body, x_message_id)  # from here on SendGrid "has" the message
            if behaviour == "drop":
                self.close_connection = True
                self.connection.close()
                return
            if behaviour == "hang":
                time.sleep(server.hang_seconds)
            try:
                self._reply(202, None, {"X-Message-Id": x_message_id})
            except OSError:
                pass  # the client gave up waiting (hang)
            if behaviour == "202-then-close":
                # An idle keep-alive connection closed by the server, without warning the client.
                self.wfile.flush()
                self.close_connection = True

        def _reject(self, status: int, message: str) -> None:
            server.rejected.append((status, message))
            self._reply(status, {"errors": [{"field": None, "message": message, "help": None}]})

        def _reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if data:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def main(argv: list[str] | None = None) -> None:
    """Serve until SIGTERM/SIGINT; prints ``listening on URL`` once ready."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--api-key", default="test-key")
    parser.add_argument("--latency-seconds", type=float, default=0.0)
    args = parser.parse_args(argv)
    server = LocalSendGrid(api_key=args.api_key, port=args.port, latency_seconds=args.latency_seconds,
                           keep_payloads=False)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with server:
        print(f"listening on {server.url}", flush=True)  # noqa: T201 - a command-line tool's one line
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
