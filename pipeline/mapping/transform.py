"""Turn one raw chunk into a contract chunk: filters, field extraction, value maps, constants, timestamps
and the customer join, with every rejected row named by rule and by the source field at fault.

Tabular sources stay vectorised (a mapped column is the source column itself; maps work on the distinct
values); JSON records are walked once per field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline import records as warehouse_records
from pipeline.contract import TABLES_BY_NAME
from pipeline.mapping.model import FieldRule, MappingError, TableMapping
from pipeline.mapping.paths import MISSING, PathSyntaxError, as_text, extract
from pipeline.mapping.raw_reader import RawChunk
from pipeline.source_chunks import ROW_NUMBER, Chunk, delimiter_hint

# join key -> {normalised key value -> customer_id}
CustomerResolver = Callable[[str], dict[str, str]]


@dataclass
class MappedChunk:
    """A contract chunk plus what ``mapping check`` reports: rows filtered out, paths that matched."""

    chunk: Chunk
    filtered: int = 0
    matched: dict[str, bool] = field(default_factory=dict)


def map_chunk(raw: RawChunk, mapping: TableMapping, resolve: CustomerResolver | None = None) -> MappedChunk:
    """Apply ``mapping`` to ``raw``.

    Raises:
        MappingError: a mapped column does not exist in a tabular source, or a path cannot be parsed.
    """
    kept = _filtered(raw, mapping)
    filtered = len(raw) - len(kept)
    labels = kept.frame.index if kept.frame is not None else pd.RangeIndex(len(kept.records or []))
    columns: dict[str, pd.Series] = {}
    rejected: dict[int, list[tuple[str, str]]] = {}
    matched: dict[str, bool] = {}
    for rule in mapping.fields:
        values, matched[rule.target] = _extract(kept, rule, labels, mapping.table)
        if rule.split:
            # Runs of the separator are one (a double space between two tags is not an empty tag).
            values = values.str.strip().str.replace(f"(?:{re.escape(rule.split)})+", ";", regex=True)
        values = _apply_map(values, rule, rejected)
        if rule.time_format or rule.timezone:
            values = _apply_time(values, rule, rejected)
        if rule.join and resolve is not None:
            values = _apply_join(values, rule, resolve, rejected)
        columns[rule.target] = values
    if kept.frame is not None and mapping.keep_unmapped:
        used = {rule.path for rule in mapping.fields if rule.path}
        spec_names = set(TABLES_BY_NAME[mapping.table].column_names)
        for name in kept.frame.columns:
            if name != ROW_NUMBER and name not in used and name not in spec_names:
                columns[name] = kept.frame[name]
    frame = pd.DataFrame(columns, index=labels)
    numbers = kept.frame[ROW_NUMBER] if kept.frame is not None else np.asarray(kept.row_numbers, dtype=np.int64)
    frame[ROW_NUMBER] = np.asarray(numbers, dtype=np.int64)
    chunk = Chunk(
        kept.origin, frame, malformed=raw.malformed, rejected=rejected,
        origins={rule.target: rule.origin() for rule in mapping.fields}, raw=_raw_of(kept),
    )
    return MappedChunk(chunk, filtered, matched)


def _filtered(raw: RawChunk, mapping: TableMapping) -> RawChunk:
    if not mapping.filters:
        return raw
    keep = np.ones(len(raw), dtype=bool)
    for rule in mapping.filters:
        if raw.frame is not None:
            if rule.path not in raw.frame.columns:
                raise MappingError(rule.where, f"filter field {rule.path!r} is not a column of {raw.origin} ({_names(raw.frame)})")
            inside = raw.frame[rule.path].isin(list(rule.values)).to_numpy(dtype=bool)
        else:
            inside = np.array([as_text(extract(record, rule.path)) in rule.values for record in raw.records or []], dtype=bool)
        keep &= inside if rule.keep else ~inside
    if raw.frame is not None:
        return RawChunk(raw.origin, frame=raw.frame[keep], malformed=raw.malformed)
    positions = np.flatnonzero(keep).tolist()
    records = raw.records or []
    return RawChunk(
        raw.origin, records=[records[p] for p in positions], row_numbers=[raw.row_numbers[p] for p in positions],
        lookups=raw.lookups, malformed=raw.malformed,
    )


def _names(frame: pd.DataFrame) -> str:
    return ", ".join(name for name in frame.columns if name != ROW_NUMBER)


def _extract(raw: RawChunk, rule: FieldRule, labels: pd.Index, table: str) -> tuple[pd.Series, bool]:
    """The text values of one field and whether the field exists at all in this chunk."""
    if rule.const is not None:
        return pd.Series(rule.const, index=labels, dtype="str"), True
    path = rule.path or ""
    if raw.frame is not None:
        if path in raw.frame.columns:
            return raw.frame[path], True
        head, _, rest = path.partition(".")
        if rest and head in raw.frame.columns:
            # A column holding JSON text (e.g. a warehouse's ``properties``), read by path.
            return pd.Series([_json_field(value, rest) for value in raw.frame[head].tolist()], index=labels, dtype="str"), True
        if rule.optional:
            return pd.Series("", index=labels, dtype="str"), False
        hint = delimiter_hint([name for name in raw.frame.columns if name != ROW_NUMBER])
        raise MappingError(
            rule.where,
            f"{table}.columns.{rule.target}: column {path!r} not found in {raw.origin} (columns: {_names(raw.frame)})"
            + (f"; {hint}" if hint else ""),
        )
    try:
        found = [extract(record, path) for record in raw.records or []]
    except PathSyntaxError as exc:
        raise MappingError(rule.where, f"{table}.columns.{rule.target}: {exc}") from exc
    matched = any(value is not MISSING for value in found)
    if rule.lookup:
        index = raw.lookups.get(rule.lookup, {})
        found = [extract(index.get(as_text(key), {}), rule.lookup_value or "") for key in found]
    return pd.Series([as_text(value) for value in found], index=labels, dtype="str"), matched


def _json_field(value: str, path: str) -> str:
    if not value:
        return ""
    try:
        return as_text(extract(json.loads(value), path))
    except json.JSONDecodeError:
        return ""


def _present(values: pd.Series) -> np.ndarray:
    return (values.str.strip() != "").to_numpy(dtype=bool, na_value=False)


def _reject(rejected: dict[int, list[tuple[str, str]]], labels: list[int], rule: str, detail: str) -> None:
    for label in labels:
        rejected.setdefault(int(label), []).append((rule, detail))


def _apply_map(values: pd.Series, rule: FieldRule, rejected: dict[int, list[tuple[str, str]]]) -> pd.Series:
    if not rule.value_map:
        return values
    # Keys match case-insensitively and trimmed: exports spell "Good", "good" and "good " alike.
    table = {key.strip().lower(): value for key, value in rule.value_map}
    keys = values.str.strip().str.lower()
    present = _present(values)
    known = keys.isin(list(table)).to_numpy(dtype=bool, na_value=False)
    out = keys.map(table).fillna("").astype("str")
    unknown = present & ~known
    if unknown.any():
        if rule.unmapped == "keep":
            out = out.where(~unknown, values)
        elif rule.unmapped == "reject":
            for label, value in zip(values.index[unknown].tolist(), values[unknown].tolist(), strict=True):
                _reject(rejected, [label], "unmapped_value", f"{rule.target} <- {rule.origin()}: value {value[:40]!r} is not in "
                        "the map; add it to map, or set unmapped: keep or null")
            out = out.where(~unknown, values)
    return out.where(present, "")


def _apply_time(values: pd.Series, rule: FieldRule, rejected: dict[int, list[tuple[str, str]]]) -> pd.Series:
    present = _present(values)
    text = values.where(present)
    fmt = rule.time_format
    if fmt in {"unix", "unix_ms"}:
        numbers = pd.to_numeric(text.astype(object), errors="coerce")
        parsed = pd.to_datetime(numbers, unit="s" if fmt == "unix" else "ms", utc=True, errors="coerce")
    elif fmt and "%z" in fmt:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=True)
    else:
        # Values with an offset keep it; the others are local times of the mapping's time zone. They are
        # parsed apart: pandas refuses a mix of aware and naive values in one call.
        has_offset = text.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True).fillna(False).to_numpy(dtype=bool)
        aware = pd.to_datetime(text.where(has_offset), format=fmt or "ISO8601", errors="coerce", utc=True)
        naive = pd.to_datetime(text.where(~has_offset), format=fmt or "ISO8601", errors="coerce")
        # A wall time the clocks pass twice (the hour they go back) is read as its first passing: its
        # events were quarantined every October. A time the clocks skip does not exist and stays unreadable.
        first_passing = np.ones(len(naive), dtype=bool)
        local = naive.dt.tz_localize(rule.timezone or "UTC", ambiguous=first_passing, nonexistent="NaT").dt.tz_convert("UTC")
        parsed = aware.where(has_offset, local)
    bad = present & parsed.isna().to_numpy()
    if bad.any():
        _reject(rejected, values.index[bad].tolist(), "unparseable_timestamp",
                f"{rule.target} <- {rule.origin()}: does not match format {fmt or 'ISO 8601'!r}"
                + (f" or is no valid local time in {rule.timezone}" if rule.timezone else ""))
    arrow = pa.array(parsed.dt.tz_convert("UTC").dt.tz_convert(None).astype("datetime64[us]"), from_pandas=True)
    iso = pc.fill_null(pc.strftime(arrow, format="%Y-%m-%dT%H:%M:%SZ"), "")
    return pd.Series(iso.to_pylist(), index=values.index, dtype="str").where(~bad, values)


def _apply_join(values: pd.Series, rule: FieldRule, resolve: CustomerResolver, rejected: dict[int, list[tuple[str, str]]]) -> pd.Series:
    index = resolve(rule.join or "")
    present = _present(values)
    keys = values.str.strip()
    if rule.join == "email":
        keys = keys.str.lower()
    ids = keys.map(index)
    unknown = present & ids.isna().to_numpy()
    if unknown.any():
        _reject(rejected, values.index[unknown].tolist(), "unknown_customer",
                f"customer_id <- {rule.origin()} joined by {rule.join}: no customer has this {rule.join}; "
                "load the customer first or fix the mapping")
    return ids.fillna("").astype("str").where(~unknown, values)


def _raw_of(raw: RawChunk) -> Callable[[list[int]], list[str]]:
    """Source records as read, for the quarantine: a tabular row's columns, or a JSON record."""
    if raw.frame is not None:
        frame = raw.frame
        return lambda labels: warehouse_records.raw_rows(frame.loc[labels]).tolist()
    records = raw.records or []
    return lambda labels: [json.dumps(records[label], ensure_ascii=False, sort_keys=True) for label in labels]
