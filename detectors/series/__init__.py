"""Online spike and level-shift detection for time series (error counts, metric streams).

Public API: ``AnomalySettings``, ``score_series``, ``score_many`` and the scikit-learn style
``OnlineAnomalyDetector``. Every score uses only data up to its own timestamp.

How a point is scored (modules in brackets):

1. Candidate baselines [baseline]: the median of the past ``window_hours``, and for each
   ``season_hours`` the median, over ``season_count`` past seasons, of the level at the same phase.
2. Per point, the candidate whose residuals were smallest over the past ``spread_window_hours``
   wins; the robust z-score is the residual over 1.4826 x the median absolute past residual,
   floored for constant series, mostly-zero series and Poisson counts, and for a spike at
   ``move_spread_share`` of the size of the series' nonzero moves: a series that mostly sits
   still has a median residual of zero, and its usual blips are not spikes [deviation].
3. Spike score: the point's own z. Level-shift score: the median residual of the last
   ``shift_window_hours``, over the typical size of that median in the past [deviation].
4. An alert needs a score >= ``threshold`` that also beats the largest score of the past
   ``record_window_hours`` (rises and falls apart), and no alert in the last ``cooldown_hours``
   [alerting]. The record gate is what keeps bursty series (tweet volumes) from alerting daily.
   Until a seasonal baseline has scored for ``seasonal_trust_hours``, a point it is chosen for
   must also beat the record of the best-fitting baseline that has (the rolling one at first):
   the record has not seen the young one's scale yet, and a young stream's third day alerted on it.

Windows are in hours; the step is inferred from the first observations' spacing [panel], so the
same settings serve 5-minute streams and hourly counts. Many series are scored as columns of one
array; since every statistic is causal, the batch and the one-series results are identical.
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
