"""Which one language an email is written in, and why.

An email is written in the customer's language only when everything it says exists in that language: the
template (shipped locales), the workaround (its own language or a usable translation) and the product words
it needs (the feature's and platform's names in the profile). Otherwise it is written whole in the
workaround's own language, and the reason is kept on the message and counted in the campaign preview.
"""

from __future__ import annotations

from dataclasses import dataclass

from outreach.language import LANGUAGE_NAMES
from outreach.model import MessageContext
from outreach.profile import SHIPPED_LOCALES, ProductProfile

CUSTOMER_LANGUAGE = "customer's language"


@dataclass(frozen=True)
class LanguageChoice:
    """The language of one email, the workaround text in it, and the reason for the choice.

    ``wanted`` is the customer's language as far as it is known (a shipped locale, or the raw locale).
    """

    language: str
    wanted: str
    reason: str
    title: str
    steps_markdown: str

    @property
    def fell_back(self) -> bool:
        return self.reason != CUSTOMER_LANGUAGE


def language_name(locale: str) -> str:
    """ "German" for ``de``; an unknown locale is quoted as it is."""
    return LANGUAGE_NAMES.get(locale, repr(locale))


def shipped_locale(locale: str | None) -> str | None:
    """The shipped locale of a customer's ``locale`` (``de-AT`` → ``de``), or None when none fits."""
    tag = (locale or "").strip().replace("_", "-").lower()
    while tag:
        if tag in SHIPPED_LOCALES:
            return tag
        tag = tag.rpartition("-")[0]
    return None


def choose_language(ctx: MessageContext, profile: ProductProfile, default_locale: str = "en") -> LanguageChoice:
    """The one language ``ctx``'s email is written in, with the workaround text in it and the reason."""
    workaround = ctx.workaround
    own = workaround.language if workaround.language in SHIPPED_LOCALES else "en"
    raw = (ctx.locale or "").strip() or default_locale
    wanted = shipped_locale(raw)
    if wanted is None:
        return _fallback(ctx, own, raw, f"no email templates for the customer's locale {raw!r}")
    if wanted == own:
        return LanguageChoice(own, wanted, CUSTOMER_LANGUAGE, workaround.title, workaround.steps_markdown)
    translation = next((t for t in workaround.translations if t.locale == wanted), None)
    if translation is None:
        return _fallback(ctx, own, wanted, f"no {language_name(wanted)} workaround")
    if translation.problem:
        return _fallback(ctx, own, wanted, translation.problem)
    missing = missing_product_words(ctx, profile, wanted)
    if missing:
        return _fallback(ctx, own, wanted, missing)
    return LanguageChoice(wanted, wanted, CUSTOMER_LANGUAGE, translation.title, translation.steps_markdown)


def missing_product_words(ctx: MessageContext, profile: ProductProfile, locale: str) -> str:
    """Why the email cannot name its feature or platform in ``locale`` ("" when it can)."""
    name = language_name(locale)
    if ctx.feature and profile.feature_name(ctx.feature, locale) is None:
        return f"no {name} name for the feature {ctx.feature.strip()!r} in the product profile"
    if ctx.platform and profile.platform_name(ctx.platform, locale) is None:
        return f"no {name} name for the platform {ctx.platform.strip()!r} in the product profile"
    return ""


def _fallback(ctx: MessageContext, own: str, wanted: str, why: str) -> LanguageChoice:
    workaround = ctx.workaround
    return LanguageChoice(own, wanted, why, workaround.title, workaround.steps_markdown)
