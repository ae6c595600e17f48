"""``forewarn mapping check``: what each contract column would receive from a sample, loading nothing.

The sample goes through the same mapping, coercion and Great Expectations suite as a load, so the
reject counts are the quarantine a load would make (duplicates across chunks aside).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine

from pipeline.coercion import coerce_chunk
from pipeline.contract import TABLES_BY_NAME, TableSpec
from pipeline.mapping.identity import CustomerIndex
from pipeline.mapping.model import SourceMapping, TableMapping
from pipeline.mapping.source import check_paths_matched, read_mapped
from pipeline.records import extra_columns
from pipeline.validation import validate_chunk
from pipeline.validation.suites import rule_columns

# Never shown as examples: personal data and free text (an event's name is neither).
PRIVATE_COLUMNS = frozenset({"email", "subject", "body", "message", "customer_id"})


@dataclass
class ColumnCheck:
    """What one contract column would receive."""

    column: str
    origin: str
    filled: int = 0
    empty: int = 0
    rejected: int = 0
    examples: list[str] = field(default_factory=list)


@dataclass
class TableCheck:
    """One mapped table's sample: records read, filtered out, rejected, and per column."""

    table: str
    source: str
    records: int = 0
    filtered: int = 0
    malformed: int = 0
    rejected_rows: int = 0
    columns: list[ColumnCheck] = field(default_factory=list)
    by_rule: Counter[str] = field(default_factory=Counter)


def check_mapping(source: str, mapping: SourceMapping, engine: Engine | None, sample_rows: int = 10_000) -> list[TableCheck]:
    """Run ``mapping`` over the first ``sample_rows`` records of each table of ``source``.

    Customers of the sample count for the join as if loaded, besides those already in the warehouse.

    Raises:
        MappingError: as a load would, before anything is written.
    """
    sample_customers: list[tuple[str, str, str | None]] = []
    checks = []
    for table in mapping.tables:
        index = CustomerIndex(engine, sample_customers)
        check, customers = _check_table(source, table, index, sample_rows)
        sample_customers += customers
        checks.append(check)
    return checks


def _check_table(
    source: str, table: TableMapping, index: CustomerIndex, sample_rows: int
) -> tuple[TableCheck, list[tuple[str, str, str | None]]]:
    spec = TABLES_BY_NAME[table.table]
    check = TableCheck(table.table, table.source.describe())
    columns = {rule.target: ColumnCheck(rule.target, rule.origin()) for rule in table.fields}
    rule_of_column = rule_columns(spec)
    customers: list[tuple[str, str, str | None]] = []
    for mapped in read_mapped(source, table, min(sample_rows, 50_000), resolve=index):
        check_paths_matched(table, mapped)
        chunk = mapped.chunk
        check.records += len(chunk.frame) + mapped.filtered
        check.filtered += mapped.filtered
        check.malformed += len(chunk.malformed)
        typed = coerce_chunk(chunk.frame, spec)
        failures = validate_chunk(typed, spec)
        # A row counts once per column it fails on (a mapping rule and a suite rule may both name it).
        rejected_in: dict[str, set[object]] = {name: set() for name in columns}
        for label, found in chunk.rejected.items():
            failures.put_first(label, found, rule_of_column)
            for _, detail in found:
                target = detail.split(" <- ")[0]
                if target in rejected_in:
                    rejected_in[target].add(label)
        for label, rules in failures.rules.items():
            check.by_rule[rules[0]] += 1
            for rule in rules:
                target = rule_of_column.get(rule)
                if target in rejected_in:
                    rejected_in[target].add(label)
        check.rejected_rows += len(failures.rules)
        for name, column in columns.items():
            values = chunk.frame[name].str.strip()
            filled = values != ""
            column.filled += int(filled.sum())
            column.empty += int((~filled).sum())
            column.rejected += len(rejected_in[name])
            private = name in PRIVATE_COLUMNS or (name == "name" and table.table == "customers")
            if not private and len(column.examples) < 3:
                # Examples of what loads: a rejected value is counted, not shown as received.
                kept = values[filled & ~values.index.isin(list(rejected_in[name]))]
                for value in kept.unique()[:3].tolist():
                    if value not in column.examples and len(column.examples) < 3:
                        column.examples.append(value[:30])
        if table.table == "customers":
            good = chunk.frame.drop(index=list(failures.rules))
            customers += _identities(good, spec)
        if check.records >= sample_rows:
            break
    check.columns = list(columns.values())
    return check, customers


def _identities(frame: pd.DataFrame, spec: TableSpec) -> list[tuple[str, str, str | None]]:
    extras = extra_columns(frame, spec)
    rows = []
    for record in frame[["customer_id", "email", *extras]].itertuples(index=False, name=None):
        extra = json.dumps(dict(zip(extras, record[2:], strict=True))) if extras else None
        rows.append((str(record[0]).strip(), str(record[1]), extra))
    return rows
