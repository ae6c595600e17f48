"""A simulated world that reacts to email: an emailed customer writes about that incident less often.

The truth of a simulated world says which ticket is about which injected incident. A ticket is *not
written* when (1) it is about an injected incident, (2) its customer was emailed about a found incident
matching that injected one (``scoring.matches``) before the ticket's ``created_at``, and (3) the ticket's
own stable uniform draw (a hash of its id, so every replay and the demo agree) is below ``effect``. The
effect is per ticket: a customer who would have written twice may still write once.

Emails only ever go out at a run's as-of, after every ticket that run loaded, so a ticket already
loaded can never become unwritten later: filtering each run's tickets as it comes is consistent.
"""

from __future__ import annotations

import csv
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Engine

from pipeline.backtest.scoring import matches
from pipeline.backtest.truth import TrueIncident, Truth
from pipeline.coercion import parse_timestamps
from sql import statement

log = logging.getLogger(__name__)

DEFAULT_EMAIL_EFFECT = 0.4
_SALT = "forewarn-deflection:"

EmailedAbout = dict[tuple[str, str], datetime]  # (true incident id, customer id) -> first email sent


def ticket_draw(ticket_id: str) -> float:
    """A stable uniform number in [0, 1) for one ticket (the same in every replay, demo and test)."""
    digest = hashlib.sha256((_SALT + ticket_id.strip()).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass
class EmailReaction:
    """The reactive filter: which of a run's tickets go unwritten because of an earlier email."""

    effect: float
    incidents: tuple[TrueIncident, ...]
    ticket_incident: dict[str, str]  # ticket id -> injected incident id
    # ticket id -> (injected incident id, customer id, created_at) of every ticket left unwritten so far
    unwritten: dict[str, tuple[str, str, datetime]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0.0 <= self.effect <= 1.0:
            raise ValueError(f"email effect {self.effect!r} must be a share from 0 to 1 (e.g. 0.4)")

    @classmethod
    def from_truth(cls, truth: Truth, effect: float) -> EmailReaction:
        """The filter for a world whose truth was read with ``read_truth``."""
        about = truth.tickets.dropna(subset=["incident_id"])
        return cls(effect, truth.incidents, dict(zip(about["ticket_id"], about["incident_id"], strict=True)))

    def emailed_about(self, engine: Engine) -> EmailedAbout:
        """Who has been emailed (sent or maybe sent) about each injected incident, and when first."""
        with engine.connect() as connection:
            rows = connection.execute(statement("select_backtest_messages")).mappings().all()
        first: EmailedAbout = {}
        for row in rows:
            if row["is_holdout"] or row["status"] not in ("sent", "unknown") or row["sent_at"] is None:
                continue
            sent = pd.Timestamp(row["sent_at"]).to_pydatetime()
            for true in self.incidents:
                if matches(row, true):
                    key = (true.incident_id, str(row["customer_id"]))
                    first[key] = min(first.get(key, sent), sent)
        return first

    def keep(self, tickets: pd.DataFrame, emailed: EmailedAbout) -> np.ndarray:
        """A mask over raw ticket rows (text columns ``ticket_id``, ``customer_id``, ``created_at``): True = written."""
        keep = np.ones(len(tickets), dtype=bool)
        if self.effect == 0 or not emailed or tickets.empty:
            return keep
        created = parse_timestamps(tickets["created_at"].astype(str).str.strip())
        for position, (ticket_id, customer_id, at) in enumerate(
            zip(tickets["ticket_id"].astype(str).str.strip(), tickets["customer_id"].astype(str).str.strip(),
                created, strict=True)
        ):
            incident = self.ticket_incident.get(ticket_id)
            sent = emailed.get((incident, customer_id)) if incident else None
            if sent is None or pd.isna(at) or not sent < at:
                continue
            if ticket_draw(ticket_id) < self.effect:
                keep[position] = False
                self.unwritten[ticket_id] = (incident, customer_id, at.to_pydatetime())
        return keep

    def filter_parquet(self, files: Iterable[Path], emailed: EmailedAbout) -> int:
        """Drop the unwritten tickets from a replay step's Parquet files; return how many were dropped."""
        dropped = 0
        for path in files:
            frame = pq.read_table(path).to_pandas()
            keep = self.keep(frame, emailed)
            if not keep.all():
                dropped += int((~keep).sum())
                pq.write_table(pq.read_table(path).filter(pa.array(keep)), path)
        return dropped


def write_reactive_view(world: Path, view: Path, engine: Engine, reaction: EmailReaction) -> int:
    """Make ``view`` the world as its customers would have written it, given the emails sent so far.

    Customers, events and workarounds are linked; every tickets CSV is copied without the tickets that
    went unwritten. Records that do not parse are copied as they are (ingest quarantines them, as in the
    world itself). Returns how many tickets were left out. Used by ``forewarn demo`` before each day.
    """
    view.mkdir(parents=True, exist_ok=True)
    emailed = reaction.emailed_about(engine)
    for path in sorted(world.iterdir()):
        target = view / path.name
        if path.name == "truth":
            continue
        if path.is_file() and path.name.startswith("tickets") and path.suffix == ".csv":
            _copy_written(path, target, reaction, emailed)
        elif not target.exists():
            target.symlink_to(path.resolve())
    log.info("reactive view %s: %s tickets not written after an email", view, len(reaction.unwritten))
    return len(reaction.unwritten)


def _copy_written(source: Path, target: Path, reaction: EmailReaction, emailed: EmailedAbout) -> None:
    with source.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        target.write_text("", encoding="utf-8")
        return
    header, records = rows[0], rows[1:]
    columns = {name.strip(): index for index, name in enumerate(header)}
    whole = [r for r in records if len(r) == len(header)]
    frame = pd.DataFrame({name: [r[columns[name]] for r in whole] for name in ("ticket_id", "customer_id", "created_at")})
    written = dict(zip(map(id, whole), reaction.keep(frame, emailed), strict=True))
    partial = target.with_suffix(".csv.partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(r for r in records if written.get(id(r), True))
    partial.replace(target)
