"""A keep-alive transport for the ``sendgrid`` client: one persistent HTTP(S) connection per thread.

``python_http_client`` (the ``sendgrid`` package's transport) opens a new connection, and a new TLS
handshake, for every request. ``KeepAliveClient`` keeps everything else of it (URL building, JSON body,
headers, its error classes) and overrides only ``_make_request``, the hook it exposes for that, to
reuse a connection. The at-most-once semantics stay those of urllib: a failure while *sending* the
request raises ``URLError`` (nothing complete reached SendGrid); a failure while waiting for the
answer propagates as is (maybe accepted). A pooled connection the server already closed is detected
before reuse, so an idle close never turns into a "maybe sent".
"""

from __future__ import annotations

import http.client
import io
import select
import threading
import time
import urllib.error
import urllib.request
from email.message import Message
from typing import Any
from urllib.parse import urlsplit

import python_http_client
from python_http_client.exceptions import handle_error

IDLE_SECONDS = 30.0  # reconnect rather than reuse a connection idle for longer than this


class _Response:
    """What ``python_http_client.Response`` reads from a urllib response: getcode, read, info."""

    def __init__(self, status: int, body: bytes, headers: Message) -> None:
        self._status, self._body, self._headers = status, body, headers

    def getcode(self) -> int:
        return self._status

    def read(self) -> bytes:
        return self._body

    def info(self) -> Message:
        return self._headers


class ConnectionPool:
    """One connection per thread to one host."""

    def __init__(self, host: str) -> None:
        url = urlsplit(host)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f"SendGrid host must be an http(s) URL, got {host!r}")
        self._scheme, self._netloc = url.scheme, url.netloc
        self._local = threading.local()

    def open(self, request: urllib.request.Request, timeout: float | None) -> _Response:
        conn = self._connection(timeout)
        headers = {k: v for k, v in request.header_items() if k.lower() != "connection"}
        try:
            conn.request(request.get_method(), request.selector, body=request.data, headers=headers)
        except OSError as exc:
            self._discard()
            raise urllib.error.URLError(exc) from None  # as urllib: the request never fully went out
        try:
            response = conn.getresponse()
            body = response.read()
        except BaseException:
            self._discard()
            raise
        if response.will_close:
            self._discard()
        else:
            self._local.last_used = time.monotonic()
        if not 200 <= response.status < 300:
            error = urllib.error.HTTPError(request.full_url, response.status, response.reason, response.headers,
                                           io.BytesIO(body))
            exc = handle_error(error)
            exc.__cause__ = None
            raise exc
        return _Response(response.status, body, response.headers)

    def _connection(self, timeout: float | None) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is not None and (time.monotonic() - self._local.last_used > IDLE_SECONDS or not _usable(conn)):
            self._discard()
            conn = None
        if conn is None:
            cls = http.client.HTTPSConnection if self._scheme == "https" else http.client.HTTPConnection
            conn = cls(self._netloc, timeout=timeout)
            self._local.conn = conn
            self._local.last_used = time.monotonic()
        elif conn.sock is not None:
            conn.sock.settimeout(timeout)
        conn.timeout = timeout
        return conn

    def _discard(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        self._local.conn = None


def _usable(conn: http.client.HTTPConnection) -> bool:
    """False when the server has closed (or written to) an idle pooled connection."""
    if conn.sock is None:
        return True  # not connected yet: request() will connect
    readable, _, _ = select.select([conn.sock], [], [], 0)
    return not readable


class KeepAliveClient(python_http_client.Client):
    """``python_http_client.Client`` whose every derived client shares one ConnectionPool."""

    def __init__(self, host: str, *args: Any, pool: ConnectionPool | None = None, **kwargs: Any) -> None:
        # Set before anything else: Client.__getattr__ turns unknown attributes into URL segments.
        self.__dict__["_pool"] = pool or ConnectionPool(host)
        super().__init__(host, *args, **kwargs)

    def _build_client(self, name: str | None = None) -> KeepAliveClient:
        url_path = self._url_path + [name] if name else self._url_path
        return KeepAliveClient(host=self.host, version=self._version, request_headers=self.request_headers,
                               url_path=url_path, append_slash=self.append_slash, timeout=self.timeout,
                               pool=self._pool)

    def _make_request(self, opener: Any, request: urllib.request.Request, timeout: float | None = None) -> _Response:
        return self._pool.open(request, timeout or self.timeout)
