"""Tickets in a second language cluster by their problem, not by their language.

The packaged encoder learnt English. A German or French ticket gets a vector that says "not English" more
loudly than it says what went wrong, so a queue's German, French and Spanish tickets end up in one pain
point of their own, whatever they are about — an incident's French tickets with a German invoice question
(the demo's worlds: 27–39 tickets, about 5% of the queue, in one "German, French and Spanish tickets" pain
point). Shifting each language's vectors so that their mean sits on the queue's main language's mean
(centring per language, as done for multilingual encoders: Libovický et al., 2020) takes the language out
and leaves the problem: in four simulated worlds the non-English tickets' NMI against their true problems
went from 0.00–0.48 to 0.73–0.88, about half of them joining the pain point of the same problem in the
main language (README, "Tickets in other languages").

A language is centred only when it has ``min_texts`` texts and its mean lies further from the main
language's than the mean of that many texts drawn from the main language would (``min_distance_ratio``
times the expected squared distance): a handful of texts that happen to share one problem is no language.
The main language's vectors are never moved, so stored vectors, centroids and ids keep their space.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from detectors.painpoints.embedder import Embedder, Progress, fit_and_embed, has_fixed_vectors
from detectors.painpoints.words import ENGLISH_STOP_WORDS, FUNCTION_WORDS, text_language, tokenize

MIN_TEXTS = 5
# Squared distance of a language's mean from the main language's, over what a random group of the same
# size would show: 4 is twice the standard error in distance. Real languages in the simulated worlds
# sit at 5–11 with 6–21 texts; a group of 3 at 2.8 (its mean is mostly its texts' own problems).
MIN_DISTANCE_RATIO = 4.0


# Function words of the other languages that English does not use. A text holding none of them (nor a
# French elision: "l'appli", not "I'm" or "don't") is in no other language and is not tokenised: most
# of a queue is in its main language, and tokenising 42,000 texts took 0.6 s of a 50,000-ticket fit.
_FOREIGN_WORDS = frozenset().union(*FUNCTION_WORDS.values()) - ENGLISH_STOP_WORDS
_ELISION = re.compile(r"\b(?:[ldjnmtcs]|qu)['\u2019]\w")


def _queue_languages(texts: Sequence[str]) -> list[str | None]:
    """Each text's ``words.text_language``, with "English" for a text no other language's function word is
    in (an undecided text among them too: in a queue whose main language is English it counts with it anyway)."""
    out: list[str | None] = []
    for text in texts:
        lowered = text.lower()
        if not _ELISION.search(lowered) and _FOREIGN_WORDS.isdisjoint(lowered.split()):
            out.append("English")
        else:
            out.append(text_language(tokenize(text)))
    return out


def language_offsets(
    texts: Sequence[str],
    vectors: np.ndarray,
    *,
    min_texts: int = MIN_TEXTS,
    min_distance_ratio: float = MIN_DISTANCE_RATIO,
) -> dict[str, np.ndarray]:
    """Per language to centre: its mean vector less the main language's mean (empty when there is none).

    The main language is the one most texts are written in; texts whose language cannot be told count
    with it (a name, a code, "ok thanks").
    """
    if len(vectors) != len(texts):
        raise ValueError(f"{len(vectors)} vectors for {len(texts)} texts")
    return _offsets(_queue_languages(texts), vectors, min_texts, min_distance_ratio)


def _offsets(
    languages: Sequence[str | None], vectors: np.ndarray, min_texts: int, min_distance_ratio: float
) -> dict[str, np.ndarray]:
    counts = Counter(language for language in languages if language is not None)
    if len(counts) < 2:
        return {}
    vectors = np.asarray(vectors, dtype=np.float64)
    main = counts.most_common(1)[0][0]
    in_main = np.array([language in (main, None) for language in languages])
    base = vectors[in_main]
    if base.shape[0] < 2:
        return {}
    centre = base.mean(axis=0)
    spread = float(base.var(axis=0).sum())  # expected squared distance of one text from the centre
    offsets = {}
    for language, n in counts.items():
        if language == main or n < min_texts:
            continue
        shift = vectors[np.array([lang == language for lang in languages])].mean(axis=0) - centre
        chance = spread / n * (1.0 - n / base.shape[0]) if n < base.shape[0] else 0.0
        if float(shift @ shift) >= min_distance_ratio * chance:
            offsets[language] = shift
    return offsets


def centred(texts: Sequence[str], vectors: np.ndarray, offsets: Mapping[str, np.ndarray]) -> np.ndarray:
    """``vectors`` with each text's language offset taken out, rows unit length again."""
    if not offsets or len(texts) == 0:
        return np.asarray(vectors, dtype=np.float32)
    return _centred(_queue_languages(texts), vectors, offsets)


