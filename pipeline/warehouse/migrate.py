"""Bring the warehouse schema to the newest Alembic revision."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


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
        before = current_revision(engine)
        head = head_revision()
        if before != head:
            log.info("migrating warehouse from %s to %s", before, head)
            command.upgrade(_config(engine), "head")
    except OperationalError as exc:
        url = engine.url.render_as_string(hide_password=True)
        raise WarehouseUnavailable(
            f"cannot reach the warehouse at {url}: {' '.join(str(exc.orig).split())}. Check FOREWARN_DATABASE_URL and that the server runs."
        ) from exc
    return head
