"""The input contract of SPEC.md as data: tables, their columns, types, keys and time columns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ColumnSpec:
    """One contract column; ``kind`` drives parsing: text, timestamp, number, integer, boolean."""

    name: str
    kind: str = "text"
    required: bool = True


@dataclass(frozen=True)
class TableSpec:
    """One source table: its key, its time column (None: loaded whole each run) and its columns."""

    name: str
    key: str
    time_column: str | None
    columns: tuple[ColumnSpec, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.required)

    def kind_of(self, column: str) -> str:
        return next(spec.kind for spec in self.columns if spec.name == column)


CUSTOMERS = TableSpec(
    name="customers",
    key="customer_id",
    # Customers are a dimension: opt-outs and plan changes of old customers matter, so every run
    # reads the whole table and upserts what changed, whatever the interval.
    time_column=None,
    columns=(
        ColumnSpec("customer_id"),
        ColumnSpec("email"),
        ColumnSpec("name"),
        ColumnSpec("locale", required=False),
        ColumnSpec("plan", required=False),
        ColumnSpec("mrr", "number", required=False),
        ColumnSpec("email_opt_in", "boolean"),
        ColumnSpec("created_at", "timestamp"),
    ),
)

TICKETS = TableSpec(
    name="tickets",
    key="ticket_id",
    time_column="created_at",
    columns=(
        ColumnSpec("ticket_id"),
        ColumnSpec("customer_id"),
        ColumnSpec("created_at", "timestamp"),
        ColumnSpec("subject"),
        ColumnSpec("body"),
        ColumnSpec("channel", required=False),
        ColumnSpec("status", required=False),
        ColumnSpec("tags", required=False),
        ColumnSpec("csat", "integer", required=False),
    ),
)

EVENTS = TableSpec(
    name="events",
    key="event_id",
    time_column="occurred_at",
    columns=(
        ColumnSpec("event_id"),
        ColumnSpec("customer_id"),
        ColumnSpec("occurred_at", "timestamp"),
        ColumnSpec("name"),
        ColumnSpec("feature", required=False),
        ColumnSpec("app_version", required=False),
        ColumnSpec("platform", required=False),
        ColumnSpec("error_code", required=False),
        ColumnSpec("message", required=False),
    ),
)

# Load order matters only for readability of counts: customers first, then what refers to them.
TABLES: tuple[TableSpec, ...] = (CUSTOMERS, TICKETS, EVENTS)
TABLES_BY_NAME = {table.name: table for table in TABLES}
