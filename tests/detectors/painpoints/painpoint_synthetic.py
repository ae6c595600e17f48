"""Small made-up ticket sets with known topics, for fast tests without the real data."""

from __future__ import annotations

import random

TOPICS = {
    "password": [
        "I cannot reset my password",
        "password reset email never arrives",
        "reset password link is broken",
        "forgot my password and the reset fails",
        "the password reset page shows an error",
    ],
    "invoice": [
        "my invoice shows the wrong amount",
        "invoice total is wrong this month",
        "I was billed twice on my invoice",
        "the invoice amount is higher than my plan",
        "wrong amount charged on invoice",
    ],
    "export": [
        "export to csv times out",
        "csv export fails with large files",
        "cannot export my report to csv",
        "the export button does nothing",
        "csv export is empty",
    ],
}


def make_tickets(per_topic: int = 20, seed: int = 0) -> tuple[list[str], list[str]]:
    """(texts, true topic) with greetings and sign-offs mixed in, like real tickets."""
    rng = random.Random(seed)
    texts, truth = [], []
    for topic, phrasings in TOPICS.items():
        for _ in range(per_topic):
            text = rng.choice(phrasings)
            if rng.random() < 0.5:
                text = rng.choice(["Hi, ", "Hello team, ", "Urgent: "]) + text
            if rng.random() < 0.5:
                text += rng.choice([" please help", " thanks", " since yesterday", " on my account"])
            texts.append(text)
            truth.append(topic)
    return texts, truth
