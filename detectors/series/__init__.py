"""Online spike and level-shift detection for time series (error counts, metric streams).

Public API: ``AnomalySettings``, ``score_series``, ``score_many`` and the scikit-learn style
``OnlineAnomalyDetector``. Every score uses only data up to its own timestamp.
"""

from detectors.series.estimator import OnlineAnomalyDetector
from detectors.series.inputs import SeriesInputError
from detectors.series.scoring import score_many, score_series
from detectors.series.settings import AnomalySettings, SettingsError

__all__ = [
    "AnomalySettings",
    "OnlineAnomalyDetector",
    "SeriesInputError",
    "SettingsError",
    "score_many",
    "score_series",
]
