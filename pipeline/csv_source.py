"""Read one CSV file in chunks of text, with the csv module's semantics at pyarrow's speed.

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
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from pipeline.contract import TableSpec
from pipeline.source_chunks import (
    ROW_NUMBER,
    Chunk,
    MalformedRecord,
    SourceError,
    check_header,
    dedupe_names,
    text_frame,
)

log = logging.getLogger(__name__)

ARROW_BLOCK_BYTES = 8 * 1024 * 1024  # a record larger than this falls back to the csv module
HEADER_READ_BYTES = 64 * 1024
csv.field_size_limit(64 * 1024 * 1024)
_TIME_NAME = re.compile(r"(created|time|date)|(_| )at$", re.IGNORECASE)
_ISO_DATE = re.compile(r"[+-]?\d{4}-\d{2}-\d{2}")


def read_csv(path: Path, spec: TableSpec, chunk_rows: int = 100_000, *, fast: bool = True) -> Iterator[Chunk]:
    """Yield the chunks of one CSV file; ``fast=False`` uses only the csv module (the reference reader).

    Raises:
        SourceError: the file is unreadable, not UTF-8, or lacks a required column.
    """
    header, header_lines = _csv_header(path)
    if not header:
        raise SourceError(
            f"{path}: the file is empty (not even a header line); export the table again, or move the file away "
            "if the table has no rows"
        )
    check_header(header, spec, str(path))
    delivered = 0
    if fast and header_lines == 1:
        arrow_chunks = _ArrowChunks(path, header, chunk_rows)
        for chunk in arrow_chunks:
            delivered += len(chunk.frame)
            yield _set_aside_joined(_without_empty_records(chunk, header), header, spec)
        if not arrow_chunks.stopped_early:
            return
        log.info("%s: pyarrow stopped after %s rows; the csv module reads the rest", path, delivered)
    for chunk in _read_csv_python(path, header, chunk_rows, skip_records=delivered):
        yield _set_aside_joined(_without_empty_records(chunk, header), header, spec)


def _without_empty_records(chunk: Chunk, header: list[str]) -> Chunk:
    """Drop records whose every field is empty (",,,,", the rows a spreadsheet saves below its data).

    They hold nothing to load or to quarantine, as a blank line does not; counted as bad rows they
    took a share of the gate's 20% and showed as "missing_id" in the report.
    """
    names = dedupe_names(header)
    if chunk.frame.empty:
        return chunk
    empty = np.logical_and.reduce(
        [(chunk.frame[name].str.strip() == "").to_numpy(dtype=bool, na_value=True) for name in names]
    )
    if not empty.any():
        return chunk
    return replace(chunk, frame=chunk.frame[~empty])


def _set_aside_joined(chunk: Chunk, header: list[str], spec: TableSpec) -> Chunk:
    """Move records that swallowed later records into a quoted field to the malformed ones.

    A quote left open (``"sync is stuck`` with no closing quote) makes every line up to the next quote
    character part of one field, as CSV defines it: the records on those lines vanish without a
    wrong field count to show it. A line inside a field that reads as a whole record of this table
    (the header's field count, and a time where the table's time column is, or an email address for
    customers) is that sign; the record goes to quarantine with its raw text, so it can be fixed.
    """
    names = dedupe_names(header)
    multiline = {
        column: chunk.frame[column].str.contains("\n", regex=False).to_numpy(dtype=bool, na_value=False)
        for column in names
    }
    suspects = any("\\n" in record.raw for record in chunk.malformed)
    if not suspects and not any(rows.any() for rows in multiline.values()):
        return chunk
    marker = _record_marker(header, spec, chunk.frame[names])
    if marker is None:
        return chunk
    width = len(header)
    joined: dict[int, str] = {}
    for column, rows in multiline.items():
        for label, value in chunk.frame[column][rows].items():
            if label not in joined and (note := _swallowed(column, value, width, marker)):
                joined[label] = note
    # A quote left open to the end of the file also shows as a wrong field count: say why.
    malformed = [
        replace(record, detail=f"{record.detail}; {note}", open_quote=True)
        if (note := _swallowed_in_raw(record.raw, width, marker)) else record
        for record in chunk.malformed
    ]
    if joined:
        bad = chunk.frame.loc[list(joined)]
        malformed += [
            MalformedRecord(int(row[ROW_NUMBER]), _raw_record(header, [row[name] for name in names]), note, open_quote=True)
            for (_, row), note in zip(bad.iterrows(), joined.values(), strict=True)
        ]
    return Chunk(chunk.source, chunk.frame.drop(index=list(joined)), malformed)


def _swallowed(column: str, value: str, width: int, marker: tuple[int, str]) -> str:
    """What to say about a field whose later lines read as records; empty when none does."""
    lines = value.splitlines()[1:]
    records = sum(1 for line in lines if _reads_as_record(line, width, marker))
    if not records:
        return ""
    return (
        f"its '{column}' field runs over {len(lines) + 1} lines, and {records} of them read as records of their own: "
        "a quote there is probably not closed; close it (or double the quote inside the text) and load the file again"
    )


def _swallowed_in_raw(raw: str, width: int, marker: tuple[int, str]) -> str:
    record = json.loads(raw)
    for column, value in zip(record["header"], record["fields"], strict=False):
        if note := _swallowed(column, value, width, marker):
            return note
    return ""


def _record_marker(header: list[str], spec: TableSpec, frame: pd.DataFrame) -> tuple[int, str] | None:
    """Which field of a record says "this line is a record": the time column, else an email column.

    A file read for a source mapping has its own names: there the marker is a column whose values
    nearly all start with an ISO date, read from the chunk itself, or else a column named like a time
    (a help desk's "Created at").
    """
    if spec.time_column in header:
        return header.index(spec.time_column), "time"
    if "email" in header:
        return header.index("email"), "email"
    for position, column in enumerate(frame.columns):
        dated = frame[column].str.match(_ISO_DATE).to_numpy(dtype=bool, na_value=False)
        if dated.size and dated.mean() >= 0.9:
            return position, "time"
    # No row to read it from (every record of the file is broken): a column named like a time.
    for position, name in enumerate(header):
        if _TIME_NAME.search(name):
            return position, "time"
    return None


def _reads_as_record(line: str, width: int, marker: tuple[int, str]) -> bool:
    if line.count(",") < width - 1:
        return False  # the cheap test first: most lines of a message are not records
    fields = next(csv.reader([line]), [])
    if len(fields) != width:
        return False
    position, kind = marker
    value = fields[position].strip()
    return bool(_ISO_DATE.match(value)) if kind == "time" else "@" in value


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

        names = dedupe_names(self.header)
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
                    yield Chunk(str(self.path), text_frame(whole.slice(0, self.chunk_rows), first, nul))
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
            yield Chunk(str(self.path), text_frame(pa.Table.from_batches(pending, schema=pending[0].schema), first, nul))


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


def _raw_record(header: list[str], record: list[str]) -> str:
    return json.dumps({"header": header, "fields": [v.replace("\0", "\ufffd") for v in record]}, ensure_ascii=False)


def _records_frame(header: list[str], records: list[list[str]], numbers: list[int]) -> pd.DataFrame:
    columns = list(zip(*records, strict=True)) if records else [()] * len(header)
    text = pa.table([pa.array(values, type=pa.string()) for values in columns], names=dedupe_names(header))
    frame = text_frame(text, 1)
    frame[ROW_NUMBER] = np.asarray(numbers, dtype=np.int64)
    return frame


def _has_nul(path: Path) -> bool:
    """Whether the file holds a NUL byte anywhere (a memchr over a memory map; most files do not)."""
    with path.open("rb") as handle:
        if path.stat().st_size == 0:
            return False
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return data.find(b"\0") >= 0
