"""Label stage: a short human-readable phrase, key terms and representative texts per pain point.

With no language model at hand, the label is a real phrase taken from the cluster's own tickets:
class-based TF-IDF (as in BERTopic) over 1-4-word n-grams that neither start nor end with a stop
word, scored by how many of the cluster's tickets contain the phrase and how specific it is to the
cluster; a longer phrase replaces a shorter one it contains when nearly as many tickets use it, a
short one is joined with a frequent partner, and the result is completed where its tickets nearly
always continue it the same way. Tokens, stems, stop words and candidate phrases are in ``words``.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from detectors.painpoints.words import (
    FUNCTION_WORDS,
    NO_END,
    NO_START,
    SENTENCE_BREAK,
    STOP_WORDS,
    Casing,
    Words,
    contains_phrase,
    is_right_now,
    phrases,
    stem,
    text_language,
)

MAX_LABEL_WORDS = 6
# A phrase its tickets nearly always continue ("fails with an internal" -> "... server error") may grow
# past MAX_LABEL_WORDS up to this many words: a complete clause of eight words reads better than a
# fragment of six ("workload report fails with an internal" was a demo label).
MAX_COMPLETED_WORDS = 8
# A "word" can be a 20 KB log blob or hash: a label or key term is cut to this many characters.
MAX_LABEL_CHARS = 80
# A group most of whose tickets are in other languages than English (share), and whose best phrase
# is in fewer than this share of them (coverage), is named by its languages (``_languages_label``).
_LANGUAGE_GROUP_SHARE = 0.6
_TOPIC_COVERAGE = 0.3
# Texts per cluster read for the capitals its label's words take (``_casing``).
_CASING_TEXTS = 60


@dataclass(frozen=True)
class ClusterDescription:
    """What a person reads about one pain point."""

    label: str
    key_terms: tuple[str, ...]
    representative_rows: tuple[int, ...]  # indices into the texts given to ``describe_clusters``


@dataclass
class _PhraseTable:
    per_cluster: list[Counter]  # cluster -> stem key -> tickets containing it
    overall: Counter  # stem key -> tickets containing it, in all clusters and unassigned
    surface: dict[str, Counter]  # stem key -> surface form -> tickets


def _phrase_table(
    words: Sequence[Words], labels: np.ndarray, counts: np.ndarray, n_clusters: int
) -> _PhraseTable:
    """Count, per cluster and overall, how many tickets contain each phrase."""
    table = _PhraseTable([Counter() for _ in range(n_clusters)], Counter(), {})
    for text_words, label, count in zip(words, labels, counts, strict=True):
        found = phrases(text_words.tokens, stems=text_words.stems)
        weights = dict.fromkeys(found, int(count))
        table.overall.update(weights)
        if label >= 0:
            table.per_cluster[label].update(weights)
            for key, surface in found.items():
                table.surface.setdefault(key, Counter())[surface] += int(count)
    return table


# Words that say when or how often, not what: a phrase of only these ("times a day", "every morning") is
# a template's filler that one group's tickets happen to share, not its problem (the demo named the
# Android crash "times a day" from "the app closes by itself several times a day"). Read on the words as
# written: "time" alone stays a candidate ("what time is it", a time zone problem's "time"), and "twice"
# is no such word ("charged twice", "shows up twice" are the problem).
_HOW_OFTEN = frozenset("times daily hourly every several constantly sometimes often always".split())
_WHEN_WORDS = _HOW_OFTEN | frozenset(
    "day days hour hours minute minutes morning mornings afternoon night nights week weeks yesterday today "
    "tomorrow".split()
)


def _says_only_when(words: Sequence[str]) -> bool:
    """Whether the phrase's words, as written, say only when or how often something happens."""
    content = [w.lower() for w in words if w.lower() not in STOP_WORDS or w.lower() in _WHEN_WORDS]
    return bool(content) and all(w in _WHEN_WORDS or w == "time" for w in content) and any(
        w in _WHEN_WORDS for w in content
    )


def _says_only_how_often(words: Sequence[str]) -> bool:
    """``_says_only_when`` with a word for how often ("several times", "every"): never a label's partner.
    A noun of time may be one ("PTO days", "minute timer", "day view")."""
    return _says_only_when(words) and any(w.lower() in _HOW_OFTEN for w in words)


