"""What a ticket is about: a topic with its pain-point key, tags and many phrasings per language.

Phrases may hold placeholders filled per ticket: {platform_label}, {version}, {code}, {message},
{seats}, {plan}, {n}, {last4}, {weekday}, {colleague}.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Phrases:
    """Interchangeable ways to say one thing in one language."""

    subjects: tuple[str, ...]
    symptoms: tuple[str, ...]
    details: tuple[str, ...] = ()
    asks: tuple[str, ...] = ()


@dataclass(frozen=True)
class TicketTopic:
    """A recurring reason to write in; ``key`` is the pain-point key in truth/ticket_pain_points.csv.

    ``signature_key`` names the everyday error signature its writers tend to have hit shortly before,
    ``pii`` the kinds of personal data people paste for it (phone, email, url, card, iban).
    """

    key: str
    weight: float
    tags: tuple[str, ...]
    en: Phrases
    translations: dict[str, Phrases] = field(default_factory=dict)
    signature_key: str | None = None
    pii: tuple[str, ...] = ("phone", "email")

    def phrases(self, language: str) -> Phrases:
        """The phrasing for ``language``, English when there is none."""
        return self.translations.get(language, self.en)
