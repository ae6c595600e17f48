"""A local HTTP server that speaks Zendesk's cursor-based Incremental Ticket Export: pages of tickets
with sideloaded users, ``after_cursor``/``end_of_stream``, 429 with ``Retry-After``, and 5xx on demand."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

EXPORT_PATH = "/api/v2/incremental/tickets/cursor.json"


@dataclass
class ExportState:
    """The tickets the server holds and how it should misbehave."""

    tickets: list[dict]
    users: list[dict]
    rate_limit_requests: set[int] = field(default_factory=set)  # 1-based request numbers answered 429
    retry_after: str = "2"
    fail_from_page: int | None = None  # pages from this one on answer 500
    requests: list[dict[str, str]] = field(default_factory=list)
    pages_served: int = 0
    authorization: list[str] = field(default_factory=list)


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).timestamp()


def _handler(state: ExportState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output quiet
            return

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            url = urlparse(self.path)
            params = {key: values[0] for key, values in parse_qs(url.query).items()}
            state.requests.append(params)
            state.authorization.append(self.headers.get("Authorization", ""))
            if url.path != EXPORT_PATH:
                return self._send(404, {"error": "InvalidEndpoint"})
            if len(state.requests) in state.rate_limit_requests:
                return self._send(429, {"error": "TooManyRequests"}, {"Retry-After": state.retry_after})
            if state.fail_from_page is not None and state.pages_served + 1 >= state.fail_from_page:
                return self._send(503, {"error": "ServiceUnavailable"})
            ordered = sorted(state.tickets, key=lambda t: (t["updated_at"], t["id"]))
            if "cursor" in params:
                offset = int(params["cursor"].removeprefix("c"))
            else:
                start = float(params["start_time"])
                offset = next((i for i, t in enumerate(ordered) if _epoch(t["updated_at"]) >= start), len(ordered))
            size = int(params.get("per_page", 1000))
            page = ordered[offset:offset + size]
            end_of_stream = offset + size >= len(ordered)
            requesters = {t["requester_id"] for t in page}
            state.pages_served += 1
            after = f"c{offset + len(page)}"
            return self._send(200, {
                "tickets": page,
                "users": [u for u in state.users if u["id"] in requesters] if params.get("include") == "users" else [],
                "after_cursor": None if end_of_stream else after,
                "after_url": None if end_of_stream else f"http://{self.headers['Host']}{EXPORT_PATH}?cursor={after}",
                "before_cursor": None,
                "before_url": None,
                "end_of_stream": end_of_stream,
            })

        def _send(self, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextmanager
def zendesk_server(state: ExportState) -> Iterator[str]:
    """Serve ``state`` on 127.0.0.1 (a free port); yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
