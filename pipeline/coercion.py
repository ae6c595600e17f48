"""Turn a chunk of text values into typed columns, remembering which non-empty values failed to parse."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.contract import TableSpec

TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1", "on"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0", "off"})
PARSED_SUFFIX = "__parsed"


def parse_timestamps(values: pd.Series) -> pd.Series:
    """ISO 8601 text to naive UTC datetimes (a value without offset is UTC); failures become NaT."""
    text = values.where(values.astype(bool), None)
    parsed = pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce")
    if parsed.isna().any():
        # Mixed styles (e.g. some with "T", some with a space, some date-only) defeat the one-format
        # fast path; retry only the failures one by one.
        retry = parsed.isna() & text.notna()
        if retry.any():
            parsed = parsed.copy()
            parsed[retry] = pd.to_datetime(text[retry], utc=True, format="mixed", errors="coerce")
    return parsed.dt.tz_convert(None).astype("datetime64[us]")


def parse_booleans(values: pd.Series) -> pd.Series:
    """true/false-like words to a nullable boolean; anything else becomes <NA>."""
    lowered = values.str.strip().str.lower()
    result = pd.Series(pd.NA, index=values.index, dtype="boolean")
    result[lowered.isin(TRUE_WORDS)] = True
    result[lowered.isin(FALSE_WORDS)] = False
    return result


def coerce_chunk(frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """Return a typed copy of ``frame``: contract columns parsed, extra columns kept as text.

    For every typed column a boolean ``<column>__parsed`` says whether a non-empty value parsed (empty
    values count as parsed; whether they may be empty is a separate rule).
    """
    typed = frame.copy()
    for spec_column in spec.columns:
        name = spec_column.name
        if name not in typed.columns:
            typed[name] = ""
        raw = typed[name].fillna("").astype(str)
        present = raw.str.strip().astype(bool)
        if spec_column.kind == "text":
            typed[name] = raw.where(present, None)
            continue
        if spec_column.kind == "timestamp":
            parsed = parse_timestamps(raw.str.strip())
        elif spec_column.kind == "boolean":
            parsed = parse_booleans(raw)
        else:
            parsed = pd.to_numeric(raw.str.strip().where(present, None), errors="coerce")
            if spec_column.kind == "integer":
                whole = parsed.notna() & (np.floor(parsed) == parsed)
                parsed = parsed.where(whole | parsed.isna()).where(whole, np.nan)
        typed[name] = parsed
        typed[name + PARSED_SUFFIX] = ~present | parsed.notna()
    return typed
