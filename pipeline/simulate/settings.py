"""What a synthetic world is asked to be (WorldSettings) and what came out (WorldSummary)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime

from pipeline.simulate.incidents import AFFECTED_SHARE, ARRIVALS, MIN_AFFECTED, IncidentProfile, check_mix

MIN_CUSTOMERS = 100
MAX_CUSTOMERS = 999_999  # ids are C + 6 digits
MIN_DAYS = 7  # incidents start after ~40% of the days; fewer leave detectors no baseline
MAX_DAYS = 366
MAX_EVENTS_PER_CUSTOMER_DAY = 200.0


class WorldSettingsError(ValueError):
    """A simulation setting is out of range; the message names the setting and the allowed range."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(f"{setting} {message}")
        self.setting = setting
        self.detail = message


class OutputFolderError(RuntimeError):
    """The output folder cannot be used; the message names the folder and what to do."""


@dataclass(frozen=True)
class WorldSettings:
    """The knobs of ``forewarn simulate``; the same settings always give byte-identical output.

    ``events_rows_per_file`` starts a new ``events-<part>.csv`` at the first day boundary after that
    many rows, so files stay a manageable size. ``incidents`` is the mix of injected incidents, one kind
    per incident (``spike``, ``new_signature``, ``release_regression``; repeats allowed, order ignored).
    """

    customers: int = 2000
    days: int = 30
    seed: int = 7
    start: date = date(2026, 1, 1)
    events_per_customer_day: float = 4.0
    dirty: bool = True
    events_rows_per_file: int = 500_000
    incidents: tuple[str, ...] = ("spike", "new_signature", "release_regression")
    # Spikes and new errors: the share of active customers they hit (low, high), its floor, and whether their
    # customers arrive evenly or on a ramp (``IncidentProfile``).
    affected_share: tuple[float, float] = AFFECTED_SHARE
    min_affected: int = MIN_AFFECTED
    arrival: str = "even"

    def __post_init__(self) -> None:
        _check_range("customers", self.customers, MIN_CUSTOMERS, MAX_CUSTOMERS)
        _check_range("days", self.days, MIN_DAYS, MAX_DAYS)
        _check_range("seed", self.seed, 0, 2**63 - 1)
        _check_range("events_rows_per_file", self.events_rows_per_file, 1_000, 10**9)
        rate = self.events_per_customer_day
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not math.isfinite(rate):
            raise WorldSettingsError("events_per_customer_day", f"must be a number, got {rate!r}")
        if not 0.05 <= rate <= MAX_EVENTS_PER_CUSTOMER_DAY:
            raise WorldSettingsError(
                "events_per_customer_day", f"is {rate!r}; choose a value from 0.05 to {MAX_EVENTS_PER_CUSTOMER_DAY:g}"
            )
        _check_mix(self.incidents)
        _check_profile(self.affected_share, self.min_affected, self.arrival)
        if not isinstance(self.start, date) or isinstance(self.start, datetime):
            raise WorldSettingsError("start", f"must be a calendar date (YYYY-MM-DD), got {self.start!r}")
        if not 2000 <= self.start.year <= 2100:
            raise WorldSettingsError("start", f"is {self.start.isoformat()}; choose a date between 2000 and 2100")


    @property
    def incident_profile(self) -> IncidentProfile:
        return IncidentProfile(tuple(self.affected_share), self.min_affected, self.arrival)


def _check_profile(share: object, floor: object, arrival: object) -> None:
    if (
        isinstance(share, str) or not isinstance(share, tuple | list) or len(share) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in share)
        or not 0 < share[0] <= share[1] <= 1
    ):
        raise WorldSettingsError("affected_share", f"must be two shares LOW,HIGH with 0 < LOW <= HIGH <= 1, got {share!r}")
    _check_range("min_affected", floor, 1, MAX_CUSTOMERS)
    if arrival not in ARRIVALS:
        raise WorldSettingsError("arrival", f"must be one of {', '.join(ARRIVALS)}, got {arrival!r}")


def _check_mix(mix: object) -> None:
    if isinstance(mix, str) or not isinstance(mix, tuple | list):
        raise WorldSettingsError("incidents", f"must be a list of incident kinds, got {mix!r}")
    try:
        check_mix(list(mix))
    except ValueError as exc:
        raise WorldSettingsError("incidents", str(exc)) from None


def _check_range(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise WorldSettingsError(name, f"must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise WorldSettingsError(name, f"is {value}; choose a value from {low:,} to {high:,}")


@dataclass(frozen=True)
class SignatureTruth:
    """The error signature of an injected incident; ``app_version`` is None unless it matters."""

    name: str
    error_code: str
    feature: str
    platform: str | None
    app_version: str | None
    message: str


@dataclass(frozen=True)
class IncidentTruth:
    """One injected incident: when, what, whom it hit, and which pain-point key its tickets carry."""

    incident_id: str
    kind: str  # spike | new_signature | release_regression
    started_at: datetime
    ended_at: datetime
    signature: SignatureTruth
    affected_customer_ids: tuple[str, ...]
    ticket_pain_point: str
    workaround_id: str
    ticket_count: int = 0


@dataclass(frozen=True)
class WorldSummary:
    """What ``simulate_world`` wrote.

    ``rows_per_file`` maps each data CSV (path relative to ``out_dir``) to its data rows, dirty rows
    included; ``dirty_rows`` counts those listed in truth/dirty_rows.csv.
    """

    out_dir: str
    settings: WorldSettings
    rows_per_file: dict[str, int] = field(default_factory=dict)
    incidents: tuple[IncidentTruth, ...] = ()
    dirty_rows: int = 0
    workaround_files: tuple[str, ...] = ()

    def rows(self, table: str) -> int:
        """Data rows of one table over all its files (dirty rows included)."""
        return sum(
            count for path, count in self.rows_per_file.items() if path == f"{table}.csv" or path.startswith(f"{table}-")
        )
