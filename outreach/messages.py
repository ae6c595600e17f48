"""Build one customer's email (subject, plain text, HTML, headers) from a MessageContext.

Pure: no database, no network. Templates live in ``outreach/templates/`` as ``<locale>.<part>.j2``
and run in a Jinja2 ``SandboxedEnvironment``; HTML parts are autoescaped. Workaround steps are
Markdown rendered by markdown-it-py with raw HTML and images disabled and only http(s)/mailto links,
so text written by people or taken from data is never pasted into the HTML unescaped.

One language per email: ``outreach.language_choice`` picks it (the customer's, or the workaround's own
when anything the email says is missing in the customer's), and every word of the email then comes from
that language: the template, the workaround's title and steps, the product profile's names. A raw
identifier from the events or a pain-point label in another language is left out rather than pasted in.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, Template, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from markdown_it import MarkdownIt
from markupsafe import Markup

from outreach.language import is_in_language
from outreach.language_choice import LanguageChoice, choose_language
from outreach.model import MessageContext, OutreachSettings, RenderedMessage
from outreach.profile import SHIPPED_LOCALES, ProductProfile, default_profile, load_profile, profile_path
from outreach.summary import customer_summary
from outreach.unsubscribe import make_token, unsubscribe_mailto, unsubscribe_url

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
SUPPORTED_LOCALES = SHIPPED_LOCALES
FALLBACK_LOCALE = "en"
MAX_SUBJECT_CHARS = 90
SAFE_LINK_PREFIXES = ("https://", "http://", "mailto:")

# Fix status words people and data use, folded to the three stories a message can tell.
_FIX_STATUS = {
    "investigating": "investigating", "open": "investigating", "new": "investigating", "acknowledged": "investigating",
    "identified": "in_progress", "fix_in_progress": "in_progress", "in_progress": "in_progress",
    "fixing": "in_progress", "fix_scheduled": "in_progress", "monitoring": "in_progress",
    "fixed": "fixed", "resolved": "fixed", "closed": "fixed", "fix_released": "fixed", "released": "fixed",
}

_MONTHS = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
}
_DATE_FORMATS = {
    "en": "{month} {day}, {year}", "de": "{day}. {month} {year}",
    "fr": "{day} {month} {year}", "es": "{day} de {month} de {year}",
}

# Control characters (CR/LF included) and bidirectional overrides that could spoof or split text.
_UNSAFE_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def resolve_locale(locale: str | None, default: str = FALLBACK_LOCALE) -> str:
    """The supported locale for ``locale``: ``de-AT`` → ``de``, ``pt-BR`` → ``pt`` → ``en``."""
    for candidate in (locale, default):
        if not candidate:
            continue
        tag = candidate.strip().replace("_", "-").lower()
        while tag:
            if tag in SUPPORTED_LOCALES:
                return tag
            tag = tag.rpartition("-")[0]
    return FALLBACK_LOCALE


def active_profile(settings: OutreachSettings) -> ProductProfile:
    """The product profile of ``settings`` (its file, else ``FOREWARN_PRODUCT_PROFILE``, else the built-in one).

    Raises:
        outreach.profile.ProfileError: the configured file is missing or malformed.
    """
    path = profile_path(settings.product_profile)
    if path:
        return load_profile(path)
    return default_profile(settings.company_name, settings.from_name)


def render_message(
    ctx: MessageContext, settings: OutreachSettings, unsubscribe_secret: str, profile: ProductProfile | None = None
) -> RenderedMessage:
    """Render the email for one customer, whole in one language (``RenderedMessage.locale``, with the reason).

    Raises:
        outreach.unsubscribe.UnsubscribeSecretMissing: ``unsubscribe_secret`` is empty.
        outreach.profile.ProfileError: no ``profile`` is given and the configured file cannot be read.
    """
    profile = profile or active_profile(settings)
    choice = choose_language(ctx, profile, settings.default_locale)
    locale = choice.language
    token = make_token(ctx.customer_id, unsubscribe_secret)
    link = unsubscribe_url(settings.unsubscribe_base_url, token)
    variables = _template_variables(ctx, settings, profile, choice, link)
    subject = _subject_line(_template(locale, "subject.txt").render(variables), MAX_SUBJECT_CHARS)
    mailto = unsubscribe_mailto(settings.unsubscribe_email or settings.reply_to, token)
    return RenderedMessage(
        message_id=ctx.message_id,
        to_email=ctx.email.strip(),
        to_name=_single_line(ctx.name, 120) or None,
        from_email=settings.from_email,
        from_name=variables["from_name"] or settings.from_name,  # the team as named in the email's language
        reply_to=settings.reply_to,
        subject=subject,
        text=_template(locale, "body.txt").render(variables),
        html=_template(locale, "body.html").render(variables),
        headers={
            "List-Unsubscribe": f"<{mailto}>, <{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        custom_args={
            "message_id": ctx.message_id,
            "campaign_id": ctx.campaign_id,
            "customer_id": ctx.customer_id,
        },
        locale=locale,
        language_reason=choice.reason,
    )


def _template_variables(
    ctx: MessageContext, settings: OutreachSettings, profile: ProductProfile, choice: LanguageChoice, link: str
) -> dict:
    locale = choice.language
    steps = choice.steps_markdown.strip()
    words = profile.words(locale)
    return {
        "greeting_name": _greeting_name(ctx.name),
        "company": _single_line(profile.product or settings.company_name, 80),
        "platform": _product_word(profile.platform_name(ctx.platform, locale), ctx.platform, locale),
        "app_version": _single_line(ctx.app_version, 40),
        "feature": _feature_word(profile.feature_name(ctx.feature, locale), ctx.feature, locale),
        "error_code": _single_line(ctx.error_code, 80),
        "since": format_date(ctx.first_exposed_at, locale) if ctx.first_exposed_at else "",
        "issue_summary": _summary(ctx, locale),
        "workaround_title": _single_line(choice.title, 160).rstrip(" ."),
        "steps_text": _plain_text(steps),
        "steps_html": steps_to_html(steps),
        "fix_status": _FIX_STATUS.get((ctx.fix_status or "").strip().lower(), "investigating"),
        "fixed_in_version": _single_line(ctx.extra.get("fixed_in_version"), 40),
        "support_url": words.contact_url or profile.words("en").contact_url or settings.support_url,
        "status_page_url": words.status_url or profile.words("en").status_url or settings.status_page_url,
        "from_name": _single_line(profile.team_name(locale) or settings.from_name, 80),
        "sign_off": _single_line(profile.sign_off(locale), 60),
        "unsubscribe_url": link,
    }


# Raw event names say nothing to a customer ("In short: error."); such a summary is left out.
_GENERIC_SUMMARIES = {"error", "errors", "crash", "crashes", "exception", "failure", "fatal", "a problem in the app"}


def _product_word(name: str | None, raw: str | None, locale: str) -> str:
    """The profile's name; without one, the raw identifier only in English (the events' own vocabulary), else ""."""
    if name:
        return _single_line(name, 60)
    return _single_line(raw, 60) if locale == "en" else ""


def _feature_word(name: str | None, raw: str | None, locale: str) -> str:
    """``_product_word`` for a feature: a raw identifier reads "the export feature" ("a problem with export"
    was how an email without a product profile put it); the profile's own name is used as written."""
    word = _product_word(name, raw, locale)
    if name or not word:
        return word
    return f"the {' '.join(word.replace('_', ' ').replace('-', ' ').split())} feature"


