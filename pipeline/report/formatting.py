"""Numbers, money, dates and durations in the plain words a product manager reads."""

from __future__ import annotations

from datetime import date, datetime, timedelta

_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_PLATFORMS = {"android": "Android", "ios": "iOS", "ipados": "iPadOS", "macos": "macOS", "web": "Web",
              "windows": "Windows", "linux": "Linux"}


def count(value: int) -> str:
    """1234 -> '1,234'."""
    return f"{value:,}"


def count_words(value: int) -> str:
    """Small counts as words (style guides spell out zero to nine), larger ones as digits."""
    return _WORDS[value] if 0 <= value < len(_WORDS) else count(value)


def plural(value: int, singular: str, plural_form: str | None = None) -> str:
    return singular if value == 1 else (plural_form or singular + "s")


def counted(value: int, singular: str, plural_form: str | None = None, *, words: bool = False) -> str:
    """'1 ticket', '3 customers', or with ``words`` 'three customers'."""
    number = count_words(value) if words else count(value)
    return f"{number} {plural(value, singular, plural_form)}"


def money(value: float | None) -> str:
    """Monthly revenue in short form: $950, $12.3k, $1.2M; an em dash when unknown."""
    if value is None:
        return "—"
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 999_500:
        return f"{sign}${value / 1_000_000:.1f}M".replace(".0M", "M")
    if value >= 999.5:
        return f"{sign}${value / 1000:.1f}k".replace(".0k", "k")
    return f"{sign}${value:,.0f}"


def percent(value: float | None, digits: int = 0) -> str:
    """0.123 -> '12%'; an em dash when unknown."""
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def share(part: int, whole: int) -> str:
    """'45%' of a whole, or an em dash when the whole is zero."""
    return percent(part / whole) if whole else "—"


def change(current: int, previous: int) -> str:
    """'+35%', '-12%', 'new' (from zero) or 'no change'."""
    if previous == 0:
        return "new" if current else "no change"
    delta = (current - previous) / previous
    if round(delta * 100) == 0:
        return "no change"
    return f"{delta * 100:+.0f}%"


def duration(value: timedelta | None) -> str:
    """A lag in the largest sensible unit: '40 min', '5.5 h', '2.3 days'."""
    if value is None:
        return "—"
    minutes = value.total_seconds() / 60
    if minutes < 1:
        return "under 1 min"
    if minutes < 90:
        return f"{minutes:.0f} min"
    hours = minutes / 60
    if hours < 48:
        return f"{hours:.1f} h".replace(".0 h", " h")
    return f"{hours / 24:.1f} days".replace(".0 days", " days")


def day(value: date | datetime | None) -> str:
    """'Tue 5 Mar 2024'; an em dash when unknown."""
    if value is None:
        return "—"
    return f"{value:%a} {value.day} {value:%b %Y}"


def short_day(value: date | datetime | None) -> str:
    """'5 Mar'."""
    return "—" if value is None else f"{value.day} {value:%b}"


def timestamp(value: datetime | None) -> str:
    """'Tue 5 Mar 2024, 14:05 UTC'."""
    return "—" if value is None else f"{day(value)}, {value:%H:%M} UTC"


def short_timestamp(value: datetime | None) -> str:
    """'3 Mar, 09:00' (UTC)."""
    return "—" if value is None else f"{value.day} {value:%b}, {value:%H:%M}"


def since(value: datetime | None, as_of: datetime) -> str:
    """When something started, relative to the report: 'today', 'Tuesday', or '12 March'."""
    if value is None:
        return "an unknown date"
    # Relative to the day the report is read (its as-of day), as a person would say it on that day.
    days_ago = (as_of.date() - value.date()).days
    if days_ago <= 0:
        return "today"
    if days_ago == 1:
        return "yesterday"
    if days_ago < 7:
        return f"{value:%A}"
    return f"{value.day} {value:%B}"


def platform(value: str | None) -> str:
    if not value:
        return ""
    return _PLATFORMS.get(value.lower(), value)


def release(app_version: str | None, platform_name: str | None) -> str:
    """'5.4.0 Android', or whichever half is known."""
    return " ".join(part for part in (app_version, platform(platform_name)) if part)


_KIND_PHRASES = {"spike": "a spike of", "level_shift": "a lasting rise in", "new_signature": "a new error,"}


def incident_phrase(kind: str, name: str | None, error_code: str | None, feature: str | None,
                    platform_name: str | None, app_version: str | None) -> str:
    """What happened, as a sentence names it: 'a spike of E_SYNC_TIMEOUT in sync on iOS'.

    The error code comes before the signature's name: a name is often only the event's ("error",
    "crash"), which says nothing to a reader.
    """
    if kind == "release_regression":
        return f"a release regression in {release(app_version, platform_name)}".rstrip()
    what = error_code or name or "errors"
    phrase = f"{_KIND_PHRASES.get(kind, kind.replace('_', ' ') + ' of')} {what}"
    if feature:
        phrase += f" in {feature}"
    if platform_name:
        phrase += f" on {platform(platform_name)}"
    return phrase


def rate(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def points(value: float | None) -> str:
    """A difference of two rates in percentage points: '+3.1 pp'."""
    return "—" if value is None else f"{value * 100:+.1f} pp"
