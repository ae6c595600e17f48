"""Every phrasing in the catalogs renders into a finished ticket, in every language and channel."""

from __future__ import annotations

import random

import pytest

from pipeline.simulate.incident_catalog import NEW_SIGNATURE_TEMPLATES, REGRESSION_TEMPLATES, SPIKE_TEMPLATES
from pipeline.simulate.phrasing import FRAMINGS
from pipeline.simulate.ticket_topics import Phrases
from pipeline.simulate.ticket_writer import Style, Voice, write_ticket
from pipeline.simulate.tickets import BACKGROUND_TOPICS

CHANNELS = ("email", "web", "chat", "phone")


def _phrasings() -> list[tuple[str, str, Phrases]]:
    found = []
    for topic in BACKGROUND_TOPICS:
        found += [(topic.key, "en", topic.en), *((topic.key, lang, p) for lang, p in topic.translations.items())]
    for template in (*SPIKE_TEMPLATES, *NEW_SIGNATURE_TEMPLATES, *REGRESSION_TEMPLATES):
        key = f"{template.kind}:{template.signature_key}"
        found += [(key, "en", template.en), *((key, lang, p) for lang, p in template.translations.items())]
    return found


@pytest.mark.parametrize(("key", "language", "phrases"), _phrasings(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_phrasing_renders_without_placeholders(key: str, language: str, phrases: Phrases) -> None:
    assert language in FRAMINGS
    rnd = random.Random(key)
    for channel in CHANNELS:
        for html in (False, True):
            voice = Voice(language=language, channel=channel, first_name="Ana", email="ana@example.com",
                          colleague_email="bo@example.com", platform="android", plan="pro", seats=4,
                          version="5.14.0", code="E-TEST-1", message="Test failed")
            style = Style(mention_code=1.0, mention_platform=1.0, mention_version=1.0,
                          pii_kinds=("phone", "url", "card", "iban"), html=html and channel == "email")
            for _ in range(6):
                subject, body = write_ticket(phrases, voice, style, rnd)
                assert subject.strip() and len(body) > 20
                assert "{" not in subject + body and "}" not in subject + body, (subject, body)


def test_background_catalog_is_broad() -> None:
    keys = [topic.key for topic in BACKGROUND_TOPICS]
    assert len(keys) == len(set(keys)) >= 15
    for topic in BACKGROUND_TOPICS:
        assert len(topic.en.symptoms) >= 3 and len(topic.en.subjects) >= 3, topic.key
    assert sum(1 for topic in BACKGROUND_TOPICS if topic.translations) >= 5


def test_same_random_state_writes_the_same_ticket() -> None:
    topic = BACKGROUND_TOPICS[0]
    voice = Voice(language="en", channel="email", first_name="Ana", email="ana@example.com",
                  colleague_email="bo@example.com", platform="web", plan="free", seats=1)
    first = write_ticket(topic.en, voice, Style(), random.Random(3))
    assert first == write_ticket(topic.en, voice, Style(), random.Random(3))
    assert first != write_ticket(topic.en, voice, Style(), random.Random(4))