def _summary(ctx: MessageContext, locale: str) -> str:
    """The pain point's label, only when it is written in the email's language (labels come from tickets)
    and states a problem, in the company's voice (``customer_summary``)."""
    summary = _single_line(ctx.issue_summary, 300).rstrip(" .!")
    if summary.strip().lower() in _GENERIC_SUMMARIES or summary.strip() == (ctx.error_code or "").strip():
        return ""
    return customer_summary(summary, locale) if is_in_language(summary, locale) else ""


def format_date(value: datetime, locale: str) -> str:
    """A date as people write it in ``locale``: "March 3, 2026", "3. März 2026", "3 mars 2026"."""
    locale = resolve_locale(locale)
    month = _MONTHS[locale].split()[value.month - 1]
    return _DATE_FORMATS[locale].format(day=value.day, month=month, year=value.year)


@lru_cache(maxsize=64)
def steps_to_html(markdown_text: str) -> Markup:
    """Workaround steps as safe HTML: raw HTML escaped, no images, only http(s)/mailto links.

    Cached: a campaign renders the same steps (one text per language) for every customer, and parsing the
    Markdown was half of a message's rendering time.
    """
    return Markup(_markdown().render(_strip_controls(markdown_text, keep_newlines=True)))


@cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable("image")  # no remote images (tracking pixels) from workaround text
    md.validateLink = lambda url: url.strip().lower().startswith(SAFE_LINK_PREFIXES)
    return md


@cache
def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["capfirst"] = _capfirst
    env.filters["underline"] = lambda text: "-" * len(str(text))  # a plain-text heading
    return env


def _capfirst(text: str) -> str:
    """First letter up, the rest as written (Jinja's ``capitalize`` would turn "die Web-App" into "Die web-app")."""
    text = str(text)
    return text[:1].upper() + text[1:]


@cache
def _template(locale: str, part: str) -> Template:
    # Compiled once per process and reused for every message of every campaign.
    return _environment().get_template(f"{locale}.{part}.j2")


def _strip_controls(value: str, *, keep_newlines: bool) -> str:
    if keep_newlines:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        return "\n".join(_UNSAFE_CHARS.sub(" ", line) for line in value.split("\n"))
    return _UNSAFE_CHARS.sub(" ", value)


def _single_line(value: str | None, max_chars: int) -> str:
    """One line of untrusted text: no control characters, collapsed spaces, cut at a word boundary."""
    if not value:
        return ""
    text = " ".join(_strip_controls(unicodedata.normalize("NFC", str(value)), keep_newlines=False).split())
    if len(text) <= max_chars:
        return text
    cut = text[: max_chars - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-") + "…"


# Where a subject's closing clause starts ("... 5.14.0 – here's a workaround", "... : voici une solution").
_SUBJECT_CLAUSE_BREAKS = (" – ", " : ", ": ")


def _subject_line(value: str, max_chars: int) -> str:
    """The subject on one line; too long, it drops its closing clause before it cuts a word.

    A long feature or company name cut the French subject to "... 5.14.0 : voici une…", which reads as
    a slip; "Désolés pour le problème avec les pièces jointes dans Acme Projects 5.14.0" says it all.
    """
    text = _single_line(value, len(value) + 1)
    if len(text) <= max_chars:
        return text
    for mark in _SUBJECT_CLAUSE_BREAKS:
        head = text.rsplit(mark, 1)[0] if mark in text else ""
        if head and len(head) <= max_chars:
            return head
    return _single_line(text, max_chars)


def _plain_text(markdown_text: str) -> str:
    return _strip_controls(markdown_text, keep_newlines=True).strip()


def _greeting_name(name: str | None) -> str:
    """The first name to greet by, or "" when the stored name does not look like a person's name."""
    text = _single_line(name, 120)
    if not text or "@" in text or any(ch.isdigit() for ch in text):
        return ""
    first = text.split()[0]
    if first.endswith(".") and len(text.split()) > 1:  # "Dr. Jane Smith": a title, so greet the full name
        return text
    return first if len(first) <= 40 else ""
