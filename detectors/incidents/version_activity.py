"""Reading the per-version activity and per-customer frames of the release-regression detector."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from detectors.incidents.inputs import IncidentInputError, require_columns, to_counts, to_utc
from detectors.incidents.versions import VersionKey, parse_version

logger = logging.getLogger(__name__)

ACTIVITY_COLUMNS = ("platform", "app_version", "active_customers", "error_events", "erroring_customers")
"""Plus one time column, ``hour`` or ``day`` (``event_hourly``-like or ``version_activity_daily``)."""
CUSTOMER_COLUMNS = ("platform", "app_version", "customer_id", "first_active_at", "first_error_at")
"""Optional per-customer frame; may add ``error_events``."""
SIGNATURE_COLUMNS = ("platform", "app_version", "signature_id", "erroring_customers")
"""Optional per-signature frame, plus the activity frame's time column: distinct customers per period who
hit each error signature on each version."""
PERIOD_UNITS = {"hour": "h", "day": "D"}
"""Time column name -> the unit periods are floored to."""
NEVER = np.iinfo(np.int64).max
"""``error_t`` of a customer with no error yet: a time that no period reaches."""


def read_activity(
    activity: pd.DataFrame, as_of: pd.Timestamp | None
) -> tuple[str, pd.DataFrame, dict[VersionKey, int]]:
    """Validate activity, floor the periods, rank the versions, sum duplicate keys.

    Returns the time column's name, the rows, and the rank of every readable version (unreadable
    versions are dropped and logged).
    """
    source = "version activity"
    time_column = next((c for c in PERIOD_UNITS if c in activity.columns), None)
    if time_column is None:
        require_columns(activity, ("hour or day",), source)
    require_columns(activity, ACTIVITY_COLUMNS, source)
    frame = pd.DataFrame(
        {
            "period": to_utc(activity[time_column], f"{source}, column {time_column}").dt.floor(
                PERIOD_UNITS[time_column]
            ),
            "platform": _platform(activity["platform"]),
            "label": activity["app_version"]
            .astype("str")
            .str.strip()
            .where(activity["app_version"].notna(), ""),
            "active": to_counts(activity["active_customers"], f"{source}, column active_customers"),
            "events": to_counts(activity["error_events"], f"{source}, column error_events"),
            "erroring": to_counts(activity["erroring_customers"], f"{source}, column erroring_customers"),
        }
    )
    too_many = frame["erroring"] > frame["active"]
    if too_many.any():
        row = int(np.flatnonzero(too_many.to_numpy())[0])
        raise IncidentInputError(
            f"{source}: row {row} has erroring_customers {frame['erroring'].iloc[row]} > active_customers "
            f"{frame['active'].iloc[row]}; count as active every customer with any event in the period"
        )
    if as_of is not None:
        frame = frame.loc[frame["period"] <= as_of]
    keys = _version_keys(frame["label"], source)
    ranks = {key: rank for rank, key in enumerate(sorted(set(keys.values()) - {None}))}
    frame = _with_versions(frame, keys, ranks)
    labels = _canonical_labels(frame)
    summed = frame.groupby(["platform", "version", "period"], as_index=False, sort=True)[
        ["active", "events", "erroring"]
    ].sum()
    summed["label"] = [labels[(p, v)] for p, v in zip(summed["platform"], summed["version"], strict=True)]
    summed["t"] = _nanoseconds(summed["period"])
    return time_column, summed, ranks


def read_customers(
    customers: pd.DataFrame, period: str, as_of: pd.Timestamp | None, ranks: dict[VersionKey, int]
) -> pd.DataFrame:
    """Validate the per-customer frame; one row per (platform, version, customer), times floored to periods.

    Versions absent from the activity frame are dropped: with no activity they are never judged.
    """
    source = "version customers"
    require_columns(customers, CUSTOMER_COLUMNS, source)
    unit = PERIOD_UNITS[period]
    frame = pd.DataFrame(
        {
            "platform": _platform(customers["platform"]),
            "label": customers["app_version"]
            .astype("str")
            .str.strip()
            .where(customers["app_version"].notna(), ""),
            "customer_id": customers["customer_id"].astype("str"),
            "first_active_at": to_utc(customers["first_active_at"], f"{source}, column first_active_at"),
            "first_error_at": to_utc(
                customers["first_error_at"], f"{source}, column first_error_at", allow_missing=True
            ),
            "error_events": (
                to_counts(customers["error_events"], f"{source}, column error_events")
                if "error_events" in customers.columns
                else 0
            ),
        }
    )
    frame["active_period"] = frame["first_active_at"].dt.floor(unit)
    frame["error_period"] = frame["first_error_at"].dt.floor(unit)
    if as_of is not None:
        frame = frame.loc[frame["active_period"] <= as_of]
        late = frame["error_period"] > as_of
        frame.loc[late, ["first_error_at", "error_period"]] = pd.NaT
    frame = _with_versions(frame, _version_keys(frame["label"], source), ranks)
    grouped = frame.groupby(["platform", "version", "customer_id"], as_index=False, sort=False)
    people = grouped.agg(
        active_period=("active_period", "min"),
        error_period=("error_period", "min"),
        first_error_at=("first_error_at", "min"),
        error_events=("error_events", "sum"),
    )
    people["active_t"] = _nanoseconds(people["active_period"])
    people["error_t"] = _nanoseconds(people["error_period"])
    return people


def read_signature_errors(
    errors: pd.DataFrame, period: str, as_of: pd.Timestamp | None, ranks: dict[VersionKey, int]
) -> pd.DataFrame:
    """Validate the per-signature frame: one row per (platform, version, signature, period), periods floored
    as the activity's, with ``t``. Versions the activity frame does not know are dropped (never judged)."""
    source = "version signature errors"
    require_columns(errors, (period, *SIGNATURE_COLUMNS), source)
    if errors["signature_id"].isna().any():
        raise IncidentInputError(f"{source}: column signature_id has missing values; leave such rows out")
    frame = pd.DataFrame(
        {
            "period": to_utc(errors[period], f"{source}, column {period}").dt.floor(PERIOD_UNITS[period]),
            "platform": _platform(errors["platform"]),
            "label": errors["app_version"].astype("str").str.strip().where(errors["app_version"].notna(), ""),
            "signature_id": errors["signature_id"].astype("str"),
            "erroring": to_counts(errors["erroring_customers"], f"{source}, column erroring_customers"),
        }
    )
    if as_of is not None:
        frame = frame.loc[frame["period"] <= as_of]
    frame = _with_versions(frame, _version_keys(frame["label"], source), ranks)
    summed = frame.groupby(["platform", "version", "signature_id", "period"], as_index=False, sort=True)[
        "erroring"
    ].sum()
    summed["t"] = _nanoseconds(summed["period"])
    return summed


