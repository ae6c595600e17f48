"""Words of ticket text: tokens, crude stems, stop words of seven languages, and candidate phrases.

Shared by the label stage (``labeling``) and the identity stage (``identity``), which compares labels
by their content words.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

# scikit-learn's list also drops words that name problems ("top", "bill", "show", "fill", "amount");
# keep those, and keep negations and particles, which turn "card arrived" into "card not arrived".
_KEEP = {
    "not",
    "no",
    "never",
    "cannot",
    "without",
    "off",
    "up",
    "down",
    "out",
    "back",
    "again",
    "amount",
    "bill",
    "bottom",
    "call",
    "detail",
    "empty",
    "fill",
    "find",
    "fire",
    "first",
    "found",
    "front",
    "full",
    "interest",
    "keep",
    "last",
    "move",
    "name",
    "next",
    "part",
    "put",
    "show",
    "side",
    "system",
    "take",
    "top",
    "give",
    "go",
    "made",
    "see",
    "cant",
}
# Greetings, politeness and request verbs say nothing about the problem.
_FILLER = {
    "hi",
    "hello",
    "hey",
    "please",
    "pls",
    "thanks",
    "thank",
    "thx",
    "help",
    "dear",
    "team",
    "regards",
    "just",
    "like",
    "need",
    "want",
    "know",
    "tell",
    "ve",
    "ll",
    "don",
    "doesn",
    "didn",
    "isn",
    "im",
    "wondering",
    "possible",
    "able",
    "way",
    "trying",
    "try",
    "really",
    "sure",
    "okay",
    "ok",
    "yes",
    "guys",
    "question",
    "got",
    "get",
    "getting",
    "does",
    "did",
    "let",
    "assist",
    "explain",
    "wanted",
    "would",
    "could",
    "can",
    "should",
    "will",
    "also",
    "anyone",
    "someone",
    "something",
    "today",
}
# Support queues are multilingual, and scikit-learn's list is English only: without these, an article
# ("la", "die") can be the most specific "phrase" of a cluster of French or German tickets. Function
# words of the most common European support languages, minus those English labels use ("no", "bin").
FUNCTION_WORDS = {
    "German": frozenset(
        "der die das den dem des ein eine einen einem einer und oder aber ich du er sie es wir ihr mich mir"
        " mein meine meinen unser unsere ist sind habe haben wird werden nicht kein keine mit von"
        " zu zum zur im auf aus bei nach für über wie was wenn dass auch noch schon nur sehr bitte danke hallo"
        " seit mehr kann können sich wieder immer".split()
    ),
    "French": frozenset(
        "le la les un une des du de et ou mais je tu il elle nous vous ils elles me mon ma mes notre nos est"
        " sont suis ai avons ont pas ne avec pour sur dans au aux ce cette ces qui que quand comme aussi encore"
        " déjà très merci bonjour svp depuis sans à après toujours".split()
    ),
    "Spanish": frozenset(
        "el los las una unos unas y o pero yo mi mis es estoy tengo tiene con por para en del al lo que"
        " gracias hola desde hace necesito puedo de la se".split()
    ),
    "Italian": frozenset(
        "il lo gli della delle di da ed sono ho ha non per grazie ciao che questo mio".split()
    ),
    "Portuguese": frozenset("os um uma não com obrigado olá meu minha está estou".split()),
    "Dutch": frozenset("het een en maar ik mijn niet met voor bedankt geen wij".split()),
}
_OTHER_LANGUAGES = frozenset().union(*FUNCTION_WORDS.values())
_WORD_LANGUAGES_ORDER = ("English", *FUNCTION_WORDS)
_WORD_LANGUAGES = {
    word: tuple(
        language
        for language, words in (("English", ENGLISH_STOP_WORDS), *FUNCTION_WORDS.items())
        if word in words
    )
    for word in ENGLISH_STOP_WORDS | _OTHER_LANGUAGES
}
_FRENCH_ELISION = re.compile(r"(?:[ldjnmtcs]|qu)'\w")
# A function word with its verb contracted is a function word: "i'm", "it's", "that's", "we've" named
# small mixed groups and CLINC150's small-talk theme (negations are expanded before: "don't" -> "do not").
_CONTRACTED = ("'m", "'re", "'s", "'ve", "'d", "'ll")
_FUNCTION_WORDS = (ENGLISH_STOP_WORDS - _KEEP) | {"let", "here", "what", "who", "that", "there"}
# French function words elided before a vowel are one token each ("c'est", "j'ai"), as English
# contractions are; "c'est", in two of six tickets, named a group of the README backtest's first run.
_FRENCH_ELIDED = frozenset("c'est c'était j'ai j'avais j'en n'est n'a n'ai n'y qu'il qu'elle qu'on s'il d'un d'une l'on".split())
STOP_WORDS = frozenset(
    (ENGLISH_STOP_WORDS - _KEEP)
    | _FILLER
    | _OTHER_LANGUAGES
    | _FRENCH_ELIDED
    | {word + ending for word in _FUNCTION_WORDS for ending in _CONTRACTED}
)
# Where a sentence (or a subject line, a "message:" lead-in, or a clause at a comma) ends; "5.14.0",
# "e.g." and "1,000" are not ends, as no space follows. A label across a comma reads as two half
# clauses: "the update is broken, the app crashes" gave "broken the app crashes right away".
_SENTENCE_END = re.compile(r"[.!?;:,\n]+(?=\s|$)")
SENTENCE_BREAK = "."  # a token tokenize() never makes
# A number word hyphen-joined to the next word is part of it: "two-factor", "one-time", "third-party" are
# read as one word (joined by a non-breaking hyphen, given back as "-" by ``Casing.apply``). Split, the
# label "two-factor authentication problem" lost its first word, since no phrase starts on a stop word,
# and read "factor authentication problem". Only number words: joining every stop word also split "top up"
# from "top-up" (BANKING77's "top up failed" lost half its tickets and read "top up").
_JOINED_HYPHEN = "\u2011"
_NUMBER_WORDS = (
    "one two three four five six eight nine ten eleven twelve fifteen twenty forty fifty sixty hundred first third"
)
_NUMBER_HYPHEN = re.compile(rf"\b({'|'.join(_NUMBER_WORDS.split())})-(?=[^\W\d_])", re.UNICODE)
# A word may also start with digits when letters follow ("2FA", "4K", "10am"), but not an ordinal ("2nd"):
# dropping its digits left "fa" ("fa codes not accepted"). Numbers and versions stay out of the words.
_TOKEN = re.compile(
    r"\d+(?!(?:st|nd|rd|th)\b)[^\W\d_][\w'\u2011]*[^\W_]|[^\W\d_][\w'\u2011]*[^\W_]|[^\W\d_]", re.UNICODE
)
_NEGATIONS = re.compile(r"n't\b")
_DIGIT = re.compile(r"\d")
_IRREGULAR = {"can't": "cannot", "won't": "will not", "cant": "cannot", "wont": "will not"}
_IRREGULAR_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in _IRREGULAR) + r")\b")
# A phrase may hold a negation ("card not arrived") but not end on one ("payment did not").
NO_END = {"not", "no", "never", "without", "cannot"}
# Particles finish a verb ("top up", "log out") and read as a fragment at the start of a phrase.
NO_START = {"up", "out", "back", "off", "down", "again", "not", "no", "never", "without"}


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens; ``n't`` becomes ``not`` so "didn't arrive" reads "did not arrive"."""
    return [t.rstrip("'") for t in _TOKEN.findall(_normalised(text))]