def _written(key: str, table: _PhraseTable) -> list[str]:
    """The words of a phrase key as its tickets most often write them."""
    forms = table.surface.get(key)
    return (forms.most_common(1)[0][0] if forms else key).split()


def _score_phrases(counts: Counter, table: _PhraseTable, size: int) -> dict[str, float]:
    """Class-based TF-IDF in ticket terms: coverage in the cluster times share of the phrase's tickets.

    A phrase that only says when something happens is no candidate (``_says_only_when``).
    """
    scores = {}
    floor = max(2, 0.05 * size) if size > 2 else 1
    overall = table.overall
    for key, in_cluster in counts.items():
        if in_cluster < floor or _says_only_when(_written(key, table)):
            continue
        coverage = in_cluster / size
        specificity = in_cluster / overall[key]
        words = key.count(" ") + 1
        scores[key] = coverage * specificity * (1.0 + 0.3 * (words - 1))
    return scores


def _choose_label(scores: dict[str, float], counts: Counter) -> str:
    """Best phrase key, preferring a longer phrase that contains it and covers nearly as many tickets."""
    if not scores:
        return ""
    ranked = sorted(scores, key=lambda p: (-scores[p], p))
    best = ranked[0]
    for other in ranked[1:50]:
        if contains_phrase(other, best) and counts[other] >= 0.5 * counts[best]:
            best = other
    return best


def _find(stems: list[str], key: list[str]) -> int:
    """Start of the first occurrence of the stem sequence ``key`` in ``stems``, or -1."""
    # Jumps between occurrences of the first stem (list.index runs in C): slicing at every position
    # took 1.7 s of the 50,000-ticket benchmark's 8 s of labels.
    if not key:
        return 0
    width = len(key)
    start = 0
    while True:
        try:
            i = stems.index(key[0], start)
        except ValueError:
            return -1
        if stems[i : i + width] == key:
            return i
        start = i + 1


def _joined_phrase(
    primary: str, secondary: str, members: Sequence[Words], max_words: int
) -> tuple[str, int]:
    """Most common short span of the tickets holding both phrases ("verify" + "identity" ->
    "verify my identity"), with how many tickets wrote it."""
    spans: Counter = Counter()
    a, b = primary.split(), secondary.split()
    for member in members:
        i, j = _find(member.stems, a), _find(member.stems, b)
        if i < 0 or j < 0:
            continue
        start, end = min(i, j), max(i + len(a), j + len(b))
        if end - start <= max_words and SENTENCE_BREAK not in member.tokens[start:end]:
            spans[" ".join(member.tokens[start:end])] += 1
    if not spans:
        return "", 0
    return spans.most_common(1)[0]


def _label_text(
    label_key: str, scores: dict[str, float], table: _PhraseTable, cluster: int, members: Sequence[Words]
) -> str:
    """A short phrase: the best phrase, joined with a frequent partner when both fit in one span.

    A lone word ("stolen", "refund") tells a reader less than "card was stolen" or "request a
    refund", so short labels look for the most common span that also holds one of the cluster's
    most frequent or best-scoring other phrases. Either way the phrase is then completed where
    its tickets nearly always continue it the same way (``_complete``).
    """
    counts = table.per_cluster[cluster]
    size = max(1, len(members))
    if label_key.count(" ") < 2:
        by_score = sorted(scores, key=lambda p: (-scores[p], p))[:8]
        by_count = sorted(counts, key=lambda p: (-counts[p], p))[:8]
        joins: list[tuple[int, str]] = []  # (tickets using it, span)
        for other in dict.fromkeys(by_score + by_count):
            if other == label_key or set(other.split()) & set(label_key.split()) or _says_only_how_often(_written(other, table)):
                continue
            if counts[other] < 0.1 * size:
                continue
            joined, uses = _joined_phrase(label_key, other, members, MAX_LABEL_WORDS - 1)
            if joined and uses >= max(2, 0.03 * size):
                joins.append((uses, joined))
        if joins:
            return " ".join(_complete(max(joins, key=lambda j: j[0])[1].split(), members))
    return " ".join(_complete(_display(label_key, table).split(), members))