def _platform(values: pd.Series) -> pd.Series:
    """Platforms trimmed and lowercased; missing is ``""`` (its own platform)."""
    return values.astype("str").str.strip().str.lower().where(values.notna(), "")


def _version_keys(labels: pd.Series, source: str) -> dict[str, VersionKey | None]:
    """Parse each distinct version label; log those that are not versions (their rows are dropped)."""
    keys = {label: parse_version(label) for label in labels.unique()}
    unreadable = sorted(label for label, key in keys.items() if key is None)
    if unreadable:
        logger.warning(
            "%s: ignoring %s version(s) that are not version numbers: %s",
            source,
            len(unreadable),
            unreadable[:5],
        )
    return keys


def _with_versions(
    frame: pd.DataFrame, keys: dict[str, VersionKey | None], ranks: dict[VersionKey, int]
) -> pd.DataFrame:
    """Add the integer ``version`` rank (ordered like the versions); drop rows without one."""
    rank_of = {label: ranks.get(key, -1) if key is not None else -1 for label, key in keys.items()}
    frame = frame.assign(version=frame["label"].map(rank_of).astype("int64"))
    return frame.loc[frame["version"] >= 0]


def _nanoseconds(stamps: pd.Series) -> np.ndarray:
    """UTC nanoseconds since the epoch; missing becomes :data:`NEVER`."""
    missing = stamps.isna().to_numpy()
    values = stamps.fillna(pd.Timestamp(0, tz="UTC")).dt.as_unit("ns").astype("int64").to_numpy()
    return np.where(missing, NEVER, values)


def _canonical_labels(frame: pd.DataFrame) -> dict[tuple[str, int], str]:
    """The most used spelling of each version (``5.4`` and ``5.4.0`` are one version)."""
    usage = frame.groupby(["platform", "version", "label"], sort=False)["active"].sum().reset_index()
    usage = usage.sort_values(["active", "label"], ascending=[False, True], kind="stable")
    first = usage.drop_duplicates(["platform", "version"])
    return {
        (p, v): label for p, v, label in zip(first["platform"], first["version"], first["label"], strict=True)
    }
