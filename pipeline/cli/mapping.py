"""``forewarn mapping check``: validate a source mapping against a sample and show what each column gets."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from pipeline.cli.common import echo_table, user_errors

if TYPE_CHECKING:
    from sqlalchemy import Engine


@click.group()
def command() -> None:
    """Source mappings: adapt a help desk's or event pipeline's own layout to Forewarn's contract."""


@command.command("check")
@click.argument("source")
@click.option("--mapping", "mapping_file", required=True, metavar="FILE", help="The mapping YAML, or a ready mapping's name.")
@click.option("--sample", "sample_rows", default=10_000, show_default=True, type=click.IntRange(min=1), help="Records read per table.")
def check(source: str, mapping_file: str, sample_rows: int) -> None:
    """Read a sample of SOURCE through the mapping and print, per contract column, where it comes from and
    how many values are filled, empty and rejected. Nothing is loaded."""
    from pipeline.mapping import load_mapping
    from pipeline.mapping.check import check_mapping
    from pipeline.mapping.loader import uses_join
    from pipeline.warehouse import make_engine

    with user_errors():
        mapping = load_mapping(mapping_file)
        engine = _existing_warehouse(make_engine)
        checks = check_mapping(source, mapping, engine, sample_rows)
    click.echo(f"mapping {mapping.path} on {source} (first {sample_rows} records per table; nothing loaded)")
    if engine is None and any(uses_join(table) for table in mapping.tables):
        click.echo("customer joins see only the customers of this sample: the warehouse has none yet")
    for table in checks:
        loads = table.records - table.filtered - table.rejected_rows - table.malformed
        click.echo(
            f"\n{table.table} <- {table.source}: {table.records} records, {table.filtered} filtered out, "
            f"{loads} would load, {table.rejected_rows + table.malformed} would be quarantined"
        )
        echo_table(
            [(c.column, c.origin, c.filled, c.empty, c.rejected, ", ".join(c.examples)) for c in table.columns],
            ("column", "from", "filled", "empty", "rejected", "examples"),
        )
        if table.by_rule or table.malformed:
            rules = Counter(table.by_rule)
            if table.malformed:
                rules["malformed_row"] += table.malformed
            click.echo("quarantine by rule: " + ", ".join(f"{rule} {count}" for rule, count in rules.most_common()))


def _existing_warehouse(make_engine: Callable[[], Engine]) -> Engine | None:
    """The warehouse (for customers a join may find), if it exists and is migrated; None otherwise."""
    from pathlib import Path

    from sqlalchemy import inspect
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from pipeline.warehouse import database_url

    url = make_url(database_url())
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        return None  # a check must not create an empty warehouse file
    try:
        engine = make_engine()
        return engine if inspect(engine).has_table("customers") else None
    except SQLAlchemyError:
        return None
