"""``forewarn migrate``: create or upgrade the warehouse schema."""

from __future__ import annotations

import click

from pipeline.cli.common import user_errors


@click.command()
def command() -> None:
    """Create or upgrade the warehouse schema (FOREWARN_DATABASE_URL, default a SQLite file)."""
    from pipeline.warehouse import make_engine, migrate

    with user_errors():
        engine = make_engine()
        revision = migrate(engine)
    click.echo(f"warehouse {engine.url.render_as_string(hide_password=True)} is at schema revision {revision}")
