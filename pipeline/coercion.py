"""Turn a chunk of text values into typed columns, remembering which non-empty values failed to parse.

Text columns stay pandas' Arrow-backed ``str`` so that trimming, emptiness and regular expressions run
in pyarrow's C++ kernels rather than once per value in Python.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.contract import TableSpec

TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1", "on"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0", "off"})
PARSED_SUFFIX = "__parsed"
ID_COLUMNS = ("customer_id",)
# Trimmed too: an address exported with a space around it (" ann@example.com ") is the same address, and a
# mapping's join by email already read it so (stop 45's walk: it was quarantined as malformed_email).
TRIMMED_COLUMNS = (*ID_COLUMNS, "email")
_ISO_DATE_START = r"\s*[+-]?\d{4}-\d{2}-\d{2}"


def parse_timestamps(values: pd.Series) -> pd.Series:
    """ISO 8601 text to naive UTC datetimes (a value without offset is UTC); failures become NaT."""
    text = values.where(values.notna() & (values != ""))
    parsed = pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce")
    # Mixed ISO styles (some with "T", some with a space, some date-only) defeat the one-format fast path;
    # the failures are retried one by one, but only those that start with an ISO date: pandas' "mixed"
    # reads "01/03/2026" month first and "25/03/2026" day first in one file, so a dd/mm export loaded
    # with day and month swapped wherever the day was 12 or less. Any other style is unparseable and
    # quarantined (a source mapping's ``format`` reads it).
    retry = parsed.isna() & text.notna() & text.str.match(_ISO_DATE_START).fillna(False).astype(bool)
    if retry.any():
        parsed = parsed.copy()
        parsed[retry] = pd.to_datetime(text[retry].astype(object), utc=True, format="mixed", errors="coerce")
    return parsed.dt.tz_convert(None).astype("datetime64[us]")


def parse_booleans(values: pd.Series) -> pd.Series:
    """true/false-like words to a nullable boolean; anything else becomes <NA>."""
    lowered = values.str.strip().str.lower()
    result = pd.Series(pd.NA, index=values.index, dtype="boolean")
    result[lowered.isin(TRUE_WORDS).to_numpy(dtype=bool, na_value=False)] = True
    result[lowered.isin(FALSE_WORDS).to_numpy(dtype=bool, na_value=False)] = False
    return result


def coerce_chunk(frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """Return a typed copy of ``frame``: contract columns parsed, extra columns kept as text.

    Blank text (empty or only whitespace) becomes missing; identifiers are trimmed. For every typed column a boolean
    ``<column>__parsed`` says whether a non-empty value parsed (empty values count as parsed; whether
    they may be empty is a separate rule).
    """
    typed: dict[str, pd.Series] = {name: frame[name] for name in frame.columns}
    for spec_column in spec.columns:
        name = spec_column.name
        raw = _text(frame, name)
        present = _present(raw)
        if spec_column.kind == "text":
            # Identifiers are compared and stored trimmed (" C1" and "C1" are one customer).
            kept = raw.str.strip() if name in (spec.key, *TRIMMED_COLUMNS) else raw
            typed[name] = kept if present.all() else kept.where(present)
            continue
        stripped = raw.str.strip()
        if spec_column.kind == "timestamp":
            parsed = parse_timestamps(stripped)
        elif spec_column.kind == "boolean":
            parsed = parse_booleans(stripped)
        else:
            parsed = pd.to_numeric(stripped.where(present).astype(object), errors="coerce").astype(float)
            if spec_column.kind == "integer":
                whole = np.isfinite(parsed) & (np.floor(parsed) == parsed)
                parsed = parsed.where(whole)
        typed[name] = parsed
        typed[name + PARSED_SUFFIX] = pd.Series(~present | parsed.notna().to_numpy(), index=frame.index)
    return pd.DataFrame(typed, index=frame.index)


def _present(values: pd.Series) -> np.ndarray:
    """True where a value has a non-whitespace character (Arrow kernels: no trimmed copy is made)."""
    arrow = pa.array(values.array)
    blank = pc.or_kleene(pc.equal(pc.utf8_length(arrow), 0), pc.utf8_is_space(arrow))
    return ~pc.fill_null(blank, True).to_numpy(zero_copy_only=False)


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    """Column ``name`` as text, all empty when the (optional) column is absent from the source."""
    if name in frame.columns:
        values = frame[name]
        return values if values.dtype == "str" else values.astype("str")
    return pd.Series("", index=frame.index, dtype="str")
