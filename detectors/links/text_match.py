"""Text match: do a pain point's tickets name the incident's error code or its distinctive words?

An incident's terms are its error code and the distinctive words of its message pattern: words of at
least four letters, not stop words nor generic error vocabulary, found in the patterns of at most
``max_term_share`` of the incidents. A term counts as mentioned by a pain point when at least
``min_tickets`` of its tickets, and at least ``min_share`` of them, contain it, and they contain it at
least twice as often as tickets overall (words everyone writes say nothing about one pain point). Codes and words are
compared without case or inner ``-``/``_``/``.`` (``PAY-402`` = ``pay_402``).

``text_match`` is 1.0 when the code is mentioned, else the share of the distinctive words mentioned.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

_TOKEN = r"[a-z0-9]+(?:[-_.][a-z0-9]+)*"
_PLACEHOLDER = r"<[a-z]+>"
_SEPARATOR = r"[-_.]"
_TOKEN_PATTERN = re.compile(_TOKEN)
_SEPARATOR_PATTERN = re.compile(_SEPARATOR)
_GENERIC_WORDS = frozenset(
    {
        "error", "errors", "failed", "failure", "fails", "unable", "cannot", "exception", "invalid",
        "null", "none", "true", "false", "code", "message", "status", "request", "response", "please",
        "again", "while", "after", "before", "with", "from", "that", "this", "when", "user", "users",
        "unknown", "internal", "problem", "issue", "something", "wrong", "went",
    }
)  # fmt: skip
_STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | _GENERIC_WORDS
MIN_MENTION_LIFT = 2.0
"""A pain point mentions a term only if its tickets contain it at least this many times as often as all tickets."""


def score_text_match(
    tickets: pd.DataFrame,
    incidents: pd.DataFrame,
    *,
    min_tickets: int = 2,
    min_share: float = 0.05,
    max_term_share: float = 0.1,
) -> pd.DataFrame:
    """Return ``pain_point_id, incident_id, text_match`` for the pairs with any match (others are 0).

    Args:
        tickets: ``pain_point_id`` and ``text`` (redacted subject and body), one row per ticket.
        incidents: ``incident_id`` and optionally ``error_code`` and ``message_pattern``.
    """
    columns = ["pain_point_id", "incident_id", "text_match"]
    terms = incident_terms(incidents, max_term_share=max_term_share)
    if terms.empty or tickets.empty:
        return pd.DataFrame({"pain_point_id": [], "incident_id": [], "text_match": []}).astype(
            {"pain_point_id": "str", "incident_id": "str", "text_match": "float64"}
        )
    mentioned = _mentioned_terms(tickets, set(terms["term"]), min_tickets=min_tickets, min_share=min_share)
    hits = terms.merge(mentioned, on="term", how="inner")
    if hits.empty:
        return pd.DataFrame(columns=columns).astype({"text_match": "float64"})
    code_hit = hits.loc[hits["kind"] == "code"].groupby(["pain_point_id", "incident_id"]).size().gt(0)
    words = terms.loc[terms["kind"] == "word"].groupby("incident_id").size()
    word_hits = hits.loc[hits["kind"] == "word"].groupby(["pain_point_id", "incident_id"]).size()
    word_share = (word_hits / word_hits.index.get_level_values("incident_id").map(words).to_numpy()).rename(
        "share"
    )
    scored = pd.concat([code_hit.rename("code"), word_share], axis=1).fillna({"code": False, "share": 0.0})
    scored["text_match"] = np.where(scored["code"].astype(bool), 1.0, scored["share"].astype(float))
    return scored.reset_index()[columns]


def incident_terms(incidents: pd.DataFrame, *, max_term_share: float = 0.1) -> pd.DataFrame:
    """Return ``incident_id, term, kind`` (``code`` or ``word``) for every incident."""
    rows: list[tuple[str, str, str]] = []
    if "error_code" in incidents.columns:
        for incident_id, code in zip(incidents["incident_id"], incidents["error_code"], strict=True):
            compact = _compact(code)
            if compact:
                rows.append((str(incident_id), compact, "code"))
    if "message_pattern" in incidents.columns:
        words = pd.DataFrame(
            {
                "incident_id": incidents["incident_id"].astype("str"),
                "term": _words(incidents["message_pattern"]),
            }
        ).explode("term")
        words = words.loc[words["term"].notna()].drop_duplicates()
        allowed = max(1, math.floor(max_term_share * len(incidents)))
        spread = words.groupby("term")["incident_id"].transform("nunique")
        rows.extend(
            (i, t, "word")
            for i, t in zip(
                words.loc[spread <= allowed, "incident_id"], words.loc[spread <= allowed, "term"], strict=True
            )
        )
    return pd.DataFrame(rows, columns=["incident_id", "term", "kind"]).drop_duplicates(
        ["incident_id", "term"]
    )


def _mentioned_terms(
    tickets: pd.DataFrame, vocabulary: set[str], *, min_tickets: int, min_share: float
) -> pd.DataFrame:
    """``pain_point_id, term`` for terms in enough of the pain point's tickets."""
    tokens = _ticket_terms(tickets, vocabulary)
    mentions = tokens.groupby(["pain_point_id", "term"], as_index=False).size()
    sizes = mentions["pain_point_id"].map(tickets.groupby("pain_point_id").size()).to_numpy()
    overall = mentions["term"].map(tokens.groupby("term").size() / len(tickets)).to_numpy()
    share = mentions["size"].to_numpy() / sizes
    enough = (mentions["size"].to_numpy() >= min_tickets) & (share >= min_share)
    # Words every ticket uses say nothing about this pain point: it must use them markedly more.
    specific = share >= MIN_MENTION_LIFT * overall
    return mentions.loc[enough & specific, ["pain_point_id", "term"]]


