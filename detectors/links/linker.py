"""Link pain points to incidents: authors who hit the incident shortly before writing, far more than others.

For every (pain point, incident) pair the 2x2 table of :mod:`detectors.links.association` (authors
exposed in the ``window_hours`` before their first ticket, against non-authors exposed in the same
windows) gives a lift and a one-sided Fisher exact p-value. Benjamini-Hochberg adjusts the p-values
across every pair considered (pain points x incidents), so a busy day with many pairs does not link
by chance. A pair is a link when at least ``min_exposed_authors`` authors were exposed, the lift
reaches ``min_lift`` and the adjusted p-value (``q_value``) is at most ``max_q_value``.

``strength`` (0-1) ranks links: the share of the pain point's authors whose tickets the incident
explains, ``exposed_authors / authors * (1 - 1 / lift)`` (the attributable fraction among authors),
raised by ``text_bonus`` times the text match (tickets naming the code or the message's words) and
capped at 1. Text never creates a link on its own; it only ranks.
"""

from __future__ import annotations

import logging
from datetime import datetime

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from detectors.links.association import (
    adjust_benjamini_hochberg,
    compute_lift,
    count_exposed_authors,
    expected_exposure_shares,
    first_tickets,
    fisher_greater,
)
from detectors.links.inputs import (
    INCIDENT_TEXT_COLUMNS,
    LinkInputError,
    read_exposures,
    read_tickets,
    require_columns,
    to_utc_timestamp,
)
from detectors.links.text_match import score_text_match

logger = logging.getLogger(__name__)

LINK_COLUMNS = (
    "pain_point_id",
    "incident_id",
    "lift",
    "p_value",
    "q_value",
    "exposed_authors",
    "expected_exposed_authors",
    "authors",
    "exposed_customers",
    "text_match",
    "strength",
)
"""Columns of ``links_`` and ``pairs_``. ``p_value`` is the raw Fisher p, ``q_value`` the BH-adjusted one;
``expected_exposed_authors`` is how many authors would have been exposed in their windows by chance;
``exposed_customers`` counts everyone the incident hit."""

_DTYPES = {
    "pain_point_id": "str",
    "incident_id": "str",
    "lift": "float64",
    "p_value": "float64",
    "q_value": "float64",
    "exposed_authors": "int64",
    "expected_exposed_authors": "float64",
    "authors": "int64",
    "exposed_customers": "int64",
    "text_match": "float64",
    "strength": "float64",
}


