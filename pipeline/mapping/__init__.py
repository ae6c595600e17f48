"""Source mappings: read a help desk's or an event pipeline's own layout into the input contract.

One YAML file per source says, for each of ``customers``, ``tickets`` and ``events``, where the records
are and how each contract column is made (a column or nested JSON path, value maps, constants, timestamp
formats and time zones, filters, a customer join). See the README's "Your own data" section.
"""

from pipeline.mapping.identity import CustomerIndex
from pipeline.mapping.loader import load_mapping, ready_mappings
from pipeline.mapping.model import MappingError, SourceMapping, TableMapping
from pipeline.mapping.source import chunk_reader, preflight, read_mapped

__all__ = [
    "CustomerIndex",
    "MappingError",
    "SourceMapping",
    "TableMapping",
    "chunk_reader",
    "load_mapping",
    "preflight",
    "read_mapped",
    "ready_mappings",
]
