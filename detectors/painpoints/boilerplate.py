"""Strip what every ticket says and no pain point means: greetings, sign-offs, signatures, quoted mail.

"Hi team," and "Thanks in advance, Anna / Sent from my iPhone" appear in tickets of every topic. A
sentence model reads them as part of the meaning, so two tickets about different problems that
share a greeting and sign-off look closer than they are, and a quoted earlier reply makes a new
ticket look like the old one. Only the embedding and the labels see the stripped text; the
ticket itself is never changed.

Conservative on purpose: a greeting is dropped only at the start of the text or of a sentence, a
sign-off only in the last lines, quoted mail only from a reply header or ``>`` lines on; when
stripping would leave no words, the text is kept as it was.
"""

from __future__ import annotations

import re

_GREETING_WORDS = (
    r"hi|hello|hey|hiya|heya|dear|greetings|good\s+(?:morning|afternoon|evening|day)"
    r"|hallo|moin|servus|guten\s+(?:morgen|tag|abend)|sehr\s+geehrte[rs]?"
    r"|bonjour|bonsoir|salut|madame(?:,?\s+monsieur)?|monsieur|hola|buenos\s+d[ií]as|buenas(?:\s+tardes)?|estimad[oa]s?"
    r"|ciao|buongiorno|salve|ol[aá]|bom\s+dia|hoi|goedemorgen|beste"
)
# A greeting, up to three words of addressee ("support team", "Taylor"), then , ! : or a line end.
_GREETING = re.compile(
    rf"(^|(?<=[.!?])\s+|\n)\s*(?:{_GREETING_WORDS})\b(?:[ \t]+[\w.'-]+){{0,3}}?[ \t]*(?:[,!:]|(?=\n))",
    re.IGNORECASE,
)
# A bare greeting word before the text goes on ("hi calendar sync breaks ...").
_BARE_GREETING = re.compile(rf"^\s*(?:{_GREETING_WORDS})\b[ \t]+(?=\w)", re.IGNORECASE)
# Where an earlier message starts: everything from here on is history, not this ticket.
_QUOTE_HEADER = re.compile(
    r"^\s*(?:on\s.{0,200}\swrote:|am\s.{0,200}\sschrieb.{0,100}:|le\s.{0,200}\sa\s+[ée]crit\s*:"
    r"|el\s.{0,200}\sescribi[oó]:|-{2,}\s*(?:original|forwarded)\s+message\s*-{2,}"
    r"|from:\s.+\n\s*(?:sent|date):\s.+)\s*$",
    re.IGNORECASE | re.MULTILINE,
)
# Lines a helpdesk writes for a chat or phone ticket: "Conversation with Susan", "Call: ...",
# "Phone call with Patricia. Caller reports: ...".
_CHANNEL_PREAMBLE = re.compile(
    r"(^|(?<=[.!?:])\s+|\n)\s*(?:(?:new\s+)?(?:chat|conversation|call|phone\s+call|voicemail)\s+(?:with|from)"
    r"\s+[\w.'@+-]+(?:[ \t]+[\w.'@+-]+){0,2}?[ \t]*(?:[.:]|(?=\n)|$)|call:|caller\s+reports:)",
    re.IGNORECASE,
)
_QUOTED_LINE = re.compile(r"^\s*>.*$\n?", re.MULTILINE)
_SIGNATURE_DASHES = re.compile(r"^--(?:\s*$|\s+\S.{0,60}$)", re.MULTILINE)  # "-- " alone, or "-- Brian"
_SENT_FROM = re.compile(r"^\s*sent from my [\w ]{2,30}\.?\s*$", re.IGNORECASE | re.MULTILINE)
# A sign-off line: from here to the end is closing words and a name.
_SIGN_OFF = re.compile(
    r"^\s*(?:(?:best|kind|warm|many)?\s*(?:regards|wishes)|best|cheers|thanks?(?:\s+(?:you|again|so\s+much|a\s+lot))?"
    r"(?:\s+in\s+advance)?|thank\s+you(?:\s+in\s+advance)?|many\s+thanks|sincerely|yours(?:\s+(?:truly|sincerely))?"
    r"|mit\s+freundlichen\s+gr[üu](?:ß|ss)en|(?:viele|beste|liebe)\s+gr[üu](?:ß|ss)e|danke(?:\s+sch[öo]n)?|vielen\s+dank"
    r"|cordialement|bien\s+[àa]\s+vous|merci(?:\s+d'avance|\s+beaucoup)?|saludos(?:\s+cordiales)?|gracias"
    r"|un\s+saluto|cordiali\s+saluti|grazie|obrigad[oa]|atenciosamente|met\s+vriendelijke\s+groet|groeten|bedankt"
    r"|thx|tia)"
    r"(?:[\s,.!-]+(?-i:[A-Z][\w.'-]*)){0,3}"  # the name that follows on the same line: "Thanks, Karen"
    r"[\s,.!]*$",
    re.IGNORECASE | re.MULTILINE,
)
_SIGN_OFF_TAIL_LINES = 4  # a sign-off counts only this close to the end: its name and title follow it
_HAS_WORD = re.compile(r"\w")


def strip_boilerplate(text: str) -> str:
    """``text`` without greetings, sign-offs, signatures and quoted earlier messages."""
    stripped = _strip(text)
    return stripped if _HAS_WORD.search(stripped) else text


def _strip(text: str) -> str:
    text = text.replace("\r\n", "\n")
    header = _QUOTE_HEADER.search(text)
    if header:
        text = text[: header.start()]
    text = _QUOTED_LINE.sub("", text)
    dashes = _SIGNATURE_DASHES.search(text)
    if dashes:
        text = text[: dashes.start()]
    text = _SENT_FROM.sub("", text)
    text = _cut_sign_off(text)
    text = _CHANNEL_PREAMBLE.sub(" ", text)
    text = _GREETING.sub(" ", text)
    text = _BARE_GREETING.sub("", text)
    return text.strip()


def _cut_sign_off(text: str) -> str:
    lines = text.rstrip().split("\n")
    first_tail = max(1, len(lines) - _SIGN_OFF_TAIL_LINES)  # never the first line: that is the problem
    for number in range(first_tail, len(lines)):
        if _SIGN_OFF.match(lines[number]):
            return "\n".join(lines[:number])
    return text
