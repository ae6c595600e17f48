"""The product event stream, one simulated day at a time, vectorised with numpy.

A day is: sessions per customer (Poisson around their activity, the weekday and their local hours),
a few events per session (session_start first, then feature use, syncs, logins, and now and then an
error or a crash from the everyday signatures), plus whatever the incidents inject that day.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pipeline.simulate import catalog
from pipeline.simulate.catalog import (
    CRASH,
    ERROR,
    FEATURE_USED,
    LOGIN,
    PLATFORMS,
    SESSION_START,
    SIGNATURES,
    SYNC_COMPLETED,
)
from pipeline.simulate.clock import HOURLY_PROFILE, MS_PER_DAY, MS_PER_HOUR
from pipeline.simulate.incidents import PlannedIncident
from pipeline.simulate.population import Population
from pipeline.simulate.releases import ReleaseSchedule

EVENTS_PER_SESSION = 4.5  # mean, session_start included
_GAP_MEDIAN_MS = 45_000
_FOLLOW_UP_NAMES = np.array([FEATURE_USED, SYNC_COMPLETED, LOGIN, ERROR, CRASH], dtype=np.int8)
_SYNC, _LOGIN = catalog.FEATURES.index("sync"), catalog.FEATURES.index("login")
_SIGNATURE_FEATURE = np.array([catalog.FEATURES.index(s.feature) for s in SIGNATURES], dtype=np.int8)
_SIGNATURE_NAME = np.array([catalog.EVENT_NAMES.index(s.name) for s in SIGNATURES], dtype=np.int8)


@dataclass
class EventBatch:
    """Events as parallel arrays; -1 means "empty" for feature, version and signature."""

    customer: np.ndarray
    t_ms: np.ndarray
    name: np.ndarray
    feature: np.ndarray
    platform: np.ndarray
    version: np.ndarray
    signature: np.ndarray
    injected: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))  # incident number or -1

    def __len__(self) -> int:
        return len(self.t_ms)

    def take(self, index: np.ndarray) -> EventBatch:
        """The events at ``index`` (a mask or positions), in that order."""
        return EventBatch(*(getattr(self, name)[index] for name in _FIELDS))

    @staticmethod
    def concat(batches: list[EventBatch]) -> EventBatch:
        """One batch holding all of ``batches``."""
        return EventBatch(*(np.concatenate([getattr(b, name) for b in batches]) for name in _FIELDS))


_FIELDS = ("customer", "t_ms", "name", "feature", "platform", "version", "signature", "injected")


class EventModel:
    """Draws each day's events for a population, release schedule and set of incidents."""

    def __init__(
        self,
        population: Population,
        schedule: ReleaseSchedule,
        incidents: list[PlannedIncident],
        events_per_customer_day: float,
        mean_weekday_factor: float,
    ) -> None:
        self.population = population
        self.schedule = schedule
        self.incidents = incidents
        self.session_rate = events_per_customer_day * population.activity / (EVENTS_PER_SESSION * mean_weekday_factor)
        self._follow_up = [catalog.follow_up_cdf(p) for p in PLATFORMS]
        self._features = [catalog.feature_cdf(p) for p in PLATFORMS]
        self._errors = [catalog.signature_cdf(p, "error") for p in PLATFORMS]
        self._crashes = [catalog.signature_cdf(p, "crash") for p in PLATFORMS]

    def day(self, day_start_ms: int, weekday_factor: float, rng: np.random.Generator) -> EventBatch:
        """All events of the UTC day starting at ``day_start_ms``, sorted by time then customer."""
        day_end = day_start_ms + MS_PER_DAY
        sessions = self._sessions(day_start_ms, weekday_factor, rng)
        batches = [self._session_events(sessions, rng)]
        batches += [self._injected(number, incident, day_start_ms, day_end)
                    for number, incident in enumerate(self.incidents) if incident.event_ms.size]
        batches += [self._regression_crashes(number, incident, sessions, rng)
                    for number, incident in enumerate(self.incidents) if incident.bad_release is not None]
        batch = EventBatch.concat(batches)
        created = self.population.created_ms[batch.customer]
        batch = batch.take((batch.t_ms < day_end) & (batch.t_ms >= created) & (batch.t_ms >= day_start_ms))
        return batch.take(np.lexsort((batch.customer, batch.t_ms)))

    def _sessions(self, day_start_ms: int, weekday_factor: float, rng: np.random.Generator) -> dict[str, np.ndarray]:
        pop = self.population
        alive = pop.created_ms < day_start_ms + MS_PER_DAY
        counts = rng.poisson(self.session_rate * weekday_factor * alive)
        customer = np.repeat(np.arange(pop.size, dtype=np.int32), counts)
        local_hour = rng.choice(24, size=customer.size, p=HOURLY_PROFILE)
        utc_hour = (local_hour - pop.utc_offset_hours[customer]) % 24
        start = day_start_ms + utc_hour.astype(np.int64) * MS_PER_HOUR + rng.integers(0, MS_PER_HOUR, customer.size)
        platform = pop.primary_platform[customer]
        secondary = pop.secondary_platform[customer]
        platform = np.where((secondary >= 0) & (rng.random(customer.size) < catalog.SECONDARY_EVENT_SHARE), secondary, platform)
        quantile = pop.adoption[customer, platform]
        version = self.schedule.version_at(platform, start, quantile)
        return {"customer": customer, "start": start, "platform": platform.astype(np.int8), "version": version}

    def _session_events(self, sessions: dict[str, np.ndarray], rng: np.random.Generator) -> EventBatch:
        count = 1 + rng.poisson(EVENTS_PER_SESSION - 1, sessions["customer"].size)
        owner = np.repeat(np.arange(count.size), count)
        first = np.cumsum(count) - count
        position = np.arange(owner.size) - first[owner]
        gap = np.where(position > 0, rng.lognormal(np.log(_GAP_MEDIAN_MS), 1.0, owner.size), 0).astype(np.int64)
        elapsed = np.cumsum(gap)
        t_ms = sessions["start"][owner] + elapsed - elapsed[first][owner]
        platform = sessions["platform"][owner]
        name = np.full(owner.size, SESSION_START, dtype=np.int8)
        feature = np.full(owner.size, -1, dtype=np.int8)
        signature = np.full(owner.size, -1, dtype=np.int16)
        u_kind, u_detail = rng.random(owner.size), rng.random(owner.size)
        for code in range(len(PLATFORMS)):
            rows = np.flatnonzero((platform == code) & (position > 0))
            kind = _FOLLOW_UP_NAMES[np.searchsorted(self._follow_up[code], u_kind[rows], side="right").clip(max=4)]
            name[rows] = kind
            used = rows[kind == FEATURE_USED]
            feature[used] = np.searchsorted(self._features[code], u_detail[used], side="right").clip(max=len(catalog.FEATURES) - 1)
            feature[rows[kind == SYNC_COMPLETED]] = _SYNC
            feature[rows[kind == LOGIN]] = _LOGIN
            for wanted, (members, cdf) in ((ERROR, self._errors[code]), (CRASH, self._crashes[code])):
                hit = rows[kind == wanted]
                if hit.size and members.size:
                    signature[hit] = members[np.searchsorted(cdf, u_detail[hit], side="right").clip(max=members.size - 1)]
                elif hit.size:
                    name[hit] = FEATURE_USED  # no such signature on this platform: plain use instead
                    feature[hit] = 0
        has_signature = signature >= 0
        feature[has_signature] = _SIGNATURE_FEATURE[signature[has_signature]]
        return EventBatch(
            customer=sessions["customer"][owner], t_ms=t_ms, name=name, feature=feature, platform=platform,
            version=sessions["version"][owner], signature=signature, injected=np.full(owner.size, -1, dtype=np.int8),
        )

    def _injected(self, number: int, incident: PlannedIncident, day_start: int, day_end: int) -> EventBatch:
        rows = np.flatnonzero((incident.event_ms >= day_start) & (incident.event_ms < day_end))
        customer = incident.event_customers[rows].astype(np.int32)
        t_ms = incident.event_ms[rows]
        platform = incident.event_platforms[rows]
        version = self.schedule.version_at(platform, t_ms, self.population.adoption[customer, platform])
        return self._signature_events(incident.signature_index, customer, t_ms, platform, version, number)

    def _regression_crashes(
        self, number: int, incident: PlannedIncident, sessions: dict[str, np.ndarray], rng: np.random.Generator
    ) -> EventBatch:
        bad = incident.bad_release
        assert bad is not None  # only called for regressions
        on_bad = (sessions["platform"] == PLATFORMS.index(bad.platform)) & (sessions["version"] == bad.version_index)
        crashed = np.flatnonzero(on_bad & (rng.random(on_bad.size) < incident.crash_per_session))
        delay = rng.lognormal(np.log(90_000), 0.8, crashed.size).astype(np.int64)
        return self._signature_events(
            incident.signature_index, sessions["customer"][crashed], sessions["start"][crashed] + delay,
            sessions["platform"][crashed], sessions["version"][crashed], number,
        )

    @staticmethod
    def _signature_events(
        signature: int, customer: np.ndarray, t_ms: np.ndarray, platform: np.ndarray, version: np.ndarray, number: int
    ) -> EventBatch:
        size = customer.size
        return EventBatch(
            customer=customer.astype(np.int32), t_ms=t_ms.astype(np.int64),
            name=np.full(size, _SIGNATURE_NAME[signature], dtype=np.int8),
            feature=np.full(size, _SIGNATURE_FEATURE[signature], dtype=np.int8),
            platform=platform.astype(np.int8), version=version.astype(np.int16),
            signature=np.full(size, signature, dtype=np.int16), injected=np.full(size, number, dtype=np.int8),
        )