class PainPointLinker(BaseEstimator):
    """Relate pain points to the incidents their authors hit shortly before writing.

    Args:
        window_hours: an exposure counts when it came at most this long before a ticket.
        min_exposed_authors: fewest exposed authors for a link.
        min_lift: smallest lift for a link.
        max_q_value: largest Benjamini-Hochberg adjusted p-value for a link. Stricter than the usual
            0.05 because a false link emails customers about something that never touched them.
        text_bonus: how much a full text match raises strength (0.25: up to a quarter more).
        min_text_tickets, min_text_share: a term is mentioned by a pain point when at least this many
            and this share of its tickets contain it.

    Learned attributes (after :meth:`fit`): ``links_`` (the links, strongest first within each pain
    point), ``pairs_`` (every pair with an exposed author, for inspection), ``population_``,
    ``tests_`` (pairs considered in the correction), ``as_of_``. In ``pairs_``, pairs with fewer than
    ``min_exposed_authors`` exposed authors are not tested: their ``p_value`` and ``q_value`` are NaN.
    """

    def __init__(
        self,
        *,
        window_hours: float = 72,
        min_exposed_authors: int = 3,
        min_lift: float = 2.0,
        max_q_value: float = 0.01,
        text_bonus: float = 0.25,
        min_text_tickets: int = 2,
        min_text_share: float = 0.05,
    ) -> None:
        self.window_hours = window_hours
        self.min_exposed_authors = min_exposed_authors
        self.min_lift = min_lift
        self.max_q_value = max_q_value
        self.text_bonus = text_bonus
        self.min_text_tickets = min_text_tickets
        self.min_text_share = min_text_share

    def fit(
        self,
        tickets: pd.DataFrame,
        exposures: pd.DataFrame,
        *,
        population: int | None = None,
        incidents: pd.DataFrame | None = None,
        as_of: datetime | str | None = None,
    ) -> PainPointLinker:
        """Test every (pain point, incident) pair and keep the links.

        Args:
            tickets: ``pain_point_id, customer_id, created_at``, one row per ticket, optionally
                ``text`` (redacted subject and body) for text matching.
            exposures: ``incident_id, customer_id, first_exposed_at`` (``incident_customers``).
            population: customers who could have written or been exposed (all customers). Default:
                the distinct customers in the two frames, which understates it and so only makes
                links harder to find.
            incidents: optional ``incident_id, error_code, message_pattern`` for text matching.
            as_of: ignore tickets and exposures after this time. Default: use all rows.

        Raises:
            LinkInputError: a frame lacks a column or holds an unreadable value, or ``population``
                is smaller than the customers seen.
        """
        self._check_params()
        self.as_of_ = to_utc_timestamp(as_of, "as_of")
        written = read_tickets(tickets, self.as_of_)
        exposed = read_exposures(exposures, self.as_of_)
        self.population_ = _population(population, written, exposed)
        first = first_tickets(written)
        authors = first.groupby("pain_point_id").size()
        exposed_customers = exposed.groupby("incident_id").size()
        self.tests_ = int(len(authors) * len(exposed_customers))
        pairs = count_exposed_authors(first, exposed, self.window_hours)
        pairs = pairs.assign(
            authors=pairs["pain_point_id"].map(authors).to_numpy(dtype=np.int64),
            exposed_customers=pairs["incident_id"].map(exposed_customers).to_numpy(dtype=np.int64),
        )
        shares = expected_exposure_shares(pairs, first, exposed, self.window_hours, self.population_)
        pairs = self._score(pairs, shares)
        pairs["text_match"] = self._text_match(pairs, written, incidents)
        pairs["strength"] = self._strength(pairs)
        self.pairs_ = pairs[list(LINK_COLUMNS)].astype(_DTYPES).reset_index(drop=True)
        keep = (
            (self.pairs_["exposed_authors"] >= self.min_exposed_authors)
            & (self.pairs_["lift"] >= self.min_lift)
            & (self.pairs_["q_value"] <= self.max_q_value)
        )
        links = self.pairs_.loc[keep].sort_values(
            ["pain_point_id", "strength", "incident_id"], ascending=[True, False, True]
        )
        self.links_ = links.reset_index(drop=True)
        logger.info(
            "links: %s pain points x %s incidents (%s tests), %s pairs with exposed authors, %s links",
            len(authors),
            len(exposed_customers),
            self.tests_,
            len(self.pairs_),
            len(self.links_),
        )
        return self

    def links(self) -> pd.DataFrame:
        """Return the links of the last :meth:`fit`."""
        check_is_fitted(self, "links_")
        return self.links_.copy()

    def _check_params(self) -> None:
        """Fail on hyperparameters that cannot work, quoting them."""
        checks = {
            "window_hours": self.window_hours > 0,
            "min_exposed_authors": isinstance(self.min_exposed_authors, int | np.integer)
            and self.min_exposed_authors >= 1,
            "min_lift": self.min_lift >= 0,
            "max_q_value": 0 < self.max_q_value <= 1,
            "text_bonus": self.text_bonus >= 0,
            "min_text_tickets": isinstance(self.min_text_tickets, int | np.integer)
            and self.min_text_tickets >= 1,
            "min_text_share": 0 <= self.min_text_share <= 1,
        }
        for name, ok in checks.items():
            if not ok:
                raise ValueError(f"PainPointLinker {name}={getattr(self, name)!r} is out of range")

    def _score(self, pairs: pd.DataFrame, shares: np.ndarray) -> pd.DataFrame:
        """Add the expected count, lift, Fisher p-value and BH q-value to each pair.

        ``shares`` is the time-matched share of customers exposed in the authors' windows.
        """
        a = pairs["exposed_authors"].to_numpy(dtype=np.int64)
        b = pairs["authors"].to_numpy(dtype=np.int64) - a
        non_authors = self.population_ - pairs["authors"].to_numpy(dtype=np.int64)
        c = np.rint(shares * non_authors).astype(np.int64)
        d = non_authors - c
        pairs["expected_exposed_authors"] = shares * pairs["authors"].to_numpy(dtype=float)
        pairs["lift"] = compute_lift(a, a + b, c, c + d)
        # Only pairs that could become links are tested (Fisher is the costly step). Leaving the others
        # out of the ranking can only raise the q-values of the rest: BH stays valid, a bit conservative.
        tested = a >= self.min_exposed_authors
        p_values = np.full(len(pairs), np.nan)
        p_values[tested] = fisher_greater(a[tested], b[tested], c[tested], d[tested])
        q_values = np.full(len(pairs), np.nan)
        q_values[tested] = adjust_benjamini_hochberg(p_values[tested], max(self.tests_, int(tested.sum())))
        pairs["p_value"], pairs["q_value"] = p_values, q_values
        return pairs

    def _text_match(
        self, pairs: pd.DataFrame, written: pd.DataFrame, incidents: pd.DataFrame | None
    ) -> np.ndarray:
        """Text match of each pair, 0 without ticket text or incident descriptions."""
        if incidents is None or "text" not in written.columns or pairs.empty:
            return np.zeros(len(pairs))
        require_columns(incidents, INCIDENT_TEXT_COLUMNS, "incident descriptions")
        scores = score_text_match(
            written,
            incidents.assign(incident_id=incidents["incident_id"].astype("str")),
            min_tickets=self.min_text_tickets,
            min_share=self.min_text_share,
        )
        merged = pairs[["pain_point_id", "incident_id"]].merge(
            scores, on=["pain_point_id", "incident_id"], how="left"
        )
        return merged["text_match"].fillna(0.0).to_numpy(dtype=float)

    def _strength(self, pairs: pd.DataFrame) -> np.ndarray:
        """Attributable share of authors, raised by the text bonus, in [0, 1]."""
        if pairs.empty:
            return np.zeros(0)
        share = pairs["exposed_authors"].to_numpy(dtype=float) / pairs["authors"].to_numpy(dtype=float)
        attributable = share * np.clip(1.0 - 1.0 / pairs["lift"].to_numpy(dtype=float), 0.0, 1.0)
        return np.clip(
            attributable * (1.0 + self.text_bonus * pairs["text_match"].to_numpy(dtype=float)), 0.0, 1.0
        )


def _population(population: int | None, written: pd.DataFrame, exposed: pd.DataFrame) -> int:
    """The customer population: as given (checked), else the distinct customers seen."""
    seen = int(pd.concat([written["customer_id"], exposed["customer_id"]]).nunique())
    if population is None:
        return seen
    if int(population) != population or population < seen:
        raise LinkInputError(
            f"population={population!r} is smaller than the {seen} distinct customers in tickets and exposures; "
            "pass the number of all customers"
        )
    return int(population)
