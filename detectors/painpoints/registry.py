"""The persisted memory of pain points between runs: ids, labels, centroids, members, history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

ACTIVE = "active"
MERGED = "merged"
INACTIVE = "inactive"  # none of its tickets were in the latest run; it may come back by centroid


@dataclass(frozen=True)
class PainPointState:
    """One pain point as the registry remembers it (its members are those of the latest run)."""

    pain_point_id: str
    label: str
    centroid: tuple[float, ...]
    ticket_ids: tuple[str, ...]
    status: str = ACTIVE
    parent_ids: tuple[str, ...] = ()
    merged_into: str | None = None

    @property
    def ticket_count(self) -> int:
        """Tickets in the latest run."""
        return len(self.ticket_ids)


@dataclass(frozen=True)
class HistoryEvent:
    """A change of identity: ``created``, ``split`` (from one parent) or ``merged`` (parents into one)."""

    kind: str
    pain_point_id: str
    parent_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class PainPointRegistry:
    """Plain serialisable state the caller stores (e.g. in the warehouse) and passes to the next run.

    ``next_number`` is the number of the next new id: ids are never reused, even for pain points
    that merged away. ``reserved_numbers`` are numbers a person's split already gave out (read from the
    corrections every run, never stored): a run issuing ids passes over them.
    """

    pain_points: tuple[PainPointState, ...] = ()
    next_number: int = 1
    embedder_name: str = ""
    history: tuple[HistoryEvent, ...] = field(default=())
    reserved_numbers: frozenset[int] = frozenset()

    def free_number(self, number: int) -> int:
        """The first number from ``number`` on that no split correction gave out."""
        while number in self.reserved_numbers:
            number += 1
        return number

    def get(self, pain_point_id: str) -> PainPointState:
        """The state of one pain point.

        Raises:
            KeyError: if the id was never issued by this registry.
        """
        for state in self.pain_points:
            if state.pain_point_id == pain_point_id:
                return state
        raise KeyError(f"pain point {pain_point_id!r} is not in the registry")

    @property
    def active(self) -> tuple[PainPointState, ...]:
        """Pain points that hold tickets in the latest run."""
        return tuple(s for s in self.pain_points if s.status == ACTIVE)

    def prior_groups(self, ticket_ids: Sequence[str]) -> list[int]:
        """Per ticket, an integer naming its active pain point in this registry (-1 if none).

        Pass it to ``PainPointClusterer.fit(..., prior_groups=...)`` to keep reruns stable.
        """
        index = {s.pain_point_id: i for i, s in enumerate(self.active)}
        owner = {t: index[s.pain_point_id] for s in self.active for t in s.ticket_ids}
        return [owner.get(str(t), -1) for t in ticket_ids]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (lists instead of tuples)."""
        return {
            "next_number": self.next_number,
            "embedder_name": self.embedder_name,
            # Field by field rather than dataclasses.asdict, which deep-copies every centroid value and
            # ticket id (10 s instead of 0.2 s for 500 pain points over 50,000 tickets).
            "pain_points": [
                {
                    "pain_point_id": s.pain_point_id,
                    "label": s.label,
                    "centroid": np.round(np.asarray(s.centroid, dtype=np.float64), 6).tolist(),
                    "ticket_ids": list(s.ticket_ids),
                    "status": s.status,
                    "parent_ids": list(s.parent_ids),
                    "merged_into": s.merged_into,
                }
                for s in self.pain_points
            ],
            "history": [asdict(e) for e in self.history],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PainPointRegistry:
        """Rebuild a registry from ``to_dict`` output.

        Raises:
            ValueError: if a required key is missing.
        """
        try:
            states = tuple(
                PainPointState(
                    pain_point_id=str(p["pain_point_id"]),
                    label=str(p["label"]),
                    centroid=tuple(float(x) for x in p["centroid"]),
                    ticket_ids=tuple(str(t) for t in p["ticket_ids"]),
                    status=str(p.get("status", ACTIVE)),
                    parent_ids=tuple(p.get("parent_ids", ())),
                    merged_into=p.get("merged_into"),
                )
                for p in data["pain_points"]
            )
            history = tuple(
                HistoryEvent(e["kind"], e["pain_point_id"], tuple(e.get("parent_ids", ())))
                for e in data.get("history", ())
            )
            return cls(states, int(data["next_number"]), str(data.get("embedder_name", "")), history)
        except KeyError as exc:
            raise ValueError(f"pain point registry is missing key {exc.args[0]!r}") from exc


def format_pain_point_id(number: int) -> str:
    """``pp-000123`` style id."""
    return f"pp-{number:06d}"
