"""The "In short" line of an email: a pain point's label, as the company would say it to the customer.

A label is a phrase from the customers' own tickets, picked by a machine: it speaks in their voice
("app crashes since I updated", "keeps logging me out") and it may be a fragment that names the
problem only beside its tickets ("times a day", "reset link", "SSO setup with Okta"). Quoted in an
email, the first reads as if the company had updated the app and the second says nothing or the
wrong thing. So the email quotes a label only when it states a problem (a negation or a word for
something going wrong, per language) and, in English, with the customer's words turned to the
second person ("since you updated"). In the other languages a first-person label is left out: their
verbs change with the person, and a wrong form reads worse than no summary. The email is whole
without the line; a bad line is worse than none.
"""

from __future__ import annotations

from dataclasses import dataclass

from outreach.language import word_tokens

# Words that make a phrase a statement of a problem, per language; a stem ends with "*".
_PROBLEM_WORDS: dict[str, str] = {
    "en": "not no never cannot can't won't doesn't don't didn't isn't aren't wasn't unable nothing nobody "
    "crash* fail* error* broken break* stop* stuck freez* hang* hung lost lose* losing missing disappear* "
    "wrong slow* timeout* quit* clos* keeps duplicat* twice charged blank empty spin* reject* declin* "
    "expire* gone fault* instead corrupt* garbled weird unreadable locked blocked denied invalid incorrect "
    "bug bugs glitch*",
    "de": "nicht kein keine keinen keiner nie niemals fehler* absturz* stürzt* abgestürzt fehlt* fehlen* falsch* "
    "langsam* hängt* verloren weg leer doppelt* abgelehnt* abgelaufen* kaputt* bricht* abgebrochen",
    "fr": "ne n' pas jamais aucun aucune impossible erreur* plante* planté* bloqu* perdu* manqu* disparu* "
    "faux fausse lent* vide double* refus* expir* cass* échou*",
    "es": "no nunca ningún ninguna imposible error* falla* fallo* cierra* bloque* perdid* falta* desaparec* "
    "incorrect* lent* vací* duplicad* rechaz* caducad* roto rota",
}


@dataclass(frozen=True)
class _Vocabulary:
    words: frozenset[str]
    stems: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> _Vocabulary:
        entries = text.split()
        return cls(frozenset(e for e in entries if not e.endswith("*")), tuple(e[:-1] for e in entries if e.endswith("*")))

    def holds(self, word: str) -> bool:
        return word in self.words or word.startswith(self.stems)


_PROBLEMS = {language: _Vocabulary.of(text) for language, text in _PROBLEM_WORDS.items()}

# Problems said in more than one word, whose words alone say nothing ("out", "date").
_PROBLEM_PHRASES: dict[str, tuple[str, ...]] = {
    "en": ("times out", "timed out", "out of date", "out of sync", "logs me out", "logged out", "too long"),
}

_FIRST_PERSON: dict[str, frozenset[str]] = {
    "de": frozenset("ich mein meine meinen meinem meiner mir mich wir unser unsere unseren unserem uns".split()),
    "fr": frozenset("je j' me m' moi mon ma mes nous notre nos".split()),
    "es": frozenset("yo me mi mis mío mía nosotros nosotras nuestro nuestra nuestros nuestras".split()),
}

# English first person -> second person. "am" and "was" change only after "I" (handled below).
_EN_SECOND_PERSON = {
    "i": "you", "i'm": "you're", "i've": "you've", "i'd": "you'd", "i'll": "you'll", "me": "you", "my": "your",
    "mine": "yours", "myself": "yourself", "we": "you", "we're": "you're", "we've": "you've", "we'd": "you'd",
    "we'll": "you'll", "us": "you", "our": "your", "ours": "yours", "ourselves": "yourselves",
}
_EN_AFTER_I = {"am": "are", "was": "were"}

def customer_summary(label: str, language: str) -> str:
    """``label`` as the email's "In short" line in ``language``, or "" when it should not be quoted."""
    text = " ".join(label.split())
    words = [_elided(w) for w in word_tokens(text)]
    problems = _PROBLEMS.get(language)
    if not words or problems is None:
        return ""
    spaced = f" {' '.join(words)} "
    if not any(problems.holds(w) for w in words) and not any(
        f" {p} " in spaced for p in _PROBLEM_PHRASES.get(language, ())
    ):
        return ""
    if language == "en":
        return _second_person(text)
    if any(w in _FIRST_PERSON[language] for w in words):
        return ""
    return text


def _elided(word: str) -> str:
    """French "n'arrive" -> "n'", "j'ai" -> "j'": the elided word is what the lists name."""
    return word[:2] if len(word) > 2 and word[1] == "'" else word


def _second_person(text: str) -> str:
    """English first person turned to the second: "since I updated" -> "since you updated"."""
    out: list[str] = []
    previous = ""
    for token in text.split(" "):  # ``text`` has single spaces (``customer_summary``)
        core = token.rstrip(",.;:!?")
        key = core.lower().replace("’", "'")
        if previous == "i" and key in _EN_AFTER_I:
            core = _EN_AFTER_I[key]
        elif key in _EN_SECOND_PERSON and not (len(core) > 1 and core.isupper()):  # "the US", not "us"
            core = _EN_SECOND_PERSON[key]
            # "I" is upper case wherever it stands; its "you" is capitalised only where the label starts.
            if not out and token[:1].isupper():
                core = core[:1].upper() + core[1:]
        out.append(core + token[len(token.rstrip(",.;:!?")):])
        previous = key
    return " ".join(out)
