"""Shared by the mapping tests: the fixture folders, a lenient gate, and a query helper."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

from pipeline.validation import ValidationSettings

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "mapping"
# Tiny fixtures hold a deliberately bad row or two: the share gate is not what these tests are about.
LENIENT = ValidationSettings(max_bad_row_share=1.0)


def rows(engine: Engine, sql: str) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql))]
