"""95% confidence intervals for campaign outcomes: Wilson, Newcombe's hybrid score for a difference, Welch."""

from __future__ import annotations

import math
from collections.abc import Sequence

Z_95 = 1.959963984540054


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval of a proportion.

    Raises:
        ValueError: ``trials`` is not positive or ``successes`` is outside [0, trials].
    """
    if trials <= 0 or not 0 <= successes <= trials:
        raise ValueError(f"need 0 <= successes <= trials and trials > 0, got {successes}/{trials}")
    p = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials))
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_difference(
    successes_a: int, trials_a: int, successes_b: int, trials_b: int, z: float = Z_95
) -> tuple[float, float, float]:
    """Difference of proportions ``p_a - p_b`` with Newcombe's hybrid score interval (method 10, 1998).

    It combines the two Wilson intervals, so it stays inside [-1, 1] and keeps close to nominal coverage
    for small counts and rates near 0, where the Wald interval does not.

    Returns:
        (difference, low, high).
    """
    p_a, p_b = successes_a / trials_a, successes_b / trials_b
    low_a, high_a = wilson_interval(successes_a, trials_a, z)
    low_b, high_b = wilson_interval(successes_b, trials_b, z)
    difference = p_a - p_b
    low = difference - math.sqrt((p_a - low_a) ** 2 + (high_b - p_b) ** 2)
    high = difference + math.sqrt((high_a - p_a) ** 2 + (p_b - low_b) ** 2)
    return difference, low, high


def welch_difference(a: Sequence[float], b: Sequence[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """Difference of means ``mean(a) - mean(b)`` with Welch's t interval (unequal variances).

    Raises:
        ValueError: either sample has fewer than two values.
    """
    from scipy import stats

    if len(a) < 2 or len(b) < 2:
        raise ValueError(f"Welch's interval needs two or more values per sample, got {len(a)} and {len(b)}")
    mean_a, mean_b = sum(a) / len(a), sum(b) / len(b)
    var_a = sum((x - mean_a) ** 2 for x in a) / (len(a) - 1)
    var_b = sum((x - mean_b) ** 2 for x in b) / (len(b) - 1)
    se_a, se_b = var_a / len(a), var_b / len(b)
    difference = mean_a - mean_b
    se = math.sqrt(se_a + se_b)
    if se == 0:  # every rating identical in both arms: no spread to speak of
        return difference, difference, difference
    dof = (se_a + se_b) ** 2 / (se_a**2 / (len(a) - 1) + se_b**2 / (len(b) - 1))
    half = float(stats.t.ppf(0.5 + confidence / 2, dof)) * se
    return difference, difference - half, difference + half
