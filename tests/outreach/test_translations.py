"""Bad input never mixes languages: it is a clear warning when loaded and a whole fallback when rendered.

Also: the campaign preview counts emails per language, says why some fell back, and shows one sample each.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from outreach.campaigns import build_campaigns
from outreach.email_review import review_email
from outreach.messages import render_message
from outreach.model import MessageContext, OutreachSettings, WorkaroundText
from outreach.profile import ProfileError, load_profile
from outreach.workarounds import WorkaroundError, load_workarounds, parse_workaround, upsert_workarounds
from pipeline.outreach_run import approval_requests
from tests.outreach.test_audience import T0, World

SECRET = "translation-test-secret-0123456789abcdef"
SETTINGS = OutreachSettings()

WORKAROUND = """\
---
id: wa-search
title: Search times out - find tasks another way
status: approved
applies_to: {features: [search], error_codes: [E-SEARCH-TIMEOUT]}
translations:
  de:
    title: Die Suche bricht ab - so finden Sie Aufgaben trotzdem
    steps: |
      1. Nutzen Sie den **Filter** des Projekts.
      2. Springen Sie mit **Strg + K** direkt zu einem Projekt.
  fr:
    title: La recherche expire - trouvez vos tâches autrement
    steps: |
      1. Utilisez le **Filtre** du projet.
      2. Allez directement à un projet avec **Ctrl + K**.
      3. Ajoutez aux favoris les vues que vous utilisez souvent.
---
1. Use the project's **Filter** instead of search.
2. Press **Ctrl + K** to jump straight to a project.
3. Bookmark the views you use often.
"""

PROFILE = """\
product: Acme Projects
team: The Acme Projects team
locales:
  en: {features: {search: search}}
  de: {team: Ihr Acme-Projects-Team, features: {search: die Suche}}
  fr: {team: L'équipe Acme Projects, features: {calendar: l'agenda}}
  pt: {features: {search: a pesquisa}}
