"""Remove personal data from ticket text: the redacted copy is what every later stage and report reads.

Vectorised over a pandas Series (regular expressions applied column-wise), so a day of tickets redacts in
well under a second. HTML is reduced to text first, so tags and entities cannot hide PII from the patterns.
"""

from __future__ import annotations

import html
import re

import pandas as pd

_TAGS = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>|<[^>]{0,2000}>", re.IGNORECASE | re.DOTALL)
# Order matters: URLs before emails (user@host inside URLs), IBANs and cards before phone numbers.
PATTERNS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("url", re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE), "[url]"),
    ("email", re.compile(r"\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}\b"), "[email]"),
    ("iban", re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b"), "[iban]"),
    ("card", re.compile(r"\b(?:\d[ \-]?){12,18}\d\b"), "[card number]"),
    ("phone", re.compile(r"(?<![\w/.])(?:\+|00)?\(?\d[\d ().\-]{5,20}\d(?![\w/])"), "[phone]"),
)
_SPACE = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _phone_or_keep(match: re.Match[str]) -> str:
    # A phone number has 7 to 15 digits (E.164); dates, versions and short numbers are left alone.
    candidate = match.group(0)
    digits = sum(ch.isdigit() for ch in candidate)
    if not 7 <= digits <= 15 or _DATE.match(candidate.strip()):
        return candidate
    if not any(ch in candidate for ch in " -.()+") and not candidate.startswith("00"):
        return candidate  # a bare run of digits is more likely an order or ticket number
    return "[phone]"


def html_to_text(values: pd.Series) -> pd.Series:
    """Strip tags (and script/style bodies) and unescape entities."""
    text = values.fillna("").astype(str).str.replace(_TAGS, " ", regex=True)
    return text.map(html.unescape)


def redact(values: pd.Series) -> pd.Series:
    """Return ``values`` as plain text with URLs, emails, IBANs, card-like numbers and phones replaced.

    A URL is replaced whole, since its path or query may carry tokens. Missing values stay missing.
    """
    missing = values.isna()
    text = html_to_text(values)
    for kind, pattern, placeholder in PATTERNS:
        replacement = _phone_or_keep if kind == "phone" else placeholder
        text = text.str.replace(pattern, replacement, regex=True)
    text = text.str.replace(_SPACE, " ", regex=True).str.replace(_BLANK_LINES, "\n\n", regex=True).str.strip()
    return text.mask(missing, None)


def redact_text(value: str) -> str:
    """Redact one string (convenience for callers outside pandas)."""
    return str(redact(pd.Series([value])).iat[0])
