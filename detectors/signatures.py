"""Event signatures: normalise error events so that one bug is one signature.

A signature is the normalised ``(name, error_code, feature, platform)`` of an error event plus, only when
the event carries no ``error_code``, the normalised message pattern. The code already names the bug, and
its messages often vary (ids, amounts, paths) in ways the normaliser cannot fully foresee; keying on the
code alone keeps those variants one signature. Without a code the message pattern is all there is.

Which events are signatures: usage events (``session_start``, ``feature_used`` ...) never are; an event
whose name looks like an error (``error``, ``crash``, ``payment_error``, ``api.timeout`` ...) always is;
any other event is one when it carries an ``error_code``.

Message normalisation runs in pyarrow's RE2 through pandas ``.str.replace`` on the unique messages only,
so a million rows normalise in seconds; the scalar ``normalize_message`` runs the very same pipeline.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from collections.abc import Collection, Iterable

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

SIGNATURE_COLUMNS: tuple[str, ...] = ("name", "error_code", "feature", "platform", "message")
"""Event columns read by :func:`assign_signatures` (only ``name`` is required)."""

USAGE_EVENT_NAMES: frozenset[str] = frozenset(
    {
        "session_start",
        "session_end",
        "feature_used",
        "page_view",
        "screen_view",
        "app_open",
        "app_close",
        "login",
        "logout",
        "signup",
        "purchase",
        "click",
        "heartbeat",
    }
)
"""Event names that describe usage, never an error, even if a source fills ``error_code`` on them."""

# A name is error-like when one of these words is a whole token of it ("crash", "payment_error", "api.timeout",
# "app_crashed", "request timed out"). Event pipelines name the same thing in many tenses and numbers; a name
# the list misses is an error only when it carries an error code, so its incidents go unseen.
_ERROR_WORDS = (
    "error|errors|errored|crash|crashes|crashed|exception|exceptions|fatal|anr|oom|failure|failures|fail|fails"
    "|failed|fault|faults|timeout|timeouts|timedout|timed[^a-z0-9]*out|panic|panics|panicked"
)
_ERROR_NAME_PATTERN = rf"(?:^|[^a-z0-9])(?:{_ERROR_WORDS})(?:[^a-z0-9]|$)"
# camelCase and PascalCase names ("paymentError", "AppCrashed", "HTTPTimeout") are split into words before
# the test, so their error word is a token too.
_CAMEL_BOUNDARY = r"([a-z0-9])([A-Z])|([A-Z])([A-Z][a-z])"

SIGNATURE_KEY_VERSION = "v1"
"""Bump when the key's inputs change; every signature id changes with it (a migration, not a silent drift)."""

MAX_PATTERN_CHARS = 300
"""Patterns are cut here: long stack traces that differ only in their tails stay one signature."""