def _normalised(text: str) -> str:
    text = text.replace("\u2019", "'").lower()
    text = _NUMBER_HYPHEN.sub(rf"\1{_JOINED_HYPHEN}", text)
    return _NEGATIONS.sub(" not", _IRREGULAR_RE.sub(lambda m: _IRREGULAR[m.group(1)], text))


def _tokens_between_numbers(sentence: str) -> list[str]:
    """The sentence's tokens, with ``SENTENCE_BREAK`` where a number or version was left out between two of
    them: "since version 5.14.0 the app closes" must not give the phrase "version the app closes"."""
    tokens: list[str] = []
    end = 0
    text = _normalised(sentence)
    for match in _TOKEN.finditer(text):
        if tokens and _DIGIT.search(text, end, match.start()):
            tokens.append(SENTENCE_BREAK)
        tokens.append(match.group().rstrip("'"))
        end = match.end()
    return tokens


@functools.lru_cache(maxsize=1 << 16)  # a corpus repeats a few thousand words millions of times
def stem(word: str) -> str:
    """Crude English suffix folding so "arrive", "arrived" and "arriving" count as one phrase."""
    for suffix, keep in (("ies", 3), ("ing", 4), ("ed", 4), ("es", 5), ("s", 4)):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def text_language(tokens: Sequence[str]) -> str | None:
    """The language whose function words ``tokens`` use most ("English", "German", ...); None if under 2.

    A word that several languages share ("de", "la") counts as a fraction for each of them.
    """
    hits = dict.fromkeys(_WORD_LANGUAGES_ORDER, 0.0)
    for token in tokens:
        if "'" in token and _FRENCH_ELISION.match(token):
            hits["French"] += 1.0  # l'application, d'erreur, j'ai, qu'il: no English word starts so
            continue
        languages = _WORD_LANGUAGES.get(token, ())
        for language in languages:
            hits[language] += 1.0 / len(languages)
    best = max(hits, key=hits.__getitem__)  # ties: English, then the order of FUNCTION_WORDS
    return best if hits[best] >= 1.5 else None


