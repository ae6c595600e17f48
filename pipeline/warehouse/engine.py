"""Create the warehouse engine from ``FOREWARN_DATABASE_URL`` (SQLite file by default)."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError


class WarehouseConfigError(ValueError):
    """The warehouse URL cannot be used; the message says which value and what to do."""


def forewarn_home() -> Path:
    """Directory for Forewarn's local state (SQLite warehouse, outbox, reports, Airflow home).

    ``FOREWARN_HOME`` wins; otherwise ``./var`` under the current directory.
    """
    return Path(os.environ.get("FOREWARN_HOME") or Path.cwd() / "var").resolve()


def database_url() -> str:
    """The warehouse URL: ``FOREWARN_DATABASE_URL``, or a SQLite file under :func:`forewarn_home`."""
    url = os.environ.get("FOREWARN_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{forewarn_home() / 'warehouse.db'}"


def _convert_datetime(value: bytes) -> datetime:
    return datetime.fromisoformat(value.decode())


# Columns declared DATETIME come back as datetime objects from plain text() queries on SQLite too,
# as they do on PostgreSQL, so library code reads timestamps the same way on both.
sqlite3.register_converter("DATETIME", _convert_datetime)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # WAL lets Airflow's parallel task processes read while one writes; the busy timeout makes a
    # writer wait for the lock instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=60000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    """Create an Engine for ``url`` (default :func:`database_url`), creating a SQLite file's folder.

    Raises:
        WarehouseConfigError: the URL is malformed or names a driver that is not installed.
    """
    url = url or database_url()
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise WarehouseConfigError(
            f"cannot parse the warehouse URL {_redact(url)!r}: expected e.g. "
            "sqlite:///path/to/warehouse.db or postgresql+psycopg://user@host:5432/db"
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        try:
            engine = create_engine(
                parsed, connect_args={"timeout": 60, "detect_types": sqlite3.PARSE_DECLTYPES}
            )
        except NoSuchModuleError as exc:
            raise WarehouseConfigError(f"unknown database driver in {_redact(url)!r}") from exc
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.drivername == "postgresql":
        # psycopg 3 is the installed driver; plain postgresql:// would ask for psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise WarehouseConfigError(
            f"unknown or missing database driver in {_redact(url)!r}: use sqlite:/// or postgresql+psycopg://"
        ) from exc


def _redact(url: str) -> str:
    """The URL with any password hidden, for error messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"
