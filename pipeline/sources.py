"""Read a source (a folder of CSV/Parquet files, or a SQL database) table by table, in chunks of text.

Every value is read as text so that validation, not the reader, decides what is wrong with a row; the
reader only numbers rows (1-based data rows, header excluded, blank lines skipped, per file) and sets
aside records it cannot split into the header's fields. A table may be split over several files:
``<table>.csv``, ``<table>-<part>.csv`` or ``<table>/<anything>.csv`` (and the same with ``.parquet``).

CSV files are read by ``pipeline.csv_source``; Parquet files and database tables here. What a reader
yields (``Chunk``) and raises (``SourceError``) is in ``pipeline.source_chunks``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import column, create_engine, inspect, select, table
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError

from pipeline.contract import TableSpec
from pipeline.csv_source import read_csv
from pipeline.source_chunks import (
    ROW_NUMBER,
    Chunk,
    MalformedRecord,
    SourceError,
    check_header,
    dedupe_names,
    text_frame,
)

__all__ = ["ROW_NUMBER", "Chunk", "MalformedRecord", "SourceError", "read_csv", "read_table", "table_files"]

log = logging.getLogger(__name__)

SUFFIXES = (".csv", ".parquet")


def is_database_url(source: str) -> bool:
    """True when ``source`` looks like a SQLAlchemy URL rather than a folder."""
    return "://" in source


def table_files(folder: Path, table_name: str) -> list[Path]:
    """The files of one table in a source folder, in a stable order."""
    candidates: list[Path] = []
    for suffix in SUFFIXES:
        candidates += [folder / f"{table_name}{suffix}"]
        candidates += sorted(folder.glob(f"{table_name}-*{suffix}"))
        candidates += sorted((folder / table_name).glob(f"*{suffix}")) if (folder / table_name).is_dir() else []
    return [path for path in candidates if path.is_file()]


def _expected(table_name: str) -> str:
    return f"{table_name}.csv, {table_name}-*.csv, {table_name}.parquet or {table_name}/*.csv|parquet"


def _check_near_misses(folder: Path, table_name: str) -> None:
    """Raise when the folder holds a file meant for the table under a name that is not read.

    A typo or another spelling ("event.csv", "Events.CSV", "events.csv.gz") loaded nothing and said so
    only in a log line, so a whole table went missing from the warehouse with exit code 0.
    """
    stem = table_name.rstrip("s")
    near = sorted(
        p.name for p in folder.iterdir()
        if p.is_file() and p.name.lower().startswith(stem) and p not in table_files(folder, table_name)
        and not p.name.startswith(".")
    )
    if near:
        raise SourceError(
            f"{folder}: {', '.join(near[:3])} looks meant for table {table_name} but is not read: name it "
            f"{_expected(table_name)} (lower case, uncompressed)"
        )


def read_table(source: str, spec: TableSpec, chunk_rows: int = 100_000) -> Iterator[Chunk]:
    """Yield the chunks of table ``spec`` from a folder or database ``source``.

    Raises:
        SourceError: the folder or database is missing or unreadable, or a file lacks a required column.
    """
    if is_database_url(source):
        yield from _read_database(source, spec, chunk_rows)
        return
    folder = Path(source)
    if folder.is_file():
        raise SourceError(f"{folder} is a file: pass the folder that holds it (a source is a folder of CSV/Parquet "
                          "files named after their tables, or a database URL)")
    if not folder.is_dir():
        raise SourceError(f"source folder {folder} does not exist: pass a folder of CSV/Parquet files or a database URL")
    # By absolute path: rows are filed in quarantine, and recorded, by the file they came from, and a load
    # that named the folder another way ("world", "/tmp/world") filed the same bad rows a second time.
    files = [path.resolve() for path in table_files(folder, spec.name)]
    if not files:
        _check_near_misses(folder, spec.name)
        log.warning("no files for table %s in %s (read are %s): nothing loaded for it", spec.name, folder, _expected(spec.name))
    for path in files:
        if path.suffix == ".parquet":
            yield from _read_parquet(path, spec, chunk_rows)
        else:
            yield from read_csv(path, spec, chunk_rows)


def _as_text(values: pa.ChunkedArray | pa.Array) -> pa.Array | pa.ChunkedArray:
    """One column as text, missing values as empty strings, timestamps in ISO 8601."""
    kind = values.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pc.fill_null(values.cast(pa.string()), "")
    try:
        if pa.types.is_timestamp(kind):
            # ISO 8601 with "T"; an aware time is written in UTC with "Z" (a naive one is UTC by contract).
            if kind.tz is None:
                return pc.fill_null(pc.strftime(values, format="%Y-%m-%dT%H:%M:%S"), "")
            utc = values.cast(pa.timestamp(kind.unit, "UTC"))
            return pc.fill_null(pc.strftime(utc, format="%Y-%m-%dT%H:%M:%SZ"), "")
        return pc.fill_null(values.cast(pa.string()), "")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa.array([_text_value(v) for v in values.to_pylist()], type=pa.string())


def _text_value(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _read_parquet(path: Path, spec: TableSpec, chunk_rows: int) -> Iterator[Chunk]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as exc:
        raise SourceError(f"{path}: cannot read the Parquet file ({exc}); check that it is not truncated") from exc
    names = [str(name).strip() for name in parquet.schema_arrow.names]
    check_header(names, spec, str(path))
    first = 1
    try:
        for batch in parquet.iter_batches(batch_size=chunk_rows, use_threads=False):
            text = pa.table([_as_text(values) for values in batch.columns], names=dedupe_names(names))
            yield Chunk(str(path), text_frame(text, first))
            first += batch.num_rows
    except (OSError, pa.ArrowException) as exc:
        raise SourceError(f"{path}: cannot read the Parquet file after row {first - 1} ({exc})") from exc


def _read_database(url: str, spec: TableSpec, chunk_rows: int) -> Iterator[Chunk]:
    try:
        engine = create_engine(make_url(url))
    except (ArgumentError, NoSuchModuleError, ModuleNotFoundError) as exc:
        raise SourceError(f"cannot use the source URL {_hide_password(url)!r}: {exc}") from exc
    where = f"{_hide_password(url)} table {spec.name}"
    try:
        names = inspect(engine).get_table_names()
        if spec.name not in names:
            log.warning("no table %s in %s", spec.name, where)
            return
        header = [col["name"] for col in inspect(engine).get_columns(spec.name)]
        check_header(header, spec, where)
        query = select(*[column(name) for name in header]).select_from(table(spec.name)).order_by(column(spec.key))
        first = 1
        with engine.connect() as connection:
            result = connection.execution_options(stream_results=True).execute(query)
            for rows in result.partitions(chunk_rows):
                columns = zip(*rows, strict=True) if rows else [()] * len(header)
                text = pa.table(
                    [pa.array([_text_value(v) for v in values], type=pa.string()) for values in columns],
                    names=dedupe_names(header),
                )
                yield Chunk(where, text_frame(text, first))
                first += len(rows)
    except OperationalError as exc:
        raise SourceError(f"cannot read {where}: {exc.orig}; check the URL and that the database is reachable") from exc
    except SQLAlchemyError as exc:
        raise SourceError(f"cannot read {where}: {exc}") from exc
    finally:
        engine.dispose()


def _hide_password(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"