def phrases(tokens: Sequence[str], max_words: int = 4, stems: Sequence[str] | None = None) -> dict[str, str]:
    """Map stem key -> surface text of each 1..max_words-gram not starting or ending with a stop word.

    ``stems`` (optional) are the tokens' stems when the caller has them already.
    """
    found: dict[str, str] = {}
    stems = [stem(t) for t in tokens] if stems is None else stems
    for i, first in enumerate(tokens):
        if first in STOP_WORDS or first in NO_START or len(first) < 2 or is_right_now(tokens, i):
            continue
        for j in range(i, min(i + max_words, len(tokens))):
            last = tokens[j]
            if last == SENTENCE_BREAK:
                break
            if last not in STOP_WORDS and last not in NO_END and len(last) >= 2 and not is_right_now(tokens, j):
                found.setdefault(" ".join(stems[i : j + 1]), " ".join(tokens[i : j + 1]))
    return found


def is_right_now(tokens: Sequence[str], i: int) -> bool:
    """Whether ``tokens[i]`` is the "right" of "right now": it says when, so no phrase starts or ends on it
    (the demo had a pain point "search tasks right", of "nobody can search tasks right now")."""
    return tokens[i] == "right" and i + 1 < len(tokens) and tokens[i + 1] == "now"


def contains_phrase(longer: str, shorter: str) -> bool:
    """``longer`` holds ``shorter`` word for word and says more ("card was stolen" holds "stolen")."""
    return len(longer) > len(shorter) and f" {shorter} " in f" {longer} "


@dataclass(frozen=True)
class Words:
    """A text's tokens and their stems, computed once per text."""

    tokens: list[str]
    stems: list[str]

    @classmethod
    def of(cls, text: str) -> Words:
        """Tokens with ``SENTENCE_BREAK`` between sentences, so no phrase joins the end of one to the next
        ("API rate limit. Our integration ..." must not give "api our integration")."""
        tokens: list[str] = []
        for sentence in _SENTENCE_END.split(text):
            words = _tokens_between_numbers(sentence)
            if words and tokens:
                tokens.append(SENTENCE_BREAK)
            tokens.extend(words)
        return cls(tokens, [t if t == SENTENCE_BREAK else stem(t) for t in tokens])

    @property
    def words(self) -> list[str]:
        return [t for t in self.tokens if t != SENTENCE_BREAK]


class Casing:
    """How the tickets write each word inside a sentence, to give a lower-case label its capitals back.

    Tokens are lower-cased for counting, so labels read "sso setup with okta" and "since i updated".
    A word takes the form most of its tickets give it where grammar and layout do not: only a word
    right after another word counts, not one after a sentence's end, a greeting's comma, a line break
    or a log line's timestamp ("Hello team,\n\nExporting ...", "00:32:43.681 ERROR [net.http]").
    So "SSO", "Okta", "I", "CSV"; a word written in lower case at least as often stays so.
    """

    def __init__(self) -> None:
        self._forms: dict[str, Counter] = {}

    def add(self, text: str, words: set[str] | None = None) -> None:
        """Count the forms of ``text``'s words (only of ``words``, lower case, when given)."""
        for match in _TOKEN.finditer(text):
            token = match.group(0)
            lower = token.lower()
            if words is not None and lower not in words:
                continue
            i = match.start() - 1
            while i >= 0 and text[i] in " \t":
                i -= 1
            if i >= 0 and text[i].isalpha():
                self._forms.setdefault(lower, Counter())[token] += 1

    @staticmethod
    def words_of(phrase: str) -> set[str]:
        """The lower-case words of a label, the ones ``add`` should count for it."""
        return set(_TOKEN.findall(phrase.lower()))

    def apply(self, phrase: str) -> str:
        """``phrase`` with each word in the form the tickets mostly give it."""
        return _TOKEN.sub(lambda m: self._form(m.group(0)), phrase).replace(_JOINED_HYPHEN, "-")

    def _form(self, word: str) -> str:
        forms = self._forms.get(word)
        if not forms or word != word.lower():
            return word
        form, n = min(forms.items(), key=lambda kv: (-kv[1], kv[0]))
        return form if 2 * n > sum(forms.values()) else word
