"""A source mapping as data: where each contract table comes from and how each contract column is made.

Every setting remembers where it was written (``Where``: file, line, column), so that a mistake found
later, while the source is read, is reported at the line of the mapping file that caused it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Where:
    """A place in a mapping file (1-based line and column)."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class MappingError(ValueError):
    """The mapping, or the source as the mapping reads it, is wrong; the message names file, line and column."""

    def __init__(self, where: Where | None, message: str) -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where


# What a value not in a map becomes: the row is quarantined, the value kept as it is, or left empty.
UNMAPPED_CHOICES = ("reject", "keep", "null")
# How a customer reference is resolved through the warehouse's customers: by email, by customer_id, or
# by any other key that the customers' mapping kept as an extra column (e.g. ``zendesk_user_id``).
JOIN_EMAIL = "email"
JOIN_ID = "customer_id"


@dataclass(frozen=True)
class Lookup:
    """Sideloaded records of the same JSON document, found by key (e.g. Zendesk's ``users`` by ``id``)."""

    name: str
    records: str
    key: str
    where: Where


@dataclass(frozen=True)
class FieldRule:
    """How one contract column is filled.

    ``path`` is a source column (tabular sources) or a dotted JSON path with ``[0]``/``[*]`` steps; a list
    of values is joined with ``;``, and so is text split on ``split`` (Zendesk's CSV separates tags with
    spaces). ``value_map`` keys may hold alternatives separated by ``|``.
    """

    target: str
    where: Where
    path: str | None = None
    const: str | None = None
    value_map: tuple[tuple[str, str | None], ...] = ()
    unmapped: str = "reject"
    time_format: str | None = None
    timezone: str | None = None
    lookup: str | None = None
    lookup_value: str | None = None
    join: str | None = None
    split: str | None = None
    optional: bool = False

    def origin(self) -> str:
        """How the quarantine and ``mapping check`` name where this column's values come from."""
        if self.const is not None:
            return f"constant {self.const!r}"
        text = repr(self.path)
        if self.lookup:
            text += f" via {self.lookup}.{self.lookup_value}"
        return text


@dataclass(frozen=True)
class Filter:
    """Keep a record only when the value at ``path`` is (``keep=True``) or is not in ``values``."""

    path: str
    values: frozenset[str]
    keep: bool
    where: Where


@dataclass(frozen=True)
class SourceRef:
    """Where a table's records are: files (glob), a table, or a SQL query with ``:start``/``:end``."""

    where: Where
    files: str | None = None
    table: str | None = None
    query: str | None = None
    records: str | None = None
    format: str | None = None
    source: str | None = None
    lookups: tuple[Lookup, ...] = ()

    def describe(self) -> str:
        if self.files:
            return f"files {self.files}"
        if self.table:
            return f"table {self.table}"
        return "query"


@dataclass(frozen=True)
class TableMapping:
    """One contract table: its source, its filters and a rule per contract column."""

    table: str
    source: SourceRef
    fields: tuple[FieldRule, ...]
    filters: tuple[Filter, ...] = ()
    keep_unmapped: bool = True
    where: Where | None = None

    def field(self, target: str) -> FieldRule | None:
        return next((rule for rule in self.fields if rule.target == target), None)


@dataclass(frozen=True)
class SourceMapping:
    """A whole mapping file: the tables it maps, in load order (customers first)."""

    path: str
    tables: tuple[TableMapping, ...] = field(default_factory=tuple)

    def table(self, name: str) -> TableMapping | None:
        return next((table for table in self.tables if table.table == name), None)
