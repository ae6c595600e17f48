"""Identity across sources: find the customer of a ticket or event by email, id or another key.

Tickets know a requester's email, events a product user id; the warehouse's customers know both (the
id, the email, and any extra column their source carried, such as ``zendesk_user_id``). An index per
join key is built once per run from the customers table (customers load before tickets and events).
"""

from __future__ import annotations

import json
import logging

from sqlalchemy import Engine

from sql import statement

log = logging.getLogger(__name__)


class CustomerIndex:
    """Normalised join-key values to customer ids, from the warehouse plus any customers given here."""

    def __init__(self, engine: Engine | None, extra_rows: list[tuple[str, str, str | None]] | None = None) -> None:
        self._engine = engine
        self._extra_rows = extra_rows or []
        self._rows: list[tuple[str, str, str | None]] | None = None
        self._indexes: dict[str, dict[str, str]] = {}

    def __call__(self, join: str) -> dict[str, str]:
        if join not in self._indexes:
            self._indexes[join] = self._build(join)
            log.info("customer index by %s: %s keys", join, len(self._indexes[join]))
        return self._indexes[join]

    def _load(self) -> list[tuple[str, str, str | None]]:
        if self._rows is None:
            rows: list[tuple[str, str, str | None]] = []
            if self._engine is not None:
                with self._engine.connect() as connection:
                    rows = [(str(r[0]), r[1] or "", r[2]) for r in connection.execute(statement("select_customer_identities"))]
            self._rows = rows + self._extra_rows
        return self._rows

    def _build(self, join: str) -> dict[str, str]:
        index: dict[str, str] = {}
        for customer_id, email, extra in self._load():
            if join == "customer_id":
                key = customer_id
            elif join == "email":
                key = email.strip().lower()
            else:
                key = str(_extra_value(extra, join)).strip()
            if key:
                # The first customer with a key wins; a second one with the same email is ambiguous and
                # is not guessed at.
                index.setdefault(key, customer_id)
        return index


def _extra_value(extra: str | dict | None, key: str) -> object:
    if not extra:
        return ""
    try:
        values = extra if isinstance(extra, dict) else json.loads(extra)
    except (TypeError, json.JSONDecodeError):
        return ""
    value = values.get(key, "") if isinstance(values, dict) else ""
    return "" if value is None else value
