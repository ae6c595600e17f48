"""Read a source (a folder of CSV/Parquet files, or a SQL database) table by table, in chunks of text.

Every value is read as text so that validation, not the reader, decides what is wrong with a row; the
reader only numbers rows (1-based data rows, header excluded, blank lines skipped, per file) and sets
aside records it cannot split into the header's fields. A table may be split over several files:
``<table>.csv``, ``<table>-<part>.csv`` or ``<table>/<anything>.csv`` (and the same with ``.parquet``).

CSV files are parsed by pyarrow (C++, an order of magnitude faster than the csv module). pyarrow stops
at the first record it cannot take (wrong field count, invalid UTF-8, a field larger than its block);
the csv module then reads the rest of that file, record by record, from the first record not yet
delivered, so odd files still load with exactly the csv module's semantics (the two agree on record
boundaries and values: tests check it on generated garbage).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import mmap
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import column, create_engine, inspect, select, table
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError

from pipeline.coercion import PARSED_SUFFIX
from pipeline.contract import TableSpec

log = logging.getLogger(__name__)

ROW_NUMBER = "_row_number"
SUFFIXES = (".csv", ".parquet")
ARROW_BLOCK_BYTES = 8 * 1024 * 1024  # a record larger than this falls back to the csv module
HEADER_READ_BYTES = 64 * 1024
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
        if path.suffix == ".parquet":
            yield from _read_parquet(path, spec, chunk_rows)
        else:
            yield from read_csv(path, spec, chunk_rows)


def read_csv(path: Path, spec: TableSpec, chunk_rows: int = 100_000, *, fast: bool = True) -> Iterator[Chunk]:
    """Yield the chunks of one CSV file; ``fast=False`` uses only the csv module (the reference reader).

    Raises:
        SourceError: the file is unreadable, not UTF-8, or lacks a required column.
    """
    header, header_lines = _csv_header(path)
    _check_header(header, spec, str(path))
    delivered = 0
    if fast and header_lines == 1:
        arrow_chunks = _ArrowChunks(path, header, chunk_rows)
        for chunk in arrow_chunks:
            delivered += len(chunk.frame)
            yield chunk
        if not arrow_chunks.stopped_early:
            return
        log.info("%s: pyarrow stopped after %s rows; the csv module reads the rest", path, delivered)
    yield from _read_csv_python(path, header, chunk_rows, skip_records=delivered)


def _csv_header(path: Path) -> tuple[list[str], int]:
    """The header's names (stripped) and how many physical lines it spans.

    Read from the first bytes only, so that bad bytes further down are reported with their own line.
    """
    try:
        with path.open("rb") as handle:
            head = b""
            while True:
                more = handle.readline(HEADER_READ_BYTES)
                head += more
                reader = csv.reader(io.StringIO(head.decode("utf-8-sig"), newline=""), strict=True)
                try:
                    header = next(reader, [])
                except csv.Error:
                    if more:
                        continue  # a quoted line break inside the header: read on
                    raise
                return [name.strip() for name in header], reader.line_num
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: the header is not valid UTF-8 ({exc.reason}); re-export the file as UTF-8") from exc
    except (OSError, csv.Error) as exc:
        raise SourceError(f"{path}: cannot read the header ({exc}); check that it is a CSV file") from exc


def _first_bad_utf8(path: Path) -> tuple[int, int]:
    """The 1-based line and 0-based byte offset of the first byte that is not valid UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, line = 0, 1
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                bad = max(exc.start, 0)
                return line + block.count(b"\n", 0, bad), offset + bad
            offset += len(block)
            line += block.count(b"\n")
    return line, offset


@dataclass
class _ArrowChunks:
    """Iterate a CSV file's chunks with pyarrow; ``stopped_early`` tells whether pyarrow gave up."""

    path: Path
    header: list[str]
    chunk_rows: int
    stopped_early: bool = False

    def __iter__(self) -> Iterator[Chunk]:
        import pyarrow.csv as pacsv

        names = _dedupe(self.header)
        nul = _has_nul(self.path)
        first = 1
        pending: list[pa.RecordBatch] = []
        pending_rows = 0
        try:
            reader = pacsv.open_csv(
                self.path,
                read_options=pacsv.ReadOptions(skip_rows=1, column_names=names, use_threads=False,
                                               block_size=ARROW_BLOCK_BYTES),
                parse_options=pacsv.ParseOptions(newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False),
            )
            for batch in reader:
                pending.append(batch)
                pending_rows += batch.num_rows
                while pending_rows >= self.chunk_rows:
                    whole = pa.Table.from_batches(pending)
                    yield Chunk(str(self.path), _text_frame(whole.slice(0, self.chunk_rows), first, nul))
                    first += self.chunk_rows
                    rest = whole.slice(self.chunk_rows)
                    pending, pending_rows = rest.to_batches(), rest.num_rows
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            # Rows after the last chunk yielded are re-read by the csv module, which files or explains them.
            # (pyarrow's message quotes the row, which may hold personal data: it is not logged.)
            self.stopped_early = True
            return
        except OSError as exc:
            raise SourceError(f"{self.path}: cannot read the file ({exc})") from exc
        if pending_rows:
            yield Chunk(str(self.path), _text_frame(pa.Table.from_batches(pending, schema=pending[0].schema), first, nul))


