"""Runtime helpers for task bodies: read the warehouse connection and the interval from Airflow.

Imported inside tasks only (never at parse time): it touches Connections and Variables.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import URL

WAREHOUSE_CONN_ID = "forewarn_warehouse"


def warehouse_url() -> str:
    """The warehouse URL from the ``forewarn_warehouse`` Connection, else ``FOREWARN_DATABASE_URL``/default.

    The Connection may carry a full SQLAlchemy URL in its extra (``{"sqlalchemy_url": ...}``, the easy
    way for SQLite), or be an ordinary postgres connection (host, login, password, schema).
    """
    from airflow.exceptions import AirflowNotFoundException
    from airflow.sdk import Connection

    from pipeline.warehouse import database_url

    try:
        connection = Connection.get(WAREHOUSE_CONN_ID)
    except AirflowNotFoundException:
        return database_url()
    extra = connection.extra_dejson or {}
    if extra.get("sqlalchemy_url"):
        return str(extra["sqlalchemy_url"])
    if connection.conn_type in {"postgres", "postgresql"}:
        return URL.create(
            "postgresql+psycopg",
            username=connection.login or None,
            password=connection.password or None,
            host=connection.host or None,
            port=connection.port or None,
            database=connection.schema or None,
        ).render_as_string(hide_password=False)
    return connection.get_uri()


def warehouse_engine() -> Engine:
    """A migrated warehouse engine for the current task."""
    from pipeline.warehouse import make_engine, migrate

    engine = make_engine(warehouse_url())
    migrate(engine)
    return engine


def naive_utc(value: Any) -> datetime:
    """An Airflow (pendulum, aware) datetime as the naive UTC datetime the library takes."""
    return value.astimezone(UTC).replace(tzinfo=None)


def variable(key: str, default: str | None = None) -> str | None:
    """An Airflow Variable (``AIRFLOW_VAR_<KEY>`` works too), else the ``FOREWARN_<KEY>`` env var."""
    from airflow.sdk import Variable

    value = Variable.get(key, default=None)
    if value is None:
        value = os.environ.get(key.upper(), default)
    return value


@contextmanager
def no_retry_on_bad_data() -> Iterator[None]:
    """Bad data or a failed gate will fail again on retry: fail the task at once, with the reason."""
    from airflow.sdk.exceptions import AirflowFailException

    from pipeline.sources import SourceError
    from pipeline.validation import GateFailure

    try:
        yield
    except (GateFailure, SourceError) as exc:
        raise AirflowFailException(str(exc)) from exc
