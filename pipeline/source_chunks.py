"""What a source reader yields: chunks of text columns with their row numbers, and the reader's errors.

Shared by the CSV reader (``pipeline.csv_source``) and the Parquet and database readers
(``pipeline.sources``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.coercion import PARSED_SUFFIX
from pipeline.contract import TableSpec

ROW_NUMBER = "_row_number"


class SourceError(ValueError):
    """The source cannot be read; the message names the file or URL and what to do."""


@dataclass(frozen=True)
class MalformedRecord:
    """A record the reader could not split into the header's fields."""

    row_number: int
    raw: str
    detail: str
    # A quote left open swallowed the records after it (``csv_source``): the terminal names where.
    open_quote: bool = False


@dataclass
class Chunk:
    """Up to ``chunk_rows`` rows of one file, every value as text, plus the records that did not parse."""

    source: str
    frame: pd.DataFrame
    malformed: list[MalformedRecord] = field(default_factory=list)
    # Set by a source mapping (pipeline.mapping): rows it already rejected (label -> [(rule, detail)]), where
    # each contract column came from (named in quarantine details), and the source records as read
    # (quarantine keeps those, not the mapped values).
    rejected: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    raw: Callable[[list[int]], list[str]] | None = None


def check_header(header: list[str], spec: TableSpec, where: str) -> None:
    """Raise SourceError naming ``where`` when the header lacks a column the table requires."""
    missing = [name for name in spec.required_columns if name not in header]
    if missing:
        fix = delimiter_hint(header) or "rename or add the column(s) and rerun"
        raise SourceError(
            f"{where}: required column(s) {', '.join(missing)} missing for table {spec.name} "
            f"(found: {', '.join(header) or 'no header'}); {fix}"
        )


def delimiter_hint(header: list[str]) -> str:
    """What to do when a header read as one column holds another delimiter (a semicolon CSV from Excel)."""
    if len(header) != 1:
        return ""
    for mark, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")):
        if mark in header[0]:
            return (f"the header is one column holding {name}: the file is separated by {name}, not commas; "
                    "save it as comma-separated CSV (in Excel: CSV UTF-8) and rerun")
    return ""


def text_frame(text: pa.Table, first_row: int, nul: bool = True) -> pd.DataFrame:
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


def dedupe_names(header: list[str]) -> list[str]:
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