def _read_csv_python(path: Path, header: list[str], chunk_rows: int, skip_records: int = 0) -> Iterator[Chunk]:
    """The csv-module reader: records from number ``skip_records + 1`` on, malformed ones set aside."""
    width = len(header)
    records: list[list[str]] = []
    numbers: list[int] = []
    malformed: list[MalformedRecord] = []
    row_number = 0
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = csv.reader(handle)
            next(rows, None)  # the header
            for record in rows:
                if not record:
                    continue  # a blank line is not a record
                row_number += 1
                if row_number <= skip_records:
                    continue
                if len(record) == width:
                    records.append(record)
                    numbers.append(row_number)
                else:
                    malformed.append(
                        MalformedRecord(row_number, _raw_record(header, record), f"{len(record)} fields, header has {width}")
                    )
                if len(records) >= chunk_rows:
                    yield Chunk(str(path), _records_frame(header, records, numbers), malformed)
                    records, numbers, malformed = [], [], []
    except UnicodeDecodeError as exc:
        line, offset = _first_bad_utf8(path)
        raise SourceError(
            f"{path}: not valid UTF-8 at line {line} (byte {offset}: {exc.reason}); re-export the file as UTF-8"
        ) from exc
    except csv.Error as exc:
        raise SourceError(f"{path}: CSV syntax error after data row {row_number}: {exc}") from exc
    except OSError as exc:
        raise SourceError(f"{path}: cannot read the file ({exc})") from exc
    if records or malformed:
        yield Chunk(str(path), _records_frame(header, records, numbers), malformed)


def _check_header(header: list[str], spec: TableSpec, where: str) -> None:
    missing = [name for name in spec.required_columns if name not in header]
    if missing:
        raise SourceError(
            f"{where}: required column(s) {', '.join(missing)} missing for table {spec.name} "
            f"(found: {', '.join(header) or 'no header'}); rename or add the column(s) and rerun"
        )


def _raw_record(header: list[str], record: list[str]) -> str:
    return json.dumps({"header": header, "fields": [v.replace("\0", "\ufffd") for v in record]}, ensure_ascii=False)


def _records_frame(header: list[str], records: list[list[str]], numbers: list[int]) -> pd.DataFrame:
    columns = list(zip(*records, strict=True)) if records else [()] * len(header)
    text = pa.table([pa.array(values, type=pa.string()) for values in columns], names=_dedupe(header))
    frame = _text_frame(text, 1)
    frame[ROW_NUMBER] = np.asarray(numbers, dtype=np.int64)
    return frame


def _has_nul(path: Path) -> bool:
    """Whether the file holds a NUL byte anywhere (a memchr over a memory map; most files do not)."""
    with path.open("rb") as handle:
        if path.stat().st_size == 0:
            return False
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return data.find(b"\0") >= 0


def _text_frame(text: pa.Table, first_row: int, nul: bool = True) -> pd.DataFrame:
    """A frame of text columns (pandas' Arrow-backed ``str``) numbered from ``first_row``.

    NUL characters become U+FFFD: PostgreSQL text cannot hold them, and the row should still reach
    validation and the warehouse the same way on both databases. ``nul=False`` says none can be there.
    """
    columns = []
    for values in text.columns:
        if nul and pc.any(pc.match_substring(values, "\0")).as_py():
            values = pc.replace_substring(values, "\0", "\ufffd")
        columns.append(values)
    # One contiguous array per column: pandas' take/filter on a multi-chunk Arrow column concatenates
    # the chunks on every call.
    frame = pa.table(columns, names=text.column_names).combine_chunks().to_pandas()
    frame[ROW_NUMBER] = np.arange(first_row, first_row + len(frame), dtype=np.int64)
    return frame


def _dedupe(header: list[str]) -> list[str]:
    """Unique column names: a repeated name keeps its first occurrence plain, later ones get ``.1``, ``.2``.

    Names the pipeline uses for its own columns (the row number, ``<column>__parsed``) count as taken.
    """
    used = {ROW_NUMBER, *(name for name in header if not _reserved(name))}
    result: list[str] = []
    for name in header:
        if name not in result and not _reserved(name):
            result.append(name)
            continue
        number = 1
        while f"{name}.{number}" in used or _reserved(f"{name}.{number}"):
            number += 1
        used.add(f"{name}.{number}")
        result.append(f"{name}.{number}")
    return result


def _reserved(name: str) -> bool:
    return name == ROW_NUMBER or name.endswith(PARSED_SUFFIX)


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
    _check_header(names, spec, str(path))
    first = 1
    try:
        for batch in parquet.iter_batches(batch_size=chunk_rows, use_threads=False):
            text = pa.table([_as_text(values) for values in batch.columns], names=_dedupe(names))
            yield Chunk(str(path), _text_frame(text, first))
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
        _check_header(header, spec, where)
        query = select(*[column(name) for name in header]).select_from(table(spec.name)).order_by(column(spec.key))
        first = 1
        with engine.connect() as connection:
            result = connection.execution_options(stream_results=True).execute(query)
            for rows in result.partitions(chunk_rows):
                columns = zip(*rows, strict=True) if rows else [()] * len(header)
                text = pa.table(
                    [pa.array([_text_value(v) for v in values], type=pa.string()) for values in columns],
                    names=_dedupe(header),
                )
                yield Chunk(where, _text_frame(text, first))
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