# A phrase is incomplete when at least this share of the tickets holding it continue it with the same
# words (and at least _MIN_CONTEXT of them hold it): "google pay top" is always followed by "up".
_DOMINANT_CONTEXT = 0.6
_MIN_CONTEXT = 3
# Without these a phrase reads as a fragment: "long does it take" for "how long does it take".
_QUESTION_WORDS = {"how", "which", "what", "where", "when", "why", "who"}


def _context(tokens: list[str], start: int, end: int, step: int) -> tuple[str, ...] | None:
    """Words next to ``tokens[start:end]`` on one side (step -1: before, +1: after), up to and including
    the nearest content word, or a question word before it; None at a sentence end or the text's edge.

    A phrase neither starts nor ends on a negation or particle, so those are read through: before
    "appear on the desktop" comes "does not", after "payment" comes "not received".
    """
    found: list[str] = []
    i = start - 1 if step < 0 else end
    through = NO_START if step < 0 else NO_END
    while 0 <= i < len(tokens) and len(found) < 3:
        token = tokens[i]
        if token == SENTENCE_BREAK:
            return None
        found.append(token)
        after_negation = step < 0 and len(found) > 1 and found[-2] in through  # "does" of "does not"
        content = token not in STOP_WORDS and token not in through and not is_right_now(tokens, i)
        if content or after_negation or (step < 0 and token in _QUESTION_WORDS):
            return tuple(reversed(found)) if step < 0 else tuple(found)
        i += step
    return None


def _complete(span: list[str], members: Sequence[Words]) -> list[str]:
    """``span`` grown by the words its tickets nearly always put before or after it ("google pay top" ->
    "google pay top up", "long does it take" -> "how long does it take"), while it fits in
    MAX_LABEL_WORDS; past that, up to MAX_COMPLETED_WORDS, only when the growth reaches the edge of
    the tickets' sentence ("fails with an internal" -> "workload report fails with an internal
    server error"), so a long label is a whole clause, never a longer fragment."""
    while True:
        for words, side in _dominant_contexts(span, members):
            if side > 0 and _says_only_when(words):
                continue  # "closes by itself" + "several times": a trailing when, not what
            grown = [*words, *span] if side < 0 else [*span, *words]
            if len(grown) <= MAX_LABEL_WORDS:
                span = grown
                break
            clause = _clause(grown, side, members)
            if clause is not None:
                return clause
        else:
            return span


def _dominant_contexts(span: list[str], members: Sequence[Words]) -> list[tuple[tuple[str, ...], int]]:
    """(words, side) that at least _DOMINANT_CONTEXT of the tickets holding ``span`` put next to it,
    most shared first; side -1 is before, +1 after."""
    key = [stem(t) for t in span]
    before: Counter = Counter()
    after: Counter = Counter()
    for member in members:
        i = _find(member.stems, key)
        if i >= 0:
            before[_context(member.tokens, i, i + len(key), -1)] += 1
            after[_context(member.tokens, i, i + len(key), +1)] += 1
    held = sum(before.values())
    if held < _MIN_CONTEXT:
        return []
    sides = [
        (n / held, side, words)
        for side, tally in ((-1, before), (1, after))
        for words, n in tally.most_common(1)
        if words is not None and n >= _DOMINANT_CONTEXT * held
    ]
    return [(words, side) for _, side, words in sorted(sides, reverse=True)]


def _clause(span: list[str], side: int, members: Sequence[Words]) -> list[str] | None:
    """``span`` grown further on ``side`` while its tickets agree, once it reaches their sentence's edge on
    that side within MAX_COMPLETED_WORDS and sits at the edge on the other side too; None when it does
    not (it would stay a fragment)."""
    while len(span) <= MAX_COMPLETED_WORDS:
        if _edge_share(span, side, members) >= _DOMINANT_CONTEXT:
            # A long label must be whole on its other side too ("... fails when titles" is not).
            return span if _edge_share(span, -side, members) >= _DOMINANT_CONTEXT else None
        words = next((w for w, s in _dominant_contexts(span, members) if s == side), None)
        if words is None:
            return None
        span = [*words, *span] if side < 0 else [*span, *words]
    return None


