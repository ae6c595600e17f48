"""Run the report's SQL statements and turn loosely typed columns into Python values."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Connection, DateTime, RowMapping, bindparam

from sql import expanding_texts, statement

log = logging.getLogger(__name__)


def fetch(connection: Connection, name: str, **params: Any) -> list[RowMapping]:
    """Run ``sql/<name>.sql`` with named parameters and return its rows as mappings.

    Datetime parameters are bound as SQL timestamps (so SQLite compares them in the same text form
    SQLAlchemy stores); list parameters expand into ``IN (...)``.
    """
    clause = statement(name, connection.dialect.name)
    binds = []
    for key, value in params.items():
        if isinstance(value, datetime):
            binds.append(bindparam(key, type_=DateTime()))
        elif isinstance(value, list | tuple):
            binds.append(expanding_texts(key))
    if binds:
        clause = clause.bindparams(*binds)
    return list(connection.execute(clause, params).mappings())


def naive_utc(value: datetime) -> datetime:
    """The warehouse keeps naive UTC; convert an aware datetime, keep a naive one as is."""
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def to_datetime(value: object) -> datetime | None:
    """A timestamp from a column: SQLite hands back text without types, PostgreSQL datetimes."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return naive_utc(value)
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, str):
        try:
            return naive_utc(datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
        except ValueError:
            log.warning("ignoring unreadable timestamp %r in the warehouse", value[:40])
            return None
    return None


def to_day(value: object) -> date | None:
    """A calendar day from a date, a timestamp or their ISO text."""
    stamp = to_datetime(value)
    return stamp.date() if stamp else None


def to_int(value: object) -> int:
    """A count column; NULL (e.g. SUM over no rows) is zero."""
    return int(value) if value is not None else 0


def to_float(value: object) -> float | None:
    """A measure column; NULL stays None (unknown is not zero)."""
    return float(value) if value is not None else None


def parse_json(value: object, *, column: str) -> Any:
    """A JSON text column as Python, or None when it is empty or unreadable (logged, never fatal)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        log.warning("ignoring unreadable JSON in column %s", column)
        return None


def text_list(value: object, *, column: str) -> tuple[str, ...]:
    """A JSON list of strings (e.g. key terms) as a tuple; anything else gives an empty tuple."""
    parsed = parse_json(value, column=column)
    if not isinstance(parsed, Sequence) or isinstance(parsed, str):
        return ()
    return tuple(str(item) for item in parsed if item is not None and not isinstance(item, dict | list))
