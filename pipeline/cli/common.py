"""Helpers the commands share: the warehouse engine, time options, progress bars, error translation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from sqlalchemy import Engine

from pipeline.cli.errors import UserError

if TYPE_CHECKING:
    import pandas as pd


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


def read_text_csv(
    path: Path, columns: tuple[str, ...], *, row: str, purpose: str, skip_initial_space: bool = False
) -> pd.DataFrame:
    """A user's CSV as text cells (so an error can quote a cell as written), with its header checked.

    Args:
        path: the file the user named.
        columns: the columns the header must name.
        row: what one row is, for the messages ("observation", "ticket").
        purpose: what the command does with the rows ("score", "cluster").
        skip_initial_space: drop spaces after each comma (hand-typed ``timestamp, value`` files).

    Raises:
        UserError: one line saying what is wrong with the file and what it should hold.
    """
    import pandas as pd

    wanted = ",".join(columns)
    if not path.exists():
        raise UserError(f"{path}: no such file; give a CSV with columns {wanted}")
    if path.is_dir():
        raise UserError(f"{path} is a folder; give a CSV file with columns {wanted}")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=skip_initial_space)
    except pd.errors.EmptyDataError as exc:
        raise UserError(f"{path} is empty; expected a header line {wanted} and one row per {row}") from exc
    except pd.errors.ParserError as exc:
        raise UserError(f"{path} is not a well-formed CSV ({str(exc).strip()})") from exc
    except UnicodeDecodeError as exc:
        raise UserError(f"{path} is not UTF-8 text (byte {exc.start}); save it as a UTF-8 CSV") from exc
    except OSError as exc:
        raise UserError(f"{path} cannot be read: {exc.strerror}") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise UserError(
            f"{path} has no column {' or '.join(missing)} (found: {', '.join(frame.columns)}); "
            f"the header must name {' and '.join(columns)}"
        )
    if frame.empty:
        raise UserError(f"{path} has a header but no rows; nothing to {purpose}")
    return frame


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