def _edge_share(span: list[str], side: int, members: Sequence[Words]) -> float:
    """Share of the tickets holding ``span`` in which it ends their sentence (side +1) or starts it, after
    any stop words such as "we were" or "the" (side -1)."""
    key = [stem(t) for t in span]
    held = edges = 0
    for member in members:
        i = _find(member.stems, key)
        if i < 0:
            continue
        held += 1
        if side > 0:
            end = i + len(key)
            edges += end >= len(member.tokens) or member.tokens[end] == SENTENCE_BREAK
        else:
            j = i - 1
            while j >= 0 and member.tokens[j] in STOP_WORDS:
                j -= 1
            edges += j < 0 or member.tokens[j] == SENTENCE_BREAK
    return edges / held if held else 0.0


def _display(key: str, table: _PhraseTable) -> str:
    """The surface form most tickets wrote for a phrase key, at most MAX_LABEL_WORDS words."""
    forms = table.surface.get(key)
    text = forms.most_common(1)[0][0] if forms else key
    return " ".join(text.split()[:MAX_LABEL_WORDS])


def _key_terms(scores: dict[str, float], label_key: str, top: int) -> list[str]:
    """Highest-scoring phrase keys, skipping ones inside the label or an already chosen phrase.

    When every phrase sits inside the label (a small group of near-identical tickets), the
    label's own best-scoring words are the key terms, so a pain point never shows none.
    """
    ranked = sorted(scores, key=lambda p: (-scores[p], p))
    chosen: list[str] = []
    for key in ranked:
        if key == label_key or any(contains_phrase(c, key) or contains_phrase(key, c) for c in [label_key, *chosen]):
            continue
        chosen.append(key)
        if len(chosen) == top:
            break
    if not chosen:
        chosen = [k for k in ranked if k != label_key and " " not in k][:top]
    return chosen


def borne_out(key_terms: Sequence[str], examples: Sequence[str], own_texts: Sequence[str]) -> tuple[list[str], list[str]]:
    """The key terms and examples of a pain point that its own tickets bear out.

    A person's split moves tickets out after the fit described the cluster: its card went on showing a
    split-off ticket as an example and key terms none of its tickets used. Examples must be its tickets'
    texts; every word of a key term must occur in them.
    """
    mine = set(own_texts)
    blob = " ".join(own_texts).lower()
    terms = [t for t in key_terms if all(word in blob for word in str(t).lower().split())]
    return terms, [e for e in examples if e in mine]


def representative_rows(vectors: np.ndarray, members: np.ndarray, count: int = 3) -> tuple[int, ...]:
    """Most central member first, then members both central and unlike those already chosen (MMR)."""
    if members.size == 0:
        return ()
    centroid = vectors[members].mean(axis=0)
    centrality = vectors[members] @ centroid
    chosen = [int(np.argmax(centrality))]
    while len(chosen) < min(count, members.size):
        redundancy = (vectors[members] @ vectors[members[chosen]].T).max(axis=1)
        gain = 0.6 * centrality - 0.4 * redundancy
        gain[chosen] = -np.inf
        chosen.append(int(np.argmax(gain)))
    return tuple(int(members[i]) for i in chosen)


# A six-word phrase its tickets go on continuing the same way is a fragment of a longer sentence they all
# share ("run today ends with took longer", of "every search I run today ends with 'took longer than 10 s'").
# A whole short sentence that most of the group's tickets write, and few others do, names the problem as
# they put it themselves, often in their subject line ("Search down?"). Most: over half of the group's
# tickets; few others: at least 80% of the tickets writing it are the group's.
_SHARED_SENTENCE_COVERAGE = 0.5
_SHARED_SENTENCE_SPECIFICITY = 0.8


def _short_sentences(tokens: Sequence[str]) -> set[str]:
    """The text's sentences of 2 to MAX_LABEL_WORDS words, without the stop words at their edges."""
    found: set[str] = set()
    sentence: list[str] = []
    for token in [*tokens, SENTENCE_BREAK]:
        if token != SENTENCE_BREAK:
            sentence.append(token)
            continue
        start = next((i for i, t in enumerate(sentence) if t not in STOP_WORDS), len(sentence))
        end = len(sentence)
        while end > start and sentence[end - 1] in STOP_WORDS:
            end -= 1
        if 2 <= end - start <= MAX_LABEL_WORDS:
            found.add(" ".join(sentence[start:end]))
        sentence = []
    return found


