"""Airflow's metadata database on the embedded default waits for a busy writer instead of failing.

With the scheduler, dag-processor, api-server and tasks all writing one SQLite file, a REST call once hit
"database is locked" after the driver's 5 s default busy timeout and answered 500 (CI, stop 36).
"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import text

HOLD_S = 7  # longer than sqlite3's default busy timeout (5 s)


def test_a_write_waits_out_a_lock_held_longer_than_sqlites_default(airflow_db) -> None:
    from airflow import settings

    settings.configure_orm()
    assert settings.SQL_ALCHEMY_CONN.startswith("sqlite")
    with settings.engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS forewarn_lock_probe (x INTEGER)"))
    path = settings.engine.url.database
    locked = threading.Event()

    def hold_the_write_lock() -> None:
        holder = sqlite3.connect(path)
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("INSERT INTO forewarn_lock_probe VALUES (1)")
        locked.set()
        time.sleep(HOLD_S)
        holder.commit()
        holder.close()

    thread = threading.Thread(target=hold_the_write_lock)
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


@pytest.mark.parametrize("url, expected", [
    ("sqlite:////tmp/airflow.db", {"timeout": 60}),
    ("postgresql+psycopg://airflow@db/airflow", {}),
])
def test_the_connect_arguments_follow_the_configured_database(url, expected, monkeypatch) -> None:
    from forewarn_tasks import metadata_db

    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", url)
    monkeypatch.delenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC", raising=False)
    assert metadata_db._connect_args("sql_alchemy_conn") == expected
    assert metadata_db._connect_args("sql_alchemy_conn_async") == expected
