"""Airflow's metadata database on the embedded default waits for a busy writer instead of failing.

With the scheduler, dag-processor, api-server and tasks all writing one SQLite file, a REST call once hit
"database is locked" after the driver's 5 s default busy timeout and answered 500 (CI, stop 36).
``airflow.cfg`` sets the timeout in the SQLite URL, which PostgreSQL's URL in production replaces.
"""

from __future__ import annotations

import sqlite3
import threading
import time

from sqlalchemy import text

HOLD_S = 7  # longer than sqlite3's default busy timeout (5 s)


def _hold_the_write_lock(path: str, locked: threading.Event) -> None:
    holder = sqlite3.connect(path)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO forewarn_lock_probe VALUES (1)")
    locked.set()
    time.sleep(HOLD_S)
    holder.commit()
    holder.close()


def test_a_write_waits_out_a_lock_held_longer_than_sqlites_default(airflow_db) -> None:  # noqa: ANN001
    from airflow import settings

    settings.configure_orm()
    assert settings.engine.dialect.name == "sqlite"
    with settings.engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS forewarn_lock_probe (x INTEGER)"))
    locked = threading.Event()
    thread = threading.Thread(target=_hold_the_write_lock, args=(settings.engine.url.database, locked))
    thread.start()
    assert locked.wait(10)
    started = time.monotonic()
    with settings.engine.begin() as connection:
        connection.execute(text("INSERT INTO forewarn_lock_probe VALUES (2)"))
    waited = time.monotonic() - started
    thread.join()
    assert waited > 5, "the write did not wait for the lock at all: is the probe holding it?"
    with settings.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM forewarn_lock_probe")).scalar_one() >= 2


def test_the_async_engine_the_api_server_uses_waits_as_long(airflow_db) -> None:  # noqa: ANN001
    from airflow import settings

    settings.configure_orm()
    # Airflow derives the async URL from the sync one; the timeout must survive the derivation.
    args = settings.async_engine.dialect.create_connect_args(settings.async_engine.url)[1]
    assert args.get("timeout") == 60
