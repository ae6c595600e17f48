"""The product profile: how the product, its team, features and platforms are named in each language.

One YAML file (Variable ``forewarn_product_profile``, env ``FOREWARN_PRODUCT_PROFILE``, or
``forewarn outreach --product-profile FILE``)::

    product: Acme Projects
    team: The Acme Projects team          # the sender's name; a locale may override it
    locales:
      en:
        sign_off: Warm regards,
        status_url: https://status.example.com
        contact_url: https://example.com/contact
        features: {search: search, calendar: the calendar}
        platforms: {web: the web app, android: the Android app}
      de:
        team: Ihr Acme-Projects-Team
        sign_off: Herzliche Grüße
        features: {search: die Suche, calendar: den Kalender}
        platforms: {web: die Web-App, android: die Android-App}

A raw identifier from the events ("search", "web") is never put into a non-English email: an email needs
every product word it uses in its own language, or it is written whole in the workaround's language.
Without a file, a built-in profile names the common platforms in every shipped language and no features.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from outreach.language import LANGUAGE_NAMES

log = logging.getLogger(__name__)

PROFILE_ENV = "FOREWARN_PRODUCT_PROFILE"
SHIPPED_LOCALES = ("en", "de", "fr", "es")
_LOCALE_FIELDS = {"team", "sign_off", "status_url", "contact_url", "features", "platforms"}
_TOP_FIELDS = {"product", "team", "locales"}

_DEFAULT_SIGN_OFFS = {"en": "Warm regards,", "de": "Herzliche Grüße", "fr": "Bien cordialement,", "es": "Un saludo cordial,"}
_DEFAULT_PLATFORMS = {
    "en": {"ios": "the iOS app", "android": "the Android app", "web": "the web app", "windows": "the Windows app",
           "macos": "the Mac app", "mac": "the Mac app", "linux": "the Linux app"},
    "de": {"ios": "die iOS-App", "android": "die Android-App", "web": "die Web-App", "windows": "die Windows-App",
           "macos": "die Mac-App", "mac": "die Mac-App", "linux": "die Linux-App"},
    "fr": {"ios": "l'app iOS", "android": "l'app Android", "web": "l'app web", "windows": "l'app Windows",
           "macos": "l'app Mac", "mac": "l'app Mac", "linux": "l'app Linux"},
    "es": {"ios": "la app de iOS", "android": "la app de Android", "web": "la app web",
           "windows": "la app de Windows", "macos": "la app de Mac", "mac": "la app de Mac", "linux": "la app de Linux"},
}


class ProfileError(ValueError):
    """The profile file cannot be used at all (missing, not YAML, wrong shape); names the file and field."""


@dataclass(frozen=True)
class LocaleWords:
    """Everything a profile says in one language."""

    team: str = ""
    sign_off: str = ""
    status_url: str = ""
    contact_url: str = ""
    features: dict[str, str] = field(default_factory=dict)
    platforms: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ProductProfile:
    """The product's words per locale; ``warnings`` are what loading found wrong (one line each)."""

    product: str
    team: str
    locales: dict[str, LocaleWords]
    source: str = "<built-in>"
    warnings: tuple[str, ...] = ()

    def words(self, locale: str) -> LocaleWords:
        """The words of ``locale`` (empty when the profile does not cover it)."""
        return self.locales.get(locale, LocaleWords())

    def feature_name(self, feature: str | None, locale: str) -> str | None:
        """How ``feature`` is called in ``locale``; None when the profile has no name for it there."""
        return _lookup(self.words(locale).features, feature)

    def platform_name(self, platform: str | None, locale: str) -> str | None:
        """How ``platform`` is called in ``locale``; None when the profile has no name for it there."""
        return _lookup(self.words(locale).platforms, platform)

    def team_name(self, locale: str) -> str:
        return self.words(locale).team or self.team

    def sign_off(self, locale: str) -> str:
        return self.words(locale).sign_off or _DEFAULT_SIGN_OFFS.get(locale, "")


_DEFAULT_TEAMS = {"en": "The {product} support team", "de": "Ihr {product}-Support-Team",
                  "fr": "L'équipe support {product}", "es": "El equipo de soporte de {product}"}


def default_profile(product: str = "Acme", team: str = "The Acme support team") -> ProductProfile:
    """The profile used without a file: platform names and sign-offs in every shipped language, no features.

    The generic team name ("The Acme support team") is said in each language; any other ``team`` (a
    person's name) is kept as it is everywhere.
    """
    generic = team == _DEFAULT_TEAMS["en"].format(product=product)
    return ProductProfile(
        product=product, team=team,
        locales={
            loc: LocaleWords(team=_DEFAULT_TEAMS[loc].format(product=product) if generic else "",
                             platforms=dict(_DEFAULT_PLATFORMS[loc]))
            for loc in SHIPPED_LOCALES
        },
    )