def _centred(languages: Sequence[str | None], vectors: np.ndarray, offsets: Mapping[str, np.ndarray]) -> np.ndarray:
    out = np.asarray(vectors, dtype=np.float32)
    if not offsets or out.shape[0] == 0:
        return out
    out = out.astype(np.float64)
    for row, language in enumerate(languages):
        if language in offsets:
            out[row] -= offsets[language]
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return (out / np.where(norms > 0, norms, 1.0)).astype(np.float32)


class LanguageCentredEmbedder:
    """An embedder whose vectors of texts in a second language are centred on the main language's.

    Unfitted (``offsets=None``), ``fit`` learns the offsets from the texts it is given (fitting the inner
    embedder first when that learns too) and returns a fitted copy; fitted, it applies them. Its name is
    the inner embedder's: the main language's vectors are unchanged, so they stay comparable with
    vectors and centroids stored under that name.

    Args:
        inner: the embedder that computes the vectors.
        offsets: per language, the vector to take out (from ``fit`` or ``offsets_from_dict``).
    """

    def __init__(self, inner: Embedder, offsets: Mapping[str, np.ndarray] | None = None) -> None:
        self.inner = inner
        self.offsets = None if offsets is None else {k: np.asarray(v, dtype=np.float64) for k, v in offsets.items()}
        self.name = inner.name

    @property
    def fixed_vectors(self) -> bool:
        """True once the offsets are learnt and the inner embedder's vectors are fixed too."""
        return self.offsets is not None and has_fixed_vectors(self.inner)

    def fit(self, texts: Sequence[str]) -> LanguageCentredEmbedder:
        """A copy holding the offsets of ``texts`` (and the inner embedder fitted on them when it learns)."""
        return self.fit_embed(texts)[0]

    def fit_embed(self, texts: Sequence[str], progress: Progress | None = None) -> tuple[LanguageCentredEmbedder, np.ndarray]:
        """``fit(texts)`` and its vectors of ``texts``: the offsets are learnt from the very vectors returned,
        so the texts are embedded and told apart by language once."""
        texts = list(texts)
        if not texts:
            inner = self.inner if has_fixed_vectors(self.inner) else self.inner.fit(texts)
            return LanguageCentredEmbedder(inner, {}), np.zeros((0, 1), np.float32)
        inner, vectors = fit_and_embed(self.inner, texts, progress)
        vectors = np.asarray(vectors, dtype=np.float32)
        languages = _queue_languages(texts)
        offsets = _offsets(languages, vectors, MIN_TEXTS, MIN_DISTANCE_RATIO)
        return LanguageCentredEmbedder(inner, offsets), _centred(languages, vectors, offsets)

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """One unit row per text, each text's language offset taken out."""
        texts = list(texts)
        return centred(texts, np.asarray(self.inner.embed(texts, progress), dtype=np.float32), self.offsets or {})


def offsets_to_dict(offsets: Mapping[str, np.ndarray]) -> dict[str, list[float]]:
    """JSON-ready offsets (kept with a fit, so the runs that only place tickets centre them alike)."""
    return {language: [round(float(x), 7) for x in vector] for language, vector in sorted(offsets.items())}


def offsets_from_dict(data: Mapping[str, Any] | None) -> dict[str, np.ndarray]:
    """Offsets read back from ``offsets_to_dict``; none for a fit saved before languages were centred."""
    return {str(language): np.asarray(vector, dtype=np.float64) for language, vector in (data or {}).items()}
