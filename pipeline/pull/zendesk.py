"""Zendesk's Incremental Ticket Export (cursor-based) into a landing folder, one data interval at a time.

Each page is written whole (a temporary file renamed into place) before its cursor is recorded in the
warehouse (``source_cursors``). After a crash the pull resumes from the last recorded cursor: the page in
flight is fetched again and overwrites its own file, so nothing lands twice and nothing is skipped.
Tickets updated at or after the interval's end are left for the next interval. A 429 answer is waited
out for its ``Retry-After`` seconds; a 5xx or a dropped connection is retried with backoff.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine

from sql import statement

log = logging.getLogger(__name__)

STREAM = "zendesk_tickets"
EXPORT_PATH = "/api/v2/incremental/tickets/cursor.json"
EPOCH = datetime(1970, 1, 1)


class HttpResponse(Protocol):
    status_code: int
    headers: Mapping[str, str]

    def json(self) -> Any: ...


class HttpSession(Protocol):
    """What is needed of ``requests.Session`` (the Zendesk provider hook's session is one)."""

    def get(self, url: str, params: dict[str, Any] | None = None, timeout: float | None = None) -> HttpResponse: ...


class ZendeskPullError(RuntimeError):
    """The export cannot go on: a non-retryable answer, or retries exhausted; says what to check."""


@dataclass(frozen=True)
class ZendeskPullSettings:
    """Where and how to pull; ``base_url`` is ``https://<subdomain>.zendesk.com``."""

    base_url: str
    per_page: int = 1000
    max_attempts: int = 6
    max_wait_seconds: float = 600.0
    timeout_seconds: float = 60.0
    default_retry_after_seconds: float = 60.0
    settle_seconds: float = 65.0


@dataclass
class PullReport:
    """What one pull did: pages and tickets landed now, whether it resumed, time waited on rate limits."""

    folder: Path
    pages: int = 0
    tickets: int = 0
    resumed: bool = False
    already_complete: bool = False
    waited_seconds: float = 0.0


def interval_folder(start: datetime | None) -> str:
    """The landing sub-folder of a data interval, e.g. ``20260105T0000``."""
    return (start or EPOCH).strftime("%Y%m%dT%H%M")


def pull_tickets(
    session: HttpSession,
    engine: Engine,
    landing: Path,
    start: datetime | None,
    end: datetime | None,
    settings: ZendeskPullSettings,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC).replace(tzinfo=None),
) -> PullReport:
    """Land the tickets updated in [start, end) as export pages under ``landing/<interval>/``.

    Raises:
        ZendeskPullError: Zendesk refused (401/403/404...) or kept failing; the recorded cursor stays,
            so the next attempt resumes.
    """
    interval_start = start or EPOCH
    report = PullReport(landing / interval_folder(start))
    cursor, pages, complete = _load_cursor(engine, interval_start)
    if complete:
        report.already_complete = True
        return report
    report.resumed = pages > 0
    report.folder.mkdir(parents=True, exist_ok=True)
    _settle(end, settings, sleep, clock, report)
    while True:
        params: dict[str, Any] = {"include": "users", "per_page": settings.per_page}
        if cursor:
            params["cursor"] = cursor
        else:
            params["start_time"] = int(interval_start.replace(tzinfo=UTC).timestamp())
        document = _get(session, settings.base_url.rstrip("/") + EXPORT_PATH, params, settings, sleep, report)
        tickets = document.get("tickets") or []
        kept = [ticket for ticket in tickets if end is None or _updated_at(ticket) < end]
        pages += 1
        _write_page(report.folder / f"tickets-{pages:04d}.json", {**document, "tickets": kept})
        cursor = document.get("after_cursor")
        complete = bool(document.get("end_of_stream")) or len(kept) < len(tickets) or not cursor
        _save_cursor(engine, interval_start, cursor, pages, complete)
        report.pages += 1
        report.tickets += len(kept)
        log.info("zendesk: page %s of interval %s landed, %s tickets", pages, interval_folder(start), len(kept))
        if complete:
            return report


def _settle(
    end: datetime | None, settings: ZendeskPullSettings, sleep: Callable[[float], None],
    clock: Callable[[], datetime], report: PullReport,
) -> None:
    """Zendesk leaves out items changed in the minute before a request: a pull that starts right after
    its interval's end waits until that minute has passed, or the interval's last tickets would be lost
    (the next interval's export starts at this end)."""
    if end is None:
        return
    wait = (end - clock()).total_seconds() + settings.settle_seconds
    if wait > 0:
        sleep(wait)
        report.waited_seconds += wait


def _get(
    session: HttpSession, url: str, params: dict[str, Any], settings: ZendeskPullSettings,
    sleep: Callable[[float], None], report: PullReport,
) -> dict[str, Any]:
    last = ""
    for attempt in range(1, settings.max_attempts + 1):
        try:
            response = session.get(url, params=params, timeout=settings.timeout_seconds)
        except OSError as exc:  # requests' connection errors are OSErrors
            last = f"connection failed ({type(exc).__name__})"
            wait = min(2.0 ** attempt, settings.max_wait_seconds)
        else:
            if 200 <= response.status_code < 300:
                return response.json()
            if response.status_code == 429:
                wait = min(_retry_after(response, settings), settings.max_wait_seconds)
                last = f"429 rate limited (Retry-After {wait:g} s)"
            elif response.status_code >= 500:
                wait = min(2.0 ** attempt, settings.max_wait_seconds)
                last = f"{response.status_code} server error"
            else:
                raise ZendeskPullError(
                    f"Zendesk answered {response.status_code} to the incremental ticket export at {url}; "
                    "check the Connection forewarn_zendesk (host, login, API token) and the account's API access"
                )
        if attempt < settings.max_attempts:
            log.warning("zendesk: %s; attempt %s of %s, waiting %.0f s", last, attempt, settings.max_attempts, wait)
            sleep(wait)
            report.waited_seconds += wait
    raise ZendeskPullError(
        f"Zendesk incremental ticket export failed {settings.max_attempts} times ({last}); the pull resumes from "
        "its last landed page on the next run"
    )


def _retry_after(response: HttpResponse, settings: ZendeskPullSettings) -> float:
    value = (response.headers or {}).get("Retry-After", "")
    try:
        return max(float(value), 0.0)
    except ValueError:
        return settings.default_retry_after_seconds


def _updated_at(ticket: dict[str, Any]) -> datetime:
    text = str(ticket.get("updated_at") or ticket.get("created_at") or "1970-01-01T00:00:00Z")
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None)


def _write_page(path: Path, document: dict[str, Any]) -> None:
    temporary = path.with_suffix(".json.part")
    temporary.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)  # a page is there whole or not at all


def _load_cursor(engine: Engine, interval_start: datetime) -> tuple[str | None, int, bool]:
    with engine.connect() as connection:
        row = connection.execute(statement("select_source_cursor"), {"stream": STREAM, "interval_start": interval_start}).first()
    return (None, 0, False) if row is None else (row.cursor, int(row.pages), bool(row.end_of_stream))


def _save_cursor(engine: Engine, interval_start: datetime, cursor: str | None, pages: int, complete: bool) -> None:
    with engine.begin() as connection:
        connection.execute(
            statement("upsert_source_cursor"),
            {
                "stream": STREAM, "interval_start": interval_start, "cursor": cursor, "pages": pages,
                "end_of_stream": complete, "updated_at": datetime.now(UTC).replace(tzinfo=None),
            },
        )
