"""Which language a sentence is written in, from its function words; and the sentences of an email that are not
in the email's language.

Function words (articles, pronouns, prepositions, auxiliaries) make up a third of any sentence and barely
overlap between English, German, French and Spanish, so counting them tells a sentence's language without a
model. A sentence with too few of them (a name, a URL, "Acme Projects 4.35.0") is left undecided rather than
guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LANGUAGE_NAMES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish"}

# Words that are unambiguous enough between the four languages ("a", "de", "la", "die", "en", "in" and
# "se" are left out on purpose: each is common in two of them).
_FUNCTION_WORDS = {
    "en": """the and of to is are was were be been it this that these with for on at by from you your we our
        us they them their have has had not but or if when while what which who how can could will would
        should do does did there here an into out about just any some more than then so because after before
        until instead again one each its my me he she his her all get once""",
    "de": """der das dem den des und ist sind war waren wird werden wurde nicht mit für auf bei aus ein eine
        einen einem einer eines ich sie wir uns unser unsere ihr ihre ihren ihnen sich dass oder wenn
        auch noch nur schon dann hier dort wie was wer kann können könnte müssen sollte bitte zum zur
        vom im am ins durch über unter nach vor bis seit wieder damit kein keine sein haben hat hatte gibt
        es gleich""",
    "fr": """le les du des et est sont était être été avec pour sur dans par pas ne nous vous votre vos notre
        nos ils elles leur leurs il elle une un ce cette ces qui que quoi quand où comme mais ou si
        plus peut pouvez pouvons faire fait avez avons ont au aux puis donc car lorsque jusqu chaque
        toujours encore aussi très sans sous entre vers ici cela ça""",
    "es": """el los las del y es son está están era fue ser estar con para por sin sobre entre pero porque
        cuando donde como qué quién que su sus nuestro nuestra nuestros usted ustedes le les lo una un
        uno este esta estos estas ese esa hay puede pueden hacer tiene tienen ha han al muy más también
        ya hasta desde mientras cada todo todos otra otro aquí así""",
}
_WORDS = {language: frozenset(words.split()) for language, words in _FUNCTION_WORDS.items()}
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
# URLs, e-mail addresses and Markdown/HTML markup carry no language.
_NOISE = re.compile(r"https?://\S+|mailto:\S+|\S+@\S+|<[^>]+>|&[a-z]+;|[*_`#>]+")
# A sentence ends at . ! ? : or a line break; "5.14.0" and "e.g." are not ends because no space follows.
_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+|\n+")

MIN_FUNCTION_WORDS = 2


@dataclass(frozen=True)
class Guess:
    """The language of one piece of text; ``language`` is None when it cannot be told."""

    language: str | None
    scores: dict[str, int]


def guess_language(text: str, *, min_function_words: int = MIN_FUNCTION_WORDS) -> Guess:
    """The language whose function words ``text`` uses most, or None when too few or tied."""
    tokens = [_fold(token) for token in word_tokens(text)]
    scores = {language: sum(token in words for token in tokens) for language, words in _WORDS.items()}
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    best, best_score = ranked[0]
    if best_score < min_function_words or best_score == ranked[1][1]:
        return Guess(None, scores)
    return Guess(best, scores)


def sentences(text: str) -> list[str]:
    """``text`` cut into sentences (and lines), without markup noise, empty pieces dropped."""
    return [piece.strip() for piece in _SENTENCE_END.split(text) if piece and piece.strip()]


def foreign_sentences(text: str, language: str) -> list[tuple[str, str]]:
    """Sentences of ``text`` that read as another language than ``language``: (sentence, their language).

    A sentence counts as foreign only when its best language clearly beats ``language`` on function words.
    """
    found = []
    for sentence in sentences(text):
        guess = guess_language(sentence)
        if guess.language is not None and guess.language != language and (
            guess.scores[guess.language] > guess.scores.get(language, 0) + 1 or guess.scores.get(language, 0) == 0
        ):
            found.append((sentence, guess.language))
    return found


def is_in_language(text: str, language: str) -> bool:
    """True when ``text`` reads as ``language`` (used before a label or a name is put into an email).

    Short text with no function words ("search", "PDF export timeout") counts as English only: it is a
    word someone wrote in the product's own vocabulary, which is English unless a profile names it otherwise.
    """
    guess = guess_language(text, min_function_words=1)
    if guess.language is None:
        return language == "en" and not any(guess.scores.values())
    return guess.language == language


def word_tokens(text: str) -> list[str]:
    """The words of ``text`` in lower case, apostrophes as ``'`` ("can't", "j'ai"), without URLs or markup."""
    return [token.lower().replace("’", "'") for token in _TOKEN.findall(_NOISE.sub(" ", text))]


def _fold(token: str) -> str:
    return token.split("'")[0]
