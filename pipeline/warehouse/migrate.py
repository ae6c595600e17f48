"""Bring the warehouse schema to the newest Alembic revision."""

from __future__ import annotations

import contextlib
import fcntl
import logging
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# PostgreSQL advisory lock key of the schema upgrade (any fixed 64-bit number; "FWMIGRAT" in ASCII).
_PG_LOCK_KEY = 0x46574D4947524154


class WarehouseUnavailable(RuntimeError):
    """The warehouse cannot be reached; the message names the URL (password hidden)."""


def _config(engine: Engine | None = None) -> Config:
    """Alembic's config for our migrations; ``env.py`` runs them on ``engine`` when given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    """The newest schema revision this code knows."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the warehouse is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine) -> str:
    """Upgrade the warehouse to the newest revision; a no-op when it is already there.

    Returns:
        The revision the warehouse is at afterwards.

    Raises:
        WarehouseUnavailable: the database cannot be reached.
    """
    try:
        head = head_revision()
        if current_revision(engine) != head:
            # Several DAG tasks may open an empty warehouse at once: one upgrades, the others wait and
            # then find it done (without the lock a fresh warehouse's report task failed on "table
            # customers already exists" while another task created it).
            with _upgrade_lock(engine):
                before = current_revision(engine)
                if before != head:
                    log.info("migrating warehouse from %s to %s", before, head)
                    command.upgrade(_config(engine), "head")
    except OperationalError as exc:
        url = engine.url.render_as_string(hide_password=True)
        raise WarehouseUnavailable(
            f"cannot reach the warehouse at {url}: {' '.join(str(exc.orig).split())}. Check FOREWARN_DATABASE_URL and that the server runs."
        ) from exc
    return head


@contextlib.contextmanager
def _upgrade_lock(engine: Engine) -> Iterator[None]:
    """Hold the warehouse's schema-upgrade lock: a PostgreSQL advisory lock, or a lock file beside a
    SQLite file (``<file>.migrate.lock``); other databases and in-memory SQLite go unlocked."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _PG_LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_LOCK_KEY})
        return
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    with open(f"{database}.migrate.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
