"""forewarn anomalies: scores a timestamp,value CSV; bad input is one clear line and exit code 2."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from series_helpers import daily_counts, hourly

from pipeline.cli import main


@pytest.fixture
def series_csv(tmp_path):
    stamps = hourly(21)
    values = daily_counts(stamps, mean=15, seed=4)
    values[400] += 100
    path = tmp_path / "series.csv"
    pd.DataFrame({"timestamp": stamps.strftime("%Y-%m-%d %H:%M:%S"), "value": values}).to_csv(
        path, index=False
    )
    return path


def test_scores_every_row_and_marks_the_spike(series_csv, tmp_path, capsys):
    out = tmp_path / "out" / "scored.csv"
    assert main(["anomalies", str(series_csv), "--out", str(out)]) == 0
    scored = pd.read_csv(out)
    assert list(scored.columns) == ["timestamp", "value", "score", "alert", "kind"]
    assert len(scored) == 21 * 24
    assert scored["alert"].dtype == bool
    assert list(scored.index[scored["alert"]]) == [400]
    assert scored.loc[400, "kind"] == "spike"
    assert scored["score"].iloc[:24].isna().all() and scored["score"].iloc[48:].notna().all()
    assert "1 alert (1 spike, 0 level shifts)" in capsys.readouterr().out


def test_direction_option_reaches_the_detector(series_csv, tmp_path):
    frame = pd.read_csv(series_csv)
    frame.loc[400, "value"] = 0  # a drop instead of a spike
    frame.to_csv(series_csv, index=False)
    out = tmp_path / "up.csv"
    assert main(["anomalies", str(series_csv), "--out", str(out), "--direction", "up"]) == 0
    assert not pd.read_csv(out)["alert"].any()


def _error(capsys, *args: str) -> str:
    assert main(["anomalies", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    return err


def test_missing_file(tmp_path, capsys):
    err = _error(capsys, str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o.csv"))
    assert "nope.csv: no such file" in err


def test_empty_file(tmp_path, capsys):
    path = tmp_path / "empty.csv"
    path.write_text("")
    assert "empty.csv is empty" in _error(capsys, str(path), "--out", str(tmp_path / "o.csv"))


def test_header_without_rows(tmp_path, capsys):
    path = tmp_path / "header.csv"
    path.write_text("timestamp,value\n")
    assert "has a header but no rows" in _error(capsys, str(path), "--out", str(tmp_path / "o.csv"))


def test_missing_column(tmp_path, capsys):
    path = tmp_path / "cols.csv"
    path.write_text("time,value\n2024-01-01,1\n")
    err = _error(capsys, str(path), "--out", str(tmp_path / "o.csv"))
    assert "no column timestamp" in err and "found: time, value" in err


def test_unparseable_timestamp_quotes_line_and_value(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("timestamp,value\n2024-01-01 00:00,1\n2024-01-01 01:00,2\n31/02/2024 5pm,3\n")
    err = _error(capsys, str(path), "--out", str(tmp_path / "o.csv"))
    assert "line 4 has timestamp '31/02/2024 5pm'" in err


def test_text_value_quotes_line(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("timestamp,value\n2024-01-01 00:00,1\n2024-01-01 01:00,lots\n")
    assert "line 3 has value 'lots'" in _error(capsys, str(path), "--out", str(tmp_path / "o.csv"))


def test_missing_as_zero_needs_a_step(series_csv, tmp_path, capsys):
    err = _error(capsys, str(series_csv), "--out", str(tmp_path / "o.csv"), "--missing-as-zero")
    assert "--step-hours" in err


def test_blank_value_is_kept_unscored(tmp_path):
    path = tmp_path / "blank.csv"
    stamps = hourly(3)
    values = np.arange(len(stamps), dtype=float).astype(str)
    values[40] = ""
    pd.DataFrame({"timestamp": stamps.strftime("%Y-%m-%dT%H:%M:%SZ"), "value": values}).to_csv(
        path, index=False
    )
    out = tmp_path / "o.csv"
    assert main(["anomalies", str(path), "--out", str(out)]) == 0
    scored = pd.read_csv(out)
    assert (
        len(scored) == len(stamps) and np.isnan(scored.loc[40, "value"]) and np.isnan(scored.loc[40, "score"])
    )


def test_option_defaults_are_the_detector_defaults():
    from detectors.series import AnomalySettings
    from pipeline.cli.anomalies import command

    defaults = {p.name: p.default for p in command.params}
    settings = AnomalySettings()
    for name in ("threshold", "direction", "cooldown_hours", "step_hours", "missing_as_zero"):
        assert defaults[name] == getattr(settings, name), name
