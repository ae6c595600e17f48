"""Tickets of known problems written straight into a warehouse, for the corrections and themes tests."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import Engine, text

from pipeline.detect import DetectSettings

SETTINGS = DetectSettings(embedder="tfidf")  # MiniLM would make these tests slow, not different
START = datetime(2026, 3, 1)

# Each problem's phrasings share its words; "refund" tickets come in two kinds (card / paypal) a
# product manager may want apart.
PROBLEMS = {
    "password": ["cannot reset my password", "password reset email never arrives", "reset password link is broken",
                 "forgot my password and reset fails"],
    "invoice": ["my invoice shows the wrong amount", "invoice total is wrong this month",
                "billed twice on my invoice", "invoice amount higher than my plan"],
    "export": ["export to csv times out", "csv export fails with large files", "cannot export my report to csv",
               "csv export file is empty"],
    "refund": ["refund to my card has not arrived", "waiting for refund to my card",
               "refund via paypal has not arrived", "waiting for refund to paypal"],
    "login": ["cannot log in with google sign in", "google login button fails", "sign in with google shows error",
              "google sign in loops back to login"],
}


def add_tickets(engine: Engine, per_problem: int, day: int, seed: int, prefix: str) -> list[str]:
    """Write ``per_problem`` tickets of every problem on day ``day`` after START; returns their ids."""
    rng = random.Random(seed)
    rows = []
    for problem, phrasings in PROBLEMS.items():
        for i in range(per_problem):
            body = rng.choice(phrasings) + rng.choice(["", " please help", " since yesterday", " again"])
            rows.append(
                {
                    "ticket_id": f"{prefix}-{problem}-{i}",
                    "customer_id": f"c{rng.randrange(500)}",
                    "created_at": START + timedelta(days=day, minutes=7 * len(rows)),
                    "subject": problem,
                    "body": body,
                    "subject_redacted": "",
                    "body_redacted": body,
                    "loaded_at": START,
                }
            )
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO tickets (ticket_id, customer_id, created_at, subject, body, subject_redacted, body_redacted, "
                "loaded_at) VALUES (:ticket_id, :customer_id, :created_at, :subject, :body, :subject_redacted, "
                ":body_redacted, :loaded_at)"
            ),
            rows,
        )
    return [r["ticket_id"] for r in rows]


def assignments(engine: Engine) -> dict[str, str]:
    """ticket id -> pain point id, as stored."""
    with engine.connect() as connection:
        return dict(connection.execute(text("SELECT ticket_id, pain_point_id FROM ticket_pain_points")).all())


def pain_point_of(engine: Engine, ticket_ids: list[str]) -> str:
    """The one pain point most of these tickets are in."""
    mapping = assignments(engine)
    owners = [mapping[t] for t in ticket_ids if t in mapping]
    return max(set(owners), key=owners.count)


def cli_url_of(engine: Engine) -> str:
    """The warehouse's URL for the CLI (on PostgreSQL with the test's own schema on the search path)."""
    url = engine.url
    if url.get_backend_name() == "postgresql":
        with engine.connect() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar()
        url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)