def profile_path(configured: str | None = None) -> str:
    """The profile file to use: ``configured`` (CLI option or Airflow Variable), else ``FOREWARN_PRODUCT_PROFILE``."""
    return (configured or os.environ.get(PROFILE_ENV, "")).strip()


def load_profile(path: str | Path) -> ProductProfile:
    """Read and check a profile file; problems that only cost a language are warnings, logged with the file.

    Raises:
        ProfileError: the file is missing, is not YAML, or its fields have the wrong shape.
    """
    profile = _cached_profile(str(path), _mtime(Path(path)))
    for warning in profile.warnings:
        log.warning("%s", warning)
    return profile


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        raise ProfileError(
            f"product profile {str(path)!r} does not exist; point --product-profile, the Variable "
            f"forewarn_product_profile or {PROFILE_ENV} at an existing YAML file"
        ) from None


@cache
def _cached_profile(path: str, mtime: float) -> ProductProfile:  # noqa: ARG001 - mtime keys the cache
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: expected a mapping with product, team and locales")
    unknown = sorted(set(data) - _TOP_FIELDS)
    if unknown:
        raise ProfileError(f"{path}: unknown field(s) {unknown}; allowed: {sorted(_TOP_FIELDS)}")
    product = _text(data, "product", path, required=True)
    team = _text(data, "team", path, required=True)
    raw_locales = data.get("locales") or {}
    if not isinstance(raw_locales, dict):
        raise ProfileError(f"{path}: field 'locales' must map a locale (en, de, ...) to its words")
    warnings: list[str] = []
    locales: dict[str, LocaleWords] = {}
    for locale, raw in raw_locales.items():
        locale = str(locale).strip().lower()
        if locale not in SHIPPED_LOCALES:
            warnings.append(f"{path}: locale {locale!r} has no email templates (shipped: {', '.join(SHIPPED_LOCALES)}); "
                            "its words are ignored")
            continue
        locales[locale] = _locale_words(raw, f"{path}: locales.{locale}", locale)
    warnings += _missing_names(path, locales, "features")
    for locale in SHIPPED_LOCALES:  # common platforms are named in every language unless the file says otherwise
        words = locales.get(locale, LocaleWords())
        locales[locale] = LocaleWords(words.team, words.sign_off, words.status_url, words.contact_url,
                                      words.features, {**_DEFAULT_PLATFORMS[locale], **words.platforms})
    return ProductProfile(product=product, team=team, locales=locales, source=path, warnings=tuple(warnings))


def _locale_words(raw: Any, where: str, locale: str) -> LocaleWords:
    if not isinstance(raw, dict):
        raise ProfileError(f"{where}: expected a mapping of {sorted(_LOCALE_FIELDS)}")
    unknown = sorted(set(raw) - _LOCALE_FIELDS)
    if unknown:
        raise ProfileError(f"{where}: unknown field(s) {unknown}; allowed: {sorted(_LOCALE_FIELDS)}")
    names = {}
    for kind in ("features", "platforms"):
        value = raw.get(kind) or {}
        if not isinstance(value, dict):
            raise ProfileError(f"{where}.{kind}: expected a mapping of identifier to display name")
        names[kind] = {str(k).strip().lower(): str(v).strip() for k, v in value.items() if v is not None and str(v).strip()}
    return LocaleWords(
        team=_text(raw, "team", where), sign_off=_text(raw, "sign_off", where),
        status_url=_text(raw, "status_url", where), contact_url=_text(raw, "contact_url", where),
        features=names["features"], platforms=names["platforms"],
    )


def _missing_names(path: str, locales: dict[str, LocaleWords], kind: str) -> list[str]:
    """One warning per (locale, identifier) that another locale names but this one does not."""
    known = sorted({key for words in locales.values() for key in getattr(words, kind)})
    warnings = []
    for locale, words in locales.items():
        for key in known:
            if key not in getattr(words, kind):
                warnings.append(
                    f"{path}: locales.{locale}.{kind} has no name for {key!r}; {LANGUAGE_NAMES[locale]} emails "
                    f"about it fall back whole to the workaround's language until you add one"
                )
    return warnings


def _text(data: dict, name: str, where: str, *, required: bool = False) -> str:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ProfileError(f"{where}: missing required field {name!r}")
        return ""
    if isinstance(value, dict | list):
        raise ProfileError(f"{where}: field {name!r} must be text, got {value!r}")
    return " ".join(str(value).split())


def _lookup(names: dict[str, str], key: str | None) -> str | None:
    if not key:
        return None
    return names.get(key.strip().lower())
