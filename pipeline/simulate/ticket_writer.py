"""Write one ticket's subject and body from a topic's phrasing, in a customer's voice and channel."""

from __future__ import annotations

import random
from dataclasses import dataclass

from pipeline.simulate.catalog import PLATFORM_LABELS
from pipeline.simulate.phrasing import AGENTS, FRAMINGS, PHONE_NOTES, WEEKDAYS, Framing
from pipeline.simulate.text_noise import add_typos, as_html, paraphrase, pasted_log, pii_sentence
from pipeline.simulate.ticket_topics import Phrases

# Outside English, people name the device rather than "the Android app".
_NEUTRAL_PLATFORM = {"web": "Chrome", "ios": "iPhone", "android": "Android", "windows": "Windows", "macos": "Mac"}


@dataclass(frozen=True)
class Voice:
    """Who writes, how, and what they might mention (the signature of what hit them, if anything)."""

    language: str
    channel: str
    first_name: str
    email: str
    colleague_email: str
    platform: str
    plan: str
    seats: int
    version: str = ""
    code: str = ""
    message: str = ""


@dataclass(frozen=True)
class Style:
    """Per-ticket choices that shape the text; probabilities of mentioning technical details."""

    mention_code: float = 0.0
    mention_platform: float = 0.15
    mention_version: float = 0.0
    pii_kinds: tuple[str, ...] = ()
    html: bool = False
    log_chars: int = 0


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def write_ticket(phrases: Phrases, voice: Voice, style: Style, rnd: random.Random) -> tuple[str, str]:
    """Return (subject, body) for one ticket."""
    values = _values(voice, rnd)
    framing = FRAMINGS.get(voice.language, FRAMINGS["en"])
    sentences = _noisy(_sentences(phrases, voice, style, framing, values, rnd), voice.language, rnd)
    # Personal data is pasted, not typed: it gets no typos (and stays a valid address or number).
    sentences += [pii_sentence(kind, rnd, voice.email, voice.colleague_email) for kind in style.pii_kinds]
    subject = _subject(phrases, voice, values, rnd)
    if voice.channel == "chat":
        body = _chat(sentences, framing, rnd)
    elif voice.channel == "phone":
        body = f"Phone call with {voice.first_name}. Caller reports: {' '.join(sentences)}\nAgent note: {rnd.choice(PHONE_NOTES)}"
    else:
        body = _letter(sentences, framing, values, style, voice, rnd)
    if rnd.random() < 0.05:
        subject = add_typos(subject, rnd, 1)
    if style.log_chars:
        body = f"{body}\n\n{pasted_log(rnd, voice.message or 'request failed', style.log_chars)}"
    return subject, body


def _noisy(sentences: list[str], language: str, rnd: random.Random) -> list[str]:
    if language == "en" and rnd.random() < 0.6:
        sentences = [paraphrase(sentence, rnd) for sentence in sentences]
    if rnd.random() < 0.3:
        for _ in range(rnd.randint(1, 3)):
            index = rnd.randrange(len(sentences))
            sentences[index] = add_typos(sentences[index], rnd, 1)
    return sentences


def _values(voice: Voice, rnd: random.Random) -> _Blank:
    weekday = rnd.choice(WEEKDAYS.get(voice.language, WEEKDAYS["en"])[:5])
    framing = FRAMINGS.get(voice.language, FRAMINGS["en"])
    label = rnd.choice(PLATFORM_LABELS[voice.platform]) if voice.language == "en" else _NEUTRAL_PLATFORM[voice.platform]
    return _Blank(
        platform_label=label, version=voice.version or "the latest version", code=voice.code,
        message=voice.message, plan=voice.plan.capitalize(), seats=voice.seats, n=f"{rnd.randrange(10**9):09d}",
        last4=f"{rnd.randrange(10**4):04d}", weekday=weekday, colleague=voice.colleague_email,
        when=rnd.choice(framing.when).replace("{weekday}", weekday), name=voice.first_name, agent=rnd.choice(AGENTS),
    )


def _fill(text: str, values: _Blank) -> str:
    return text.format_map(values)


def _sentences(
    phrases: Phrases, voice: Voice, style: Style, framing: Framing, values: _Blank, rnd: random.Random
) -> list[str]:
    symptom = _fill(rnd.choice(phrases.symptoms), values)
    result = [symptom]
    if voice.code and rnd.random() < style.mention_code:
        result.append(_fill(rnd.choice(framing.code_mentions), values))
    # Say where and which version only when the symptom did not already say so.
    if rnd.random() < style.mention_platform and values["platform_label"] not in symptom:
        result.append(_fill(rnd.choice(framing.platform_mentions), values))
    if voice.version and rnd.random() < style.mention_version and voice.version not in symptom:
        result.append(_fill(rnd.choice(framing.version_mentions), values))
    pool = list(phrases.details) + list(framing.details)
    for detail in rnd.sample(pool, min(len(pool), rnd.choice((0, 1, 1, 2, 3)))):
        result.append(_fill(detail, values))
    if rnd.random() < 0.35:
        result.append(rnd.choice(framing.impacts))
    if rnd.random() < 0.85:
        result.append(rnd.choice(tuple(phrases.asks) + framing.asks))
    return result


def _subject(phrases: Phrases, voice: Voice, values: _Blank, rnd: random.Random) -> str:
    if voice.channel == "chat" and rnd.random() < 0.35:
        return rnd.choice(("Chat with {}", "Conversation with {}", "New chat from {}")).format(voice.first_name)
    subject = _fill(rnd.choice(phrases.subjects), values)
    roll = rnd.random()
    if roll < 0.12:
        subject = subject.lower()
    elif roll < 0.16:
        subject = "Re: " + subject
    elif roll < 0.19:
        subject = "URGENT: " + subject
    elif roll < 0.24:
        subject = subject + "!!"
    return "Call: " + subject if voice.channel == "phone" else subject


def _chat(sentences: list[str], framing: Framing, rnd: random.Random) -> str:
    opener = rnd.choice(framing.chat_openers)
    lines = [opener] if opener else []
    for sentence in sentences[: rnd.randint(1, 3)]:
        lines.append(sentence.rstrip(".").lower() if rnd.random() < 0.5 else sentence)
    return "\n".join(lines)


def _letter(
    sentences: list[str], framing: Framing, values: _Blank, style: Style, voice: Voice, rnd: random.Random
) -> str:
    cut = rnd.randint(1, max(1, len(sentences) - 1))
    paragraphs = [" ".join(sentences[:cut])]
    if sentences[cut:]:
        paragraphs.append(" ".join(sentences[cut:]))
    greeting = _fill(rnd.choice(framing.greetings), values)
    closing = _fill(rnd.choice(framing.closings), values)
    parts = ([greeting] if greeting else []) + paragraphs + ([closing] if closing else [])
    if style.html:
        return as_html(parts, rnd, voice.email)
    return "\n\n".join(parts)
