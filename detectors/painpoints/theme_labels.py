"""Theme labels: the words a theme's pain points share and the other themes do not.

A theme label built from its pain points' labels ("export / csv / cannot") names the words that
happen to be in the labels, including the ones every problem uses. Read from the tickets instead,
a theme's label is the short phrase that most of its pain points' tickets use and the rest of the
queue does not ("export"), and where one phrase leaves a large part of the theme unnamed, the best
phrase of that part is added ("push notifications and Slack integration"): what a product manager
writes over a group of problems, without a language model.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from detectors.painpoints.labeling import MAX_LABEL_CHARS, is_languages_label
from detectors.painpoints.words import Casing, Words, contains_phrase, phrases

# Tickets read per pain point: a theme label needs the words a problem's tickets share, which a
# sample shows as well as all of them, and a 50,000-ticket queue is read in well under a second.
MAX_TEXTS_PER_PAIN_POINT = 60
# A phrase describes a pain point when at least this share of its tickets use it.
DESCRIBES = 0.2
# A second phrase is added when the first leaves at least this share of the theme's tickets in pain
# points it does not describe: the best phrase of two of those, or the whole label of the only one.
SECOND_PHRASE_REMAINDER = 0.3
MAX_PHRASE_WORDS = 2
# A longer phrase replaces the best one it contains when it covers at least this share as much ("credit"
# -> "credit card").
LONGER_PHRASE_COVERAGE = 0.6
_PARTICIPLE = re.compile(r"\w{3,}ed$")


def theme_labels(
    texts: Sequence[Sequence[str]],
    weights: np.ndarray,
    themes: np.ndarray,
    pain_point_labels: Sequence[str],
) -> dict[int, str]:
    """Label per theme from its pain points' tickets.

    Args:
        texts: ticket texts per pain point (row order of ``weights`` and ``themes``).
        weights: tickets per pain point.
        themes: theme index per pain point.
        pain_point_labels: label per pain point; a theme of one pain point keeps its pain point's label.

    Returns:
        theme index -> label (a theme whose tickets name no topic of their own is called by its largest
        pain point's label).
    """
    casing = Casing()
    shares, surfaces = _phrase_shares(texts, casing)
    named = [_label_phrases(label) for label in pain_point_labels]
    out: dict[int, str] = {}
    taken: set[str] = set()  # phrases larger themes' labels start with: two themes called "card" tell nothing
    order = sorted(np.unique(themes).tolist(), key=lambda t: (-float(weights[themes == t].sum()), t))
    for theme in order:
        members = np.flatnonzero(themes == theme)
        if members.size == 1:
            out[theme] = pain_point_labels[members[0]]
            continue
        label, first = _label(
            members, np.flatnonzero(themes != theme), shares, surfaces, weights, named, pain_point_labels, taken
        )
        out[theme] = label or pain_point_labels[_largest_topic(members, weights, pain_point_labels)]
        taken.add(first)
    return {theme: casing.apply(label) for theme, label in out.items()}


def _label_phrases(label: str) -> set[str]:
    """Phrase keys of a pain point label that can name a topic: a phrase ending on a past participle
    ("charged", "token expired") says what happened, not what it is about."""
    words = Words.of(label)
    found = phrases(words.tokens, max_words=MAX_PHRASE_WORDS, stems=words.stems)
    return {key for key, surface in found.items() if not _PARTICIPLE.search(surface)}


def _phrase_shares(texts: Sequence[Sequence[str]], casing: Casing) -> tuple[list[Counter], dict[str, Counter]]:
    """Per pain point, the share of its (sampled) tickets holding each phrase; surface forms by key.
    The same pass counts the words' capitals into ``casing``."""
    shares: list[Counter] = []
    surfaces: dict[str, Counter] = {}
    for group in texts:
        picked = _sample(group)
        counts: Counter = Counter()
        for text in picked:
            casing.add(text)
            words = Words.of(text)
            found = phrases(words.tokens, max_words=MAX_PHRASE_WORDS, stems=words.stems)
            counts.update(found.keys())
            for key, surface in found.items():
                surfaces.setdefault(key, Counter())[surface] += 1
        n = max(1, len(picked))
        shares.append(Counter({key: c / n for key, c in counts.items()}))
    return shares, surfaces


def _sample(group: Sequence[str]) -> Sequence[str]:
    """At most MAX_TEXTS_PER_PAIN_POINT texts, evenly spaced (the same ones on every run)."""
    if len(group) <= MAX_TEXTS_PER_PAIN_POINT:
        return group
    step = len(group) / MAX_TEXTS_PER_PAIN_POINT
    return [group[int(i * step)] for i in range(MAX_TEXTS_PER_PAIN_POINT)]


def _label(
    members: np.ndarray,
    others: np.ndarray,
    shares: list[Counter],
    surfaces: dict[str, Counter],
    weights: np.ndarray,
    named: list[set[str]],
    labels: Sequence[str],
    taken: set[str],
) -> tuple[str, str]:
    """One phrase, or two joined by "and" where the first leaves a large part of the theme unnamed;
    with the first phrase's key."""
    first = _best_phrase(members, others, shares, weights, named, exclude=set(), taken=taken, min_described=2)
    if not first:
        # No topic runs through two of its problems: the largest one's best phrase leads.
        largest = _largest_topic(members, weights, labels)
        first = _best_phrase(np.array([largest]), others, shares, weights, named, exclude=set(), taken=taken, min_described=1)
        if not first:
            return "", ""  # the caller names it after its largest pain point
    label = _surface(first, surfaces)
    rest = members[np.array([shares[i][first] < DESCRIBES for i in members])]
    if rest.size == 1 and weights[rest].sum() >= SECOND_PHRASE_REMAINDER * weights[members].sum():
        # One problem left unnamed: its own label says it whole, where a phrase cut from it would be a
        # fragment ("keeps logging" of "keeps logging me out").
        label = f"{label}{', ' if ' and ' in labels[rest[0]] else ' and '}{labels[rest[0]]}"
    elif rest.size and weights[rest].sum() >= SECOND_PHRASE_REMAINDER * weights[members].sum():
        second = _best_phrase(rest, others, shares, weights, named, exclude=set(first.split()), taken=taken, min_described=2)
        if second:
            label = f"{label} and {_surface(second, surfaces)}"
    return label, first


def _largest_topic(members: np.ndarray, weights: np.ndarray, labels: Sequence[str]) -> int:
    """The theme's largest pain point that names a topic: a group held together by its language ("German
    and French tickets") named a theme of invoice and payment problems when it was the largest."""
    topical = [i for i in members if not is_languages_label(labels[i])]
    pool = np.array(topical) if topical else members
    return int(pool[np.argmax(weights[pool])])


def _best_phrase(
    members: np.ndarray,
    others: np.ndarray,
    shares: list[Counter],
    weights: np.ndarray,
    named: list[set[str]],
    *,
    exclude: set[str],
    taken: set[str],
    min_described: int,
) -> str:
    """The best topic phrase for ``members``: coverage times specificity, among their labels' phrases.

    Candidates are the phrases of the members' own labels (the labeler already picked those as what
    each problem is about); each is scored on the tickets. Coverage is the ticket-weighted share of
    the members' tickets using it; specificity is how much of its use falls in the members rather
    than in the other themes' pain points (both as shares, so a large theme does not win by size).
    A phrase must describe (be used by DESCRIBES of the tickets of) ``min_described`` members: one
    problem's words would otherwise name a theme that mostly holds other problems. A longer phrase
    that contains the best one and covers nearly as much replaces it ("credit" -> "credit card") when the
    words it adds are used more in this theme than elsewhere ("export" does not become "export fails").
    Words in ``exclude`` and phrases in ``taken`` (another theme's) are not candidates.
    """
    inside = _weighted_share(members, shares, weights)
    outside = _weighted_share(others, shares, weights) if others.size else Counter()
    candidates = set().union(*(named[i] for i in members))
    scores: dict[str, float] = {}
    for key in candidates:
        coverage = inside[key]
        if not coverage or key in taken or exclude & set(key.split()):
            continue
        if sum(1 for i in members if shares[i][key] >= DESCRIBES) < min(min_described, members.size):
            continue
        scores[key] = coverage * coverage / (coverage + outside[key])
    if not scores:
        return ""
    best = min(scores, key=lambda key: (-scores[key], key))

    def specific(word: str) -> bool:  # used more in this theme than elsewhere ("fails" is used everywhere)
        return word not in inside or inside[word] > outside[word]

    longer = [
        key for key in scores
        if contains_phrase(key, best) and inside[key] >= LONGER_PHRASE_COVERAGE * inside[best]
        and all(specific(word) for word in key.split() if word not in best.split())
    ]
    return max(longer, key=lambda key: (inside[key], key)) if longer else best


def _weighted_share(rows: np.ndarray, shares: list[Counter], weights: np.ndarray) -> Counter:
    total = float(weights[rows].sum()) or 1.0
    out: Counter = Counter()
    for i in rows:
        for key, share in shares[i].items():
            out[key] += share * float(weights[i]) / total
    return out


def _surface(key: str, surfaces: dict[str, Counter]) -> str:
    forms = surfaces.get(key)
    return (forms.most_common(1)[0][0] if forms else key)[:MAX_LABEL_CHARS]
