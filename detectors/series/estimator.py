"""The detector as a scikit-learn style estimator over frames of ``timestamp, value`` rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from detectors.series.inputs import SeriesInputError, require_columns
from detectors.series.scoring import score_many
from detectors.series.settings import AnomalySettings

SERIES_ID = "series_id"


class OnlineAnomalyDetector(BaseEstimator):
    """Online spike / level-shift detector for one or many time series.

    Nothing is learned from a training set: every score uses only the rows of its own series up
    to its timestamp, so ``fit`` only validates the settings. ``X`` is a frame with ``timestamp``
    and ``value`` columns, plus ``series_id`` when it holds several series. Hyperparameters are
    the fields of ``AnomalySettings`` (hours, never steps).
    """

    def __init__(
        self,
        *,
        threshold: float = 5.0,
        window_hours: float = 24.0,
        season_hours: tuple[float, ...] = (24.0, 168.0),
        season_count: int = 7,
        spread_window_hours: float = 168.0,
        smooth_hours: float = 1.0,
        shift_window_hours: float = 3.0,
        min_history_hours: float = 24.0,
        record_window_hours: float = 336.0,
        record_factor: float = 1.0,
        seasonal_trust_hours: float = 72.0,
        cooldown_hours: float = 12.0,
        direction: str = "both",
        relative_spread_floor: float = 0.001,
        move_spread_share: float = 0.5,
        count_spread_floor: bool = True,
        step_hours: float = 0.0,
        missing_as_zero: bool = False,
    ) -> None:
        self.threshold = threshold
        self.window_hours = window_hours
        self.season_hours = season_hours
        self.season_count = season_count
        self.spread_window_hours = spread_window_hours
        self.smooth_hours = smooth_hours
        self.shift_window_hours = shift_window_hours
        self.min_history_hours = min_history_hours
        self.record_window_hours = record_window_hours
        self.record_factor = record_factor
        self.seasonal_trust_hours = seasonal_trust_hours
        self.cooldown_hours = cooldown_hours
        self.direction = direction
        self.relative_spread_floor = relative_spread_floor
        self.move_spread_share = move_spread_share
        self.count_spread_floor = count_spread_floor
        self.step_hours = step_hours
        self.missing_as_zero = missing_as_zero

    def fit(self, X: pd.DataFrame | None = None, y: object = None) -> OnlineAnomalyDetector:
        """Validate the hyperparameters (and ``X``'s columns if given); return self.

        Raises:
            SettingsError: a hyperparameter is out of range.
            SeriesInputError: ``X`` lacks ``timestamp`` or ``value``.
        """
        self.settings_ = AnomalySettings(**self.get_params()).validate()
        if X is not None:
            _series_frame(X)
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Score every row: ``[series_id,] timestamp, value, score, alert, kind``, sorted by series and time."""
        check_is_fitted(self, "settings_")
        scored = score_many(_series_frame(X), self.settings_)
        return scored if SERIES_ID in X.columns else scored.drop(columns=SERIES_ID)

    def score_samples(self, X: pd.DataFrame) -> np.ndarray:
        """Anomaly score of each row of ``X``, in ``X``'s order (NaN during warm-up)."""
        return self._by_input_row(X)["score"].to_numpy(dtype=float)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Whether each row of ``X`` raises an alert, in ``X``'s order."""
        return self._by_input_row(X)["alert"].to_numpy(dtype=bool)

    def _by_input_row(self, X: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self, "settings_")
        scored = score_many(_series_frame(X), self.settings_, keep_input_row=True)
        scored = scored[scored["input_row"] >= 0]  # zeros inserted for missing steps have no row in X
        return scored.set_index("input_row").sort_index()


def _series_frame(X: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(X, pd.DataFrame):
        raise SeriesInputError(
            f"X must be a pandas DataFrame with timestamp and value columns, got {type(X).__name__}"
        )
    require_columns(X, ("timestamp", "value"), "X")
    series_id = X[SERIES_ID].to_numpy() if SERIES_ID in X.columns else 0
    return pd.DataFrame(
        {SERIES_ID: series_id, "timestamp": X["timestamp"].to_numpy(), "value": X["value"].to_numpy()}
    )
