"""Ordering app versions the way a release train does: 5.4 == 5.4.0 < 5.4.1-beta < 5.4.1 < 2026.1.3."""

from __future__ import annotations

import re

VersionKey = tuple[tuple[int, ...], int, tuple[tuple[int, int, str], ...]]
"""(release numbers without trailing zeros, 1 for a release or 0 for a pre-release, pre-release parts)."""

_VERSION = re.compile(r"^[vV]?(\d+(?:\.\d+)*)(.*)$")
_PRERELEASE_PART = re.compile(r"\d+|[a-z]+")


def parse_version(text: object) -> VersionKey | None:
    """Return a sort key for an app version, or None when the text holds no version number.

    Accepts ``5.4.0``, ``5.4`` (equal to ``5.4.0``), ``v5.4.0``, ``5.4.0-beta.2``, ``5.4.0b2``,
    ``5.4.0-rc1+build.7`` (build metadata ignored), ``2026.1.3``, ``5.4.0 (1234)`` (text after a blank
    ignored). Pre-releases sort before their release, numerically within (``rc2`` < ``rc10``), as SemVer.
    """
    if text is None or (isinstance(text, float) and text != text):
        return None
    parts = str(text).strip().split()
    if not parts:
        return None
    match = _VERSION.match(parts[0].split("+", 1)[0])
    if match is None:
        return None
    numbers = [int(number) for number in match.group(1).split(".")]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()  # 5.4.0 == 5.4
    prerelease = tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in _PRERELEASE_PART.findall(match.group(2).lower())
    )
    return (tuple(numbers), 0 if prerelease else 1, prerelease)


def sort_versions(versions: list[str]) -> list[str]:
    """Return the readable versions in ascending order; unreadable ones are left out."""
    readable = [(key, version) for version in versions if (key := parse_version(version)) is not None]
    return [version for _, version in sorted(readable, key=lambda pair: (pair[0], pair[1]))]


def canonical_version(text: object) -> str:
    """Return one spelling per version (``v5.4.0`` and ``5.4`` -> ``5.4``; ``5.4.0-RC.1`` -> ``5.4-rc.1``).

    Text that holds no version comes back trimmed and lowercased, so it still compares stably.
    """
    key = parse_version(text)
    if key is None:
        return "" if text is None else str(text).strip().lower()
    numbers, _, prerelease = key
    release = ".".join(str(number) for number in numbers)
    parts = [str(number) if kind == 0 else word for kind, number, word in prerelease]
    return f"{release}-{'.'.join(parts)}" if parts else release
