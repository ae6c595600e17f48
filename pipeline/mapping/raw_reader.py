"""Read the records a table mapping points at, as they are: tabular chunks of text, or JSON records.

Tabular sources (CSV, Parquet, a database table or query) reuse the native readers, so row numbers,
malformed records and NUL handling are the same as without a mapping. JSON documents (one per file, the
records at a path, sideloaded lookups beside them) and JSON lines are read record by record.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

import pandas as pd
import pyarrow as pa
from sqlalchemy import Engine, Executable, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from pipeline.contract import TableSpec
from pipeline.csv_source import read_csv
from pipeline.mapping.model import MappingError, SourceRef, TableMapping
from pipeline.mapping.paths import MISSING, extract
from pipeline.source_chunks import MalformedRecord, SourceError, dedupe_names, text_frame
from pipeline.sources import _read_parquet, _text_value, is_database_url, table_files

log = logging.getLogger(__name__)

# A query source is given the interval as :start and :end; an open end becomes one of these.
EARLIEST = datetime(1970, 1, 1)
LATEST = datetime(9999, 12, 31)


@dataclass
class RawChunk:
    """Up to ``chunk_rows`` source records: a text frame (tabular) or JSON records with row numbers."""

    origin: str
    frame: pd.DataFrame | None = None
    records: list[object] | None = None
    row_numbers: list[int] = field(default_factory=list)
    lookups: dict[str, dict[str, object]] = field(default_factory=dict)
    malformed: list[MalformedRecord] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.frame) if self.frame is not None else len(self.records or [])


def read_raw(
    source: str, mapping: TableMapping, chunk_rows: int, start: datetime | None = None, end: datetime | None = None
) -> Iterator[RawChunk]:
    """Yield the raw chunks of one mapped table.

    Raises:
        MappingError: the mapping points at something that cannot exist here (a query on a folder).
        SourceError: a file or database cannot be read.
    """
    ref = _with_interval(mapping.source, start)
    base = _base(source, ref)
    if ref.query:
        yield from _read_query(base, ref, chunk_rows, start, end)
    elif ref.table and is_database_url(base):
        yield from _read_query(base, ref, chunk_rows, start, end)
    else:
        for path in _files(base, ref, mapping.table):
            yield from _read_file(path, ref, mapping.table, chunk_rows)


def _with_interval(ref: SourceRef, start: datetime | None) -> SourceRef:
    """``{interval}`` in from.source or from.files becomes the interval's landing folder name (as a
    pulling source writes it, e.g. ``20260105T0000``), so each run reads only its own interval's pages."""
    from dataclasses import replace

    from pipeline.pull.zendesk import interval_folder

    def fill(value: str | None) -> str | None:
        if value and "{interval}" in value and start is None:
            # Without an interval it read a folder named after 1970 and said that folder does not exist.
            raise MappingError(None, f"this mapping reads one interval's landing folder ({value}), so it runs only "
                                     "for an interval: forewarn ingest SOURCE --mapping ... --start 2026-01-05 --end 2026-01-06")
        return value.replace("{interval}", interval_folder(start)) if value else value

    return replace(ref, source=fill(ref.source), files=fill(ref.files))


def _base(source: str, ref: SourceRef) -> str:
    """The folder or URL of a table: ``from.source`` (``${VAR}`` expanded, a relative folder taken from
    SOURCE) or SOURCE itself."""
    if not ref.source:
        return source
    expanded = os.path.expandvars(ref.source)
    if "${" in expanded:
        raise MappingError(ref.where, f"from.source {ref.source!r} names an environment variable that is not set")
    if is_database_url(expanded) or Path(expanded).is_absolute() or is_database_url(source):
        return expanded
    return str(Path(source) / expanded)


def _files(base: str, ref: SourceRef, table: str) -> list[Path]:
    if is_database_url(base):
        raise MappingError(ref.where, f"{table}.from.files reads a folder, but the source is a database URL; use table or query")
    folder = Path(base)
    if not folder.is_dir():
        raise SourceError(f"source folder {folder} does not exist: pass the folder that holds the exported files")
    if ref.table:
        return table_files(folder, ref.table)
    found = sorted(path for path in folder.glob(ref.files or "") if path.is_file())
    if not found:
        log.warning("no files match %s in %s", ref.files, folder)
    return found


def _format(path: Path, ref: SourceRef) -> str:
    if ref.format:
        return ref.format
    suffixes = [suffix for suffix in path.suffixes if suffix != ".gz"]
    suffix = suffixes[-1].lstrip(".") if suffixes else ""
    if suffix in {"jsonl", "ndjson"}:
        return "jsonl"
    if suffix in {"csv", "parquet", "json"}:
        return suffix
    raise MappingError(ref.where, f"cannot tell the format of {path} from its name; set from.format (csv, parquet, json, jsonl)")


def _read_file(path: Path, ref: SourceRef, table: str, chunk_rows: int) -> Iterator[RawChunk]:
    kind = _format(path, ref)
    any_header = TableSpec(table, key="", time_column=None, columns=())
    if kind == "csv":
        for chunk in read_csv(path, any_header, chunk_rows):
            yield RawChunk(chunk.source, frame=chunk.frame, malformed=chunk.malformed)
    elif kind == "parquet":
        for chunk in _read_parquet(path, any_header, chunk_rows):
            yield RawChunk(chunk.source, frame=chunk.frame)
    elif kind == "json":
        yield from _read_json_document(path, ref, chunk_rows)
    else:
        yield from _read_json_lines(path, chunk_rows)


