"""What makes ticket text messy: typos, paraphrases, pasted personal data, HTML mail, pasted logs."""

from __future__ import annotations

import html
import random
import re

from pipeline.simulate.phrasing import SYNONYMS

_WORD = re.compile(r"\b[a-z]{4,}\b")
_NEIGHBOURS = {
    "a": "qs", "e": "wr", "i": "uo", "o": "ip", "n": "bm", "t": "ry", "s": "ad", "r": "et", "l": "k", "c": "xv",
}
# Fictional or documentation-only values: 555-01xx (US), 07700 900xxx (UK), 06 39 98 (FR) numbers,
# payment-network test cards and the IBAN registry's example accounts.
TEST_CARDS = ("4111 1111 1111 1111", "4242-4242-4242-4242", "5555555555554444", "3782 822463 10005")
EXAMPLE_IBANS = ("DE89 3704 0044 0532 0130 00", "GB82 WEST 1234 5698 7654 32",
                 "FR14 2004 1010 0505 0001 3M02 606", "ES91 2100 0418 4502 0005 1332")
_PII_SENTENCES = {
    "phone": ("You can call me on {value}.", "My number is {value} if that's easier.", "Call me back at {value} please.",
              "Tel: {value}"),
    "email": ("My login email is {own}.", "Please also cc my colleague {value}.", "{value} has the same problem.",
              "Reply to {own}, not the shared inbox."),
    "url": ("This is the link I used: {value}", "Here's the link from the email: {value}", "Link: {value}"),
    "card": ("The card is {value}, exp 12/27.", "I paid with {value}.", "Card number {value} if you need it."),
    "iban": ("Our new IBAN is {value}.", "Please refund to IBAN {value}.", "Bank: {value}"),
}
_LOG_MODULES = ("sync.worker", "export.pdf", "net.http", "ui.board", "auth.session", "storage.cache")


def paraphrase(text: str, rnd: random.Random) -> str:
    """Swap some common phrases for synonyms (English)."""
    for phrase, options in SYNONYMS:
        if phrase in text and rnd.random() < 0.5:
            replacement = rnd.choice(options)
            text = re.sub(rf"\b{re.escape(phrase)}\b", lambda _, new=replacement: new, text, count=1)
    return text


def add_typos(text: str, rnd: random.Random, count: int) -> str:
    """Introduce ``count`` typos into longer lower-case words."""
    words = list(_WORD.finditer(text))
    # Right to left, so earlier positions stay valid while the text changes length.
    for match in sorted(rnd.sample(words, min(count, len(words))), key=lambda m: m.start(), reverse=True):
        word = match.group()
        i = rnd.randrange(1, len(word) - 1)
        kind = rnd.randrange(4)
        if kind == 0:
            new = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        elif kind == 1:
            new = word[:i] + word[i + 1:]
        elif kind == 2:
            new = word[:i] + word[i] + word[i:]
        else:
            new = word[:i] + rnd.choice(_NEIGHBOURS.get(word[i], word[i])) + word[i + 1:]
        text = text[: match.start()] + new + text[match.end():]
    return text


def pii_sentence(kind: str, rnd: random.Random, own_email: str, colleague_email: str) -> str:
    """One sentence carrying a piece of personal data of ``kind`` (phone, email, url, card, iban)."""
    if kind == "phone":
        value = rnd.choice((
            f"+1 ({rnd.choice((212, 415, 617, 312))}) 555-01{rnd.randrange(100):02d}",
            f"555-01{rnd.randrange(100):02d}",
            f"+44 7700 900{rnd.randrange(1000):03d}",
            f"+33 6 39 98 {rnd.randrange(100):02d} {rnd.randrange(100):02d}",
        ))
    elif kind == "email":
        value = colleague_email
    elif kind == "url":
        token = f"{rnd.getrandbits(128):032x}"
        value = rnd.choice((
            f"https://app.acme-projects.test/reset?token={token}",
            f"https://app.acme-projects.test/invite/accept?invite_token={token[:24]}&ws={rnd.randrange(10**6)}",
            f"https://files.acme-projects.test/share/{token[:12]}?sig={token[12:]}&expires=1767225600",
        ))
    elif kind == "card":
        value = rnd.choice(TEST_CARDS)
    else:
        value = rnd.choice(EXAMPLE_IBANS)
    return rnd.choice(_PII_SENTENCES[kind]).format(value=value, own=own_email)


def as_html(paragraphs: list[str], rnd: random.Random, email: str) -> str:
    """The body as an HTML mail client would send it."""
    parts = [f"<p>{html.escape(p, quote=False).replace(chr(10), '<br>')}</p>" for p in paragraphs]
    if rnd.random() < 0.5:
        parts.append(f'<p style="color:#888">--<br><a href="mailto:{email}">{email}</a></p>')
    spacer = rnd.choice(("", "\n", "<br>\n"))
    body = spacer.join(parts).replace(". ", ".&nbsp; ", rnd.randrange(2))
    return f'<div dir="ltr">{body}</div>' if rnd.random() < 0.6 else f"<html><body>{body}</body></html>"


def pasted_log(rnd: random.Random, message: str, size_chars: int) -> str:
    """A log excerpt of about ``size_chars`` characters, as people paste into tickets."""
    lines = ["Here is what the log says:", ""]
    total = 0
    second = rnd.randrange(3600)
    while total < size_chars:
        second += rnd.randrange(1, 30)
        level = rnd.choice(("INFO", "INFO", "WARN", "ERROR", "DEBUG"))
        detail = message if level == "ERROR" else rnd.choice(("retrying request", "cache miss", "response 200 in 812ms",
                                                             "queue length 14", "token refreshed", "layout pass"))
        line = f"2026-01-{1 + second // 86400 % 28:02d} {second // 3600 % 24:02d}:{second // 60 % 60:02d}:{second % 60:02d}" \
               f".{rnd.randrange(1000):03d} {level:5} [{rnd.choice(_LOG_MODULES)}] {detail}"
        lines.append(line)
        total += len(line) + 1
    return "\n".join(lines)
