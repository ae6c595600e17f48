"""Every email the demo can send, read as its customer would: one language, one apology, nothing internal.

For every shipped locale x every approved demo workaround x every incident kind, the email is rendered
(text and HTML) from the workaround files and product profile the simulator writes, loaded the way
``forewarn outreach`` loads them, and read by ``outreach.email_review``.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from outreach.email_review import review_email
from outreach.messages import render_message
from outreach.model import MessageContext, OutreachSettings, WorkaroundText
from outreach.profile import SHIPPED_LOCALES, ProductProfile, load_profile
from outreach.workarounds import Workaround, load_workarounds
from pipeline.simulate.catalog import SIGNATURE_INDEX, SIGNATURES
from pipeline.simulate.incident_catalog import NEW_SIGNATURE_TEMPLATES, REGRESSION_TEMPLATES, SPIKE_TEMPLATES
from pipeline.simulate.incidents import PlannedIncident
from pipeline.simulate.product_profile import PROFILE_FILE, write_product_profile
from pipeline.simulate.releases import Release
from pipeline.simulate.workarounds import write_workarounds

SECRET = "language-test-secret-0123456789abcdef"
SETTINGS = OutreachSettings()
KINDS = ("spike", "new_signature", "release_regression")
# A pain-point label as clustering writes it: from English tickets, so never fit for another language.
LABEL = "search does not find tasks"


def _planned(template) -> PlannedIncident:  # noqa: ANN001 - an IncidentTemplate
    empty = np.array([], dtype=np.int64)
    bad = previous = None
    if template.platform:
        bad = Release(template.platform, "5.14.0", 0, "fast", 14)
        previous = Release(template.platform, "5.13.0", 0, "fast", 13)
    return PlannedIncident(f"inc-{template.signature_key}", template, SIGNATURE_INDEX[template.signature_key], 0, 1,
                           0.3, empty, empty, empty, bad, previous)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[list[Workaround], ProductProfile]:
    """Every approved workaround the simulator can write (all incident templates), and its product profile."""
    folder: Path = tmp_path_factory.mktemp("world")
    templates = (*SPIKE_TEMPLATES, *NEW_SIGNATURE_TEMPLATES, *REGRESSION_TEMPLATES)
    write_workarounds(folder / "workarounds", [_planned(t) for t in templates])
    write_product_profile(folder)
    workarounds = [w for w in load_workarounds(folder / "workarounds") if w.is_approved]
    return workarounds, load_profile(folder / PROFILE_FILE)


def _context(workaround: Workaround, kind: str, locale: str, index: int) -> MessageContext:
    applies = workaround.applies_to
    code = applies.error_codes[0] if applies.error_codes else None
    signature = next((s for s in SIGNATURES if s.error_code == code), None)
    feature = applies.features[0] if applies.features else (signature.feature if signature else None)
    platform = {"spike": "web", "new_signature": "ios", "release_regression": "android"}[kind]
    if applies.platforms:
        platform = applies.platforms[0]
    return MessageContext(
        message_id=f"m{index}", campaign_id="c", customer_id=f"k{index}", email="reader@example.com",
        name="Sam Reader", locale=locale, issue_summary=LABEL,
        workaround=WorkaroundText(workaround.workaround_id, workaround.title, workaround.body_markdown,
                                  workaround.language, workaround.translations),
        platform=platform, app_version="5.14.0" if kind == "release_regression" else None, feature=feature,
        error_code=code, first_exposed_at=datetime(2026, 1, 23, 11, 8),
        fix_status=("investigating", "in_progress", "fixed")[index % 3], extra={"fixed_in_version": "5.14.1"},
    )


def test_the_demo_ships_every_approved_workaround_in_every_shipped_locale(demo) -> None:
    workarounds, profile = demo
    assert len(workarounds) == 18 and not profile.warnings
    for workaround in workarounds:
        assert not workaround.warnings, workaround.warnings
        assert {t.locale for t in workaround.translations if not t.problem} == set(SHIPPED_LOCALES) - {"en"}


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_demo_email_reads_in_one_language_with_one_apology_and_nothing_internal(demo, locale, kind) -> None:
    workarounds, profile = demo
    for index, workaround in enumerate(workarounds):
        message = render_message(_context(workaround, kind, locale, index), SETTINGS, SECRET, profile)
        assert (message.locale, message.language_reason) == (locale, "customer's language"), workaround.workaround_id
        review = review_email(message.subject, message.text, message.html, message.locale)
        assert review.problems == (), (workaround.workaround_id, review.problems)
        title = (workaround.translation(locale).title if locale != "en" else workaround.title).rstrip(" .")
        # The title is a heading of its own, never glued into the sentence before it.
        assert re.search(rf"<h2[^>]*>{re.escape(_html(title))}</h2>", message.html)
        assert f"\n\n{title}\n{'-' * len(title)}\n" in message.text
        if locale != "en":
            assert LABEL not in message.text and LABEL not in message.html


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;").replace('"', "&#34;")


def test_the_review_catches_the_half_translated_email_of_the_issue() -> None:
    text = ("Hallo Sam,\n\nseit dem 23. Januar 2026 gibt es in Acme 4.35.0 für the web app ein Problem mit search. "
            "Kurz gesagt: search does not find tasks.\n\nDas tut uns leid. Wir wissen, wie ärgerlich es ist.\n\n"
            "So können Sie gleich weitermachen: Search is slow or times out: find tasks another way\n\n"
            "We're sorry about this, and we know it gets in the way of your work.\n"
            "1. Use the project's Filter (top right) by assignee, tag or due date; filters do not use search.\n\n"
            "Herzliche Grüße\nThe Acme support team\n")
    review = review_email("Das Problem mit calendar in Acme 5.14.0", text, "<p>Hallo</p>", "de")
    assert review.mixed_language and review.double_apology
    assert any("filters do not use search" in p for p in review.problems)


def test_the_review_catches_ids_placeholders_and_unexplained_error_codes() -> None:
    text = ("Hi Sam,\n\nSearch fails with E-SEARCH-TIMEOUT on {platform_label}. Campaign cmp-inc-3 is about it.\n"
            "You may have seen the error message \"E-SEARCH-TIMEOUT\".\n")
    problems = review_email("Sorry", text, "", "en").problems
    assert any("'E-SEARCH-TIMEOUT' without saying" in p for p in problems)
    assert any("'{platform_label}'" in p for p in problems) and any("'cmp-inc-3'" in p for p in problems)
    assert sum("E-SEARCH-TIMEOUT" in p for p in problems) == 1  # the explained mention is fine