"""


def _write(folder: Path, name: str, content: str) -> Path:
    path = folder / name
    path.write_text(content, encoding="utf-8")
    return path


def _context(workaround: WorkaroundText, locale: str) -> MessageContext:
    return MessageContext(
        message_id="m1", campaign_id="c1", customer_id="k1", email="reader@example.com", name="Sam Reader",
        locale=locale, issue_summary="search does not find tasks", workaround=workaround, platform="web",
        feature="search", error_code="E-SEARCH-TIMEOUT", first_exposed_at=datetime(2026, 1, 23),
    )


def _text(workaround) -> WorkaroundText:  # noqa: ANN001 - a loaded Workaround
    return WorkaroundText(workaround.workaround_id, workaround.title, workaround.body_markdown, workaround.language,
                          workaround.translations)


def test_a_translation_that_misses_a_step_is_a_warning_and_the_email_falls_back_whole(tmp_path, caplog) -> None:
    _write(tmp_path, "wa-search.md", WORKAROUND)
    [workaround] = load_workarounds(tmp_path)
    assert any("translations.de: the German translation has 2 steps where the workaround has 3" in w
               for w in workaround.warnings)
    assert "wa-search.md" in caplog.text and "has 2 steps" in caplog.text
    profile = load_profile(_write(tmp_path, "profile.yaml", PROFILE.replace("calendar: l'agenda", "search: la recherche")))
    message = render_message(_context(_text(workaround), "de"), SETTINGS, SECRET, profile)
    assert message.locale == "en" and "has 2 steps where the workaround has 3" in message.language_reason
    assert message.text.startswith("Hi Sam") and "Filter** instead of search" in message.text
    assert review_email(message.subject, message.text, message.html, "en").problems == ()
    french = render_message(_context(_text(workaround), "fr"), SETTINGS, SECRET, profile)
    assert french.locale == "fr" and "Ajoutez aux favoris" in french.text and "Bookmark" not in french.text


def test_an_unknown_locale_is_a_warning_when_loaded_and_its_customers_get_the_workarounds_language(tmp_path) -> None:
    doc = WORKAROUND.replace("  fr:\n", "  pt:\n")
    workaround = parse_workaround(doc, source="kb/wa-search.md")
    assert any(w.startswith("kb/wa-search.md: translations.pt: unknown locale") for w in workaround.warnings)
    assert workaround.translation("pt") is None
    profile = load_profile(_write(tmp_path, "profile.yaml", PROFILE))
    assert any("locale 'pt' has no email templates" in w for w in profile.warnings)
    message = render_message(_context(_text(workaround), "pt-BR"), SETTINGS, SECRET, profile)
    assert (message.locale, message.language_reason) == ("en", "no email templates for the customer's locale 'pt-BR'")
    assert review_email(message.subject, message.text, message.html, "en").problems == ()


def test_a_profile_without_a_feature_name_is_a_warning_and_the_email_falls_back_whole(tmp_path) -> None:
    profile = load_profile(_write(tmp_path, "profile.yaml", PROFILE))
    assert any("locales.fr.features has no name for 'search'" in w and "profile.yaml" in w for w in profile.warnings)
    workaround = parse_workaround(WORKAROUND, source="wa-search.md")
    message = render_message(_context(_text(workaround), "fr"), SETTINGS, SECRET, profile)
    assert message.locale == "en"
    assert message.language_reason == "no French name for the feature 'search' in the product profile"
    assert "Bonjour" not in message.text and "recherche" not in message.text and "Warm regards" in message.text
    assert review_email(message.subject, message.text, message.html, "en").problems == ()


def test_a_workaround_that_apologises_greets_or_signs_off_is_flagged_with_its_line_not_rewritten() -> None:
    doc = WORKAROUND.replace("1. Use the project's", "Hi there! We're sorry about this.\n\n1. Use the project's") + (
        "\nBest regards,\nthe team\n")
    workaround = parse_workaround(doc, source="wa-search.md")
    lines = doc.splitlines()
    flagged = {w.split(":")[1]: w for w in workaround.warnings if "the email template already does" in w}
    greeting_line = str(lines.index("Hi there! We're sorry about this.") + 1)
    assert "greets" in flagged[greeting_line] or "apologises" in flagged[greeting_line]
    assert sum(f"wa-search.md:{greeting_line}:" in w for w in workaround.warnings) == 2  # greets and apologises
    assert any(f"wa-search.md:{lines.index('Best regards,') + 1}: the workaround signs off" in w
               for w in workaround.warnings)
    assert "We're sorry about this." in workaround.body_markdown  # a warning, not a silent rewrite


def test_a_workaround_in_a_language_without_templates_or_a_profile_that_cannot_be_read_is_an_error(tmp_path) -> None:
    with pytest.raises(WorkaroundError, match=r"wa-search.md: field 'language' is 'it'"):
        parse_workaround(WORKAROUND.replace("status: approved", "status: approved\nlanguage: it"), source="wa-search.md")
    with pytest.raises(ProfileError, match=r"profile.yaml: missing required field 'product'"):
        load_profile(_write(tmp_path, "profile.yaml", "team: x\n"))
    with pytest.raises(ProfileError, match="does not exist"):
        load_profile(tmp_path / "nope.yaml")


def test_the_preview_counts_languages_names_fallbacks_and_shows_one_sample_per_language(
    warehouse: Engine, tmp_path: Path
) -> None:
    world = World(warehouse)
    world.incident(error_code="E-SEARCH-TIMEOUT", feature="search", platform="web", name="Search timeout")
    locales = ("en", "de", "fr", None, "de-AT", "es")
    for i in range(24):
        world.customer(f"c{i:02d}")
        world.exposed(f"c{i:02d}", event={"platform": "web", "feature": "search", "error_code": "E-SEARCH-TIMEOUT"})
    with warehouse.begin() as conn:
        for i in range(24):
            conn.execute(text("UPDATE customers SET locale = :l WHERE customer_id = :c"),
                         {"l": locales[i % len(locales)], "c": f"c{i:02d}"})
    doc = WORKAROUND.replace("      2. Springen", "      2. Springen Sie bitte.\n      3. Springen")
    upsert_workarounds(warehouse, [parse_workaround(doc, source="wa-search.md")], now=T0 - timedelta(days=1))
    profile = _write(tmp_path, "profile.yaml", PROFILE.replace("calendar: l'agenda", "search: la recherche"))
    settings = replace(SETTINGS, product_profile=str(profile))

    [summary] = build_campaigns(warehouse, as_of=T0, settings=settings)

    with warehouse.connect() as conn:
        evidence = json.loads(conn.execute(text("SELECT evidence FROM campaigns")).scalar_one())
        treated = conn.execute(text(
            "SELECT c.locale FROM outreach_messages m JOIN customers c ON c.customer_id = m.customer_id "
            "WHERE NOT m.is_holdout")).scalars().all()
    languages = evidence["languages"]
    expected = {"en": sum(loc in ("en", None, "es") for loc in treated),
                "de": sum(loc in ("de", "de-AT") for loc in treated), "fr": treated.count("fr")}
    assert languages["counts"] == {k: v for k, v in expected.items() if v} and summary.treated == len(treated)
    spanish = treated.count("es")
    assert languages["fallbacks"] == [{"wanted": "es", "language": "en", "reason": "no Spanish workaround",
                                       "count": spanish}]
    assert f"{spanish} fell back to English: no Spanish workaround" in languages["summary"]
    assert languages["summary"].startswith(f"{expected['en']} in English") or "in English" in languages["summary"]
    assert set(languages["samples"]) == {"en", "de", "fr"}
    assert languages["samples"]["de"]["text"].startswith("Hallo Sam") and "Ihr Acme-Projects-Team" in (
        languages["samples"]["de"]["text"])
    [request] = approval_requests(warehouse)
    assert f"- Languages: {languages['summary']}" in request["body"]
    for language in ("de", "en", "fr"):
        assert f"**Preview in {language}**" in request["body"]
