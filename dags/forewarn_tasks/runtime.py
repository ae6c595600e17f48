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


def data_interval(context: Any) -> tuple[datetime, datetime]:
    """The interval this run loads, naive UTC.

    A manual run given a logical date (``airflow dags trigger -l 2026-02-21T00:00:00+00:00``) loads the
    interval of the configured cadence that starts at that date, the way scheduled and backfill runs
    read their logical date: Airflow 3 otherwise gives a manual run the interval before the moment it
    was triggered, so a past interval would load, and detect, "now".
    """
    run, logical = context.get("dag_run"), context.get("logical_date")
    start, end = context["data_interval_start"], context["data_interval_end"]
    if run is not None and getattr(run.run_type, "value", run.run_type) == "manual" and logical is not None:
        from airflow.serialization.encoders import coerce_to_core_timetable
        from airflow.timetables.base import TimeRestriction

        timetable = coerce_to_core_timetable(context["dag"].timetable)
        before = timetable.infer_manual_data_interval(run_after=logical)  # the interval ending at or before it
        following = timetable.next_dagrun_info(
            last_automated_data_interval=before, restriction=TimeRestriction(earliest=None, latest=None, catchup=True)
        )
        start, end = following.data_interval.start, following.data_interval.end
    return naive_utc(start), naive_utc(end)


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

    from pipeline.mapping.model import MappingError
    from pipeline.sources import SourceError
    from pipeline.validation import GateFailure

    try:
        yield
    except (GateFailure, SourceError, MappingError) as exc:
        raise AirflowFailException(str(exc)) from exc


def as_of_from_context(context: Any) -> datetime:
    """The as-of of this run, naive UTC: the latest of :func:`as_ofs_from_context`."""
    return as_ofs_from_context(context)[-1]


def as_ofs_from_context(context: Any) -> list[datetime]:
    """Every as-of this run must work through, oldest first, naive UTC.

    ``conf["as_of"]`` when given (the demo, a manual rerun); else the as-ofs carried by the asset events
    that triggered the run: the scheduler folds every event that arrived while the previous run was busy
    into one run, so a backfill of N intervals may reach detect as fewer runs carrying N as-ofs, and
    working through each keeps the warehouse the same as N runs. Else the end of the run's data interval
    (for a manual run given a logical date, the interval starting there: :func:`data_interval`), else the
    run's own time.
    """
    conf = (context.get("dag_run").conf if context.get("dag_run") else None) or {}
    if conf.get("as_of"):
        return [_parse_as_of(conf["as_of"], "the run's conf as_of")]
    carried = {
        _parse_as_of(value, "an asset event's extra as_of")
        for event in _triggering_events(context)
        for value in _event_as_ofs(getattr(event, "extra", None) or {})
    }
    if carried:
        return sorted(carried)
    if context.get("data_interval_start") is not None and context.get("data_interval_end") is not None:
        # A manual report or measure run triggered with -l works as of that date's interval, as ingest does;
        # it worked as of the moment it was triggered.
        return [data_interval(context)[1]]
    for key in ("data_interval_end", "logical_date"):
        if context.get(key) is not None:
            return [naive_utc(context[key])]
    return [naive_utc(context["dag_run"].run_after)]


def _triggering_events(context: Any) -> list[Any]:
    events = context.get("triggering_asset_events") or {}
    return [event for asset_events in events.values() for event in asset_events]


def _event_as_ofs(extra: dict[str, Any]) -> list[Any]:
    # ``as_ofs`` lists every as-of a detect run worked through; ``as_of`` is the latest (or only) one.
    return [*(extra.get("as_ofs") or []), *([extra["as_of"]] if extra.get("as_of") else [])]


def _parse_as_of(value: Any, where: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"{where} is {value!r}: expected an ISO 8601 timestamp such as 2026-02-21T00:00:00") from exc
    return naive_utc(parsed) if parsed.tzinfo else parsed


def sender_from_airflow(home: Any) -> tuple[Any, str, str]:
    """The email sender named by Variable ``forewarn_sender`` (outbox, sendgrid, smtp) and its secret.

    SendGrid's key comes from the Connection ``forewarn_sendgrid`` (password; optional host) or the
    ``SENDGRID_API_KEY`` environment variable; SMTP from the Connection ``forewarn_smtp``.
    """
    from airflow.exceptions import AirflowNotFoundException
    from airflow.sdk import Connection

    from outreach.senders import make_sender
    from outreach.unsubscribe import load_unsubscribe_secret

    kind = (variable("forewarn_sender", "outbox") or "outbox").strip().lower()
    config: dict[str, Any] = {}
    if kind == "outbox":
        config["directory"] = home / "outbox"
    elif kind == "sendgrid":
        try:
            connection = Connection.get("forewarn_sendgrid")
            config["api_key"] = connection.password or ""
            if connection.host:
                config["host"] = connection.host
        except AirflowNotFoundException:
            config["api_key"] = os.environ.get("SENDGRID_API_KEY", "")
    elif kind == "smtp":
        connection = Connection.get("forewarn_smtp")
        config.update(
            host=connection.host,
            port=connection.port or 25,
            username=connection.login or None,
            password=connection.password or None,
            starttls=bool((connection.extra_dejson or {}).get("starttls", True)),
        )
    sender = make_sender(kind, **config)
    secret = load_unsubscribe_secret(allow_dev_secret=kind == "outbox", home=home)
    return sender, secret, kind


def outreach_settings() -> Any:
    """OutreachSettings, overridden by the JSON Variable ``forewarn_outreach_settings`` when set."""
    import dataclasses
    import json

    from outreach.model import OutreachSettings

    raw = variable("forewarn_outreach_settings")
    settings = OutreachSettings(**json.loads(raw)) if raw else OutreachSettings()
    profile = variable("forewarn_product_profile")  # a YAML file; the library falls back to FOREWARN_PRODUCT_PROFILE
    return dataclasses.replace(settings, product_profile=profile) if profile else settings


def apply_kill_switch() -> None:
    """Honour the Airflow Variable ``forewarn_kill_switch`` the same way as ``FOREWARN_KILL_SWITCH``."""
    if (variable("forewarn_kill_switch", "") or "").strip().lower() in {"1", "true", "yes", "on"}:
        os.environ["FOREWARN_KILL_SWITCH"] = "1"
