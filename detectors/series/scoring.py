"""Public entry points: score one series, or many series in one vectorised call."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from detectors.series.alerting import NO_KIND, raise_alerts
from detectors.series.deviation import measure_deviations
from detectors.series.inputs import require_columns, to_float_values, to_utc_nanoseconds
from detectors.series.panel import Panel, build_panels
from detectors.series.settings import AnomalySettings

logger = logging.getLogger(__name__)

# Columns scored together; bounds memory (a few arrays of rows x this many floats).
COLUMNS_PER_CHUNK = 2048
OUTPUT_COLUMNS = ("timestamp", "value", "score", "alert", "kind")


def score_series(
    timestamps: Sequence[Any] | pd.Series | np.ndarray,
    values: Sequence[Any] | pd.Series | np.ndarray,
    settings: AnomalySettings | None = None,
) -> pd.DataFrame:
    """Score one series online: each row's score and alert use only the rows up to its timestamp.

    Args:
        timestamps: ISO 8601 text or datetimes (no offset means UTC); any order, sorted here.
        values: numbers; NaN or empty means unknown (not scored, skipped by the baselines).
        settings: detector settings; defaults to ``AnomalySettings()``.

    Returns:
        Columns ``timestamp`` (UTC), ``value``, ``score`` (robust z, NaN during warm-up),
        ``alert`` (bool) and ``kind`` (``spike``, ``level_shift`` or empty), sorted by time.
    """
    if len(timestamps) != len(values):
        raise ValueError(f"timestamps and values differ in length: {len(timestamps)} vs {len(values)}")
    frame = pd.DataFrame(
        {
            "series_id": 0,
            "timestamp": pd.Series(timestamps, copy=False).to_numpy(),
            "value": pd.Series(values, copy=False).to_numpy(),
        }
    )
    return score_many(frame, settings).drop(columns="series_id").reset_index(drop=True)


def score_many(
    frame: pd.DataFrame, settings: AnomalySettings | None = None, *, keep_input_row: bool = False
) -> pd.DataFrame:
    """Score many series in one vectorised pass; identical, series by series, to ``score_series``.

    Args:
        frame: columns ``series_id``, ``timestamp``, ``value`` (long format, any order).
        settings: detector settings; defaults to ``AnomalySettings()``.
        keep_input_row: add ``input_row``, the position of each row in ``frame`` (-1 for a
            zero inserted by ``missing_as_zero``).

    Returns:
        ``series_id`` plus the columns of ``score_series``, sorted by series (first appearance)
        then time. With ``missing_as_zero``, absent steps appear as rows of value 0.

    Raises:
        SeriesInputError: a column is missing, or a timestamp or value cannot be read.
    """
    settings = (settings or AnomalySettings()).validate()
    require_columns(frame, ("series_id", "timestamp", "value"), "series frame")
    codes, ids = pd.factorize(frame["series_id"], use_na_sentinel=False)
    stamps = to_utc_nanoseconds(frame["timestamp"], "timestamp")
    values = to_float_values(frame["value"], "value")
    order = np.lexsort((stamps, codes))
    codes, stamps, values = codes[order], stamps[order], values[order]

    panels, inserted = build_panels(codes, stamps, values, settings)
    total = codes.size + len(inserted)
    score = np.full(total, np.nan)
    alert = np.zeros(total, dtype=bool)
    kind = np.full(total, NO_KIND, dtype=object)
    for panel in _chunks(panels):
        deviations = measure_deviations(panel, settings)
        alerts = raise_alerts(
            deviations,
            panel.seconds,
            threshold=settings.threshold,
            record_steps=panel.windows.record,
            record_factor=settings.record_factor,
            cooldown_hours=settings.cooldown_hours,
            direction=settings.direction,
        )
        real = panel.positions >= 0
        where = panel.positions[real]
        score[where] = alerts.score[real]
        alert[where] = alerts.alert[real]
        kind[where] = alerts.kind[real]

    all_codes = np.concatenate([codes, inserted["code"].to_numpy(dtype=np.int64)])
    all_stamps = np.concatenate([stamps, inserted["timestamp_ns"].to_numpy(dtype=np.int64)])
    all_values = np.concatenate([values, np.zeros(len(inserted))])
    result = pd.DataFrame(
        {
            "series_id": ids.take(all_codes),
            "timestamp": pd.to_datetime(all_stamps, unit="ns", utc=True),
            "value": all_values,
            "score": score,
            "alert": alert,
            "kind": kind,
            "input_row": np.concatenate([order, np.full(len(inserted), -1, dtype=np.int64)]),
        }
    )
    if len(inserted):
        result = result.iloc[np.lexsort((np.arange(total), all_stamps, all_codes))]
    logger.info("scored %s series, %s rows, %s alerts", len(ids), total, int(alert.sum()))
    if not keep_input_row:
        result = result.drop(columns="input_row")
    return result.reset_index(drop=True)


def _chunks(panels: list[Panel]) -> Iterator[Panel]:
    """Split wide panels into column chunks of similar length (results per column are unchanged)."""
    for panel in panels:
        lengths = np.isfinite(panel.seconds).sum(axis=0)
        order = np.argsort(lengths, kind="stable")
        for start in range(0, order.size, COLUMNS_PER_CHUNK):
            columns = order[start : start + COLUMNS_PER_CHUNK]
            rows = max(int(lengths[columns].max()), 1)
            yield Panel(
                values=panel.values[:rows, columns],
                seconds=panel.seconds[:rows, columns],
                positions=panel.positions[:rows, columns],
                first_scored_row=panel.first_scored_row,
                windows=panel.windows,
            )
