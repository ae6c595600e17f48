"""``forewarn anomalies``: run the online spike / level-shift detector on one series, no warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from pipeline.cli.csv_input import read_text_csv
from pipeline.cli.errors import UserError

if TYPE_CHECKING:  # pandas is heavy: imported when the command runs, not for --help
    import pandas as pd


@click.command()
@click.argument("series_csv", type=click.Path(path_type=Path))
@click.option("--out", "out_path", required=True, type=click.Path(path_type=Path), help="CSV file to write.")
@click.option("--threshold", type=float, default=5.0, show_default=True, help="Robust z-score that alerts.")
@click.option(
    "--direction",
    type=click.Choice(["both", "up", "down"]),
    default="both",
    show_default=True,
    help="Which deviations alert (up = more errors).",
)
@click.option(
    "--cooldown-hours", type=float, default=12.0, show_default=True, help="No new alert this long after one."
)
@click.option(
    "--step-hours",
    type=float,
    default=0.0,
    show_default=True,
    help="Sampling step; 0 infers it from the first observations.",
)
@click.option(
    "--missing-as-zero",
    is_flag=True,
    default=False,
    help="Absent steps are zero counts (hourly error counts); needs --step-hours.",
)
def command(
    series_csv: Path,
    out_path: Path,
    threshold: float,
    direction: str,
    cooldown_hours: float,
    step_hours: float,
    missing_as_zero: bool,
) -> None:
    """Score SERIES_CSV (columns timestamp,value) into OUT (timestamp,value,score,alert,kind).

    Online: each row's score and alert use only the rows up to its own timestamp, as if the
    series arrived one row at a time. Timestamps are ISO 8601 (no offset means UTC) and are
    written back in UTC, sorted. score is a robust z-score (empty during the warm-up); kind is
    spike, level_shift or empty.
    """
    import dataclasses

    import pandas as pd

    from detectors.series import AnomalySettings, SeriesInputError, SettingsError, score_series
    from detectors.series.inputs import to_float_values, to_utc_nanoseconds

    if missing_as_zero and step_hours <= 0:
        raise UserError(
            "--missing-as-zero needs the grid of expected steps: add --step-hours (1 for hourly counts)"
        )
    try:
        settings = dataclasses.replace(
            AnomalySettings(),
            threshold=threshold,
            direction=direction,
            cooldown_hours=cooldown_hours,
            step_hours=step_hours,
            missing_as_zero=missing_as_zero,
        ).validate()
    except SettingsError as exc:
        raise UserError(f"bad option: {exc}") from exc
    frame = read_text_csv(
        series_csv, ("timestamp", "value"), row="observation", purpose="score", skip_initial_space=True
    )
    try:
        # Line numbers as a person sees them in the file: the header is line 1.
        stamps = to_utc_nanoseconds(
            _cells(frame["timestamp"]), str(series_csv), first_row=2, row_label="line"
        )
        values = to_float_values(_cells(frame["value"]), str(series_csv), first_row=2, row_label="line")
    except SeriesInputError as exc:
        raise UserError(f"{exc}; fix that line and rerun") from exc
    scored = score_series(pd.to_datetime(stamps, unit="ns", utc=True), values, settings)
    _write(scored, out_path)
    from pipeline.report.formatting import counted

    alerts = scored[scored["alert"]]
    spikes = int((alerts["kind"] == "spike").sum())
    click.echo(
        f"scored {len(scored)} rows of {series_csv}: {counted(len(alerts), 'alert')} "
        f"({counted(spikes, 'spike')}, {counted(len(alerts) - spikes, 'level shift')}) -> {out_path}"
    )


def _cells(column: pd.Series) -> pd.Series:
    """Stripped text, with blank cells as missing."""
    return column.str.strip().replace("", None)


def _write(scored: pd.DataFrame, out_path: Path) -> None:
    out = scored.copy()
    out["timestamp"] = out["timestamp"].map(lambda t: t.isoformat())
    out["score"] = out["score"].round(4)
    out["alert"] = out["alert"].map({True: "true", False: "false"})
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out.to_csv(out_path, index=False, columns=["timestamp", "value", "score", "alert", "kind"])
    except OSError as exc:
        raise UserError(f"cannot write {out_path}: {exc.strerror}") from exc
