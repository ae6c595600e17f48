"""Settings of the online spike / level-shift detector, with units in every name."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

DIRECTIONS = ("both", "up", "down")


class SettingsError(ValueError):
    """A detector setting has a value the detector cannot use."""


@dataclass(frozen=True)
class AnomalySettings:
    """How the detector scores one time series; every window is in hours, never in steps.

    The same settings serve 5-minute metric streams and hourly error counts: the number of
    observations in a window is derived from the series' own sampling step.
    """

    # Robust z-score (in units of the typical deviation) at which a point raises an alert.
    threshold: float = 5.0
    # Trailing window of the rolling median baseline, used when the seasonal one fits worse.
    window_hours: float = 24.0
    # Periods of the seasonal baselines (24 = same hour of the day, 168 = same hour of the week);
    # empty disables them. Each is a candidate baseline next to the rolling one.
    season_hours: tuple[float, ...] = (24.0, 168.0)
    # How many past seasons each seasonal median looks at.
    season_count: int = 7
    # Trailing window over which the typical size of deviations (the spread) is measured.
    spread_window_hours: float = 168.0
    # Width of the median taken around each past season's instant (a robust local level, not one
    # point); rounded down to an odd number of observations, so the median is centred on the instant.
    smooth_hours: float = 1.0
    # Recent window of the level-shift test: a sustained deviation over this long.
    shift_window_hours: float = 3.0
    # No score before the series has this much history.
    min_history_hours: float = 24.0
    # An alert must also beat record_factor x the largest score of this trailing window (0 disables):
    # a series that often jumps by z=8 should not alert at every such jump.
    record_window_hours: float = 336.0
    record_factor: float = 1.0
    # A seasonal baseline's z-scores run on another scale than the baseline chosen before it (its
    # residuals are narrower), so the record, gathered on that other scale, does not hold them: for
    # this long after its first score, an alert where it is chosen must also beat the record of the
    # best-fitting baseline that has scored this long already (the rolling one at first). 0 disables.
    seasonal_trust_hours: float = 72.0
    # After an alert, no new alert for this long (one incident, one alert).
    cooldown_hours: float = 12.0
    # Which deviations alert: "both", "up" (more errors) or "down".
    direction: str = "both"
    # Lower bound of the spread as a share of the series' typical absolute level.
    relative_spread_floor: float = 0.001
    # A spike's spread is at least this share of the typical size of the series' moves (its
    # nonzero residuals before the recent shift window, x1.4826). A series that mostly sits still
    # (an idle CPU in steps of 1/15 %, a key rarely pressed) has a median residual of zero, and its
    # usual one-step blips scored in the hundreds. Continuous noise is untouched (its moves are its
    # residuals); so are Poisson counts (their own floor is higher). 0 disables.
    move_spread_share: float = 0.5
    # For count series (non-negative integers) the spread is at least sqrt(baseline), at least 1,
    # so one event on a quiet signature is not a spike.
    count_spread_floor: bool = True
    # Sampling step of the series; 0 infers it from the median spacing of the first observations.
    step_hours: float = 0.0
    # Missing steps of a regular series are zero counts (hourly error counts), not unknown values.
    # Needs step_hours, so the grid of expected steps is known before the data arrive.
    missing_as_zero: bool = False

    def __post_init__(self) -> None:
        # Accept one number, or a list from a config file, for the seasons.
        seasons = self.season_hours
        if isinstance(seasons, int | float) and not isinstance(seasons, bool):
            seasons = (seasons,) if seasons > 0 else ()
        if isinstance(seasons, list):
            seasons = tuple(seasons)
        object.__setattr__(self, "season_hours", seasons)

    def validate(self) -> AnomalySettings:
        """Check every value and return self.

        Raises:
            SettingsError: naming the setting and the offending value.
        """
        positive = ("threshold", "window_hours", "spread_window_hours", "smooth_hours", "shift_window_hours")
        for name in positive:
            _check_number(name, getattr(self, name), allow_zero=False)
        if not isinstance(self.season_hours, tuple):
            raise SettingsError(f"season_hours must be a tuple of hours, got {self.season_hours!r}")
        for season in self.season_hours:
            _check_number("season_hours", season, allow_zero=False)
            if season < self.smooth_hours:
                raise SettingsError(
                    f"each season_hours must be >= smooth_hours ({self.smooth_hours}), got {season!r}"
                )
        for name in (
            "min_history_hours",
            "cooldown_hours",
            "relative_spread_floor",
            "move_spread_share",
            "step_hours",
            "record_window_hours",
            "record_factor",
            "seasonal_trust_hours",
        ):
            _check_number(name, getattr(self, name), allow_zero=True)
        if (
            isinstance(self.season_count, bool)
            or not isinstance(self.season_count, int)
            or self.season_count < 1
        ):
            raise SettingsError(f"season_count must be a whole number >= 1, got {self.season_count!r}")
        if self.direction not in DIRECTIONS:
            raise SettingsError(f"direction must be one of {DIRECTIONS}, got {self.direction!r}")
        for name in ("count_spread_floor", "missing_as_zero"):
            if not isinstance(getattr(self, name), bool):
                raise SettingsError(f"{name} must be True or False, got {getattr(self, name)!r}")
        if self.missing_as_zero and self.step_hours == 0:
            raise SettingsError(
                "missing_as_zero needs step_hours > 0 (e.g. 1 for hourly counts), got step_hours=0"
            )
        return self

    def as_dict(self) -> dict[str, Any]:
        """The settings as plain values (for logs and reports)."""
        return asdict(self)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """Names of all settings, in declaration order."""
        return tuple(f.name for f in fields(cls))


def _check_number(name: str, value: object, *, allow_zero: bool) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SettingsError(f"{name} must be a finite number, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise SettingsError(f"{name} must be {bound}, got {value!r}")
