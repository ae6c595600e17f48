"""Greetings, sign-offs, signatures, quoted mail and channel preambles are left out of what is embedded."""

from __future__ import annotations

import pytest

from detectors.painpoints import PainPointClusterer, TfidfLsaEmbedder
from detectors.painpoints.boilerplate import strip_boilerplate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi there,\n\nThe CSV export fails.", "The CSV export fails."),
        ("Hello support team, the CSV export fails.", "the CSV export fails."),
        ("hi\nThe CSV export fails.", "The CSV export fails."),
        ("hey the CSV export fails", "the CSV export fails"),
        ("Export broken. Hi Taylor,\n\nThe CSV export fails.", "Export broken. \n\nThe CSV export fails."),
        ("Hallo,\nder Export schlägt fehl.", "der Export schlägt fehl."),
        ("Bonjour, l'export échoue.", "l'export échoue."),
        ("The CSV export fails.\n\nThanks in advance.", "The CSV export fails."),
        ("The CSV export fails.\n\nThanks,\nDaniel", "The CSV export fails."),
        ("The CSV export fails.\nAny idea?\nThanks, Karen", "The CSV export fails.\nAny idea?"),
        ("The CSV export fails.\n\nBest regards,\nAnna Schmidt\nHead of Ops", "The CSV export fails."),
        ("The CSV export fails.\n\nMit freundlichen Grüßen\nJan", "The CSV export fails."),
        ("The CSV export fails.\n\n-- \nAnna | ACME Corp | +1 555", "The CSV export fails."),
        ("The CSV export fails.\n\n-- Brian", "The CSV export fails."),
        ("The CSV export fails.\nSent from my iPhone", "The CSV export fails."),
        ("Still broken.\n\nOn Mon, 3 Mar 2026 at 10:00, Support <help@example.com> wrote:\n> Try again", "Still broken."),
        ("Still broken.\n-----Original Message-----\nFrom: Support\nThe export fails", "Still broken."),
        ("Still broken.\nFrom: Support Team\nSent: Monday\nSubject: export", "Still broken."),
        ("Still broken.\n> earlier: export fails\nReally.", "Still broken.\nReally."),
        ("Conversation with Susan. Our calendar shows deleted tasks.", "Our calendar shows deleted tasks."),
        ("New chat from Melissa. hey\nMentions do not notify.", "Mentions do not notify."),
        ("Call: Add users. Phone call with Patricia. Caller reports: Can we add seats?", "Add users.  Can we add seats?"),
    ],
)
def test_boilerplate_is_stripped(text: str, expected: str) -> None:
    assert strip_boilerplate(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Thanks for the fix, but the CSV export still fails on Windows.",  # a first line is never a sign-off
        "The history export is missing rows since Monday.",
        "Why was I charged a fee? Thank you",  # one line: nothing after the problem to cut
        "Is dark mode on the roadmap?",
        "I want to cancel a transaction",
    ],
)
def test_ticket_content_is_kept(text: str) -> None:
    assert strip_boilerplate(text) == text


def test_a_text_that_is_only_boilerplate_is_kept_whole() -> None:
    assert strip_boilerplate("Hi there,\n\nThanks!") == "Hi there,\n\nThanks!"
    assert strip_boilerplate("Hello") == "Hello"


def test_clusters_follow_the_problem_not_the_greeting_and_representatives_stay_whole() -> None:
    """Two topics written with two greeting/sign-off styles that cut across them."""
    styles = [
        ("Good morning dear support team,\n\n", "\n\nThank you so much in advance.\nBest regards,\nMaria"),
        ("Hey,\n", "\nCheers"),
    ]
    problems = {
        "export": ["the csv export fails with an encoding error", "exporting to csv breaks the accents"],
        "login": ["i keep getting logged out every hour", "the session expires and logs me out"],
    }
    texts, truth = [], []
    for n in range(12):
        for topic, sentences in problems.items():
            opening, closing = styles[(n + (topic == "login")) % 2]
            texts.append(f"{opening}{sentences[n % 2]} ({n}){closing}")
            truth.append(topic)
    stripped = PainPointClusterer(embedder=TfidfLsaEmbedder(), min_cluster_size=3).fit(texts)
    for cluster in set(stripped.labels_) - {-1}:
        topics = {truth[i] for i, c in enumerate(stripped.labels_) if c == cluster}
        assert len(topics) == 1, f"pain point {cluster} mixes {topics}"
    shown = [t for p in stripped.pain_points_ for t in p.representative_texts]
    assert shown and all(t in texts or texts[0].startswith(t[:50]) for t in shown)
    assert any(t.startswith(("Good morning", "Hey")) for t in shown)