def _tickets_per_sentence(sentences: Sequence[set[str]], counts: Sequence[int]) -> Counter:
    """How many tickets write each sentence: ``sentences`` per text, ``counts`` tickets per text."""
    tally: Counter = Counter()
    for found, count in zip(sentences, counts, strict=True):
        tally.update(dict.fromkeys(found, int(count)))
    return tally


def _is_fragment(label: list[str], members: Sequence[Words]) -> bool:
    """Whether a full-length label is cut out of a longer phrase its tickets nearly always write on."""
    if len(label) < MAX_LABEL_WORDS:
        return False
    return any(side < 0 or not _says_only_when(words) for words, side in _dominant_contexts(label, members))


def _shared_sentence(sentences: Sequence[set[str]], counts: np.ndarray, overall: Counter, size: int) -> str:
    """The short sentence most of a group's tickets write and few others do ("" when none): the group's
    ``sentences`` per text, ``counts`` tickets per text, ``overall`` tickets per sentence in the queue."""
    tally = _tickets_per_sentence(sentences, counts)
    chosen = [
        (n, sentence) for sentence, n in tally.items()
        if n > _SHARED_SENTENCE_COVERAGE * size and n >= _SHARED_SENTENCE_SPECIFICITY * overall[sentence]
        and not _says_only_when(sentence.split())
    ]
    return max(chosen, key=lambda c: (c[0], -len(c[1]), c[1]))[1] if chosen else ""


def _opening_words(tokens: Sequence[str]) -> str:
    """A ticket's first clause as a label, without the function words around it: "I'm locked out again"
    reads as "locked out again", since the group shares no phrase and "I'm" is not what went wrong."""
    clause = list(itertools.takewhile(lambda token: token != SENTENCE_BREAK, tokens))
    start = next((i for i, t in enumerate(clause) if t not in STOP_WORDS and t not in NO_START), len(clause))
    clause = clause[start:start + MAX_LABEL_WORDS]
    while clause and (clause[-1] in STOP_WORDS or clause[-1] in NO_END):
        clause.pop()
    return " ".join(clause or tokens[:MAX_LABEL_WORDS])


def describe_clusters(
    texts: Sequence[str],
    vectors: np.ndarray,
    labels: np.ndarray,
    counts: np.ndarray | None = None,
    n_key_terms: int = 8,
    written: Sequence[str] | None = None,
) -> list[ClusterDescription]:
    """Describe clusters ``0..labels.max()`` of ``texts`` (label -1 rows only count as background).

    ``counts[i]`` is how many tickets carry text i (1 each when omitted). ``written`` holds texts as
    the tickets wrote them (``texts`` may be normalised keys), for the labels' capitals; default ``texts``.
    """
    counts = np.ones(len(texts), dtype=np.int64) if counts is None else counts
    n_clusters = int(labels.max()) + 1 if labels.size else 0
    words = [Words.of(text) for text in texts]
    table = _phrase_table(words, labels, counts, n_clusters)
    sentences = [_short_sentences(w.tokens) for w in words]
    sentence_tickets = _tickets_per_sentence(sentences, counts)
    descriptions = []
    for cluster in range(n_clusters):
        members = np.flatnonzero(labels == cluster)
        size = int(counts[members].sum())
        scores = _score_phrases(table.per_cluster[cluster], table, size)
        label_key = _choose_label(scores, table.per_cluster[cluster])
        reps = representative_rows(vectors, members)
        member_words = [words[i] for i in members]
        label = _label_text(label_key, scores, table, cluster, member_words) if label_key else ""
        if label and _is_fragment(label.split(), member_words):
            label = _shared_sentence([sentences[i] for i in members], counts[members], sentence_tickets, size) or label
        coverage = table.per_cluster[cluster][label_key] / max(1, size) if label_key else 0.0
        label = _languages_label(member_words, counts[members], coverage) or label
        if not label and reps:  # no phrase shared: the central ticket's first words
            label = _opening_words(words[reps[0]].words)
        terms = tuple(_display(k, table) for k in _key_terms(scores, label_key, n_key_terms))
        descriptions.append(ClusterDescription(label or "unlabelled", terms, reps))
    descriptions = _disambiguate(descriptions)
    casing = _casing(texts if written is None else written, labels, descriptions)
    return [
        ClusterDescription(
            _shortened(casing.apply(d.label)), tuple(_shortened(casing.apply(t)) for t in d.key_terms), d.representative_rows
        )
        for d in descriptions
    ]