# (pattern, replacement) in order. Lowercasing happens first, so patterns need no case-insensitive flag.
# RE2-compatible on purpose (no look-arounds, no \w \d \s), so pandas keeps pyarrow's fast path; pandas
# falls back to Python's re (same result) only for non-ASCII data. Hex ids and numbers share one
# placeholder: an id that happens to be all digits must not split a signature from one with letters.
_MESSAGE_RULES: tuple[tuple[str, str], ...] = (
    (r"[a-z][a-z0-9+.-]*://[^ \t\r\n'\"<>]+|www\.[^ \t\r\n'\"<>]+", "<url>"),
    (r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+", "<email>"),
    (r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>"),
    (
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[t ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?)?(?:z|[+-][0-9]{2}:?[0-9]{2})?"
        r"|[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?"
        r"|[0-9]{1,4}/[0-9]{1,2}/[0-9]{1,4}",
        "<ts>",
    ),
    (r"\B'[^'\r\n]*'\B|\"[^\"\r\n]*\"|`[^`\r\n]*`", "<str>"),
    (
        r"(^|[^a-z0-9_<>.~-])(?:(?:~|\.\.?)?(?:/[a-z0-9_.@%+~-]+)+/?|[a-z]:\\[^ \t\r\n'\"<>:]*)",
        r"\1<path>",
    ),
    (r"0x[0-9a-f]+|\b[0-9a-f]*[0-9][0-9a-f]*\b|[0-9]+", "<num>"),
    (r"<num>(?:(?:[.,:_-]|[ ,;]+)<num>)+", "<num>"),  # version-like runs and lists of ids
    (r"[ \t\r\n\f\v]{2,}|[\t\r\n\f\v]", " "),  # only runs and non-space blanks: fewer rewrites
)


def normalize_message(text: object) -> str:
    """Return the normalised pattern of one message (``""`` for a missing one)."""
    return str(normalize_messages(pd.Series([text], dtype=object)).iloc[0])


def normalize_messages(messages: pd.Series) -> pd.Series:
    """Return the normalised pattern of every message, index kept; missing messages become ``""``.

    Only the unique messages are normalised, then mapped back, so repeats cost nothing.
    """
    codes, uniques = pd.factorize(messages, use_na_sentinel=True)
    patterns = _normalize_unique(pd.Series(np.asarray(uniques, dtype=object), dtype=object))
    lookup = np.append(patterns.to_numpy(dtype=object), "")  # code -1 (missing) picks the trailing ""
    return pd.Series(lookup[codes], index=messages.index, dtype="str", name=messages.name)


def _normalize_unique(values: pd.Series) -> pd.Series:
    """Run the rule pipeline over (unique, non-missing) values; non-strings are formatted first."""
    text = values.astype("str").str.lower()  # factorize left no missing value here
    for pattern, replacement in _MESSAGE_RULES:
        text = text.str.replace(pattern, replacement, regex=True)
    return text.str.strip().str.slice(0, MAX_PATTERN_CHARS).str.strip()


def normalize_field(value: object, *, keep_case: bool = False) -> str:
    """Normalise one key field (name, code, feature, platform): trimmed, lowercased, ``""`` when missing.

    A float that holds an integer (``500.0``, as a CSV reader may produce for codes) is written ``500``.
    ``keep_case=True`` skips lowercasing (for display only; keys are always case-insensitive).
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    text = str(value).strip()
    return text if keep_case else text.lower()


def normalize_fields(values: pd.Series, *, keep_case: bool = False) -> pd.Series:
    """Vectorised :func:`normalize_field` (on the unique values only)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    normalised = np.array([normalize_field(v, keep_case=keep_case) for v in uniques] + [""], dtype=object)
    return pd.Series(normalised[codes], index=values.index, dtype="str", name=values.name)


def signature_key(
    name: object,
    error_code: object,
    feature: object,
    platform: object,
    message_pattern: object,
) -> str:
    """Return the stable signature id, ``sig-`` + 12 hex digits of a SHA-1.

    Args:
        name, error_code, feature, platform: raw event fields; normalised here (trim, lowercase).
        message_pattern: the output of :func:`normalize_message`; it enters the key only when
            ``error_code`` is empty (see the module docstring).
    """
    fields = [normalize_field(value) for value in (name, error_code, feature, platform)]
    pattern = "" if fields[1] else ("" if message_pattern is None else str(message_pattern))
    return _hash_key(fields + [pattern])


def _hash_key(parts: Iterable[str]) -> str:
    """Hash normalised parts into a signature id; the unit separator keeps ``("a","bc")`` != ``("ab","c")``."""
    payload = "\x1f".join([SIGNATURE_KEY_VERSION, *parts]).encode("utf-8")
    return "sig-" + hashlib.sha1(payload, usedforsecurity=False).hexdigest()[:12]


def signature_event_mask(
    events: pd.DataFrame, *, usage_event_names: Collection[str] = USAGE_EVENT_NAMES
) -> pd.Series:
    """Return a boolean mask of the events that are error signatures (see the module docstring).

    Raises:
        ValueError: ``events`` has no ``name`` column.
    """
    _require_columns(events, ("name",))
    # Judged once per distinct name (a million events carry a few dozen), then mapped back.
    codes, uniques = pd.factorize(events["name"], use_na_sentinel=True)
    usage_names = {normalize_field(name) for name in usage_event_names}
    signature_name = [_is_error_name(normalize_field(v, keep_case=True), usage_names) for v in uniques]
    by_name = np.array([*signature_name, False], dtype=bool)[codes]  # code -1 (no name) picks the False
    if "error_code" in events.columns:
        has_code = (normalize_fields(events["error_code"]) != "").to_numpy()
        usage = np.array([normalize_field(v) in usage_names for v in uniques] + [False], dtype=bool)[codes]
        by_name |= has_code & ~usage
    return pd.Series(by_name, index=events.index, dtype=bool)


def _is_error_name(name: str, usage_names: set[str]) -> bool:
    """Whether an event name (trimmed, case kept) is an error's: not a usage name, and an error word in it once
    camelCase humps are split ("AppCrashed" -> "app crashed")."""
    if name.lower() in usage_names:
        return False
    words = re.sub(_CAMEL_BOUNDARY, lambda m: f"{m[1] or m[3]} {m[2] or m[4]}", name).lower()
    return re.search(_ERROR_NAME_PATTERN, words) is not None


def assign_signatures(
    events: pd.DataFrame, *, usage_event_names: Collection[str] = USAGE_EVENT_NAMES
) -> pd.DataFrame:
    """Return the signature events of ``events`` with ``message_pattern`` and ``signature_id`` added.

    Non-signature events (sessions, feature use) are dropped; the index and all other columns are kept.
    Optional columns (``error_code``, ``feature``, ``platform``, ``message``) count as empty when absent.

    Raises:
        ValueError: ``events`` has no ``name`` column.
    """
    errors = events.loc[signature_event_mask(events, usage_event_names=usage_event_names)].copy()
    fields = {
        column: _field_or_empty(errors, column) for column in ("name", "error_code", "feature", "platform")
    }
    if "message" in errors.columns:
        patterns = normalize_messages(errors["message"])
    else:
        patterns = pd.Series("", index=errors.index, dtype="str")
    errors["message_pattern"] = patterns
    keyed_patterns = patterns.where(fields["error_code"] == "", "")  # the code names the bug: module doc
    errors["signature_id"] = _hash_frame(pd.DataFrame({**fields, "message_pattern": keyed_patterns}))
    logger.info(
        "assigned %s signatures to %s of %s events",
        errors["signature_id"].nunique(),
        len(errors),
        len(events),
    )
    return errors


def signature_catalog(signed_events: pd.DataFrame) -> pd.DataFrame:
    """Return one row per signature: ``signature_id, name, error_code, feature, platform, message_pattern``.

    Fields are shown trimmed with their case kept (``E1042``, not the hashed ``e1042``), and the catalog
    never carries a raw message. A signature keyed by its error code may have several patterns (and
    spellings); the catalog shows the most frequent one, ties broken alphabetically.

    Args:
        signed_events: the output of :func:`assign_signatures`.
    """
    columns = ["signature_id", "name", "error_code", "feature", "platform", "message_pattern"]
    _require_columns(signed_events, ("signature_id", "name", "message_pattern"))
    frame = pd.DataFrame(
        {
            "signature_id": signed_events["signature_id"],
            **{
                c: _field_or_empty(signed_events, c, keep_case=True)
                for c in ("name", "error_code", "feature", "platform")
            },
            "message_pattern": signed_events["message_pattern"],
        }
    )
    counts = frame.value_counts(sort=False).rename("rows").reset_index()
    counts = counts.sort_values(["signature_id", "rows", *columns[1:]], ascending=[True, False] + [True] * 5)
    return counts.drop_duplicates("signature_id").reset_index(drop=True)[columns]


def _field_or_empty(frame: pd.DataFrame, column: str, *, keep_case: bool = False) -> pd.Series:
    """Normalised column, or all ``""`` when the optional column is absent."""
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype="str")
    return normalize_fields(frame[column], keep_case=keep_case)


def _hash_frame(fields: pd.DataFrame) -> pd.Series:
    """Hash each row of normalised fields, hashing every distinct combination once."""
    if fields.empty:
        return pd.Series([], index=fields.index, dtype="str")
    combos = fields.drop_duplicates()
    keys = [_hash_key(row) for row in combos.itertuples(index=False, name=None)]
    combos = combos.assign(signature_id=keys)
    merged = fields.reset_index(drop=True).merge(combos, how="left", on=list(fields.columns), sort=False)
    return pd.Series(merged["signature_id"].to_numpy(), index=fields.index, dtype="str")


def _require_columns(frame: pd.DataFrame, columns: Iterable[str]) -> None:
    """Raise a ValueError naming the missing columns and the ones present."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"events frame lacks column(s) {missing}; it has {list(frame.columns)}")
