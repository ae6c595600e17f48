"""Plan the injected incidents: which kinds (a mix), when, on which signature, and whom each one hits.

Spikes and new signatures are planned event by event here; a release regression is a bad build in
the release schedule, and the event stream makes its sessions crash (see ``events``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.simulate.catalog import PLATFORMS, SECONDARY_EVENT_SHARE, SIGNATURE_INDEX, SIGNATURES
from pipeline.simulate.clock import HOURLY_PROFILE, MS_PER_DAY, MS_PER_HOUR, WEEKDAY_FACTOR
from pipeline.simulate.incident_catalog import (
    NEW_SIGNATURE,
    NEW_SIGNATURE_TEMPLATES,
    REGRESSION_TEMPLATES,
    RELEASE_REGRESSION,
    SPIKE,
    SPIKE_TEMPLATES,
    IncidentTemplate,
)
from pipeline.simulate.population import Population
from pipeline.simulate.releases import (
    RegressionPlan,
    Release,
    ReleaseSchedule,
    plan_releases,
    regression_end_ms,
)

# Each incident hits 3-8% of the active customers, but never fewer than 25 (or an eighth of a tiny world).
AFFECTED_SHARE = (0.03, 0.08)
MIN_AFFECTED = 25
ARRIVALS = ("even", "ramp")
TICKET_SHARE = (0.25, 0.45)
REGRESSION_CRASH_PER_SESSION = 0.6
# Incidents start after this share of the days, so detectors have a baseline before them, and the last
# slot leaves a quarter of the window to see its effects.
EARLIEST_START_SHARE = 0.42
LATEST_START_SHARE = 0.74
KINDS = (SPIKE, NEW_SIGNATURE, RELEASE_REGRESSION)
DEFAULT_MIX = KINDS
_TEMPLATES = {SPIKE: SPIKE_TEMPLATES, NEW_SIGNATURE: NEW_SIGNATURE_TEMPLATES, RELEASE_REGRESSION: REGRESSION_TEMPLATES}
_BURST_SHAPE = {SPIKE: {"repeat_mean": 1.5, "spread": False}, NEW_SIGNATURE: {"repeat_mean": 1.2, "spread": True}}


@dataclass(frozen=True)
class IncidentProfile:
    """How big a spike or new error is and how its customers arrive (a regression hits its release's users).

    ``affected_share`` is the range of the active customers' share it hits, ``min_affected`` its floor;
    ``arrival`` "even" spreads first hits over the incident's life (by local working hours), "ramp" makes
    them likelier the later it is, as a bug whose rollout or traffic grows. The defaults draw exactly what
    the simulator always drew.
    """

    affected_share: tuple[float, float] = AFFECTED_SHARE
    min_affected: int = MIN_AFFECTED
    arrival: str = "even"


@dataclass(frozen=True)
class PlannedIncident:
    """One incident as the simulator will inject it.

    For spikes and new signatures ``event_customers``/``event_ms``/``event_platforms`` are the injected
    events; for a regression they are empty and ``bad_release`` crashes sessions with probability
    ``crash_per_session``.
    """

    incident_id: str
    template: IncidentTemplate
    signature_index: int
    started_ms: int
    ended_ms: int
    ticket_share: float
    event_customers: np.ndarray
    event_ms: np.ndarray
    event_platforms: np.ndarray
    bad_release: Release | None = None
    previous_release: Release | None = None
    crash_per_session: float = 0.0

    @property
    def kind(self) -> str:
        return self.template.kind

    @property
    def ticket_pain_point(self) -> str:
        return f"incident:{self.incident_id}"


def plan_timeline(
    population: Population, start_ms: int, days: int, rng: np.random.Generator, mix: Sequence[str] = DEFAULT_MIX,
    profile: IncidentProfile = IncidentProfile(),  # noqa: B008 - frozen, so one shared default is safe
) -> tuple[ReleaseSchedule, list[PlannedIncident]]:
    """Plan releases and the incidents of ``mix`` (kinds, repeats allowed), ids by start.

    Start slots are spread evenly over the later part of the window and dealt to the incidents in a random
    order, so two incidents may overlap; each incident of a kind takes a template no other incident of the
    world has, and each regression a platform of its own. The default mix, one incident of each kind, draws
    exactly what the simulator always drew (a seed's world does not change with this option).
    """
    check_mix(mix)
    kinds = sorted(mix, key=KINDS.index)
    templates = _draw_templates(kinds, rng)
    slots = np.linspace(EARLIEST_START_SHARE + 0.04, LATEST_START_SHARE, len(kinds)) + rng.uniform(0, 0.05, len(kinds))
    start_days = (slots * days)[rng.permutation(len(kinds))]
    end_ms = start_ms + days * MS_PER_DAY
    plans = [
        RegressionPlan(
            platform=str(template.platform),
            released_ms=_at(start_ms, day, 15, rng),
            fix_after_ms=int(rng.integers(3 * 24, 4 * 24 + 13)) * MS_PER_HOUR,
        )
        for template, day in zip(templates, start_days, strict=True) if template.kind == RELEASE_REGRESSION
    ]
    schedule, shipped = plan_releases(start_ms, end_ms, rng, plans)
    used = np.zeros(population.size, dtype=bool)
    windows = [_burst_window(template.kind, start_ms, day, end_ms, rng)
               for template, day in zip(templates, start_days, strict=True) if template.kind != RELEASE_REGRESSION]
    bursts = [template for template in templates if template.kind != RELEASE_REGRESSION]
    planned = [
        _planned_burst(template, population, begin, end, used, rng, profile, **_BURST_SHAPE[template.kind])
        for template, (begin, end) in zip(bursts, windows, strict=True)
    ]
    planned += [_planned_regression(template, schedule, *shipped[str(template.platform)], end_ms, rng)
                for template in templates if template.kind == RELEASE_REGRESSION]
    planned.sort(key=lambda incident: incident.started_ms)
    return schedule, [_with_id(incident, f"inc-{number}") for number, incident in enumerate(planned, 1)]


def check_mix(mix: Sequence[str]) -> None:
    """Raise ``ValueError`` (naming the limit) when ``mix`` cannot be planned."""
    if not mix:
        raise ValueError("needs at least one incident")
    for kind in dict.fromkeys(mix):
        if kind not in KINDS:
            raise ValueError(f"has an unknown kind {kind!r}; choose from {', '.join(KINDS)}")
        most = len({t.platform for t in REGRESSION_TEMPLATES}) if kind == RELEASE_REGRESSION else len(_TEMPLATES[kind])
        if list(mix).count(kind) > most:
            raise ValueError(f"asks for {list(mix).count(kind)} incidents of kind {kind}; at most {most}")


def _draw_templates(kinds: list[str], rng: np.random.Generator) -> list[IncidentTemplate]:
    """One template per incident, never one twice, and each regression on a platform of its own."""
    chosen: list[IncidentTemplate] = []
    for kind in kinds:
        taken = {t.platform for t in chosen if t.kind == RELEASE_REGRESSION}
        free = [t for t in _TEMPLATES[kind] if t not in chosen and not (kind == RELEASE_REGRESSION and t.platform in taken)]
        chosen.append(free[int(rng.integers(len(free)))])
    return chosen


def _burst_window(kind: str, start_ms: int, day: float, end_ms: int, rng: np.random.Generator) -> tuple[int, int]:
    """When a spike (5-18 h from a morning hour) or a new signature (2-4.5 days from a working hour) runs."""
    if kind == SPIKE:
        begin = _at(start_ms, day, int(rng.integers(7, 15)), rng)
        return begin, min(begin + int(rng.integers(5, 19)) * MS_PER_HOUR, end_ms)
    begin = _at(start_ms, day, int(rng.integers(9, 19)), rng)
    return begin, min(begin + int(rng.integers(2 * 24, 4 * 24 + 13)) * MS_PER_HOUR, end_ms)


def _at(start_ms: int, day: float, hour: int, rng: np.random.Generator) -> int:
    return start_ms + int(day) * MS_PER_DAY + hour * MS_PER_HOUR + int(rng.integers(0, 60)) * 60_000


def _with_id(incident: PlannedIncident, incident_id: str) -> PlannedIncident:
    fields = {name: getattr(incident, name) for name in incident.__dataclass_fields__}
    return PlannedIncident(**{**fields, "incident_id": incident_id})


def affected_target(
    population: Population, start_ms: int, rng: np.random.Generator, profile: IncidentProfile = IncidentProfile()  # noqa: B008
) -> int:
    """How many customers an incident hits: a share of the active customers, with a floor."""
    active = int(((population.created_ms < start_ms) & (population.activity > 0.1)).sum())
    share = rng.uniform(*profile.affected_share)
    return min(max(round(share * active), min(profile.min_affected, population.size // 8)), active)


def _planned_burst(
    template: IncidentTemplate,
    population: Population,
    start_ms: int,
    end_ms: int,
    used: np.ndarray,
    rng: np.random.Generator,
    profile: IncidentProfile,
    repeat_mean: float,
    spread: bool,
) -> PlannedIncident:
    signature = SIGNATURES[SIGNATURE_INDEX[template.signature_key]]
    platform_codes = [PLATFORMS.index(p) for p in signature.platforms]
    on_platform = np.isin(population.primary_platform, platform_codes) | np.isin(population.secondary_platform, platform_codes)
    eligible = (population.created_ms < start_ms) & (population.activity > 0.1) & on_platform & ~used
    target = min(affected_target(population, start_ms, rng, profile), int(eligible.sum()))
    weights = np.where(eligible, population.activity, 0.0)
    chosen = np.sort(rng.choice(population.size, size=target, replace=False, p=weights / weights.sum()))
    used[chosen] = True
    first = _draw_local_times(chosen, population, start_ms, end_ms, rng, ramp=profile.arrival == "ramp")
    repeats = rng.poisson(repeat_mean, size=chosen.size)
    customers = np.repeat(chosen, 1 + repeats)
    times = np.repeat(first, 1 + repeats)
    is_repeat = np.ones(times.size, dtype=bool)
    is_repeat[np.cumsum(1 + repeats) - 1 - repeats] = False
    # Spikes: people retry within the hour. New signatures: they hit it again over the following days.
    later = rng.exponential(40 * 60_000, size=times.size) if not spread else rng.uniform(0, 1, times.size) * (end_ms - times)
    times = np.where(is_repeat, np.minimum(times + later.astype(np.int64), end_ms - 1), times)
    platforms = _event_platforms(customers, population, platform_codes, rng)
    return PlannedIncident(
        incident_id="", template=template, signature_index=SIGNATURE_INDEX[template.signature_key],
        started_ms=start_ms, ended_ms=end_ms, ticket_share=float(rng.uniform(*TICKET_SHARE)),
        event_customers=customers.astype(np.int64), event_ms=times.astype(np.int64), event_platforms=platforms,
    )


def _planned_regression(
    template: IncidentTemplate, schedule: ReleaseSchedule, bad: Release, hotfix: Release, end_ms: int,
    rng: np.random.Generator,
) -> PlannedIncident:
    same_platform = schedule.of(bad.platform)
    previous = same_platform[same_platform.index(bad) - 1]
    empty = np.zeros(0, dtype=np.int64)
    return PlannedIncident(
        incident_id="", template=template, signature_index=SIGNATURE_INDEX[template.signature_key],
        started_ms=bad.released_ms, ended_ms=regression_end_ms(bad, hotfix, end_ms),
        ticket_share=float(rng.uniform(*TICKET_SHARE)), event_customers=empty, event_ms=empty,
        event_platforms=np.zeros(0, dtype=np.int8), bad_release=bad, previous_release=previous,
        crash_per_session=REGRESSION_CRASH_PER_SESSION,
    )


def _draw_local_times(
    customers: np.ndarray, population: Population, start_ms: int, end_ms: int, rng: np.random.Generator,
    ramp: bool = False,
) -> np.ndarray:
    """One moment per customer in [start, end), likelier in that customer's local working hours (and, with
    ``ramp``, in proportion to the time since the start)."""
    hours = np.arange(start_ms - start_ms % MS_PER_HOUR, end_ms, MS_PER_HOUR, dtype=np.int64)
    utc_hour = (hours // MS_PER_HOUR) % 24
    weekday = ((hours // MS_PER_DAY) + 3) % 7  # 1970-01-01 was a Thursday
    local = (utc_hour[None, :] + population.utc_offset_hours[customers][:, None]) % 24
    weights = HOURLY_PROFILE[local] * WEEKDAY_FACTOR[weekday][None, :]
    if ramp:
        weights = weights * ((hours - hours[0] + MS_PER_HOUR) / MS_PER_HOUR)[None, :]
    cdf = np.cumsum(weights, axis=1)
    pick = (cdf < rng.random(customers.size)[:, None] * cdf[:, -1:]).sum(axis=1)
    moments = hours[np.minimum(pick, hours.size - 1)] + rng.integers(0, MS_PER_HOUR, customers.size)
    return np.clip(moments, start_ms, end_ms - 1)


def _event_platforms(
    customers: np.ndarray, population: Population, allowed: list[int], rng: np.random.Generator
) -> np.ndarray:
    primary = population.primary_platform[customers]
    secondary = population.secondary_platform[customers]
    use_secondary = (secondary >= 0) & (rng.random(customers.size) < SECONDARY_EVENT_SHARE)
    chosen = np.where(use_secondary, secondary, primary)
    # The signature only exists on some platforms: use whichever of the customer's platforms has it.
    chosen = np.where(np.isin(chosen, allowed), chosen, np.where(np.isin(primary, allowed), primary, secondary))
    return chosen.astype(np.int8)
