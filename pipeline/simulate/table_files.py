"""Write customers.csv, tickets.csv and tickets-2.csv (with their dirt) in the input contract."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.simulate.clock import iso_seconds, iso_with_offset
from pipeline.simulate.dirt import DirtyRow, add_dirty_rows, dirty_count
from pipeline.simulate.names import FIRST_NAMES, LAST_NAMES, PERSONAL_DOMAINS, ascii_slug
from pipeline.simulate.population import Population
from pipeline.simulate.tickets import Ticket

TICKET_COLUMNS = ("ticket_id", "customer_id", "created_at", "subject", "body", "channel", "status", "tags", "csat")
# The helpdesk was migrated part-way: the new export carries a priority and local-time offsets.
SECOND_EXPORT_COLUMNS = (*TICKET_COLUMNS, "priority")


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 CSV with a header, "\\n" line ends and minimal quoting (the same bytes every time)."""
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def write_customers(out_dir: Path, population: Population, dirt_rng: np.random.Generator | None) -> tuple[int, list[DirtyRow]]:
    """Write customers.csv; return its data rows (dirty included) and the dirty rows."""
    frame = population.frame()
    placed: list[tuple[int, str, str]] = []
    if dirt_rng is not None:
        size = population.size
        frame, placed = add_dirty_rows(
            frame, "customers", dirty_count(size, "customers"), dirt_rng,
            new_id=lambda n: f"C{size + n + 1:06d}", refresh=_new_identity,
        )
    write_csv(frame, out_dir / "customers.csv")
    return len(frame), [DirtyRow("customers.csv", position + 1, problem, column) for position, problem, column in placed]


def _new_identity(row: dict[str, str], rng: np.random.Generator) -> None:
    # A broken copy must not pose as a real person: give it its own name and address.
    first = FIRST_NAMES["en"][int(rng.integers(len(FIRST_NAMES["en"])))]
    last = LAST_NAMES["en"][int(rng.integers(len(LAST_NAMES["en"])))]
    row["name"] = f"{first} {last}"
    domain = PERSONAL_DOMAINS[int(rng.integers(len(PERSONAL_DOMAINS)))]
    row["email"] = f"{ascii_slug(first)}.{ascii_slug(last)}.{int(rng.integers(100, 1000))}@{domain}"


def write_tickets(
    out_dir: Path,
    tickets: list[Ticket],
    population: Population,
    split_ms: int,
    dirt_rng: np.random.Generator | None,
) -> tuple[dict[str, int], list[DirtyRow], pd.DataFrame]:
    """Write tickets.csv (before ``split_ms``) and tickets-2.csv (from it on, with ``priority``).

    Returns:
        Data rows per file, the dirty rows, and truth rows (ticket_id, pain_point, incident_id).
    """
    ids = np.strings.add("T", np.char.zfill(np.arange(1, len(tickets) + 1).astype(str), 6))
    customers = np.array([t.customer for t in tickets], dtype=np.int64)
    created = np.array([t.created_ms for t in tickets], dtype=np.int64)
    frame = pd.DataFrame({
        "ticket_id": ids,
        "customer_id": population.ids[customers] if len(tickets) else np.zeros(0, dtype=str),
        "created_at": iso_seconds(created),
        "subject": [t.subject for t in tickets],
        "body": [t.body for t in tickets],
        "channel": [t.channel for t in tickets],
        "status": [t.status for t in tickets],
        "tags": [t.tags for t in tickets],
        "csat": [t.csat for t in tickets],
        "priority": [t.priority for t in tickets],
    })
    second = created >= split_ms
    if second.any():
        frame.loc[second, "created_at"] = iso_with_offset(created[second], population.utc_offset_hours[customers[second]])
    truth = pd.DataFrame({
        "ticket_id": ids,
        "pain_point": [t.pain_point for t in tickets],
        "incident_id": [t.incident_id for t in tickets],
    })
    counts: dict[str, int] = {}
    dirty: list[DirtyRow] = []
    made = 0
    for name, mask, columns in (("tickets.csv", ~second, TICKET_COLUMNS), ("tickets-2.csv", second, SECOND_EXPORT_COLUMNS)):
        part = frame.loc[mask, list(columns)].reset_index(drop=True)
        placed: list[tuple[int, str, str]] = []
        if dirt_rng is not None:
            count = dirty_count(len(part), "tickets")
            first_id = len(tickets) + made
            part, placed = add_dirty_rows(part, "tickets", count, dirt_rng, first_kind=made,
                                          new_id=lambda n, f=first_id: f"T{f + n + 1:06d}")
            made += count
        write_csv(part, out_dir / name)
        counts[name] = len(part)
        dirty += [DirtyRow(name, position + 1, problem, column) for position, problem, column in placed]
    return counts, dirty, truth
