"""Shape validated chunks into bind parameters for the warehouse statements."""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np
import pandas as pd

from detectors.signatures import assign_signatures, signature_catalog
from pipeline.coercion import PARSED_SUFFIX
from pipeline.contract import CUSTOMERS, EVENTS, TICKETS, TableSpec
from pipeline.redaction import redact
from pipeline.sources import ROW_NUMBER


def extra_columns(frame: pd.DataFrame, spec: TableSpec) -> list[str]:
    """Columns beyond the contract (kept as JSON in ``extra``), in file order."""
    internal = {ROW_NUMBER}
    return [
        c for c in frame.columns
        if c not in spec.column_names and c not in internal and not c.endswith(PARSED_SUFFIX)
    ]


def _extra_json(frame: pd.DataFrame, spec: TableSpec) -> pd.Series:
    extras = extra_columns(frame, spec)
    if not extras:
        return pd.Series(None, index=frame.index, dtype=object)
    subset = frame[extras].fillna("")
    return pd.Series(
        [json.dumps(dict(zip(extras, row, strict=True)), ensure_ascii=False) for row in subset.itertuples(index=False)],
        index=frame.index,
        dtype=object,
    )


def _python_datetimes(values: pd.Series) -> np.ndarray:
    """Naive UTC datetimes as Python objects (what both drivers bind), NaT as None."""
    out = np.empty(len(values), dtype=object)
    mask = values.notna().to_numpy()
    out[mask] = [ts.to_pydatetime() for ts in values[mask]]
    out[~mask] = None
    return out


def _column_values(values: object, length: int) -> list[object]:
    """A column as a list of plain Python values (None for missing), whatever it came as."""
    if isinstance(values, np.ndarray):
        return values.tolist()
    if isinstance(values, pd.Series):
        if pd.api.types.is_datetime64_any_dtype(values):
            return _python_datetimes(values).tolist()
        objects = values.astype(object)
        return objects.where(values.notna(), None).tolist()
    return [values] * length


def _params(columns: dict[str, object], index: pd.Index) -> list[dict[str, object]]:
    names = list(columns)
    lists = [_column_values(columns[name], len(index)) for name in names]
    return [dict(zip(names, row, strict=True)) for row in zip(*lists, strict=True)]


def customer_params(good: pd.DataFrame, source: str, loaded_at: datetime) -> list[dict[str, object]]:
    """Bind parameters for ``upsert_customers``."""
    return _params(
        {
            "customer_id": good["customer_id"].str.strip(),
            "email": good["email"].str.strip(),
            "name": good["name"],
            "locale": good["locale"],
            "plan": good["plan"],
            "mrr": good["mrr"].astype(float),
            "email_opt_in": good["email_opt_in"].astype(bool),
            "created_at": _python_datetimes(good["created_at"]),
            "extra": _extra_json(good, CUSTOMERS),
            "source": source,
            "loaded_at": loaded_at,
        },
        good.index,
    )


def ticket_params(good: pd.DataFrame, source: str, loaded_at: datetime) -> list[dict[str, object]]:
    """Bind parameters for ``upsert_tickets``, with the redacted copies later stages read."""
    csat = good["csat"].astype(float)
    return _params(
        {
            "ticket_id": good["ticket_id"].str.strip(),
            "customer_id": good["customer_id"].str.strip(),
            "created_at": _python_datetimes(good["created_at"]),
            "subject": good["subject"],
            "body": good["body"],
            "subject_redacted": redact(good["subject"]),
            "body_redacted": redact(good["body"]),
            "channel": good["channel"],
            "status": good["status"].str.strip().str.lower(),
            "tags": good["tags"],
            "csat": pd.Series([None if np.isnan(v) else int(v) for v in csat], index=good.index, dtype=object),
            "extra": _extra_json(good, TICKETS),
            "source": source,
            "loaded_at": loaded_at,
        },
        good.index,
    )


def event_params(
    good: pd.DataFrame, source: str, loaded_at: datetime
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Bind parameters for ``insert_events`` and ``upsert_signatures`` (one row per error signature)."""
    signed = assign_signatures(good)
    signature_ids = pd.Series(None, index=good.index, dtype=object)
    signature_ids.loc[signed.index] = signed["signature_id"].astype(object)
    occurred = good["occurred_at"]
    events = _params(
        {
            "event_id": good["event_id"].str.strip(),
            "customer_id": good["customer_id"].str.strip(),
            "occurred_at": _python_datetimes(occurred),
            "occurred_hour": _python_datetimes(occurred.dt.floor("h")),
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
        good.index,
    )
    signatures: list[dict[str, object]] = []
    if not signed.empty:
        catalog = signature_catalog(signed).set_index("signature_id")
        times = signed.groupby("signature_id")["occurred_at"].agg(["min", "max"])
        catalog = catalog.join(times).reset_index()
        signatures = _params(
            {
                "signature_id": catalog["signature_id"],
                "name": catalog["name"],
                "error_code": catalog["error_code"].replace("", None),
                "feature": catalog["feature"].replace("", None),
                "platform": catalog["platform"].replace("", None),
                "message_pattern": catalog["message_pattern"],
                "first_seen_at": _python_datetimes(catalog["min"]),
                "last_seen_at": _python_datetimes(catalog["max"]),
            },
            catalog.index,
        )
    return events, signatures


def raw_rows(frame: pd.DataFrame) -> pd.Series:
    """Each row as read (text values, header names), JSON, for quarantine."""
    columns = [c for c in frame.columns if c != ROW_NUMBER and not c.endswith(PARSED_SUFFIX)]
    values = frame[columns].fillna("")
    return pd.Series(
        [json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False) for row in values.itertuples(index=False)],
        index=frame.index,
        dtype=object,
    )
