"""Connection settings for Airflow's own metadata database: a longer busy timeout when it is SQLite.

``airflow.cfg`` names ``CONNECT_ARGS`` in ``[database] sql_alchemy_connect_args`` (and ``..._async``).
SQLite lets one writer in at a time and makes the others wait up to the driver's busy timeout, 5 s by
default; with the scheduler, the dag-processor, the api-server and the task processes all writing, a
scheduler loop that holds the lock a little longer turns a click in the UI (or a REST call) into
"database is locked" and a 500. Waiting longer costs nothing on a quiet machine.

The production settings keep this file and point ``AIRFLOW__DATABASE__SQL_ALCHEMY_CONN`` at PostgreSQL,
whose drivers reject a ``timeout`` argument, so the arguments follow the configured URL. Airflow imports
this while it configures its ORM, after its configuration is loaded, so reading it here is safe.
"""

from __future__ import annotations

from airflow.configuration import conf

SQLITE_BUSY_TIMEOUT_S = 60


def _connect_args(key: str) -> dict[str, object]:
    url = conf.get("database", key, fallback="") or conf.get("database", "sql_alchemy_conn", fallback="")
    return {"timeout": SQLITE_BUSY_TIMEOUT_S} if url.startswith("sqlite") else {}


CONNECT_ARGS = _connect_args("sql_alchemy_conn")
ASYNC_CONNECT_ARGS = _connect_args("sql_alchemy_conn_async")
