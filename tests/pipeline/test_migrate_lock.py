"""Tasks that open an empty warehouse at once: one upgrades the schema, the others wait and find it done.

A fresh warehouse under the real scheduler had its report task fail on "table customers already exists"
while another task was creating the tables.
"""

from __future__ import annotations

import fcntl
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from pipeline.warehouse import make_engine, migrate
from pipeline.warehouse.migrate import _PG_LOCK_KEY, current_revision, head_revision


def _migrate_in_thread(engine: Engine) -> tuple[threading.Thread, list[object]]:
    outcome: list[object] = []
    thread = threading.Thread(target=lambda: outcome.append(migrate(engine)), daemon=True)
    thread.start()
    return thread, outcome


def test_a_sqlite_upgrade_waits_for_the_one_under_way(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'warehouse.db'}")
    with open(tmp_path / "warehouse.db.migrate.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another task is upgrading
        thread, outcome = _migrate_in_thread(engine)
        thread.join(timeout=1.0)
        assert thread.is_alive() and current_revision(engine) is None
        fcntl.flock(held, fcntl.LOCK_UN)
    thread.join(timeout=60)
    assert outcome == [head_revision()] and current_revision(engine) == head_revision()


def test_upgrades_started_together_all_end_at_the_newest_revision(tmp_path: Path) -> None:
    engines = [make_engine(f"sqlite:///{tmp_path / 'warehouse.db'}") for _ in range(4)]
    started = [_migrate_in_thread(engine) for engine in engines]
    for thread, _ in started:
        thread.join(timeout=120)
    assert [outcome for _, outcome in started] == [[head_revision()]] * 4


@pytest.fixture
def empty_postgres_schema() -> Iterator[tuple[Engine, Engine]]:
    url = os.environ.get("FOREWARN_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("PostgreSQL tests need FOREWARN_TEST_POSTGRES_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    schema = f"fw_lock_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))  # name is generated above, not user input
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine, admin
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_a_postgres_upgrade_waits_for_the_one_under_way(empty_postgres_schema: tuple[Engine, Engine]) -> None:
    engine, admin = empty_postgres_schema
    with admin.connect() as holder:
        holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _PG_LOCK_KEY})  # another task is upgrading
        thread, outcome = _migrate_in_thread(engine)
        thread.join(timeout=1.0)
        assert thread.is_alive() and current_revision(engine) is None
        holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_LOCK_KEY})
    thread.join(timeout=60)
    assert outcome == [head_revision()] and current_revision(engine) == head_revision()
