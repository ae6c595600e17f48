"""New-signature detector: an error never seen before that quickly reaches enough distinct customers.

A signature is *new* at ``t0``, its first hour in the known history (the hourly frame, or the
all-time ``first_seen`` table when given), when that history could not have missed it. It must reach
back at least ``min_history_hours`` before ``t0`` (a whole daily cycle, so a daytime error is not
"new" each morning), and at the pace the signature has reached customers since ``t0`` the history
before it would have shown one of them but for a chance of at most ``max_p_value`` shared over the
signatures under test (Bonferroni; those seen and, on a short history, those not seen yet: see
``signatures_under_test``). The pace is measured on the activity clock, all signatures' events,
not on the wall clock: a weekend or a night is short history. With ``k`` customers since ``t0``, ``A``
events of every signature before ``t0`` and ``B`` since, the test is the exact conditional one: were
the pace steady, the customers' first exposures would fall uniformly over the activity ``A + B``, and
the chance that all but the first fell in the last ``B`` is ``(1 + A / B) ** -(k - 1)``; the test is
that this is at most ``max_p_value / signatures``. The first customer does not count: ``t0`` is
*defined* by it, so that it came after the history is no evidence (for a steady rare signature, the
first sighting's time and the gaps after it are alike, and ``(1 + A / B) ** -k`` would fall below
``p`` with chance ``p ** ((k - 1) / k)``: at k = 3 and a bound of 1.7e-4, 1 in 330 per signature, so a
world with 60 everyday signatures called one of them new now and then). Seen in a sparse world (1.5 events a customer
a day): a calendar error seen first 35 h into the loaded week at 4 customers in 3 h, then about 3 a day
for six days, passed at ``8.6 ** -4 = 1.8e-4``; at ``8.6 ** -3`` it does not. The plug-in chance
``exp(-k * A / B)`` trusts a pace read off three customers as much as one read off thirty, and calls a
rare crash new at its third customer. A long history passes the test at once; a short one (a new
install, a signature that began in the loaded week) passes it when the signature spreads faster than
its silence before could hide. It becomes an incident at the first hour ``t`` in
``[t0, t0 + window_hours)`` at which at least ``min_customers`` distinct customers have hit it and the
history test holds. A signature that takes longer to spread is not reported here (the spike and
level-shift detectors watch established signatures).

No look-ahead: the decision at hour ``t`` reads only rows with ``hour <= t`` (and exposures whose
``first_exposed_at`` falls in such an hour), so running on a prefix gives the same findings as
running on everything and keeping those detected by the end of the prefix.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from detectors.incidents.findings import IncidentFinding
from detectors.incidents.inputs import (
    IncidentInputError,
    optional_timestamp,
    require_columns,
    text_or_none,
    to_counts,
    to_utc,
)

logger = logging.getLogger(__name__)

HOURLY_COLUMNS = ("hour", "signature_id", "event_count", "customer_count")
EXPOSURE_COLUMNS = ("signature_id", "customer_id", "first_exposed_at")
AFFECTED_COLUMNS = ("incident_id", "customer_id", "first_exposed_at", "event_count")


class NewSignatureDetector(BaseEstimator):
    """Report signatures seen for the first time that reach ``min_customers`` within ``window_hours``.

    Args:
        min_customers: distinct customers needed for an incident.
        window_hours: hours after the first sighting in which they must be reached.
        min_history_hours: history needed before a first sighting for it to count as new.
        max_p_value: chance, at the signature's rate since its first sighting, that the history before
            it would have missed it; above this the signature may simply predate the data.

    Learned attributes (after :meth:`fit`): ``findings_`` (tuple of :class:`IncidentFinding`, by
    detection time), ``affected_`` (the ``incident_customers`` rows of those findings), ``first_seen_``
    (first hour per signature), ``history_start_``, ``as_of_``.
    """

    def __init__(
        self,
        *,
        min_customers: int = 5,
        window_hours: int = 48,
        min_history_hours: int = 24,
        max_p_value: float = 0.01,
    ) -> None:
        self.min_customers = min_customers
        self.window_hours = window_hours
        self.min_history_hours = min_history_hours
        self.max_p_value = max_p_value

    def fit(
        self,
        hourly: pd.DataFrame,
        exposures: pd.DataFrame | None = None,
        *,
        signatures: pd.DataFrame | None = None,
        first_seen: pd.DataFrame | None = None,
        history_start: datetime | str | None = None,
        as_of: datetime | str | None = None,
        others: pd.DataFrame | None = None,
    ) -> NewSignatureDetector:
        """Find new-signature incidents in hourly aggregates.

        Args:
            hourly: ``hour`` (UTC hour start), ``signature_id``, ``event_count``, ``customer_count``
                (distinct customers in that hour). Several rows per (hour, signature), e.g. one per
                app version, are summed.
            exposures: ``signature_id``, ``customer_id``, ``first_exposed_at`` and optionally
                ``event_count``, one row per customer and signature (``customer_signature_exposure``).
                Gives exact distinct customer counts; without it the hourly counts are summed, which
                counts a customer once per hour (an upper bound, recorded in the evidence).
            signatures: optional catalog ``signature_id, name, error_code, feature, platform`` to
                describe findings (:func:`detectors.signatures.signature_catalog`).
            first_seen: optional ``signature_id, first_seen_at`` over all time (the ``signatures``
                table); a signature first seen before the hourly frame starts is then not new.
            history_start: when the known history begins; default the earliest hour seen.
            as_of: the last hour label to read; later rows are ignored. Default: all rows.
            others: hourly counts (as ``hourly``) of signatures that are never candidates, e.g. those
                a caller already knows to be old: they count in the activity clock and among the
                signatures tested, nothing else. Default: none, ``hourly`` holds every signature.

        Raises:
            IncidentInputError: a frame lacks a column or holds an unreadable value (quoted).
        """
        self._check_params()
        self.as_of_ = optional_timestamp(as_of, "as_of")
        rows = _read_hourly(hourly, self.as_of_)
        exposed = None if exposures is None else _read_exposures(exposures, self.as_of_)
        self.first_seen_ = _first_seen(rows, exposed, first_seen, self.as_of_)
        self.history_start_ = _history_start(history_start, self.first_seen_)
        earliest_new = (
            None
            if self.history_start_ is None
            else self.history_start_ + pd.Timedelta(hours=self.min_history_hours)
        )
        candidates = (
            self.first_seen_.iloc[:0]
            if earliest_new is None
            else self.first_seen_[self.first_seen_ >= earliest_new]
        )
        clock = rows if others is None else pd.concat([rows, _read_hourly(others, self.as_of_)], ignore_index=True)
        detections = self._detect(rows, exposed, candidates, clock)
        catalog = _read_catalog(signatures)
        self.findings_ = tuple(
            self._finding(row, catalog, exposed is not None) for row in detections.itertuples()
        )
        self.affected_ = _affected(self.findings_, exposed)
        logger.info(
            "new signatures: %s signatures, %s first seen after %s, %s incidents",
            len(self.first_seen_),
            len(candidates),
            earliest_new,
            len(self.findings_),
        )
        return self

    def findings(self) -> list[IncidentFinding]:
        """Return the findings of the last :meth:`fit`."""
        check_is_fitted(self, "findings_")
        return list(self.findings_)

    def _check_params(self) -> None:
        """Fail on hyperparameters that cannot work, quoting them."""
        for name in ("min_customers", "window_hours"):
            if not isinstance(getattr(self, name), int | np.integer) or getattr(self, name) < 1:
                raise ValueError(
                    f"NewSignatureDetector {name} must be an integer >= 1, got {getattr(self, name)!r}"
                )
        if not isinstance(self.min_history_hours, int | np.integer) or self.min_history_hours < 0:
            raise ValueError(
                f"NewSignatureDetector min_history_hours must be an integer >= 0, got {self.min_history_hours!r}"
            )
        if not isinstance(self.max_p_value, float | int) or not 0 < self.max_p_value < 1:
            raise ValueError(f"NewSignatureDetector max_p_value must be between 0 and 1, got {self.max_p_value!r}")

    def _detect(
        self,
        rows: pd.DataFrame,
        exposed: pd.DataFrame | None,
        candidates: pd.Series,
        clock: pd.DataFrame,
    ) -> pd.DataFrame:
        """Return one row per detection: signature_id, t0, hour, customers, events (cumulative),
        expected_before; ``clock`` holds the hourly rows of every signature known."""
        columns = ["signature_id", "t0", "hour", "customers", "events", "expected_before"]
        if candidates.empty:
            return pd.DataFrame(columns=columns)
        keep = rows["signature_id"].isin(candidates.index)
        events = rows.loc[keep, ["signature_id", "hour", "event_count"]].rename(
            columns={"event_count": "events"}
        )
        if exposed is not None:
            chosen = exposed.loc[exposed["signature_id"].isin(candidates.index)]
            customers = (
                chosen.groupby(["signature_id", "hour"], as_index=False)
                .size()
                .rename(columns={"size": "customers"})
            )
        else:
            customers = rows.loc[keep, ["signature_id", "hour", "customer_count"]].rename(
                columns={"customer_count": "customers"}
            )
        steps = events.merge(customers, how="outer", on=["signature_id", "hour"]).fillna(
            {"events": 0, "customers": 0}
        )
        steps["t0"] = steps["signature_id"].map(candidates)
        steps = steps.loc[steps["hour"] < steps["t0"] + pd.Timedelta(hours=self.window_hours)]
        steps = steps.sort_values(["signature_id", "hour"], kind="stable")
        grouped = steps.groupby("signature_id", sort=False)
        steps["customers"] = grouped["customers"].cumsum().astype("int64")
        steps["events"] = grouped["events"].cumsum().astype("int64")
        ratio = _activity_ratio(clock, steps["t0"], steps["hour"])
        steps["expected_before"] = steps["customers"] * ratio
        tests = signatures_under_test(clock)
        # Steady pace: the k first exposures fall uniformly over before + since; the first one defines t0,
        # so the chance the other k - 1 all fell since is (1 + before/since)^-(k - 1).
        unseen_before = (steps["customers"] - 1) * np.log1p(ratio) >= -np.log(self.max_p_value / tests)
        hits = steps.loc[(steps["customers"] >= self.min_customers) & unseen_before]
        return hits.drop_duplicates("signature_id", keep="first")[columns].sort_values(
            ["hour", "signature_id"]
        )

    def _finding(self, row: Any, catalog: pd.DataFrame, exact_customers: bool) -> IncidentFinding:
        """Build the finding of one detection row (a namedtuple from ``_detect``)."""
        described = _description(catalog, row.signature_id)
        pattern = described["message_pattern"]
        return IncidentFinding(
            kind="new_signature",
            signature_id=row.signature_id,
            name=described["name"],
            error_code=described["error_code"],
            feature=described["feature"],
            platform=described["platform"],
            app_version=None,
            started_at=row.t0,
            detected_at=row.hour,
            customer_count=int(row.customers),
            event_count=int(row.events),
            evidence={
                "first_seen_at": row.t0.isoformat(),
                "hours_to_detection": int((row.hour - row.t0) / pd.Timedelta(hours=1)),
                "customers_at_detection": int(row.customers),
                "events_at_detection": int(row.events),
                "min_customers": int(self.min_customers),
                "window_hours": int(self.window_hours),
                "baseline_events": 0,
                "history_hours_before": int((row.t0 - self.history_start_) / pd.Timedelta(hours=1)),
                # customers the history before t0 would have shown at the pace since (activity clock)
                "expected_before": round(float(row.expected_before), 1),
                "customer_counting": "distinct" if exact_customers else "hourly_sum_upper_bound",
                **({"message_pattern": pattern} if pattern else {}),
            },
        )


def _read_hourly(hourly: pd.DataFrame, as_of: pd.Timestamp | None) -> pd.DataFrame:
    """Validate hourly aggregates, floor to the hour, cut at ``as_of``, sum duplicate keys."""
    require_columns(hourly, HOURLY_COLUMNS, "hourly signature counts")
    rows = pd.DataFrame(
        {
            "hour": to_utc(hourly["hour"], "hourly signature counts, column hour").dt.floor("h"),
            "signature_id": hourly["signature_id"].astype("str"),
            "event_count": to_counts(hourly["event_count"], "hourly signature counts, column event_count"),
            "customer_count": to_counts(
                hourly["customer_count"], "hourly signature counts, column customer_count"
            ),
        }
    )
    if hourly["signature_id"].isna().any():
        raise IncidentInputError("hourly signature counts: column signature_id has missing values")
    if as_of is not None:
        rows = rows.loc[rows["hour"] <= as_of]
    return rows.groupby(["signature_id", "hour"], as_index=False)[["event_count", "customer_count"]].sum()


def signatures_under_test(clock: pd.DataFrame) -> float:
    """How many signatures the test may call new by chance: those seen, plus those not seen yet (Chao1).

    Every signature is tested at its first sighting, so the chance is shared over all of them, not only
    the ones a short history has met. A day into a sparse world 31 were known of 64 (15 seen once, 10
    twice), and an everyday calendar error's first four customers in three hours passed the bound shared
    over 31 (``8.6 ** -3 = 1.6e-3 <= 0.05 / 31``). Chao's bias-corrected lower bound of the richness,
    ``S + f1 (f1 - 1) / (2 (f2 + 1))`` with ``f1`` / ``f2`` the signatures seen with one / two events,
    reads the unseen ones off the rare ones: 41 there; on a week of history few are rare and it is ``S``.
    """
    events = clock.groupby("signature_id")["event_count"].sum()
    seen = int((events > 0).sum())
    once, twice = int((events == 1).sum()), int((events == 2).sum())
    return max(seen + once * (once - 1) / (2.0 * (twice + 1)), 1.0)


def _activity_ratio(rows: pd.DataFrame, t0: pd.Series, hour: pd.Series) -> pd.Series:
    """Events of every signature before ``t0`` over those in ``[t0, hour]``, row by row (inf when none since)."""
    activity = rows.groupby("hour")["event_count"].sum().sort_index()
    through = np.concatenate([[0.0], np.cumsum(activity.to_numpy(dtype=float))])  # through[i]: the first i hours
    before = through[activity.index.searchsorted(pd.DatetimeIndex(t0), side="left")]
    upto = through[activity.index.searchsorted(pd.DatetimeIndex(hour), side="right")]
    since = upto - before
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(since > 0, before / np.where(since > 0, since, 1.0), np.inf)
    return pd.Series(ratio, index=t0.index)


def _read_exposures(exposures: pd.DataFrame, as_of: pd.Timestamp | None) -> pd.DataFrame:
    """Validate per-customer exposures, one row per (signature, customer), with the exposure hour."""
    require_columns(exposures, EXPOSURE_COLUMNS, "signature exposures")
    frame = pd.DataFrame(
        {
            "signature_id": exposures["signature_id"].astype("str"),
            "customer_id": exposures["customer_id"].astype("str"),
            "first_exposed_at": to_utc(
                exposures["first_exposed_at"], "signature exposures, column first_exposed_at"
            ),
            "event_count": (
                to_counts(exposures["event_count"], "signature exposures, column event_count")
                if "event_count" in exposures.columns
                else 0
            ),
        }
    )
    frame["hour"] = frame["first_exposed_at"].dt.floor("h")
    if as_of is not None:
        frame = frame.loc[frame["hour"] <= as_of]
    frame = frame.sort_values("first_exposed_at", kind="stable")
    counts = frame.groupby(["signature_id", "customer_id"])["event_count"].transform("sum")
    frame = frame.assign(event_count=counts).drop_duplicates(["signature_id", "customer_id"], keep="first")
    return frame.reset_index(drop=True)


def _first_seen(
    rows: pd.DataFrame,
    exposed: pd.DataFrame | None,
    first_seen: pd.DataFrame | None,
    as_of: pd.Timestamp | None,
) -> pd.Series:
    """First hour of every signature, from every source given (the earliest wins)."""
    parts = [rows[["signature_id", "hour"]]]
    if exposed is not None:
        parts.append(exposed[["signature_id", "hour"]])
    if first_seen is not None:
        require_columns(first_seen, ("signature_id", "first_seen_at"), "signature first_seen")
        known = pd.DataFrame(
            {
                "signature_id": first_seen["signature_id"].astype("str"),
                "hour": to_utc(
                    first_seen["first_seen_at"], "signature first_seen, column first_seen_at"
                ).dt.floor("h"),
            }
        )
        parts.append(known if as_of is None else known.loc[known["hour"] <= as_of])
    combined = pd.concat(parts, ignore_index=True)
    return combined.groupby("signature_id")["hour"].min().rename("first_seen_at")


def _history_start(given: datetime | str | None, first_seen: pd.Series) -> pd.Timestamp | None:
    """Where the known history starts: as given, else the earliest hour of any source (None: no data)."""
    if given is not None:
        return optional_timestamp(given, "history_start")
    return None if first_seen.empty else first_seen.min()


def _read_catalog(signatures: pd.DataFrame | None) -> pd.DataFrame:
    """Index the optional signature catalog by signature_id."""
    if signatures is None:
        return pd.DataFrame(index=pd.Index([], name="signature_id"))
    require_columns(signatures, ("signature_id",), "signature catalog")
    catalog = signatures.assign(signature_id=signatures["signature_id"].astype("str"))
    return catalog.drop_duplicates("signature_id").set_index("signature_id")


def _description(catalog: pd.DataFrame, signature_id: str) -> dict[str, str | None]:
    """The catalog's name, error_code, feature, platform and message_pattern of a signature (None if unknown)."""
    fields = ("name", "error_code", "feature", "platform", "message_pattern")
    if signature_id not in catalog.index:
        return dict.fromkeys(fields)
    row = catalog.loc[signature_id]
    return {name: text_or_none(row.get(name)) for name in fields}


def _affected(findings: tuple[IncidentFinding, ...], exposed: pd.DataFrame | None) -> pd.DataFrame:
    """The ``incident_customers`` rows: every exposed customer of each found signature (to ``as_of``)."""
    if exposed is None or not findings:
        return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in _AFFECTED_DTYPES.items()})
    keys = pd.DataFrame(
        {
            "signature_id": [f.signature_id for f in findings],
            "incident_id": [f.incident_key() for f in findings],
        }
    )
    rows = exposed.merge(keys, on="signature_id", how="inner")
    return (
        rows[list(AFFECTED_COLUMNS)]
        .sort_values(["incident_id", "first_exposed_at", "customer_id"])
        .reset_index(drop=True)
    )


_AFFECTED_DTYPES = {
    "incident_id": "str",
    "customer_id": "str",
    "first_exposed_at": "datetime64[ns, UTC]",
    "event_count": "int64",
}
