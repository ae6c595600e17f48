"""Shape validated chunks into bind parameters for the warehouse statements, and run them in bulk.

Parameters are built column by column (vectorised) and handed to the driver's ``executemany`` as a lazy
stream of rows: SQLAlchemy's per-row parameter processing would cost more than the database itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import repeat

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection

from detectors.signatures import SIGNATURE_COLUMNS, assign_signatures, signature_catalog
from pipeline.coercion import PARSED_SUFFIX
from pipeline.contract import CUSTOMERS, EVENTS, TICKETS, TableSpec
from pipeline.redaction import redact
from pipeline.sources import ROW_NUMBER
from sql import statement


@dataclass(frozen=True)
class BindRows:
    """Bind values column by column: a Series or array (one value per row), or one scalar for every row."""

    columns: dict[str, object]
    length: int

    def __len__(self) -> int:
        return self.length


def execute_rows(connection: Connection, name: str, rows: BindRows) -> int:
    """Run statement ``sql/<name>.sql`` once per row through the driver's ``executemany``.

    The statement runs on the connection's own DBAPI connection, so it is part of the caller's
    transaction. Returns the number of rows the database reports as written.
    """
    if not rows.length:
        return 0
    dialect = connection.dialect
    compiled = statement(name, dialect.name).compile(dialect=dialect)
    values = {key: _bind_values(value, rows.length, dialect.name) for key, value in rows.columns.items()}
    params: Iterator[object]
    if compiled.positional:
        params = zip(*(values[key] for key in compiled.positiontup), strict=True)
    else:
        names = list(values)
        params = (dict(zip(names, row, strict=True)) for row in zip(*values.values(), strict=True))
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(compiled.string, params)
        return max(cursor.rowcount, 0)
    finally:
        cursor.close()


def _bind_values(values: object, length: int, dialect: str) -> Iterator[object] | list[object]:
    """A column as plain Python values (None for missing) in the form the dialect's driver binds.

    Object arrays must already hold Python values with None for missing (as this module builds them).
    """
    if isinstance(values, pd.Series):
        values = values.to_numpy() if isinstance(values.dtype, np.dtype) else values.array
    if isinstance(values, datetime):
        return repeat(_sqlite_datetime(values) if dialect == "sqlite" else values, length)
    if isinstance(values, np.ndarray):
        if values.dtype.kind == "M":
            stamps = values.astype("datetime64[us]")
            return _sqlite_datetimes(stamps) if dialect == "sqlite" else stamps.astype(object).tolist()
        out = values.tolist()
        if values.dtype.kind == "f":
            for position in np.flatnonzero(np.isnan(values)).tolist():
                out[position] = None
        return out
    if isinstance(values, pd.api.extensions.ExtensionArray):
        if values.dtype.kind == "M":
            return _bind_values(np.asarray(values, dtype="datetime64[us]"), length, dialect)
        if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
            return pa.array(values).to_pylist()
        return values.to_numpy(dtype=object, na_value=None).tolist()
    if isinstance(values, list):
        return values  # plain Python values already
    return repeat(values, length)


def _sqlite_datetime(value: datetime) -> str:
    # What sqlite3's default adapter writes, so rows compare equal to those bound as datetimes elsewhere.
    return value.isoformat(" ")


def _sqlite_datetimes(stamps: np.ndarray) -> list[str | None]:
    """``datetime.isoformat(" ")`` of every value (NaT as None), vectorised through Arrow's cast."""
    text = pa.array(stamps, type=pa.timestamp("us"), from_pandas=True).cast(pa.string())  # "... HH:MM:SS.ffffff"
    # isoformat drops a zero fraction; ".000000" can only be that fraction.
    return pc.replace_substring(text, pattern=".000000", replacement="").to_pylist()


def extra_columns(frame: pd.DataFrame, spec: TableSpec) -> list[str]:
    """Columns beyond the contract (kept as JSON in ``extra``), in file order."""
    return [
        c for c in frame.columns
        if c not in spec.column_names and c != ROW_NUMBER and not c.endswith(PARSED_SUFFIX)
    ]


