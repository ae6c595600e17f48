"""score_many: one vectorised call gives, series by series, exactly what score_series gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
from series_helpers import daily_counts, hourly

from detectors.series import AnomalySettings, score_many, score_series


def _mixed_frame() -> pd.DataFrame:
    """Hourly counts of different lengths, a 5-minute stream, a gappy one and a two-row one."""
    parts = []
    for sid, days in enumerate([14, 9, 21, 14]):
        stamps = hourly(days, start=f"2024-02-0{sid + 1}")
        values = daily_counts(stamps, mean=5 + 10 * sid, seed=sid)
        values[len(values) // 2 + sid] += 80
        parts.append(pd.DataFrame({"series_id": f"sig-{sid}", "timestamp": stamps, "value": values}))
    fine = pd.date_range("2024-02-01", periods=288 * 6, freq="5min", tz="UTC")
    fine_values = np.random.default_rng(5).normal(20, 1, len(fine))
    fine_values[1500] = 40
    parts.append(pd.DataFrame({"series_id": "fine", "timestamp": fine, "value": fine_values}))
    gappy = hourly(20)[np.r_[0:150, 230:480]]
    parts.append(
        pd.DataFrame({"series_id": "gappy", "timestamp": gappy, "value": daily_counts(gappy, mean=9, seed=9)})
    )
    parts.append(pd.DataFrame({"series_id": "tiny", "timestamp": hourly(1)[:2], "value": [1.0, 2.0]}))
    frame = pd.concat(parts, ignore_index=True)
    return frame.sample(frac=1.0, random_state=3).reset_index(drop=True)  # batch input in any order


def test_batch_equals_series_by_series():
    frame = _mixed_frame()
    batch = score_many(frame)
    assert batch["alert"].sum() >= 5  # the planted spikes, so alerts are compared too
    assert list(batch["series_id"].unique()) == list(frame["series_id"].unique())
    for sid, rows in frame.groupby("series_id", sort=False):
        single = score_series(rows["timestamp"], rows["value"])
        part = batch[batch["series_id"] == sid].drop(columns="series_id").reset_index(drop=True)
        pd.testing.assert_frame_equal(part, single)


def test_batch_equals_series_by_series_with_missing_hours_as_zero():
    frame = _mixed_frame()
    frame = frame[frame["series_id"] != "fine"]
    settings = AnomalySettings(step_hours=1.0, missing_as_zero=True)
    batch = score_many(frame, settings)
    gappy = batch[batch["series_id"] == "gappy"]
    assert len(gappy) == 480 and (gappy["value"].iloc[150:230] == 0).all()
    for sid, rows in frame.groupby("series_id", sort=False):
        single = score_series(rows["timestamp"], rows["value"], settings)
        part = batch[batch["series_id"] == sid].drop(columns="series_id").reset_index(drop=True)
        pd.testing.assert_frame_equal(part, single)


def test_input_row_maps_results_back_to_the_callers_rows():
    frame = _mixed_frame()
    batch = score_many(frame, keep_input_row=True)
    back = batch.set_index("input_row").sort_index()
    assert (back.index == np.arange(len(frame))).all()
    assert (back["series_id"].to_numpy() == frame["series_id"].to_numpy()).all()
    assert (back["value"].to_numpy() == frame["value"].to_numpy()).all()
