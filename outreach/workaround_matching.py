"""Pick the approved workaround that fits an incident or pain point, with a score and the reasons why."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass

from outreach.workarounds import Workaround

# Weights of an exact fit on each field; text similarity adds up to TEXT_WEIGHT × cosine.
FIELD_WEIGHTS = {"error_codes": 0.45, "features": 0.2, "platforms": 0.1, "app_versions": 0.1}
TEXT_WEIGHT = 0.5
# The share of a workaround's keywords the issue names adds up to KEYWORD_WEIGHT: the contract lets
# ``applies_to`` hold keywords alone, and a workaround keyed ["search", "timeout", "slow"] is meant for
# an issue on E-SEARCH-TIMEOUT. Through the text similarity alone such a workaround needed a cosine of 0.4
# between its few words and the issue's text, which an incident known only from its events never reached:
# a world whose workarounds named only keywords emailed 4 of 33 writers in time (0.121 against 0.867).
# Two of three keywords named (0.27) clear DEFAULT_MIN_SCORE; one of four (0.1) does not on its own.
KEYWORD_WEIGHT = 0.4
DEFAULT_MIN_SCORE = 0.2
# Steps written for one platform or version are wrong elsewhere, so a workaround restricted on these
# fields never fits a finding that does not say which platform/version it concerns.
_DEVICE_FIELDS = ("platforms", "app_versions")
_FACT_OF_FIELD = {"error_codes": "error_code", "features": "feature", "platforms": "platform", "app_versions": "app_version"}


@dataclass(frozen=True)
class IssueFacts:
    """What is known about the issue a campaign is about."""

    error_code: str | None = None
    feature: str | None = None
    platform: str | None = None
    app_version: str | None = None
    text: str = ""
    # Further codes and features the issue shows (a release regression's symptoms): a workaround
    # restricted on error_codes or features fits when any of them fits.
    also_error_codes: tuple[str, ...] = ()
    also_features: tuple[str, ...] = ()


@dataclass(frozen=True)
class WorkaroundMatch:
    """The chosen workaround, its score and a reason per contribution."""

    workaround: Workaround
    score: float
    why: tuple[str, ...]


def match_workaround(
    workarounds: list[Workaround], facts: IssueFacts, *, min_score: float = DEFAULT_MIN_SCORE, keep: str | None = None
) -> WorkaroundMatch | None:
    """The best approved workaround for ``facts``, or None when none scores at least ``min_score``.

    Draft workarounds are never candidates. ``keep`` (the workaround a person already approved for this
    issue) wins while it still fits (at least ``min_score``): the text an incident is matched on grows with
    its tickets, and a near tie flipping to another workaround mid-incident would give its later customers
    other advice and ask the person again (a replayed calendar spike flipped twice in three hours).
    """
    # Sorted by id and replaced only on a strictly higher score: ties go to the smaller id.
    candidates = sorted((w for w in workarounds if w.is_approved), key=lambda w: w.workaround_id)
    if not candidates:
        return None
    similarities = _text_similarities(candidates, facts.text)
    best: WorkaroundMatch | None = None
    for workaround, similarity in zip(candidates, similarities, strict=True):
        scored = _score(workaround, facts, similarity)
        if scored is None or scored.score < min_score:
            continue
        if workaround.workaround_id == keep:
            return scored
        if best is None or scored.score > best.score:
            best = scored
    return best


def _score(workaround: Workaround, facts: IssueFacts, similarity: float) -> WorkaroundMatch | None:
    score = 0.0
    why: list[str] = []
    for field_name, weight in FIELD_WEIGHTS.items():
        patterns = getattr(workaround.applies_to, field_name)
        if not patterns:
            continue
        values = _values(facts, field_name)
        if not values:
            if field_name in _DEVICE_FIELDS:
                return None
            continue
        spellings = _version_spellings if field_name == "app_versions" else _as_written
        fitting = [v for v in values if _fits(spellings(v), [p for pattern in patterns for p in spellings(pattern)])]
        if not fitting:
            return None
        value = fitting[0]
        score += weight
        why.append(f"{_FACT_OF_FIELD[field_name]} {value} is in applies_to.{field_name}")
    keywords = _keywords_named(workaround.applies_to.keywords, facts.text)
    if keywords:
        score += KEYWORD_WEIGHT * len(keywords) / len(workaround.applies_to.keywords)
        why.append(f"the issue names {len(keywords)} of its {len(workaround.applies_to.keywords)} keywords: {', '.join(keywords)}")
    if similarity > 0:
        score += TEXT_WEIGHT * similarity
        why.append(f"text similarity {similarity:.2f} of title/keywords to the issue")
    return WorkaroundMatch(workaround=workaround, score=round(score, 4), why=tuple(why))


def _values(facts: IssueFacts, field_name: str) -> list[str]:
    """What the issue says for one applies_to field: its own value first, then any further ones."""
    own = getattr(facts, _FACT_OF_FIELD[field_name])
    further = {"error_codes": facts.also_error_codes, "features": facts.also_features}.get(field_name, ())
    return list(dict.fromkeys(v for v in (own, *further) if v))


def _fits(values: list[str], patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(value, pattern) for value in values for pattern in patterns)


def _as_written(text: str) -> list[str]:
    return [text.strip().lower()]


# "v5.14.0", "5.14.0 (1234)" and "5.14.0+build.7" are the release a workaround calls 5.14.0: event
# pipelines prefix, suffix and shorten versions as their SDK does, workaround authors write the number.
_BUILD_SUFFIX = re.compile(r"[\s+].*$")
_RELEASE = re.compile(r"^v?(\d+(?:\.\d+)*)(.*)$")


def _version_spellings(text: str) -> list[str]:
    """The ways one version may be written: "v5.14.0 (1234)" -> 5.14.0, 5.14 ("5.14" is "5.14.0").

    A workaround's pattern gets the same spellings, so "5.14", "5.14.0", "v5.14.0" and "5.14.*" all fit an
    issue on v5.14.0, and "5.14.*" still fits 5.14.1 but not 5.15.0.
    """
    written = text.strip().lower()
    match = _RELEASE.match(_BUILD_SUFFIX.sub("", written))
    if match is None:
        return [written]
    numbers, rest = match.group(1).split("."), match.group(2)
    while len(numbers) > 1 and numbers[-1] == "0":
        numbers.pop()
    spellings = [written, ".".join(numbers) + rest]
    spellings += [".".join(numbers + ["0"] * extra) + rest for extra in range(1, 4 - len(numbers))]
    return list(dict.fromkeys(spellings))


def _keywords_named(keywords: tuple[str, ...] | list[str], text: str) -> list[str]:
    """The keywords the issue's text names, each at the start of a word: "timeout" is named by
    E-SEARCH-TIMEOUT, "offline" by offlinesyncworker (message patterns are lower-cased), "notification"
    by "notifications"; "sync" is not named by "async"."""
    lowered = text.lower()
    return [k for k in dict.fromkeys(keywords) if k.strip() and re.search(rf"(?<![^\W_]){re.escape(k.strip().lower())}", lowered)]


def _text_similarities(workarounds: list[Workaround], text: str) -> list[float]:
    """TF-IDF cosine of each workaround's title and keywords to the issue text (0 when either is empty)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    docs = [" ".join([w.title, *w.applies_to.keywords]) for w in workarounds]
    if not text.strip():
        return [0.0] * len(workarounds)
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, token_pattern=r"(?u)\b\w[\w.-]*\w\b")
    try:
        matrix = vectorizer.fit_transform([*docs, text])
    except ValueError:  # every word was a stop word: nothing to compare
        return [0.0] * len(workarounds)
    return [float(v) for v in cosine_similarity(matrix[:-1], matrix[-1]).ravel()]
