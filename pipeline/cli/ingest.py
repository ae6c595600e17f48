"""``forewarn ingest``: load one interval of a source into the warehouse."""

from __future__ import annotations

import click

from pipeline.cli.common import echo_table, parse_timestamp, user_errors, warehouse_engine
from pipeline.cli.errors import UserError


@click.command()
@click.argument("source")
@click.option("--start", help="Interval start, ISO 8601 (inclusive). Default: unbounded.")
@click.option("--end", help="Interval end, ISO 8601 (exclusive). Default: unbounded.")
@click.option("--mapping", "mapping_file", metavar="FILE",
              help="A source mapping YAML (or a ready mapping's name, e.g. zendesk-incremental) that adapts the "
                   "source's own layout; see `forewarn mapping check`.")
@click.option("--chunk-rows", default=250_000, show_default=True, type=click.IntRange(min=1), help="Rows read and validated at a time.")
@click.option("--progress/--no-progress", default=True,
              help="Show progress on stderr when it is a terminal (a log or a pipe gets none).")
def command(
    source: str, start: str | None, end: str | None, mapping_file: str | None, chunk_rows: int, progress: bool
) -> None:
    """Load SOURCE (a folder of CSV/Parquet/JSON files, or a SQLAlchemy URL) for one interval.

    Rows are upserted (a rerun changes nothing); rows that fail validation go to the quarantine table
    with their rule and raw content. The counts printed add up to the rows read.
    """
    from tqdm import tqdm

    from pipeline.ingest import Interval, ingest

    try:
        interval = Interval(parse_timestamp(start, "--start"), parse_timestamp(end, "--end"))
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    mapping = None
    if mapping_file:
        from pipeline.mapping import load_mapping

        with user_errors():
            mapping = load_mapping(mapping_file)
    engine = warehouse_engine()
    bars: dict[str, tqdm] = {}

    def on_progress(table: str, rows: int) -> None:
        if table not in bars:
            bars[table] = tqdm(desc=f"ingest {table}", unit=" rows", disable=None if progress else True, leave=False)
        bars[table].update(rows)

    try:
        with user_errors():
            report = ingest(engine, source, interval, chunk_rows=chunk_rows, progress=on_progress, mapping=mapping)
    finally:
        for bar in bars.values():
            bar.close()
    click.echo(f"ingested {source} for interval {interval.describe()}")
    echo_table(
        [
            (t.table, t.rows_read, t.outside_interval, t.loaded, t.unchanged, t.quarantined)
            for t in report.tables
        ],
        ("table", "read", "outside", "loaded", "unchanged", "quarantined"),
    )
    for table in report.tables:
        if table.late_hours:
            quarantined = f", {table.late_quarantined} quarantined" if table.late_quarantined else ""
            click.echo(
                f"late arrivals {table.table}: {table.late_loaded} loaded{quarantined} from {len(table.late_hours)} "
                f"hour(s) loaded before, from {table.late_hours[0]:%Y-%m-%d %H:%M}"
            )
        if table.by_rule:
            rules = ", ".join(f"{rule} {count}" for rule, count in table.by_rule.most_common())
            click.echo(f"quarantined {table.table}: {rules}")
        if table.open_quotes:
            shown = ", ".join(table.open_quotes[:3]) + (f" and {len(table.open_quotes) - 3} more" if len(table.open_quotes) > 3 else "")
            click.echo(
                f"a quote left open in {table.table} swallowed the records after it ({shown}): they are in quarantine "
                "with the record; close the quote and load the file again"
            )
        if table.consent_withdrawn:
            click.echo(
                f"opt-in withdrawn for {table.consent_withdrawn} customer(s): their quarantined rows say opted out "
                "or their opt-in cannot be read; they get no email until a load reads them as opted in"
            )
