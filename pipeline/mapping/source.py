"""A mapped source: read each contract table through its mapping, and check the mapping before a load.

``ingest`` reads a mapped table with ``read_mapped``; ``preflight`` reads the first records of every
mapped table first, so that a mapping naming a missing column or a JSON path that matches nothing stops
the run before any table is written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime
from itertools import islice

from pipeline.contract import TableSpec
from pipeline.mapping.model import MappingError, SourceMapping, TableMapping
from pipeline.mapping.raw_reader import read_raw
from pipeline.mapping.transform import CustomerResolver, MappedChunk, map_chunk
from pipeline.source_chunks import Chunk

log = logging.getLogger(__name__)

PREFLIGHT_ROWS = 2_000


def read_mapped(
    source: str,
    mapping: TableMapping,
    chunk_rows: int,
    start: datetime | None = None,
    end: datetime | None = None,
    resolve: CustomerResolver | None = None,
) -> Iterator[MappedChunk]:
    """Yield the mapped chunks of one table (see ``pipeline.mapping.transform.map_chunk``)."""
    for raw in read_raw(source, mapping, chunk_rows, start, end):
        yield map_chunk(raw, mapping, resolve)


def chunk_reader(
    source: str, mapping: SourceMapping, start: datetime | None, end: datetime | None, resolve: CustomerResolver
) -> Callable[[str, TableSpec, int], Iterator[Chunk]]:
    """A ``read_table``-like function for ``ingest``: contract chunks of a mapped table."""

    def read(_source: str, spec: TableSpec, chunk_rows: int) -> Iterator[Chunk]:
        table = mapping.table(spec.name)
        if table is None:
            return
        filtered = 0
        for mapped in read_mapped(source, table, chunk_rows, start, end, resolve):
            filtered += mapped.filtered
            yield mapped.chunk
        log.info("%s: %s source records left out by the mapping's filters", spec.name, filtered)

    return read


def preflight(source: str, mapping: SourceMapping, start: datetime | None = None, end: datetime | None = None) -> None:
    """Read the first records of every mapped table and check every mapped field exists.

    Raises:
        MappingError: a tabular column is missing, or a JSON path matched no record of the sample.
        pipeline.sources.SourceError: a source cannot be read.
    """
    for table in mapping.tables:
        sample = list(islice(read_mapped(source, table, PREFLIGHT_ROWS, start, end), 1))
        if sample:
            check_paths_matched(table, sample[0])


def check_paths_matched(table: TableMapping, mapped: MappedChunk) -> None:
    """A required JSON path that no record of a non-empty sample has is a typo, not missing data."""
    if mapped.chunk.frame.empty:
        return
    for rule in table.fields:
        if not rule.optional and not mapped.matched.get(rule.target, True):
            raise MappingError(
                rule.where,
                f"{table.table}.columns.{rule.target}: path {rule.path!r} matches nothing in the first "
                f"{len(mapped.chunk.frame)} records of {mapped.chunk.source}; fix the path, or mark it optional: true",
            )
