"""Deliberately dirty rows: extra copies of real rows, each broken in exactly one recorded way.

Dirty rows are added, never made from the world's real rows, so the clean world is the same with or
without dirt, and every dirty row is listed in truth/dirty_rows.csv (1-based data row, header excluded).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

# (problem, column it breaks) per table; problem names match the validation rules of ingest.
PROBLEMS: dict[str, tuple[tuple[str, str], ...]] = {
    "customers": (
        ("missing_id", "customer_id"), ("duplicate_id", "customer_id"), ("unparseable_timestamp", "created_at"),
        ("negative_mrr", "mrr"), ("malformed_email", "email"), ("invalid_boolean", "email_opt_in"),
    ),
    "tickets": (
        ("missing_id", "ticket_id"), ("duplicate_id", "ticket_id"), ("unparseable_timestamp", "created_at"),
        ("missing_customer_id", "customer_id"), ("csat_out_of_range", "csat"),
    ),
    "events": (
        ("missing_id", "event_id"), ("duplicate_id", "event_id"), ("unparseable_timestamp", "occurred_at"),
        ("missing_customer_id", "customer_id"),
    ),
}
KEYS = {"customers": "customer_id", "tickets": "ticket_id", "events": "event_id"}
# None of these parse as ISO 8601 or as any common date format (and none is a pandas NA marker).
BAD_TIMESTAMPS = (
    "2026-02-30T10:15:00Z", "31/01/2026 25:10", "not a date", "2026-13-05T08:00:00Z", "yesterday 14:00",
    "2026-01-15T24:61:00Z", "0000-00-00 00:00:00", "soon",
)
BAD_BOOLEANS = ("maybe", "tbd", "unknown", "opted in?", "sometimes")
BAD_CSAT = ("0", "6", "7", "10", "-1")
SHARE = 0.012  # aimed share of dirty rows per file; always below 2%
MAX_SHARE = 0.019


@dataclass(frozen=True)
class DirtyRow:
    """One deliberately broken row of one file."""

    file: str
    row_number: int
    problem: str
    column: str


def dirty_count(clean_rows: int, table: str) -> int:
    """How many dirty rows a file of ``clean_rows`` gets: about 1.2%, every kind when room allows, < 2%."""
    wanted = max(round(SHARE * clean_rows), len(PROBLEMS[table]))
    return max(0, min(wanted, int(MAX_SHARE * clean_rows)))


def add_dirty_rows(
    frame: pd.DataFrame,
    table: str,
    count: int,
    rng: np.random.Generator,
    new_id: Callable[[int], str],
    first_kind: int = 0,
    refresh: Callable[[dict[str, str], np.random.Generator], None] | None = None,
) -> tuple[pd.DataFrame, list[tuple[int, str, str]]]:
    """Insert ``count`` broken copies of random rows of ``frame`` (all text columns).

    Args:
        new_id: the n-th fresh id for a dirty row that needs one (ids must not clash with real ones).
        first_kind: where to start in the table's round-robin of problems (so every kind shows up).
        refresh: optional edit of a copied row before it is broken (e.g. a new name and address).

    Returns:
        The frame with the dirty rows inserted, and (0-based position, problem, column) of each.
    """
    size = len(frame)
    if count <= 0 or size == 0:
        return frame, []
    problems = PROBLEMS[table]
    key = KEYS[table]
    sources = rng.integers(size, size=count)
    extra: list[dict[str, str]] = frame.iloc[sources].to_dict("records")
    keys: list[int] = []
    kinds: list[tuple[str, str]] = []
    for number, (source, row) in enumerate(zip(sources.tolist(), extra, strict=True)):
        problem, column = problems[(first_kind + number) % len(problems)]
        if problem == "duplicate_id":
            position = int(rng.integers(source + 1, size + 1))  # the second occurrence comes later
            _vary_duplicate(row, table, rng)
        else:
            position = int(rng.integers(0, size + 1))
            if refresh is not None:
                refresh(row, rng)
            row[key] = new_id(number)
            _break(row, problem, column, rng)
        keys.append(2 * position)
        kinds.append((problem, column))
    combined = pd.concat([frame, pd.DataFrame(extra, columns=frame.columns)], ignore_index=True)
    order = np.argsort(np.concatenate([2 * np.arange(size) + 1, np.asarray(keys)]), kind="stable")
    combined = combined.iloc[order].reset_index(drop=True)
    final_position = np.empty(order.size, dtype=np.int64)
    final_position[order] = np.arange(order.size)
    placed = [(int(final_position[size + n]), *kinds[n]) for n in range(count)]
    return combined, sorted(placed)


def _vary_duplicate(row: dict[str, str], table: str, rng: np.random.Generator) -> None:
    # A re-sent or re-exported record: same id, and for tickets/customers one field moved on.
    if table == "tickets":
        row["status"] = ("open", "pending", "solved", "closed")[int(rng.integers(4))]
    elif table == "customers":
        row["email_opt_in"] = "false" if row["email_opt_in"] == "true" else "true"


def _break(row: dict[str, str], problem: str, column: str, rng: np.random.Generator) -> None:
    if problem in ("missing_id", "missing_customer_id"):
        row[column] = ""
    elif problem == "unparseable_timestamp":
        row[column] = BAD_TIMESTAMPS[int(rng.integers(len(BAD_TIMESTAMPS)))]
    elif problem == "negative_mrr":
        amount = float(row[column] or 0) or float(rng.integers(12, 500))
        row[column] = f"{-abs(amount):.2f}"
    elif problem == "malformed_email":
        row[column] = _mangle_email(row[column], int(rng.integers(5)))
    elif problem == "invalid_boolean":
        row[column] = BAD_BOOLEANS[int(rng.integers(len(BAD_BOOLEANS)))]
    elif problem == "csat_out_of_range":
        row[column] = BAD_CSAT[int(rng.integers(len(BAD_CSAT)))]
    else:  # pragma: no cover - PROBLEMS and this function change together
        raise ValueError(f"unknown dirt problem {problem!r}")


def _mangle_email(address: str, style: int) -> str:
    local, _, domain = address.partition("@")
    return (
        f"{local}.{domain}",  # no @ at all
        f"{local}@@{domain}",
        f"{local.replace('.', ' ', 1) if '.' in local else local + ' x'}@{domain}",  # a space
        f"{local}@",  # no domain
        f"@{domain}",  # no local part
    )[style]