def _ticket_terms(tickets: pd.DataFrame, vocabulary: set[str]) -> pd.DataFrame:
    """``pain_point_id, ticket, term``, once per ticket and term of ``vocabulary`` it contains: a token
    compacted (``pay-402`` -> ``pay402``) or one of its parts.

    Only the few incident terms are kept as they are found; the window's every token is never listed
    (this runs hourly over a month of tickets).
    """
    rows: list[tuple[object, int, str]] = []
    terms = sorted(term for term in vocabulary if term)
    if not terms:
        return pd.DataFrame(rows, columns=["pain_point_id", "ticket", "term"])
    # A ticket can hold a term only if the term's characters appear in a row, a separator allowed
    # between any two: most tickets name none and are never split into tokens.
    may_hold = re.compile("|".join(f"{_SEPARATOR}?".join(map(re.escape, term)) for term in terms))
    texts = tickets["text"].fillna("").astype("str").str.lower()
    for ticket, (pain_point, text) in enumerate(zip(tickets["pain_point_id"], texts, strict=True)):
        if not may_hold.search(text):
            continue
        found = set()
        for token in set(_TOKEN_PATTERN.findall(text)):
            if token.isalnum():  # no separator: the token is its own compact form
                if token in vocabulary:
                    found.add(token)
                continue
            parts = _SEPARATOR_PATTERN.split(token)
            found.update(term for term in ("".join(parts), *parts) if term in vocabulary)
        rows.extend((pain_point, ticket, term) for term in found)
    return pd.DataFrame(rows, columns=["pain_point_id", "ticket", "term"])


def _words(patterns: pd.Series) -> pd.Series:
    """Distinctive-word candidates of each message pattern (placeholders, short and stop words removed)."""
    text = patterns.fillna("").astype("str").str.lower().str.replace(_PLACEHOLDER, " ", regex=True)
    found = text.str.findall(r"[a-z]{4,}")
    return found.map(lambda items: sorted({item for item in items if item not in _STOP_WORDS}) or None)


def _compact(value: object) -> str:
    """Lowercased text without blanks and inner separators; empty for a missing value."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value).strip().lower()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    return "".join(ch for ch in text if ch.isalnum())
