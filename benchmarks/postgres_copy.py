"""Copy a benchmark's SQLite warehouse into a fresh PostgreSQL database, so one setup serves both backends.

The benchmarks build their warehouses with ``sqlite3`` directly (tens of millions of rows in minutes);
building the same rows again through PostgreSQL would take longer than the measurement. ``COPY`` moves
them over in about a minute per 10 million events.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from pipeline.warehouse import make_engine, migrate

_BATCH = 100_000


def fresh_database(server_url: str, name: str) -> str:
    """Drop and create database ``name`` on the server of ``server_url``; returns its SQLAlchemy URL."""
    url = make_url(server_url)
    with psycopg.connect(_libpq(url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def copy_warehouse(sqlite_path: Path, postgres_url: str) -> dict[str, int]:
    """Migrate the PostgreSQL warehouse, then copy every non-empty SQLite table into it; rows per table."""
    engine = make_engine(postgres_url)
    migrate(engine)
    tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
    serials = {t: [c["name"] for c in inspect(engine).get_columns(t) if c.get("autoincrement") is True] for t in tables}
    engine.dispose()
    source = sqlite3.connect(sqlite_path)
    copied = {}
    with psycopg.connect(_libpq(make_url(postgres_url))) as target:
        for table in tables:
            columns = [row[1] for row in source.execute(f'PRAGMA table_info("{table}")')]
            cursor = source.execute(f'SELECT {", ".join(columns)} FROM "{table}"')
            count = 0
            with target.cursor().copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                while batch := cursor.fetchmany(_BATCH):
                    for row in batch:
                        copy.write_row(row)
                    count += len(batch)
            if count:
                copied[table] = count
            for column in serials[table]:  # explicit ids were copied: move the sequence past them
                target.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), "
                               f'COALESCE((SELECT MAX({column}) FROM "{table}"), 0) + 1, false)')
        target.execute("ANALYZE")
        target.commit()
    source.close()
    return copied



def _libpq(url) -> str:  # noqa: ANN001 - sqlalchemy URL
    """The libpq form of a SQLAlchemy URL: psycopg does not read ``postgresql+psycopg://``."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)
