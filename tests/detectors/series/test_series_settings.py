"""AnomalySettings: bad values fail with the setting's name and value; seasons accept one number."""

from __future__ import annotations

import pytest

from detectors.series import AnomalySettings, SettingsError


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"threshold": 0}, "threshold must be > 0, got 0"),
        ({"window_hours": -1.0}, "window_hours must be > 0"),
        ({"cooldown_hours": float("nan")}, "cooldown_hours must be a finite number"),
        ({"season_count": 0}, "season_count must be a whole number >= 1, got 0"),
        ({"direction": "sideways"}, "direction must be one of"),
        ({"season_hours": (24.0, -3.0)}, "season_hours must be > 0, got -3.0"),
        ({"season_hours": (0.5,)}, "must be >= smooth_hours"),
        ({"missing_as_zero": True}, "missing_as_zero needs step_hours > 0"),
        ({"count_spread_floor": "yes"}, "count_spread_floor must be True or False"),
        ({"seasonal_trust_hours": -1}, "seasonal_trust_hours must be >= 0, got -1"),
        ({"move_spread_share": -0.5}, "move_spread_share must be >= 0, got -0.5"),
    ],
)
def test_bad_setting_is_named_with_its_value(changes, message):
    with pytest.raises(SettingsError, match=message.replace("(", r"\(")):
        AnomalySettings(**changes).validate()


def test_one_season_number_becomes_a_tuple_and_zero_disables_seasons():
    assert AnomalySettings(season_hours=24).season_hours == (24,)
    assert AnomalySettings(season_hours=0).season_hours == ()
    assert AnomalySettings(season_hours=[24, 168]).validate().season_hours == (24, 168)


def test_settings_are_frozen():
    with pytest.raises(AttributeError):
        AnomalySettings().threshold = 3  # type: ignore[misc]
