"""Who met which signature when: gathered from the event stream for the truth and for ticket writing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.simulate.events import EventBatch


@dataclass(frozen=True)
class Exposure:
    """Customers (sorted) who met a signature, with the time, platform and version of their first meeting."""

    customers: np.ndarray
    first_ms: np.ndarray
    platform: np.ndarray
    version: np.ndarray
    event_count: np.ndarray


class ExposureLog:
    """Collects injected incident events, and everyday events of the signatures tickets refer to."""

    def __init__(self, incident_count: int, tracked_signatures: list[int]) -> None:
        self._incidents: list[list[EventBatch]] = [[] for _ in range(incident_count)]
        self._tracked = np.asarray(sorted(tracked_signatures), dtype=np.int16)
        self._everyday: list[EventBatch] = []
        self._by_signature: dict[int, EventBatch] = {}

    def record(self, batch: EventBatch) -> None:
        """Remember the relevant events of one day's batch."""
        for number, batches in enumerate(self._incidents):
            batches.append(batch.take(batch.injected == number))
        self._everyday.append(batch.take((batch.injected < 0) & np.isin(batch.signature, self._tracked)))

    def incident(self, number: int) -> Exposure:
        """First exposure per affected customer of incident ``number`` (position in the plan)."""
        return _first_per_customer(EventBatch.concat(self._incidents[number]) if self._incidents[number] else None)

    def everyday(self, signature: int) -> EventBatch:
        """Every non-injected event of a tracked signature, in time order."""
        if signature not in self._by_signature:
            if self._everyday:
                events = EventBatch.concat(self._everyday)
                self._everyday = [events]
                self._by_signature[signature] = events.take(events.signature == signature)
            else:
                self._by_signature[signature] = EventBatch(*(np.zeros(0, dtype=np.int64) for _ in range(8)))
        return self._by_signature[signature]


def _first_per_customer(events: EventBatch | None) -> Exposure:
    if events is None or not len(events):
        empty = np.zeros(0, dtype=np.int64)
        return Exposure(empty, empty, empty, empty, empty)
    order = np.lexsort((events.t_ms, events.customer))
    customer = events.customer[order]
    first = np.flatnonzero(np.r_[True, customer[1:] != customer[:-1]])
    counts = np.diff(np.r_[first, customer.size])
    return Exposure(
        customers=customer[first].astype(np.int64),
        first_ms=events.t_ms[order][first],
        platform=events.platform[order][first],
        version=events.version[order][first],
        event_count=counts,
    )
