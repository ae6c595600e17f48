"""Translations of a workaround, and what a support lead is warned about when a workaround is loaded.

A workaround owns its title and its steps; the email template owns the greeting, the apology, what we are
doing and the sign-off. A workaround that apologises, greets or signs off would make the email say it twice,
so loading flags it (with the file and line) instead of rewriting the writer's text.

Translations sit in the front matter, one block per locale::

    language: en              # the workaround's own language (default en)
    translations:
      de:
        title: Suche ist langsam – so finden Sie Aufgaben trotzdem
        steps: |
          1. ...

A translation that misses a step, has no title, or reads as another language is kept with its ``problem``
and never used: the email then falls back whole to the workaround's language, with that reason.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from outreach.language import LANGUAGE_NAMES, foreign_sentences
from outreach.profile import SHIPPED_LOCALES


@dataclass(frozen=True)
class Translation:
    """A workaround's title and steps in one locale; a non-empty ``problem`` means it must not be used."""

    locale: str
    title: str
    steps_markdown: str
    problem: str = ""


# What the template says already. Checked in every language, since a German note may quote English.
APOLOGY = re.compile(
    r"\b(sorry|apologi[sz]e\w*|apologies|we regret|tut uns leid|entschuldig\w*|bedauern|désolé\w*|"
    r"excuse[sz]?|nous regrettons|lo sentimos|sentimos mucho|disculp\w*|perdón|lamentamos)\b",
    re.IGNORECASE,
)
_GREETING = re.compile(r"^\W*(hi|hello|hey|dear|hallo|liebe[rs]?|sehr geehrte[rs]?|bonjour|cher|chère|hola|"
                       r"estimad[oa]s?)\b", re.IGNORECASE)
_SIGN_OFF = re.compile(r"^\W*((best|kind|warm)( regards)?,|regards,|cheers,|sincerely|"
                       r"(viele|herzliche|beste|freundliche) grüße|mit freundlichen|cordialement|bien cordialement|"
                       r"bien à vous|(un )?saludo|saludos|atentamente)(?!\w)", re.IGNORECASE)
_STEP = re.compile(r"^\s{0,3}(\d+[.)]|[-*+])\s+\S")


def count_steps(markdown: str) -> int:
    """Numbered or bulleted list items of ``markdown`` (a paragraph of context is not a step)."""
    return sum(1 for line in markdown.splitlines() if _STEP.match(line))


def parse_translations(value: Any, *, language: str, steps: str, source: str) -> tuple[list[Translation], list[str]]:
    """The ``translations`` block checked against the workaround's own steps; returns (translations, warnings)."""
    if value is None:
        return [], []
    if not isinstance(value, dict):
        raise ValueError(f"{source}: field 'translations' must map a locale (de, fr, es) to a title and steps")
    result: list[Translation] = []
    warnings: list[str] = []
    expected = count_steps(steps)
    for raw_locale, block in value.items():
        locale = str(raw_locale).strip().lower()
        where = f"{source}: translations.{locale}"
        if locale not in SHIPPED_LOCALES:
            warnings.append(f"{where}: unknown locale; emails are written in {', '.join(SHIPPED_LOCALES)} only, "
                            "so this translation is never used")
            continue
        if locale == language:
            warnings.append(f"{where}: the workaround itself is written in {locale}; this translation is ignored")
            continue
        if not isinstance(block, dict) or set(block) - {"title", "steps"}:
            raise ValueError(f"{where}: expected exactly 'title' and 'steps', got {block!r}")
        title = " ".join(str(block.get("title") or "").split())
        body = str(block.get("steps") or "").strip()
        problem = _translation_problem(locale, title, body, expected)
        if problem:
            warnings.append(f"{where}: {problem}; {LANGUAGE_NAMES[locale]} customers get the "
                            f"{LANGUAGE_NAMES.get(language, language)} email instead")
        result.append(Translation(locale, title, body, problem))
    return sorted(result, key=lambda t: t.locale), warnings


def lint_text(text: str, *, source: str) -> list[str]:
    """Warnings for lines of a workaround file that apologise, greet or sign off (the template does that)."""
    warnings = []
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.split(":", 1)[1] if re.match(r"^\s*(title|steps)\s*:", line) else line
        content = re.sub(r"^\s*(\d+[.)]|[-*+])\s+", "", content).strip()
        for pattern, what in ((APOLOGY, "apologises"), (_GREETING, "greets"), (_SIGN_OFF, "signs off")):
            match = pattern.search(content)
            if match:
                warnings.append(
                    f"{source}:{number}: the workaround {what} ({match.group(0).strip()!r}); the email template "
                    "already does, so the customer would read it twice: keep only the title and the steps"
                )
    return warnings


def lint_language(steps: str, language: str, *, source: str, start_line: int) -> list[str]:
    """Warnings for sentences of the steps that read as another language than the workaround's."""
    warnings = []
    for offset, line in enumerate(steps.splitlines()):
        for sentence, other in foreign_sentences(line, language):
            warnings.append(f"{source}:{start_line + offset}: reads as {LANGUAGE_NAMES[other]}, but the workaround "
                            f"is written in {LANGUAGE_NAMES.get(language, language)}: {sentence[:60]!r}")
    return warnings


def translations_json(translations: tuple[Translation, ...]) -> str | None:
    """The stored form of the translations (None when there are none)."""
    if not translations:
        return None
    return json.dumps(
        {t.locale: {"title": t.title, "steps": t.steps_markdown, "problem": t.problem} for t in translations},
        sort_keys=True, ensure_ascii=False,
    )


def translations_from_json(text: str | None) -> tuple[Translation, ...]:
    """Translations read back from the warehouse (bad or empty JSON means none)."""
    if not text:
        return ()
    try:
        data = json.loads(text)
    except ValueError:
        return ()
    if not isinstance(data, dict):
        return ()
    return tuple(
        Translation(str(locale), str(block.get("title") or ""), str(block.get("steps") or ""), str(block.get("problem") or ""))
        for locale, block in sorted(data.items())
        if isinstance(block, dict)
    )


def _translation_problem(locale: str, title: str, steps: str, expected_steps: int) -> str:
    name = LANGUAGE_NAMES[locale]
    if not title:
        return f"the {name} translation has no title"
    if not steps:
        return f"the {name} translation has no steps"
    found = count_steps(steps)
    if found != expected_steps:
        return f"the {name} translation has {found} steps where the workaround has {expected_steps}"
    foreign = foreign_sentences(f"{title}\n{steps}", locale)
    if foreign:
        sentence, other = foreign[0]
        return f"the {name} translation reads as {LANGUAGE_NAMES[other]} in {sentence[:60]!r}"
    return ""
