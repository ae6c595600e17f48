"""WorldSettings refuses values that cannot make a useful world, naming the setting and the range."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from pipeline.simulate import WorldSettings, WorldSettingsError


@pytest.mark.parametrize(
    ("changes", "setting"),
    [
        ({"customers": 99}, "customers"),
        ({"customers": 2.5}, "customers"),
        ({"days": 6}, "days"),
        ({"days": 400}, "days"),
        ({"seed": -1}, "seed"),
        ({"events_per_customer_day": 0.0}, "events_per_customer_day"),
        ({"events_per_customer_day": float("nan")}, "events_per_customer_day"),
        ({"start": datetime(2026, 1, 1)}, "start"),
        ({"start": date(1999, 12, 31)}, "start"),
        ({"events_rows_per_file": 10}, "events_rows_per_file"),
    ],
)
def test_out_of_range_settings_are_refused(changes: dict, setting: str) -> None:
    with pytest.raises(WorldSettingsError) as raised:
        WorldSettings(**changes)
    assert raised.value.setting == setting
    assert str(raised.value).startswith(setting)


def test_defaults_match_the_command_line() -> None:
    settings = WorldSettings()
    assert (settings.customers, settings.days, settings.seed, settings.start) == (2000, 30, 7, date(2026, 1, 1))
    assert settings.events_per_customer_day == 4.0 and settings.dirty
