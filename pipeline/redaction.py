"""Remove personal data from ticket text: the redacted copy is what every later stage and report reads.

Vectorised over a pandas Series: HTML is reduced to text first (so tags and entities cannot hide PII),
then one regular expression finds URLs, emails, IBANs and digit runs in a single pass, and a small
classifier decides what a digit run is: a card number (Luhn check, or too long for a phone), a phone
number (7 to 15 digits, written with separators or a country prefix), or something to keep (dates,
versions, times, order numbers).
"""

from __future__ import annotations

import html
import re
from functools import cache

import pandas as pd

_TAGS = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>|<[^>]{0,2000}>", re.IGNORECASE | re.DOTALL)
_URL = r"\b(?:https?://|www\.)[^\s<>\"']*[^\s<>\"'.,;:!?)]"  # sentence punctuation after it stays
_EMAIL = r"\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}\b"
_IBAN = r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b"
# A run of digits with phone/card punctuation; what it is gets decided by _redact_number.
_NUMBER = r"(?<![\w/.])(?:\+|00)?\(?\d[\d ().\-]{5,40}\d(?![\w/])"
# Alternation order is priority at one position: a URL wins over the email inside it, an IBAN over digits.
_KINDS = (("url", _URL), ("email", _EMAIL), ("iban", _IBAN), ("number", _NUMBER))
PII = re.compile("|".join(f"(?P<{kind}>{pattern})" for kind, pattern in _KINDS), re.IGNORECASE)
_IBAN_HINT = re.compile(r"[A-Z]{2}\d{2}")
_DIGIT = re.compile(r"\d")
_IBAN_EXACT = re.compile(_IBAN)  # IBANs are upper case; the pattern above matched case-insensitively
_NUMBER_ONLY = re.compile(_NUMBER)
# Inside a digit run, dates (ISO or day-first) and dotted versions are kept as they are.
_DATE = re.compile(r"\d{4}[./-]\d{1,2}[./-]\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{4}")
_DOTTED = re.compile(r"\d+(?:\.\d+){2,}")
_KEEP_CANDIDATE = re.compile(f"{_DATE.pattern}|{_DOTTED.pattern}")
_SPACE = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
PLACEHOLDERS = {"url": "[url]", "email": "[email]", "iban": "[iban]", "card": "[card number]", "phone": "[phone]"}


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _is_version(token: str) -> bool:
    # "5.13.0", "10.0.19045", "116.0.5845.96" are versions; "555.123.4567" is a phone number.
    groups = token.split(".")
    return len(groups) > 4 or any(len(group) == 1 for group in groups)


def _kept(token: str) -> bool:
    return bool(_DATE.fullmatch(token)) or (bool(_DOTTED.fullmatch(token)) and _is_version(token))


def _redact_number(candidate: str) -> str:
    """Redact one digit run; dates and versions inside it are kept and the pieces between judged alone."""
    kept = [m for m in _KEEP_CANDIDATE.finditer(candidate) if _kept(m.group(0))]
    if not kept:
        return _classify_number(candidate)
    out, position = [], 0
    for match in kept:
        out.append(_NUMBER_ONLY.sub(lambda m: _classify_number(m.group(0)), candidate[position : match.start()]))
        out.append(match.group(0))
        position = match.end()
    out.append(_NUMBER_ONLY.sub(lambda m: _classify_number(m.group(0)), candidate[position:]))
    return "".join(out)


def _classify_number(candidate: str) -> str:
    digits = "".join(ch for ch in candidate if ch.isdigit())
    separated = any(ch in candidate for ch in " -.()") or candidate.startswith(("+", "00"))
    if 13 <= len(digits) <= 19 and (_luhn_valid(digits) or len(digits) > 15):
        return PLACEHOLDERS["card"]
    if 7 <= len(digits) <= 15 and separated:
        return PLACEHOLDERS["phone"]
    if 13 <= len(digits) <= 19:
        return PLACEHOLDERS["card"]  # a long bare digit run: an account or card number more likely than not
    return candidate  # a short or bare run of digits is more likely an order or ticket number


def _replace(match: re.Match[str]) -> str:
    kind = match.lastgroup or ""
    if kind == "number":
        return _redact_number(match.group(0))
    if kind == "iban" and not _IBAN_EXACT.fullmatch(match.group(0)):
        return match.group(0)
    return PLACEHOLDERS[kind]


@cache
def _pattern(kinds: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?P<{kind}>{pattern})" for kind, pattern in _KINDS if kind in kinds), re.IGNORECASE)


def _pii_pattern(text: str) -> re.Pattern[str] | None:
    """PII with only the alternatives that can match ``text`` (each one tried at every position costs)."""
    kinds = (
        ("url",) * ("://" in text or "www." in text.lower())
        + ("email",) * ("@" in text)
        + ("iban",) * bool(_IBAN_HINT.search(text))
        + ("number",) * bool(_DIGIT.search(text))
    )
    return _pattern(kinds) if kinds else None


def _redact_one(text: str) -> str:
    text = html.unescape(_TAGS.sub(" ", text)) if "<" in text or "&" in text else text
    pattern = _pii_pattern(text)
    if pattern is not None:
        text = pattern.sub(_replace, text)
    return _BLANK_LINES.sub("\n\n", _SPACE.sub(" ", text)).strip()


def html_to_text(values: pd.Series) -> pd.Series:
    """Strip tags (and script/style bodies) and unescape entities."""
    return values.fillna("").astype(str).map(lambda text: html.unescape(_TAGS.sub(" ", text)))


def redact(values: pd.Series) -> pd.Series:
    """Return ``values`` as plain text with URLs, emails, IBANs, card-like numbers and phones replaced.

    A URL is replaced whole, since its path or query may carry tokens. Missing values stay missing.
    """
    missing = values.isna().to_numpy(dtype=bool)
    out = [None if gone else _redact_one(str(text)) for text, gone in zip(values.tolist(), missing, strict=True)]
    return pd.Series(out, index=values.index, dtype=object)


def redact_text(value: str) -> str:
    """Redact one string (convenience for callers outside pandas)."""
    return _redact_one(value)
