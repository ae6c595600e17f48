"""Tasks that open an empty warehouse at once: one upgrades the schema, the others wait and find it done.

A fresh warehouse under the real scheduler had its report task fail on "table customers already exists"
while another task was creating the tables.
"""

from __future__ import annotations

import fcntl
import threading
from pathlib import Path

from sqlalchemy import Engine, text

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
