"""Helpers the commands share: the warehouse engine, time options, progress bars, error translation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import click
from sqlalchemy import Engine

from pipeline.cli.errors import UserError


def parse_timestamp(value: str | None, option: str) -> datetime | None:
    """Parse an ISO 8601 option value to naive UTC (no offset means UTC)."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise UserError(f"{option} {value!r} is not an ISO 8601 timestamp (e.g. 2026-01-31 or 2026-01-31T12:00Z)") from exc
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the library's narrow, actionable errors into one-line CLI errors."""
    from pipeline.late_arrivals import LateWindowError
    from pipeline.mapping.model import MappingError
    from pipeline.sources import SourceError
    from pipeline.validation import GateFailure
    from pipeline.warehouse.engine import WarehouseConfigError
    from pipeline.warehouse.migrate import WarehouseUnavailable

    try:
        yield
    except GateFailure as exc:
        raise UserError(f"validation gate failed: {exc}") from exc
    except (SourceError, MappingError, WarehouseConfigError, WarehouseUnavailable, LateWindowError) as exc:
        raise UserError(str(exc)) from exc


def warehouse_engine() -> Engine:
    """The migrated warehouse engine (``FOREWARN_DATABASE_URL`` or the embedded SQLite file)."""
    from pipeline.warehouse import make_engine, migrate

    with user_errors():
        engine = make_engine()
        migrate(engine)
    return engine


def echo_table(rows: list[tuple[object, ...]], header: tuple[str, ...]) -> None:
    """Print a small aligned table."""
    widths = [max(len(str(v)) for v in column) for column in zip(header, *rows, strict=True)]
    for row in [header, *rows]:
        click.echo("  ".join(str(v).rjust(w) if isinstance(v, int) else str(v).ljust(w) for v, w in zip(row, widths, strict=True)))
