"""Ticket text preparation: normalising, truncating and de-duplicating before embedding."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

# A sentence embedder reads at most a few hundred tokens; 2,000 characters is about 400 English
# words, so longer bodies (quoted mail threads, logs) are cut before tokenising them costs time.
MAX_EMBED_CHARS = 2000

_WHITESPACE = re.compile(r"\s+")
_HAS_WORD = re.compile(r"\w", re.UNICODE)


def normalize_text(text: str) -> str:
    """Return the dedup key of a text: NFKC, lower case, single spaces, trimmed."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().lower()


def truncate_text(text: str, max_chars: int = MAX_EMBED_CHARS) -> str:
    """Cut a long text at a word boundary near ``max_chars`` (the embedder only reads the start)."""
    if len(text) <= max_chars:
        return text
    cut = text.rfind(" ", 0, max_chars)
    return text[: cut if cut > max_chars // 2 else max_chars]


def has_words(text: str) -> bool:
    """True when a text holds at least one letter or digit (punctuation alone says nothing)."""
    return bool(_HAS_WORD.search(text))


@dataclass(frozen=True)
class UniqueTexts:
    """Distinct normalised texts in a canonical (sorted) order, and where each input row went.

    Sorting makes the clustering independent of input order: the same tickets shuffled give the
    same graph and therefore the same pain points.
    """

    texts: tuple[str, ...]
    row_to_unique: np.ndarray  # int index into ``texts`` per input row; -1 for rows without words
    counts: np.ndarray  # tickets per unique text


def validate_texts(texts: Sequence[object], where: str = "texts") -> list[str]:
    """Return the texts as a list of str.

    Raises:
        ValueError: if the input is a bare string or holds a non-string value.
    """
    if isinstance(texts, str | bytes):
        raise ValueError(f"{where} must be a sequence of strings, not a single string")
    out = list(texts)
    for i, value in enumerate(out):
        if not isinstance(value, str):
            raise ValueError(f"{where}[{i}] is {type(value).__name__}, expected str")
    return out


def deduplicate_texts(texts: Sequence[str], clean: Callable[[str], str] | None = None) -> UniqueTexts:
    """Group rows by normalised text (after ``clean``, when given); rows with no letter or digit map to -1."""
    cleaned = texts if clean is None else [clean(t) for t in texts]
    keys = [normalize_text(truncate_text(t)) for t in cleaned]
    distinct = sorted({k for k in keys if has_words(k)})
    position = {k: i for i, k in enumerate(distinct)}
    row_to_unique = np.array([position.get(k, -1) for k in keys], dtype=np.int64)
    counts = np.bincount(row_to_unique[row_to_unique >= 0], minlength=len(distinct))
    return UniqueTexts(texts=tuple(distinct), row_to_unique=row_to_unique, counts=counts)