def label_parts(parts: Sequence[Sequence[str]]) -> list[str]:
    """A label for each part of a group a person split, read against the other parts.

    The clustering's label described the whole group; after a split each part needs words of its own
    ("quits whenever I sync" stayed on the part without a sync ticket). Empty for a part without texts.
    """
    texts = [text for part in parts for text in part]
    if not texts:
        return ["" for _ in parts]
    labels = np.concatenate([np.full(len(part), i, dtype=np.int64) for i, part in enumerate(parts)])
    described = describe_clusters(texts, np.zeros((len(texts), 1)), labels, n_key_terms=0)
    return [
        described[i].label if len(part) and described[i].label != "unlabelled" else "" for i, part in enumerate(parts)
    ]


def _casing(texts: Sequence[str], labels: np.ndarray, descriptions: list[ClusterDescription]) -> Casing:
    """The tickets' own capitals for the words the labels and key terms use ("SSO setup with Okta").

    Read on up to _CASING_TEXTS texts of each cluster, spread over it: a label's words come from its
    own cluster's tickets, and reading every text of a 50,000-ticket queue cost 0.6 s a fit.
    """
    wanted = set().union(*(Casing.words_of(phrase) for d in descriptions for phrase in (d.label, *d.key_terms)))
    casing = Casing()
    assigned = np.flatnonzero(labels >= 0)
    order = assigned[np.argsort(labels[assigned], kind="stable")]
    for members in np.split(order, np.flatnonzero(np.diff(labels[order])) + 1):
        step = max(1, members.size // _CASING_TEXTS)
        for i in members[::step][:_CASING_TEXTS]:
            casing.add(texts[i], wanted)
    return casing


def _shortened(text: str) -> str:
    return text if len(text) <= MAX_LABEL_CHARS else text[: MAX_LABEL_CHARS - 1].rstrip() + "…"


def _languages_label(members: Sequence[Words], counts: np.ndarray, coverage: float) -> str:
    """ "German, French and Spanish tickets" for a group held together by language, not by topic.

    An English sentence model places texts of other languages near each other whatever they say,
    so a queue's few German, French and Spanish tickets can form one group. When most of its
    tickets are in other languages and its best phrase covers few of them, any phrase would
    mislabel it; naming the languages tells the reader what it is. "" when that is not the case.
    """
    tally: Counter = Counter()
    for member, count in zip(members, counts, strict=True):
        tally[text_language(member.tokens)] += int(count)
    size = sum(tally.values())
    foreign = {language: n for language, n in tally.items() if language not in (None, "English")}
    if not foreign or sum(foreign.values()) < _LANGUAGE_GROUP_SHARE * size or coverage >= _TOPIC_COVERAGE:
        return ""
    names = sorted(foreign, key=lambda language: (-foreign[language], language))[:3]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{listed} tickets"


_LANGUAGE_NAME = "(?:" + "|".join(sorted(FUNCTION_WORDS)) + ")"
_LANGUAGES_LABEL = re.compile(rf"^{_LANGUAGE_NAME}(?:, {_LANGUAGE_NAME})*(?: and {_LANGUAGE_NAME})? tickets$")


def is_languages_label(label: str) -> bool:
    """Whether ``label`` is one ``_languages_label`` writes: it names languages, not a topic."""
    return bool(_LANGUAGES_LABEL.match(label))


def _disambiguate(descriptions: list[ClusterDescription]) -> list[ClusterDescription]:
    """Pain points sharing a label get their first distinct key term in brackets: "charged a fee (atm)"."""
    seen = Counter(d.label for d in descriptions)
    out = []
    for d in descriptions:
        if seen[d.label] > 1:
            words = set(d.label.split())
            extra = next((t for t in d.key_terms if not set(t.split()) & words), "")
            room = MAX_LABEL_WORDS - len(d.label.split())
            if extra and room > 0:
                d = ClusterDescription(
                    f"{d.label} ({' '.join(extra.split()[:room])})", d.key_terms, d.representative_rows
                )
        out.append(d)
    return out