def _open_text(path: Path) -> IO[str]:
    return gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else path.open(encoding="utf-8-sig")


def _read_json_document(path: Path, ref: SourceRef, chunk_rows: int) -> Iterator[RawChunk]:
    try:
        with _open_text(path) as handle:
            document = json.load(handle)
    except json.JSONDecodeError as exc:
        raise SourceError(f"{path}: not valid JSON at line {exc.lineno} column {exc.colno} ({exc.msg})") from exc
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise SourceError(f"{path}: cannot read the file ({exc})") from exc
    if ref.records is None:
        # One record per file (a Sentry event downloaded as JSON) or a list of them.
        records = document if isinstance(document, list) else [document]
    else:
        records = extract(document, ref.records)
    if records is MISSING or not isinstance(records, list):
        found = ", ".join(sorted(document)) if isinstance(document, dict) else type(document).__name__
        raise MappingError(
            ref.where, f"{path}: from.records {ref.records!r} is not a list of records in this document (top level: {found})"
        )
    lookups = {lookup.name: _index(document, lookup.records, lookup.key) for lookup in ref.lookups}
    for first in range(0, len(records), chunk_rows):
        part = records[first:first + chunk_rows]
        yield RawChunk(str(path), records=part, row_numbers=list(range(first + 1, first + len(part) + 1)), lookups=lookups)


def _index(document: object, records_path: str, key: str) -> dict[str, object]:
    listed = extract(document, records_path)
    if not isinstance(listed, list):
        return {}
    index: dict[str, object] = {}
    for record in listed:
        value = extract(record, key)
        if value is not MISSING and value is not None:
            index[str(value)] = record
    return index


def _read_json_lines(path: Path, chunk_rows: int) -> Iterator[RawChunk]:
    records: list[object] = []
    numbers: list[int] = []
    malformed: list[MalformedRecord] = []
    try:
        with _open_text(path) as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    records.append(json.loads(line))
                    numbers.append(number)
                except json.JSONDecodeError as exc:
                    malformed.append(MalformedRecord(number, line.rstrip("\n"), f"not valid JSON: {exc.msg} at column {exc.colno}"))
                if len(records) >= chunk_rows:
                    yield RawChunk(str(path), records=records, row_numbers=numbers, malformed=malformed)
                    records, numbers, malformed = [], [], []
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise SourceError(f"{path}: cannot read the file ({exc})") from exc
    if records or malformed:
        yield RawChunk(str(path), records=records, row_numbers=numbers, malformed=malformed)


def _query_of(
    engine: Engine, ref: SourceRef, where: str, start: datetime | None, end: datetime | None
) -> tuple[Executable, dict[str, object]]:
    """The statement that reads ``ref`` (its query, or every column of its table) and its parameters."""
    from sqlalchemy import column, inspect, select, table

    if ref.query:
        query = text(ref.query)
        params = {"start": start or EARLIEST, "end": end or LATEST}
        return query, {name: value for name, value in params.items() if name in query._bindparams}
    # A table name of the mapping is quoted by SQLAlchemy, never pasted into SQL text.
    inspector = inspect(engine)
    names = [col["name"] for col in inspector.get_columns(ref.table)] if inspector.has_table(ref.table) else []
    if not names:
        raise MappingError(ref.where, f"no table {ref.table!r} in {where.split(' ')[0]}; check from.table")
    return select(*[column(name) for name in names]).select_from(table(ref.table)), {}


def _read_query(base: str, ref: SourceRef, chunk_rows: int, start: datetime | None, end: datetime | None) -> Iterator[RawChunk]:
    if not is_database_url(base):
        raise MappingError(ref.where, "from.query needs a database source (a SQLAlchemy URL), not a folder")
    try:
        engine = create_engine(make_url(base))
    except (ArgumentError, NoSuchModuleError, ModuleNotFoundError) as exc:
        raise SourceError(f"cannot use the source URL: {exc}") from exc
    where = f"{make_url(base).render_as_string(hide_password=True)} {ref.describe()}"
    try:
        query, params = _query_of(engine, ref, where, start, end)
        first = 1
        with engine.connect() as connection:
            result = connection.execution_options(stream_results=True).execute(query, params)
            header = dedupe_names([str(name) for name in result.keys()])
            for rows in result.partitions(chunk_rows):
                columns = list(zip(*rows, strict=True)) if rows else [()] * len(header)
                arrays = [pa.array([_text_value(v) for v in values], type=pa.string()) for values in columns]
                yield RawChunk(where, frame=text_frame(pa.table(arrays, names=header), first))
                first += len(rows)
    except SQLAlchemyError as exc:
        # Reaching the database is part of reading it: an unknown host is one line, never a traceback.
        raise SourceError(
            f"cannot read {where}: {getattr(exc, 'orig', None) or exc}; check the URL and that the database is reachable"
        ) from exc
    finally:
        engine.dispose()
