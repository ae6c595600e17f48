"""Bugs: error signatures grouped across platforms.

A signature is ``(name, error_code, feature, platform)`` (plus the message pattern when there is no
code), so one bug that breaks every client is five signatures. Incidents are about bugs: the same
fields without the platform. A bug's incident names a platform only when a single one is involved.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from detectors.signatures import normalize_field

BUG_KEY_VERSION = "v1"


def bug_key(name: object, error_code: object, feature: object, message_pattern: object) -> str:
    """``bug-`` + 12 hex digits: the signature key without the platform (the pattern counts only without a code)."""
    fields = [normalize_field(value) for value in (name, error_code, feature)]
    pattern = "" if fields[1] else normalize_field(message_pattern, keep_case=True)
    payload = "\x1f".join([BUG_KEY_VERSION, *fields, pattern]).encode("utf-8")
    return "bug-" + hashlib.sha1(payload, usedforsecurity=False).hexdigest()[:12]


def bug_of_signatures(catalog: pd.DataFrame) -> pd.Series:
    """The bug of every signature in the catalog, indexed by ``signature_id``."""
    if catalog.empty:
        return pd.Series(dtype="str", name="bug_id")
    keys = [
        bug_key(n, c, f, p)
        for n, c, f, p in zip(
            catalog["name"], catalog["error_code"], catalog["feature"], catalog["message_pattern"], strict=True
        )
    ]
    return pd.Series(keys, index=catalog["signature_id"].to_numpy(), dtype="str", name="bug_id")


def bug_of_row(row: dict) -> str:
    """The bug of an incident row (or anything with name, error_code, feature, message_pattern)."""
    return bug_key(row.get("name"), row.get("error_code"), row.get("feature"), row.get("message_pattern"))


def one_platform(catalog: pd.DataFrame, signature_ids: list[str]) -> str | None:
    """The platform shared by all ``signature_ids``, or None when they span several (or none is known)."""
    platforms = catalog.set_index("signature_id").reindex(signature_ids)["platform"]
    known = {str(p) for p in platforms if isinstance(p, str) and p}
    return known.pop() if len(known) == 1 else None


def describe_bug(catalog: pd.DataFrame, signature_ids: list[str]) -> dict[str, str | None]:
    """Name, code, feature, message pattern of the first signature, and the platform when only one."""
    rows = catalog.set_index("signature_id").reindex(signature_ids)
    first = rows.iloc[0] if len(rows) else pd.Series(dtype=object)
    return {
        "name": _text(first.get("name")),
        "error_code": _text(first.get("error_code")),
        "feature": _text(first.get("feature")),
        "platform": one_platform(catalog, signature_ids),
        "message_pattern": _text(first.get("message_pattern")),
    }


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    return text or None
