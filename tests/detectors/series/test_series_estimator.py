"""OnlineAnomalyDetector follows the scikit-learn estimator contract over timestamp/value frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from series_helpers import daily_counts, hourly
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from detectors.series import (
    AnomalySettings,
    OnlineAnomalyDetector,
    SeriesInputError,
    SettingsError,
    score_series,
)


def _frame() -> pd.DataFrame:
    stamps = hourly(21)
    values = daily_counts(stamps, mean=12, seed=2)
    values[300] += 90
    return pd.DataFrame({"timestamp": stamps, "value": values})


def test_hyperparameters_mirror_the_settings():
    assert set(OnlineAnomalyDetector().get_params()) == set(AnomalySettings.names())
    assert OnlineAnomalyDetector().fit().settings_ == AnomalySettings()


def test_fit_returns_self_and_clone_keeps_parameters():
    detector = OnlineAnomalyDetector(threshold=6.0, direction="up")
    assert detector.fit(_frame()) is detector
    copy = clone(detector)
    assert copy.get_params() == detector.get_params() and not hasattr(copy, "settings_")


def test_predict_before_fit_raises():
    with pytest.raises(NotFittedError):
        OnlineAnomalyDetector().predict(_frame())


def test_bad_hyperparameter_fails_at_fit():
    with pytest.raises(SettingsError, match="cooldown_hours"):
        OnlineAnomalyDetector(cooldown_hours=-1).fit()


def test_predict_and_scores_follow_the_rows_of_x():
    frame = _frame()
    shuffled = frame.sample(frac=1.0, random_state=0)
    detector = OnlineAnomalyDetector().fit(shuffled)
    alerts = detector.predict(shuffled)
    assert list(shuffled.loc[alerts, "timestamp"]) == [frame.loc[300, "timestamp"]]
    reference = score_series(frame["timestamp"], frame["value"])
    np.testing.assert_array_equal(detector.score_samples(frame), reference["score"].to_numpy())


def test_transform_scores_several_series_when_x_has_series_id():
    one, two = _frame().assign(series_id="a"), _frame().assign(series_id="b", value=lambda f: f["value"] * 2)
    scored = OnlineAnomalyDetector().fit().transform(pd.concat([one, two]))
    assert list(scored.columns) == ["series_id", "timestamp", "value", "score", "alert", "kind"]
    assert scored.groupby("series_id")["alert"].sum().to_dict() == {"a": 1, "b": 1}


def test_frame_without_value_column_is_refused():
    with pytest.raises(SeriesInputError, match="missing column"):
        OnlineAnomalyDetector().fit(pd.DataFrame({"timestamp": ["2024-01-01"]}))
