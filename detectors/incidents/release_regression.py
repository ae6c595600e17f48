"""Release-regression detector: a new app version that errs more than the previous one on its platform.

The error rate is erroring customer-periods per active customer-period: summed over the periods (hours
or days) of the comparison, the distinct customers who hit an error over the distinct customers who
were active. Counting customers rather than events keeps one customer stuck in a crash loop from
making a release look broken.

For each platform, each version first seen after the history has run ``min_history_hours`` (older
ones may predate the data) is compared with the previous version there: the highest lower version
(:func:`detectors.incidents.versions.parse_version`) already seen before it. The baseline is that
previous version over the same periods as the new one (concurrent, which cancels out backend outages
and weekly rhythm); while that holds fewer than ``min_baseline_exposure`` customer-periods it also
takes the previous version's ``baseline_hours`` before the release. A new version is watched for
``watch_hours`` after its first period.

Test: the Poisson rate-ratio test conditional on the total (exact): under equal rates the new
version's erroring count is Binomial(new + baseline, share of exposure on the new version); the
one-sided p-value is P(X >= observed). The rate ratio reported and gated on adds 0.5 to both counts
(finite with a zero baseline). A version is flagged at the first period where the p-value is at most
``max_p_value``, the ratio at least ``min_rate_ratio``, and it has ``min_active_customers`` active and
``min_erroring_customers`` erroring distinct customers. The check runs every period, so the p-value
threshold is strict by default to keep repeated looks from raising false alarms.

With the optional per-signature frame, each error signature is also tested on its own (the same exact
test on the customer-periods that hit it, new version against the same baseline), with the smallest
p-value times the number of signatures tested (Bonferroni) as that test's p-value; the two tests share
``max_p_value`` (half each). A regression is usually one new crash or failure: counted among every
customer with any error, a busy product's everyday errors drown it (out-of-sample world at 8 events a
customer a day: an iOS build that erred on 7 of its 12 active customer-days by the end of its first full
day, nearly all one crash, where 32 of 138 on the previous build erred, scored 0.03 on any error and was
flagged 14 h later than on its crash alone), while
against that crash's own rate on the previous build it stands out at once. A signature needs
``min_erroring_customers`` customer-periods on the new version and ``min_rate_ratio``.

No look-ahead: the decision at period ``t`` reads only rows with period <= ``t``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from detectors.incidents.findings import IncidentFinding
from detectors.incidents.inputs import optional_timestamp
from detectors.incidents.version_activity import read_activity, read_customers, read_signature_errors

logger = logging.getLogger(__name__)

AFFECTED_COLUMNS = ("incident_id", "customer_id", "first_exposed_at", "event_count")


@dataclass(frozen=True)
class _Release:
    """One new version to judge against the previous one on its platform (versions as ordered ranks)."""

    platform: str
    version: int
    label: str
    previous: int
    previous_label: str
    released_at: pd.Timestamp


class ReleaseRegressionDetector(BaseEstimator):
    """Flag app versions whose error rate per active customer is clearly worse than the previous version's.

    Args:
        min_active_customers: distinct active customers the new version needs before it is judged.
        min_erroring_customers: distinct erroring customers on the new version needed to flag it.
        min_rate_ratio: smallest error-rate ratio (new / previous, 0.5 added to counts) worth flagging.
        max_p_value: one-sided p-value threshold of the rate-ratio test, checked every period.
        baseline_hours: hours of the previous version before the release used when concurrent data is thin.
        watch_hours: hours after a version's first period during which it can be flagged.
        min_history_hours: history needed before a version's first period for it to count as new.
        min_baseline_exposure: active customer-periods the baseline needs before any decision.

    Learned attributes (after :meth:`fit`): ``findings_``, ``affected_`` (``incident_customers`` rows,
    empty without the per-customer frame), ``releases_`` (each new version and its previous one),
    ``history_start_``, ``as_of_``, ``period_`` (``"hour"`` or ``"day"``).
    """

    def __init__(
        self,
        *,
        min_active_customers: int = 30,
        min_erroring_customers: int = 3,
        min_rate_ratio: float = 1.5,
        max_p_value: float = 0.001,
        baseline_hours: int = 168,
        watch_hours: int = 336,
        min_history_hours: int = 24,
        min_baseline_exposure: int = 30,
    ) -> None:
        self.min_active_customers = min_active_customers
        self.min_erroring_customers = min_erroring_customers
        self.min_rate_ratio = min_rate_ratio
        self.max_p_value = max_p_value
        self.baseline_hours = baseline_hours
        self.watch_hours = watch_hours
        self.min_history_hours = min_history_hours
        self.min_baseline_exposure = min_baseline_exposure

    def fit(
        self,
        activity: pd.DataFrame,
        customers: pd.DataFrame | None = None,
        *,
        history_start: datetime | str | None = None,
        as_of: datetime | str | None = None,
        signature_errors: pd.DataFrame | None = None,
    ) -> ReleaseRegressionDetector:
        """Judge every new version on every platform.

        Args:
            activity: per period and (platform, app_version): ``hour`` or ``day`` (UTC period start),
                ``platform``, ``app_version``, ``active_customers`` (distinct customers with any event),
                ``error_events``, ``erroring_customers`` (distinct customers with an error event).
            customers: optional, one row per (platform, app_version, customer): ``customer_id``,
                ``first_active_at``, ``first_error_at`` (empty if never), optionally ``error_events``.
                Makes distinct-customer counts exact and lists the erroring customers; without it
                distinct counts use the largest single period (a lower bound, so a gate is never
                passed on less than it asks).
            history_start: when the known history begins; default the earliest period.
            as_of: the last period label to read; later rows are ignored. Default: all rows.
            signature_errors: optional, per period (the activity's time column), ``platform``,
                ``app_version``, ``signature_id``, ``erroring_customers`` (distinct customers who hit that
                signature in the period). Adds the per-signature test (see the module docstring).

        Raises:
            IncidentInputError: a frame lacks a column or holds an unreadable value (quoted).
        """
        self._check_params()
        self.as_of_ = optional_timestamp(as_of, "as_of")
        self.period_, rows, ranks = read_activity(activity, self.as_of_)
        people = None if customers is None else read_customers(customers, self.period_, self.as_of_, ranks)
        by_signature = (
            None
            if signature_errors is None
            else read_signature_errors(signature_errors, self.period_, self.as_of_, ranks)
        )
        self.history_start_ = (
            optional_timestamp(history_start, "history_start")
            if history_start is not None
            else (rows["period"].min() if len(rows) else None)
        )
        releases = self._releases(rows)
        self.releases_ = _releases_frame(releases)
        # With the per-customer frame, a version none of whose customers it lists has no active customer,
        # so it cannot pass ``min_active_customers`` (at least 1): it is not judged at all.
        listed = (
            None
            if people is None
            else set(people[["platform", "version"]].drop_duplicates().itertuples(index=False, name=None))
        )
        findings = []
        for release in releases:
            if listed is not None and (release.platform, release.version) not in listed:
                continue
            finding = self._judge(release, rows, people, by_signature)
            if finding is not None:
                findings.append(finding)
        self.findings_ = tuple(
            sorted(findings, key=lambda f: (f.detected_at, f.platform or "", f.app_version or ""))
        )
        self.affected_ = _affected(self.findings_, releases, people)
        logger.info(
            "release regressions: %s new versions judged, %s flagged", len(releases), len(self.findings_)
        )
        return self

    def findings(self) -> list[IncidentFinding]:
        """Return the findings of the last :meth:`fit`."""
        check_is_fitted(self, "findings_")
        return list(self.findings_)

    def _check_params(self) -> None:
        """Fail on hyperparameters that cannot work, quoting them."""
        whole = {
            "min_active_customers": 1,
            "min_erroring_customers": 1,
            "baseline_hours": 0,
            "watch_hours": 1,
            "min_history_hours": 0,
            "min_baseline_exposure": 1,
        }
        for name, lowest in whole.items():
            value = getattr(self, name)
            if not isinstance(value, int | np.integer) or value < lowest:
                raise ValueError(
                    f"ReleaseRegressionDetector {name} must be an integer >= {lowest}, got {value!r}"
                )
        if not 0 < self.max_p_value <= 1:
            raise ValueError(
                f"ReleaseRegressionDetector max_p_value must be in (0, 1], got {self.max_p_value!r}"
            )
        if not self.min_rate_ratio >= 1:
            raise ValueError(
                f"ReleaseRegressionDetector min_rate_ratio must be >= 1, got {self.min_rate_ratio!r}"
            )

    def _releases(self, rows: pd.DataFrame) -> list[_Release]:
        """Every version first seen after the history warm-up, paired with its previous version."""
        if self.history_start_ is None or rows.empty:
            return []
        earliest_new = self.history_start_ + pd.Timedelta(hours=self.min_history_hours)
        first = rows.groupby(["platform", "version"], sort=False).agg(
            first_period=("period", "min"), label=("label", "first")
        )
        releases = []
        for (platform, version), row in first.iterrows():
            if row["first_period"] < earliest_new:
                continue
            same = first.loc[platform]
            older = same.loc[
                [key < version and seen < row["first_period"] for key, seen in same["first_period"].items()]
            ]
            if older.empty:
                logger.debug(
                    "no earlier version on platform %r before %s: nothing to compare", platform, row["label"]
                )
                continue
            previous = max(older.index)
            releases.append(
                _Release(
                    platform,
                    version,
                    row["label"],
                    previous,
                    older.loc[[previous], "label"].iloc[0],
                    row["first_period"],
                )
            )
        return releases

    def _judge(
        self,
        release: _Release,
        rows: pd.DataFrame,
        people: pd.DataFrame | None,
        by_signature: pd.DataFrame | None = None,
    ) -> IncidentFinding | None:
        """Return the finding at the first period the release fails the test, or None."""
        end = release.released_at + pd.Timedelta(hours=self.watch_hours)
        on_platform = rows.loc[(rows["platform"] == release.platform) & (rows["period"] < end)]
        new = on_platform.loc[(on_platform["version"] == release.version)]
        base = on_platform.loc[
            (on_platform["version"] == release.previous)
            & (on_platform["period"] >= release.released_at - pd.Timedelta(hours=self.baseline_hours))
        ]
        concurrent = base.loc[base["period"] >= release.released_at]
        periods = np.union1d(new["t"].to_numpy(), concurrent["t"].to_numpy())
        x1, e1, events1 = (
            _cumulative_at(new, column, periods) for column in ("erroring", "active", "events")
        )
        x2c, e2c, events2c = (
            _cumulative_at(concurrent, c, periods) for c in ("erroring", "active", "events")
        )
        x2w, e2w, events2w = (_cumulative_at(base, c, periods) for c in ("erroring", "active", "events"))
        use_concurrent = e2c >= self.min_baseline_exposure
        x2, e2 = np.where(use_concurrent, x2c, x2w), np.where(use_concurrent, e2c, e2w)
        events2 = np.where(use_concurrent, events2c, events2w)
        active, erroring = self._distinct(new, people, release, periods)
        p_values = _poisson_ratio_p_values(x1, e1, x2, e2)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = ((x1 + 0.5) / e1) / ((x2 + 0.5) / e2)
        # With the per-signature test beside it, each test gets half of max_p_value.
        share = 1.0 if by_signature is None else 0.5
        judged = (
            (e2 >= self.min_baseline_exposure)
            & (e1 > 0)
            & (active >= self.min_active_customers)
            & (erroring >= self.min_erroring_customers)
        )
        by_any = (ratio >= self.min_rate_ratio) & (p_values <= self.max_p_value * share)
        symptom = _SignatureTest.empty(len(periods))
        if by_signature is not None:
            symptom = self._signature_test(release, by_signature, periods, end, use_concurrent, e1, e2)
        flagged = judged & (by_any | (symptom.p_value <= self.max_p_value * share))
        if not flagged.any():
            return None
        i = int(np.argmax(flagged))
        deciding = {} if by_any[i] else symptom.evidence(i)
        return IncidentFinding(
            kind="release_regression",
            signature_id=None,
            name=None,
            error_code=None,
            feature=None,
            platform=release.platform or None,
            app_version=release.label,
            started_at=release.released_at,
            detected_at=pd.Timestamp(int(periods[i]), tz="UTC"),
            customer_count=int(erroring[i]),
            event_count=int(events1[i]),
            evidence={
                "test": "poisson_rate_ratio_conditional_binomial",
                "p_value": float(p_values[i]),
                "rate_ratio": float(ratio[i]),
                "previous_version": release.previous_label,
                "baseline_window": "concurrent"
                if use_concurrent[i]
                else f"concurrent_plus_{self.baseline_hours}h_before",
                "period": self.period_,
                "new_erroring_customer_periods": int(x1[i]),
                "new_active_customer_periods": int(e1[i]),
                "new_error_rate": float(x1[i] / e1[i]),
                "baseline_erroring_customer_periods": int(x2[i]),
                "baseline_active_customer_periods": int(e2[i]),
                "baseline_error_rate": float(x2[i] / e2[i]),
                "new_error_events": int(events1[i]),
                "baseline_error_events": int(events2[i]),
                "new_active_customers": int(active[i]),
                "new_erroring_customers": int(erroring[i]),
                "customer_counting": "distinct" if people is not None else "largest_period_lower_bound",
                **deciding,
            },
        )

    def _signature_test(
        self,
        release: _Release,
        by_signature: pd.DataFrame,
        periods: np.ndarray,
        end: pd.Timestamp,
        use_concurrent: np.ndarray,
        e1: np.ndarray,
        e2: np.ndarray,
    ) -> _SignatureTest:
        """Per period, the Bonferroni p-value of the signature that stands out most on the new version (1.0
        where none passes the gates), read against the same baseline periods as the any-error test."""
        mine = by_signature.loc[(by_signature["platform"] == release.platform) & (by_signature["period"] < end)]
        new = mine.loc[mine["version"] == release.version]
        base = mine.loc[
            (mine["version"] == release.previous)
            & (mine["period"] >= release.released_at - pd.Timedelta(hours=self.baseline_hours))
        ]
        signatures = np.array(sorted(set(new["signature_id"])), dtype=object)
        if not len(signatures):
            return _SignatureTest.empty(len(periods))
        tested = len(set(new["signature_id"]) | set(base["signature_id"]))
        # One row per signature, one column per period: every signature tested at once.
        x1 = _cumulative_by_signature(new, signatures, periods)
        x2 = np.where(
            use_concurrent,
            _cumulative_by_signature(base.loc[base["period"] >= release.released_at], signatures, periods),
            _cumulative_by_signature(base, signatures, periods),
        )
        e1s, e2s = np.broadcast_to(e1, x1.shape), np.broadcast_to(e2, x1.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = ((x1 + 0.5) / e1s) / ((x2 + 0.5) / e2s)
        p_value = _poisson_ratio_p_values(x1.ravel(), e1s.ravel(), x2.ravel(), e2s.ravel()).reshape(x1.shape)
        p_value = np.minimum(p_value * tested, 1.0)
        p_value = np.where((x1 >= self.min_erroring_customers) & (ratio >= self.min_rate_ratio), p_value, 1.0)
        best = np.argmin(p_value, axis=0)  # the first signature (in id order) on ties
        columns = np.arange(len(periods))
        lowest = p_value[best, columns]  # 1.0 where no signature passed its gates
        found = lowest < 1.0
        return _SignatureTest(
            lowest,
            np.where(found, ratio[best, columns], 0.0),
            np.where(found, signatures[best], ""),
            tested,
        )

    def _distinct(
        self, new: pd.DataFrame, people: pd.DataFrame | None, release: _Release, periods: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Distinct active and erroring customers of the new version by each period."""
        if people is None:
            return _running_max_at(new, "active", periods), _running_max_at(new, "erroring", periods)
        mine = people.loc[(people["platform"] == release.platform) & (people["version"] == release.version)]
        active_at = np.sort(mine["active_t"].to_numpy())
        error_at = np.sort(mine["error_t"].to_numpy())
        return (
            np.searchsorted(active_at, periods, side="right"),
            np.searchsorted(error_at, periods, side="right"),
        )


@dataclass(frozen=True)
class _SignatureTest:
    """Per period: the per-signature test's p-value (Bonferroni), and the signature and ratio behind it."""

    p_value: np.ndarray
    ratio: np.ndarray
    signature: np.ndarray
    tested: int

    @classmethod
    def empty(cls, periods: int) -> _SignatureTest:
        return cls(np.ones(periods), np.zeros(periods), np.full(periods, "", dtype=object), 0)

    def evidence(self, i: int) -> dict[str, object]:
        return {
            "test": "per_signature_poisson_rate_ratio",
            "signature_id": str(self.signature[i]),
            "signature_p_value": float(self.p_value[i]),
            "signature_rate_ratio": float(self.ratio[i]),
            "signatures_tested": int(self.tested),
        }


def _poisson_ratio_p_values(x1: np.ndarray, e1: np.ndarray, x2: np.ndarray, e2: np.ndarray) -> np.ndarray:
    """One-sided p-values of 'rate 1 > rate 2', conditional binomial (exact), 1.0 where undefined."""
    total = x1 + x2
    with np.errstate(divide="ignore", invalid="ignore"):
        share = e1 / (e1 + e2)
    defined = (total > 0) & (e1 > 0) & (e2 > 0)
    p = np.ones(len(x1), dtype=float)
    p[defined] = stats.binom.sf(x1[defined] - 1, total[defined], share[defined])
    return np.clip(p, 0.0, 1.0)


def _cumulative_at(frame: pd.DataFrame, column: str, periods: np.ndarray) -> np.ndarray:
    """Sum of ``column`` over the frame's rows with period <= each of ``periods``."""
    order = frame.sort_values("t")
    totals = np.concatenate([[0], np.cumsum(order[column].to_numpy(dtype=np.int64))])
    return totals[np.searchsorted(order["t"].to_numpy(), periods, side="right")]


def _cumulative_by_signature(frame: pd.DataFrame, signatures: np.ndarray, periods: np.ndarray) -> np.ndarray:
    """Per signature (rows, in the order of ``signatures``) and period: the sum of ``erroring`` over the frame's
    rows of that signature with period <= each of ``periods`` (sorted); signatures not listed are left out."""
    counts = np.zeros((len(signatures), len(periods) + 1), dtype=np.int64)
    row = pd.Index(signatures).get_indexer(frame["signature_id"])
    kept = row >= 0
    # A row counts from the first period at or after its own on.
    column = np.searchsorted(periods, frame["t"].to_numpy()[kept], side="left")
    np.add.at(counts, (row[kept], column), frame["erroring"].to_numpy(dtype=np.int64)[kept])
    return np.cumsum(counts, axis=1)[:, :-1]


def _running_max_at(frame: pd.DataFrame, column: str, periods: np.ndarray) -> np.ndarray:
    """Largest single-period value of ``column`` over rows with period <= each of ``periods``."""
    order = frame.sort_values("t")
    highs = np.concatenate([[0], np.maximum.accumulate(order[column].to_numpy(dtype=np.int64))])
    return highs[np.searchsorted(order["t"].to_numpy(), periods, side="right")]


def _releases_frame(releases: list[_Release]) -> pd.DataFrame:
    """Each judged release as a row: platform, app_version, previous_version, released_at."""
    return pd.DataFrame(
        {
            "platform": [r.platform for r in releases],
            "app_version": [r.label for r in releases],
            "previous_version": [r.previous_label for r in releases],
            "released_at": pd.to_datetime([r.released_at for r in releases], utc=True),
        }
    )


def _affected(
    findings: tuple[IncidentFinding, ...], releases: list[_Release], people: pd.DataFrame | None
) -> pd.DataFrame:
    """``incident_customers`` rows: customers of each flagged version who hit an error (to ``as_of``)."""
    empty = pd.DataFrame(
        {
            "incident_id": pd.Series(dtype="str"),
            "customer_id": pd.Series(dtype="str"),
            "first_exposed_at": pd.Series(dtype="datetime64[ns, UTC]"),
            "event_count": pd.Series(dtype="int64"),
        }
    )
    if people is None or not findings:
        return empty
    by_label = {(r.platform, r.label): r.version for r in releases}
    parts = []
    for finding in findings:
        version = by_label[(finding.platform or "", finding.app_version)]
        mine = people.loc[
            (people["platform"] == (finding.platform or ""))
            & (people["version"] == version)
            & people["first_error_at"].notna()
        ]
        parts.append(
            pd.DataFrame(
                {
                    "incident_id": finding.incident_key(),
                    "customer_id": mine["customer_id"].to_numpy(),
                    "first_exposed_at": mine["first_error_at"].to_numpy(),
                    "event_count": mine["error_events"].to_numpy(dtype=np.int64),
                }
            )
        )
    frame = pd.concat([empty, *parts], ignore_index=True)
    frame["first_exposed_at"] = pd.to_datetime(frame["first_exposed_at"], utc=True)
    return frame.sort_values(["incident_id", "first_exposed_at", "customer_id"]).reset_index(drop=True)
