"""Read a statement of ``sql/`` into a DataFrame, straight from the database driver's rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from sqlalchemy import Connection

from sql import expanding_texts, statement


def read_frame(
    connection: Connection,
    name: str,
    params: Mapping[str, object],
    columns: Sequence[str],
    *,
    expanding: Sequence[str] = (),
) -> pd.DataFrame:
    """Rows of the statement ``name`` (the dialect's own file when there is one) as a frame of ``columns``.

    The rows come from the driver's cursor as plain tuples: an hourly detection reads tens of thousands
    of rows per query, and building SQLAlchemy ``Row`` objects only to turn them back into tuples cost
    about as much as the query itself.

    Args:
        expanding: bind parameters that take a list (``IN :name``).
    """
    query = statement(name, connection.dialect.name)
    if expanding:
        query = query.bindparams(*(expanding_texts(parameter) for parameter in expanding))
    result = connection.execute(query, dict(params))
    try:
        rows = result.cursor.fetchall() if result.returns_rows else []
    finally:
        result.close()
    return pd.DataFrame.from_records(rows, columns=list(columns))
