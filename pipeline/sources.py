"""Read a source (a folder of CSV/Parquet files, or a SQL database) table by table, in chunks of text.

Every value is read as text so that validation, not the reader, decides what is wrong with a row; the
reader only numbers rows (1-based data rows, header excluded, per file) and sets aside records it cannot
split into the header's fields. A table may be split over several files: ``<table>.csv``,
``<table>-<part>.csv`` or ``<table>/<anything>.csv`` (and the same with ``.parquet``).
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import column, create_engine, inspect, select, table
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError

from pipeline.contract import TableSpec

log = logging.getLogger(__name__)

ROW_NUMBER = "_row_number"
SUFFIXES = (".csv", ".parquet")
csv.field_size_limit(64 * 1024 * 1024)


class SourceError(ValueError):
    """The source cannot be read; the message names the file or URL and what to do."""


@dataclass(frozen=True)
class MalformedRecord:
    """A record the reader could not split into the header's fields."""

    row_number: int
    raw: str
    detail: str


@dataclass
class Chunk:
    """Up to ``chunk_rows`` rows of one file, every value as text, plus the records that did not parse."""

    source: str
    frame: pd.DataFrame
    malformed: list[MalformedRecord] = field(default_factory=list)


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


def read_table(source: str, spec: TableSpec, chunk_rows: int = 100_000) -> Iterator[Chunk]:
    """Yield the chunks of table ``spec`` from a folder or database ``source``.

    Raises:
        SourceError: the folder or database is missing or unreadable, or a file lacks a required column.
    """
    if is_database_url(source):
        yield from _read_database(source, spec, chunk_rows)
        return
    folder = Path(source)
    if not folder.is_dir():
        raise SourceError(f"source folder {folder} does not exist: pass a folder of CSV/Parquet files or a database URL")
    files = table_files(folder, spec.name)
    if not files:
        log.warning("no files for table %s in %s", spec.name, folder)
    for path in files:
        reader = _read_parquet if path.suffix == ".parquet" else _read_csv
        yield from reader(path, spec, chunk_rows)


def _check_header(header: list[str], spec: TableSpec, where: str) -> None:
    missing = [name for name in spec.required_columns if name not in header]
    if missing:
        raise SourceError(
            f"{where}: required column(s) {', '.join(missing)} missing for table {spec.name} "
            f"(found: {', '.join(header) or 'no header'}); rename or add the column(s) and rerun"
        )


def _without_nul(handle: io.TextIOBase) -> Iterator[str]:
    # The csv module stops at a NUL byte; replace it so the row reaches validation instead.
    for line in handle:
        yield line.replace("\0", "\ufffd")


def _read_csv(path: Path, spec: TableSpec, chunk_rows: int) -> Iterator[Chunk]:
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
        rows = csv.reader(_without_nul(handle))
        header = [name.strip() for name in next(rows, [])]
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path}: cannot read the file ({exc}); check that it is UTF-8 CSV") from exc
    with handle:
        _check_header(header, spec, str(path))
        width = len(header)
        records: list[list[str]] = []
        numbers: list[int] = []
        malformed: list[MalformedRecord] = []
        row_number = 0
        try:
            for record in rows:
                if not record:
                    continue  # a blank line is not a record
                row_number += 1
                if len(record) == width:
                    records.append(record)
                    numbers.append(row_number)
                else:
                    malformed.append(
                        MalformedRecord(row_number, _raw_record(header, record), f"{len(record)} fields, header has {width}")
                    )
                if len(records) >= chunk_rows:
                    yield Chunk(str(path), _frame(header, records, numbers), malformed)
                    records, numbers, malformed = [], [], []
        except UnicodeDecodeError as exc:
            raise SourceError(
                f"{path}: not valid UTF-8 after data row {row_number} ({exc.reason}); re-export the file as UTF-8"
            ) from exc
        except csv.Error as exc:
            raise SourceError(f"{path}: CSV syntax error after data row {row_number}: {exc}") from exc
        if records or malformed:
            yield Chunk(str(path), _frame(header, records, numbers), malformed)


def _raw_record(header: list[str], record: list[str]) -> str:
    return json.dumps({"header": header, "fields": record}, ensure_ascii=False)


def _frame(header: list[str], records: list[list[str]], numbers: list[int]) -> pd.DataFrame:
    unique_header = _dedupe(header)
    frame = pd.DataFrame(records, columns=unique_header, dtype=object) if records else pd.DataFrame(
        columns=unique_header, dtype=object
    )
    frame[ROW_NUMBER] = numbers
    return frame


def _dedupe(header: list[str]) -> list[str]:
    # A repeated column name keeps its first occurrence under the plain name.
    seen: dict[str, int] = {}
    result = []
    for name in header:
        seen[name] = seen.get(name, 0) + 1
        result.append(name if seen[name] == 1 else f"{name}.{seen[name] - 1}")
    return result


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as text, missing values as empty strings, timestamps in ISO 8601."""
    out = {}
    for name in frame.columns:
        values = frame[name]
        if pd.api.types.is_datetime64_any_dtype(values):
            text = values.map(lambda v: "" if pd.isna(v) else v.isoformat())
        else:
            text = values.map(lambda v: "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v))
        out[str(name)] = text.astype(object)
    return pd.DataFrame(out, index=frame.index)


def _read_parquet(path: Path, spec: TableSpec, chunk_rows: int) -> Iterator[Chunk]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as exc:
        raise SourceError(f"{path}: cannot read the Parquet file ({exc}); check that it is not truncated") from exc
    _check_header(parquet.schema_arrow.names, spec, str(path))
    first = 1
    for batch in parquet.iter_batches(batch_size=chunk_rows):
        frame = _as_text(batch.to_pandas())
        frame[ROW_NUMBER] = range(first, first + len(frame))
        first += len(frame)
        yield Chunk(str(path), frame)


def _read_database(url: str, spec: TableSpec, chunk_rows: int) -> Iterator[Chunk]:
    try:
        engine = create_engine(make_url(url))
    except (ArgumentError, NoSuchModuleError) as exc:
        raise SourceError(f"cannot use the source URL {url!r}: {exc}") from exc
    where = f"{make_url(url).render_as_string(hide_password=True)} table {spec.name}"
    try:
        names = inspect(engine).get_table_names()
        if spec.name not in names:
            log.warning("no table %s in %s", spec.name, where)
            return
        header = [col["name"] for col in inspect(engine).get_columns(spec.name)]
        _check_header(header, spec, where)
        query = select(*[column(name) for name in header]).select_from(table(spec.name)).order_by(column(spec.key))
        first = 1
        with engine.connect() as connection:
            result = connection.execution_options(stream_results=True).execute(query)
            for rows in result.partitions(chunk_rows):
                frame = _as_text(pd.DataFrame(rows, columns=header))
                frame[ROW_NUMBER] = range(first, first + len(frame))
                first += len(frame)
                yield Chunk(where, frame)
    except OperationalError as exc:
        raise SourceError(f"cannot read {where}: {exc.orig}; check the URL and that the database is reachable") from exc
    except SQLAlchemyError as exc:
        raise SourceError(f"cannot read {where}: {exc}") from exc
    finally:
        engine.dispose()
