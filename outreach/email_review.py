"""Read a rendered email as a customer would and list what is wrong with it.

Used by the tests (every shipped locale x every demo workaround x every incident kind) and by
``benchmarks/email_languages.py`` on a whole outbox. Each problem is one line naming the part (subject,
text, html) and quoting the offending piece.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass

from outreach.language import LANGUAGE_NAMES, foreign_sentences
from outreach.workaround_lint import APOLOGY

# An error code is fine where the sentence says what it is ("the error message “E-CAL-403”").
_ERROR_CODE = re.compile(r"\b(?:[A-Z]{1,6}-[A-Z0-9][A-Z0-9-]*|[A-Z][A-Z0-9]*_[A-Z0-9_]+|0x[0-9A-Fa-f]{4,})\b")
_STANDARD_NAMES = {"UTF-8", "UTF-16", "ISO-8859-1", "ISO-8601", "WCAG-2"}  # look like codes, are not errors
_EXPLAINED = re.compile(r"error message|Fehlermeldung|message d'erreur|mensaje de error", re.IGNORECASE)
# Internal ids and unfilled placeholders a customer must never see.
_INTERNAL = re.compile(
    r"\b(?:inc|cmp|pp|wa|msg|cust|sig)-[0-9a-z][\w-]*|\b[0-9a-f]{16,}\b|\{\{|\}\}|\{[a-z_]+\}|\bNone\b|\bnull\b|"
    r"\bTODO\b|\bDRAFT\b|\b[a-z]+_[a-z_]+\b"
)
_URL = re.compile(r"https?://\S+|mailto:\S+|\S+@\S+")
_TAG = re.compile(r"<(style|title)[^>]*>.*?</\1>|<[^>]+>", re.DOTALL)


@dataclass(frozen=True)
class Review:
    """What a reader would notice: one line per problem (empty when the email reads well)."""

    language: str
    problems: tuple[str, ...]

    @property
    def mixed_language(self) -> bool:
        return any(": reads as " in p for p in self.problems)

    @property
    def double_apology(self) -> bool:
        return any("apologises" in p for p in self.problems)


def html_to_text(html: str) -> str:
    """The visible text of an HTML part: tags dropped (block ends become line breaks), entities decoded."""
    text = re.sub(r"</(p|div|h\d|li|tr)>|<br\s*/?>", "\n", html, flags=re.IGNORECASE)
    return html_lib.unescape(_TAG.sub(" ", text))


def review_email(subject: str, text: str, html: str, language: str) -> Review:
    """Everything wrong with one email written in ``language`` (subject, text part, HTML part)."""
    problems: list[str] = []
    parts = {"subject": subject, "text": text, "html": html_to_text(html)}
    for name, content in parts.items():
        body = _URL.sub(" ", content)
        for sentence, other in foreign_sentences(body, language):
            problems.append(f"{name}: reads as {LANGUAGE_NAMES[other]}, not {LANGUAGE_NAMES.get(language, language)}: "
                            f"{sentence[:80]!r}")
        if name != "subject":
            apologies = APOLOGY.findall(body)
            if len(apologies) > 1:
                problems.append(f"{name}: apologises {len(apologies)} times ({', '.join(apologies)})")
        for match in _INTERNAL.finditer(body):
            problems.append(f"{name}: shows an internal id or placeholder {match.group(0)!r}")
        for line in body.splitlines():
            for sentence in re.split(r"(?<=[.!?])\s+", line):
                for code in _ERROR_CODE.findall(sentence):
                    if code not in _STANDARD_NAMES and not _EXPLAINED.search(sentence):
                        problems.append(f"{name}: shows the error code {code!r} without saying what it is")
    return Review(language, tuple(problems))
