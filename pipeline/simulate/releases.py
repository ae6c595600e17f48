"""App releases per platform over time, with staggered rollout: a new version's share grows over days.

Each customer has one adoption quantile per platform (early adopters stay early): a customer runs the
newest release whose rollout share at that moment is above their quantile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.simulate.catalog import PLATFORMS
from pipeline.simulate.clock import MS_PER_DAY, MS_PER_HOUR

# (days since release, share of active users on it or newer)
_CURVES: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "web": ((0.0, 0.08), (0.0, 1.0)),  # a deploy reaches every browser within two hours
    "mobile": ((0, 0.5, 1, 2, 3, 4, 6, 9, 14, 30), (0, 0.05, 0.14, 0.30, 0.45, 0.57, 0.72, 0.84, 0.92, 0.98)),
    "desktop": ((0, 0.5, 1, 2, 4, 7, 30), (0, 0.12, 0.30, 0.55, 0.78, 0.90, 0.98)),
    # An expedited hotfix with a forced-update prompt replaces the bad build within two days.
    "hotfix": ((0, 0.25, 0.5, 1, 1.5, 2), (0, 0.35, 0.6, 0.85, 0.95, 1.0)),
    "base": ((0.0,), (1.0,)),
}
_PLATFORM_CURVE = {"web": "web", "ios": "mobile", "android": "mobile", "windows": "desktop", "macos": "desktop"}
_CADENCE_DAYS = {"web": 7, "ios": 14, "android": 14, "windows": 21, "macos": 21}
_FIRST_VERSION = {"web": (4, 30), "ios": (5, 11), "android": (5, 11), "windows": (3, 7), "macos": (3, 7)}
_RELEASE_HOUR_UTC = 15


@dataclass(frozen=True)
class Release:
    """One build of one platform and its rollout curve."""

    platform: str
    version: str
    released_ms: int
    curve: str
    version_index: int  # position in ReleaseSchedule.versions

    def share(self, t_ms: np.ndarray) -> np.ndarray:
        """Share of the platform's users on this release (or a newer one) at each time."""
        days, shares = _CURVES[self.curve]
        elapsed = (np.asarray(t_ms, dtype=np.int64) - self.released_ms) / MS_PER_DAY
        return np.interp(elapsed, days, shares, left=0.0, right=shares[-1])


@dataclass(frozen=True)
class RegressionPlan:
    """Where and when a bad build ships, and how long until its hotfix ships."""

    platform: str
    released_ms: int
    fix_after_ms: int


@dataclass(frozen=True)
class ReleaseSchedule:
    """Every release of every platform; ``versions`` maps a version index to its version string."""

    releases: tuple[Release, ...]
    versions: tuple[str, ...]

    def of(self, platform: str) -> list[Release]:
        """The releases of ``platform`` in time order."""
        return [release for release in self.releases if release.platform == platform]

    def version_at(self, platform_codes: np.ndarray, t_ms: np.ndarray, quantiles: np.ndarray) -> np.ndarray:
        """Version index in use for each (platform code, time, adoption quantile of that customer)."""
        result = np.zeros(len(t_ms), dtype=np.int16)
        for code, platform in enumerate(PLATFORMS):
            mask = platform_codes == code
            if not mask.any():
                continue
            times, q = t_ms[mask], quantiles[mask]
            chosen = np.full(len(times), -1, dtype=np.int16)
            latest = int(times.max())
            for release in self.of(platform):
                if release.released_ms > latest:
                    break
                chosen[q < release.share(times)] = release.version_index
            result[mask] = chosen
        return result

    def released_between(self, start_ms: int, end_ms: int) -> list[Release]:
        """Releases shipped in [start_ms, end_ms)."""
        return [r for r in self.releases if start_ms <= r.released_ms < end_ms]


def plan_releases(
    start_ms: int, end_ms: int, rng: np.random.Generator, regressions: Sequence[RegressionPlan] = ()
) -> tuple[ReleaseSchedule, dict[str, tuple[Release, Release]]]:
    """Plan every platform's releases; for each of ``regressions`` (one per platform at most), ship a bad
    build and its hotfix there.

    Returns:
        The schedule, and per platform with a regression its bad release and that release's hotfix.
    """
    by_platform = {plan.platform: plan for plan in regressions}
    if len(by_platform) < len(regressions):
        raise ValueError("at most one release regression per platform")
    planned: list[tuple[str, int, str]] = []  # (platform, released_ms, kind)
    for platform in PLATFORMS:
        planned += _regular_releases(platform, start_ms, end_ms, rng)
        regression = by_platform.get(platform)
        if regression is not None:
            cadence = _CADENCE_DAYS[platform] * MS_PER_DAY
            quiet_from = regression.released_ms - cadence // 2
            quiet_to = regression.fix_after_ms + regression.released_ms + 3 * MS_PER_DAY
            planned = [p for p in planned if not (p[0] == platform and quiet_from <= p[1] < quiet_to)]
            planned += [(platform, regression.released_ms, "bad"),
                        (platform, regression.released_ms + regression.fix_after_ms, "hotfix")]
    releases: list[Release] = []
    versions: list[str] = []
    bad: dict[str, Release] = {}
    hotfix: dict[str, Release] = {}
    for platform in PLATFORMS:
        major, minor = _FIRST_VERSION[platform]
        patch = 0
        for _, released_ms, kind in sorted(p for p in planned if p[0] == platform):
            if kind == "hotfix":
                patch += 1
            elif kind != "base":
                minor, patch = minor + 1, 0
            curve = {"hotfix": "hotfix", "base": "base"}.get(kind, _PLATFORM_CURVE[platform])
            release = Release(platform, f"{major}.{minor}.{patch}", released_ms, curve, len(versions))
            versions.append(release.version)
            releases.append(release)
            if kind == "bad":
                bad[platform] = release
            elif kind == "hotfix":
                hotfix[platform] = release
    return ReleaseSchedule(tuple(releases), tuple(versions)), {p: (bad[p], hotfix[p]) for p in bad}


def _regular_releases(platform: str, start_ms: int, end_ms: int, rng: np.random.Generator) -> list[tuple[str, int, str]]:
    cadence = _CADENCE_DAYS[platform]
    # One build everybody already runs, then regular releases from before the window to its end.
    result = [(platform, start_ms - 90 * MS_PER_DAY, "base")]
    day = -cadence - int(rng.integers(0, cadence))
    while day * MS_PER_DAY < end_ms - start_ms:
        jitter_days = int(rng.integers(-1, 2)) if cadence > 7 else 0
        released = start_ms + (day + jitter_days) * MS_PER_DAY + _RELEASE_HOUR_UTC * MS_PER_HOUR
        released += int(rng.integers(0, 120)) * 60_000
        result.append((platform, released, "regular"))
        day += cadence
    return result


def regression_end_ms(bad: Release, hotfix: Release, horizon_ms: int) -> int:
    """First hour when nobody runs the bad build any more (the hotfix caught up), capped at ``horizon_ms``."""
    hours = np.arange(hotfix.released_ms, horizon_ms + MS_PER_HOUR, MS_PER_HOUR, dtype=np.int64)
    caught_up = hotfix.share(hours) >= bad.share(hours)
    return int(min(hours[np.argmax(caught_up)] if caught_up.any() else horizon_ms, horizon_ms))