def _extra_json(frame: pd.DataFrame, spec: TableSpec) -> object:
    """A JSON object of the extra columns for rows that have a non-empty one; None for the others."""
    extras = extra_columns(frame, spec)
    if not extras:
        return None
    subset = frame[extras].fillna("")
    filled = np.zeros(len(frame), dtype=bool)
    for name in extras:
        filled |= (subset[name] != "").to_numpy(dtype=bool)
    out = np.full(len(frame), None, dtype=object)
    for position, row in zip(
        np.flatnonzero(filled).tolist(), subset[filled].itertuples(index=False, name=None), strict=True
    ):
        out[position] = json.dumps(dict(zip(extras, row, strict=True)), ensure_ascii=False)
    return out


def customer_params(good: pd.DataFrame, source: str, loaded_at: datetime) -> BindRows:
    """Bind parameters for ``upsert_customers``."""
    return BindRows(
        {
            "customer_id": good["customer_id"],
            "email": good["email"].str.strip(),
            "name": good["name"],
            "locale": good["locale"],
            "plan": good["plan"],
            "mrr": good["mrr"].to_numpy(dtype=float),
            "email_opt_in": good["email_opt_in"].to_numpy(dtype=bool),
            "created_at": good["created_at"],
            "extra": _extra_json(good, CUSTOMERS),
            "source": source,
            "loaded_at": loaded_at,
        },
        len(good),
    )


def ticket_params(good: pd.DataFrame, source: str, loaded_at: datetime) -> BindRows:
    """Bind parameters for ``upsert_tickets``, with the redacted copies later stages read."""
    csat = good["csat"].to_numpy(dtype=float)
    csat_values = np.full(len(good), None, dtype=object)
    known = ~np.isnan(csat)
    csat_values[known] = csat[known].astype(int).tolist()
    return BindRows(
        {
            "ticket_id": good["ticket_id"],
            "customer_id": good["customer_id"],
            "created_at": good["created_at"],
            "subject": good["subject"],
            "body": good["body"],
            "subject_redacted": redact(good["subject"]),
            "body_redacted": redact(good["body"]),
            "channel": good["channel"],
            "status": good["status"].str.strip().str.lower(),
            "tags": good["tags"],
            "csat": csat_values,
            "extra": _extra_json(good, TICKETS),
            "source": source,
            "loaded_at": loaded_at,
        },
        len(good),
    )


def event_params(good: pd.DataFrame, source: str, loaded_at: datetime) -> tuple[BindRows, BindRows]:
    """Bind parameters for ``insert_events`` and ``upsert_signatures`` (one row per error signature)."""
    signed = assign_signatures(good[[*SIGNATURE_COLUMNS, "occurred_at"]])
    signature_ids = np.full(len(good), None, dtype=object)
    signature_ids[good.index.get_indexer(signed.index)] = signed["signature_id"].to_numpy(dtype=object)
    occurred = good["occurred_at"]
    events = BindRows(
        {
            "event_id": good["event_id"],
            "customer_id": good["customer_id"],
            "occurred_at": occurred,
            "occurred_hour": occurred.dt.floor("h"),
            "name": good["name"].str.strip(),
            "feature": good["feature"],
            "app_version": good["app_version"],
            "platform": good["platform"],
            "error_code": good["error_code"],
            "message": good["message"],
            "signature_id": signature_ids,
            "extra": _extra_json(good, EVENTS),
            "source": source,
            "loaded_at": loaded_at,
        },
        len(good),
    )
    return events, _signature_params(signed)


def _signature_params(signed: pd.DataFrame) -> BindRows:
    if signed.empty:
        return BindRows({}, 0)
    catalog = signature_catalog(signed).set_index("signature_id")
    times = signed.groupby("signature_id")["occurred_at"].agg(["min", "max"])
    catalog = catalog.join(times).reset_index()
    return BindRows(
        {
            "signature_id": catalog["signature_id"],
            "name": catalog["name"],
            "error_code": catalog["error_code"].replace("", None),
            "feature": catalog["feature"].replace("", None),
            "platform": catalog["platform"].replace("", None),
            "message_pattern": catalog["message_pattern"],
            "first_seen_at": catalog["min"],
            "last_seen_at": catalog["max"],
        },
        len(catalog),
    )


def raw_rows(frame: pd.DataFrame) -> pd.Series:
    """Each row as read (text values, header names), JSON, for quarantine."""
    columns = [c for c in frame.columns if c != ROW_NUMBER and not c.endswith(PARSED_SUFFIX)]
    values = frame[columns].fillna("")
    return pd.Series(
        [json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False) for row in values.itertuples(index=False)],
        index=frame.index,
        dtype=object,
    )
