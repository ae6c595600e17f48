"""Fixtures for the report tests: the realistic world of ``report_world.py`` in a fresh warehouse."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from report_world import populate
from sqlalchemy import Engine


@pytest.fixture
def report_world(warehouse: Engine) -> Iterator[Engine]:
    """The realistic world on SQLite and (when configured) PostgreSQL."""
    populate(warehouse)
    yield warehouse


@pytest.fixture
def sqlite_world(sqlite_warehouse: Engine) -> Iterator[Engine]:
    """The realistic world on SQLite only, for tests about rendering rather than SQL."""
    populate(sqlite_warehouse)
    yield sqlite_warehouse
