"""Links: a planted pain point <-> incident association is found, noise is not, the audience is right."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import false_discovery_control, fisher_exact

from detectors.links import (
    LINK_COLUMNS,
    LinkInputError,
    PainPointLinker,
    adjust_benjamini_hochberg,
    affected_not_written,
    fisher_greater,
    score_text_match,
)

START = pd.Timestamp("2026-03-01", tz="UTC")
POPULATION = 2000


def world(seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame, set[str]]:
    """Two incidents hitting 300 customers each over ten days; pain point 'pp-checkout' has 25 authors
    who wrote within two days after hitting 'inc-pay', plus 15 others; 'pp-noise' has 40 random authors."""
    rng = np.random.default_rng(seed)
    customers = np.array([f"c{i}" for i in range(POPULATION)])
    hours = lambda n: START + pd.to_timedelta(rng.uniform(0, 240, n), unit="h")  # noqa: E731
    exposures = []
    for incident in ("inc-pay", "inc-other"):
        hit = rng.choice(customers, 300, replace=False)
        exposures.append(
            pd.DataFrame({"incident_id": incident, "customer_id": hit, "first_exposed_at": hours(300)})
        )
    exposure_frame = pd.concat(exposures, ignore_index=True)
    pay = exposure_frame.loc[exposure_frame["incident_id"] == "inc-pay"].sample(25, random_state=seed)
    planted = pd.DataFrame(
        {
            "pain_point_id": "pp-checkout",
            "customer_id": pay["customer_id"].to_numpy(),
            "created_at": pay["first_exposed_at"].reset_index(drop=True)
            + pd.to_timedelta(rng.uniform(1, 48, 25), unit="h"),
            "text": "Checkout fails with error E-1042, card declined at the gateway",
        }
    )
    others = rng.choice(np.setdiff1d(customers, pay["customer_id"]), 55, replace=False)
    background = pd.DataFrame(
        {
            "pain_point_id": ["pp-checkout"] * 15 + ["pp-noise"] * 40,
            "customer_id": others,
            "created_at": hours(55),
            "text": ["cannot pay at checkout"] * 15 + ["the export to csv is slow"] * 40,
        }
    )
    tickets = pd.concat([planted, background], ignore_index=True)
    return tickets, exposure_frame, set(pay["customer_id"])


INCIDENTS = pd.DataFrame(
    {
        "incident_id": ["inc-pay", "inc-other"],
        "error_code": ["E1042", "SYNC_9"],
        "message_pattern": ["card <num> declined by gateway <str>", "sync of folder <path> stalled"],
    }
)


def test_planted_association_is_found_and_noise_is_not() -> None:
    tickets, exposures, _ = world()
    linker = PainPointLinker().fit(tickets, exposures, population=POPULATION, incidents=INCIDENTS)
    links = linker.links_
    assert list(links.columns) == list(LINK_COLUMNS)
    assert links[["pain_point_id", "incident_id"]].values.tolist() == [["pp-checkout", "inc-pay"]]
    link = links.iloc[0]
    assert link["exposed_authors"] >= 25 and link["authors"] == 40
    assert link["p_value"] < 1e-10 and link["q_value"] < 1e-8
    assert link["lift"] > 3
    assert link["text_match"] == 1.0  # tickets name E-1042
    assert 0 < link["strength"] <= 1


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_noise_alone_gives_no_link(seed: int) -> None:
    tickets, exposures, _ = world(seed)
    noise_only = tickets.loc[tickets["pain_point_id"] == "pp-noise"]
    assert PainPointLinker().fit(noise_only, exposures, population=POPULATION).links_.empty


def test_fisher_p_value_matches_scipy() -> None:
    tickets, exposures, _ = world()
    pairs = PainPointLinker().fit(tickets, exposures, population=POPULATION).pairs_
    rng = np.random.default_rng(0)
    tables = rng.integers(0, 60, size=(50, 4))
    ours = fisher_greater(*tables.T)
    theirs = [fisher_exact([[a, b], [c, d]], alternative="greater").pvalue for a, b, c, d in tables]
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-15)
    row = pairs.loc[(pairs["pain_point_id"] == "pp-checkout") & (pairs["incident_id"] == "inc-pay")].iloc[0]
    assert row["p_value"] > 0  # a real probability, not an underflow artefact of a wrong table


def test_benjamini_hochberg_matches_scipy_and_counts_untested_pairs() -> None:
    p = np.array([0.001, 0.04, 0.03, 0.2, 0.0001])
    np.testing.assert_allclose(adjust_benjamini_hochberg(p), false_discovery_control(p, method="bh"))
    more = adjust_benjamini_hochberg(p, total_tests=50)
    assert (more >= adjust_benjamini_hochberg(p)).all()
    with pytest.raises(ValueError):
        adjust_benjamini_hochberg(p, total_tests=3)


def test_only_an_exposure_shortly_before_the_first_ticket_counts() -> None:
    exposures = pd.DataFrame(
        {
            "incident_id": "inc",
            "customer_id": ["a", "b", "c", "d", "e"],
            "first_exposed_at": [START] * 5,
        }
    )
    hours = [10, -1, 71, 100, -5, 10]
    tickets = pd.DataFrame(
        {
            "pain_point_id": "pp",
            "customer_id": ["a", "b", "c", "c", "d", "d"],
            # a: 10 h after: counts. b: wrote before the exposure. c: first ticket 71 h after (a later one
            # at 100 h does not matter): counts. d: first wrote before the exposure, so a later ticket
            # inside the window does not make the incident the reason. e never wrote.
            "created_at": [START + pd.Timedelta(hours=h) for h in hours],
        }
    )
    pairs = PainPointLinker().fit(tickets, exposures, population=100).pairs_
    assert pairs["exposed_authors"].tolist() == [2]
    assert pairs["authors"].tolist() == [4]


def test_a_broad_incident_still_links_thanks_to_the_time_matched_control() -> None:
    """The incident hits a quarter of all customers over 30 days; 15 of a pain point's 60 authors wrote
    within a day of hitting it. Against 'ever exposed' (25%) that is no excess; within the same
    72-hour windows only ~2.5% of customers are hit, so it is a strong one."""
    rng = np.random.default_rng(5)
    customers = np.array([f"c{i}" for i in range(4000)])
    hit = rng.choice(customers, 1000, replace=False)
    exposures = pd.DataFrame(
        {
            "incident_id": "inc-broad",
            "customer_id": hit,
            "first_exposed_at": START + pd.to_timedelta(rng.uniform(0, 720, 1000), unit="h"),
        }
    )
    planted = exposures.iloc[:15]
    others = rng.choice(np.setdiff1d(customers, hit), 45, replace=False)
    tickets = pd.DataFrame(
        {
            "pain_point_id": "pp-broad",
            "customer_id": np.concatenate([planted["customer_id"].to_numpy(), others]),
            "created_at": np.concatenate(
                [
                    (
                        planted["first_exposed_at"] + pd.to_timedelta(rng.uniform(1, 24, 15), unit="h")
                    ).to_numpy(),
                    (START + pd.to_timedelta(rng.uniform(0, 720, 45), unit="h")).to_numpy(),
                ]
            ),
        }
    )
    links = PainPointLinker().fit(tickets, exposures, population=4000).links_
    assert links["incident_id"].tolist() == ["inc-broad"]
    link = links.iloc[0]
    assert link["exposed_authors"] == 15 and link["expected_exposed_authors"] < 3


def test_expected_exposed_authors_matches_chance_for_unrelated_pairs() -> None:
    tickets, exposures, _ = world()
    pairs = PainPointLinker(min_exposed_authors=1).fit(tickets, exposures, population=POPULATION).pairs_
    noise = pairs.loc[pairs["pain_point_id"] == "pp-noise"]
    assert (noise["expected_exposed_authors"] < 3).all()
    assert (noise["q_value"] > 0.05).all()


def test_minimum_exposed_authors_is_enforced() -> None:
    tickets, exposures, _ = world()
    strict = PainPointLinker(min_exposed_authors=500).fit(tickets, exposures, population=POPULATION)
    assert strict.links_.empty and not strict.pairs_.empty


def test_text_match_only_ranks_it_never_links() -> None:
    tickets, exposures, _ = world()
    with_text = PainPointLinker().fit(tickets, exposures, population=POPULATION, incidents=INCIDENTS).links_
    without = PainPointLinker().fit(tickets.drop(columns="text"), exposures, population=POPULATION).links_
    assert with_text[["pain_point_id", "incident_id"]].equals(without[["pain_point_id", "incident_id"]])
    assert (without["text_match"] == 0).all()
    assert with_text["strength"].iloc[0] > without["strength"].iloc[0]


def test_text_match_scores_codes_and_distinctive_words() -> None:
    tickets = pd.DataFrame(
        {
            "pain_point_id": ["p1", "p1", "p2", "p2", "p3"],
            "text": [
                "got pay_402 again",
                "PAY-402 on checkout",
                "card declined by the gateway",
                "declined",
                "x",
            ],
        }
    )
    incidents = pd.DataFrame(
        {
            "incident_id": ["i1", "i2"],
            "error_code": ["PAY-402", None],
            "message_pattern": ["payment failed", "card <num> declined by gateway <str>"],
        }
    )
    scores = score_text_match(tickets, incidents, max_term_share=0.5).set_index(
        ["pain_point_id", "incident_id"]
    )
    assert scores.loc[("p1", "i1"), "text_match"] == 1.0
    # i2's distinctive words are card, declined, gateway; p2 mentions 'declined' in two tickets.
    assert scores.loc[("p2", "i2"), "text_match"] == pytest.approx(1 / 3)
    assert ("p3", "i1") not in scores.index


def test_text_match_reads_whole_tokens_their_parts_and_their_joined_form() -> None:
    tickets = pd.DataFrame(
        {
            "pain_point_id": ["p1", "p1", "p2", "p2", "p3", "p3"] + ["p4"] * 6,
            "text": [
                "export.csv is broken",  # a part of a joined token
                "My EXPORT-CSV fails",
                "exp-ort broke",  # joined without its separator
                "exp_ort again",
                "the exporter is broken",  # holds the letters but is another word
                "exporters everywhere",
                None,
                *(f"login page {n} is slow" for n in range(5)),  # tickets that name nothing of it
            ],
        }
    )
    incidents = pd.DataFrame({"incident_id": ["i1"], "error_code": [None], "message_pattern": ["export failed for <id>"]})
    scores = score_text_match(tickets, incidents, max_term_share=1.0).set_index(["pain_point_id", "incident_id"])
    assert scores.loc[("p1", "i1"), "text_match"] == 1.0
    assert scores.loc[("p2", "i1"), "text_match"] == 1.0
    assert ("p3", "i1") not in scores.index and ("p4", "i1") not in scores.index


def test_affected_not_written_is_the_exposed_minus_the_authors() -> None:
    tickets, exposures, _ = world()
    links = PainPointLinker().fit(tickets, exposures, population=POPULATION).links_
    audience = affected_not_written(links, exposures, tickets)
    exposed = set(exposures.loc[exposures["incident_id"] == "inc-pay", "customer_id"])
    wrote = set(tickets.loc[tickets["pain_point_id"] == "pp-checkout", "customer_id"])
    assert set(audience["customer_id"]) == exposed - wrote
    assert audience["customer_id"].is_unique
    assert set(audience["pain_point_id"]) == {"pp-checkout"}


def test_population_smaller_than_customers_seen_is_refused() -> None:
    tickets, exposures, _ = world()
    with pytest.raises(LinkInputError, match="population"):
        PainPointLinker().fit(tickets, exposures, population=10)


def test_as_of_ignores_later_tickets() -> None:
    tickets, exposures, _ = world()
    early = PainPointLinker().fit(
        tickets, exposures, population=POPULATION, as_of=START - pd.Timedelta(days=1)
    )
    assert early.links_.empty and early.pairs_.empty


def test_empty_inputs_return_empty_frames() -> None:
    tickets = pd.DataFrame(columns=["pain_point_id", "customer_id", "created_at"])
    exposures = pd.DataFrame(columns=["incident_id", "customer_id", "first_exposed_at"])
    linker = PainPointLinker().fit(tickets, exposures)
    assert linker.links_.empty and list(linker.links_.columns) == list(LINK_COLUMNS)
    audience = affected_not_written(linker.links_, exposures, tickets)
    assert audience.empty and list(audience.columns) == [
        "pain_point_id",
        "incident_id",
        "customer_id",
        "first_exposed_at",
    ]


def test_missing_column_is_named() -> None:
    tickets, exposures, _ = world()
    with pytest.raises(LinkInputError, match="created_at"):
        PainPointLinker().fit(tickets.drop(columns="created_at"), exposures)


def test_words_every_pain_point_uses_are_not_a_text_match() -> None:
    tickets = pd.DataFrame(
        {
            "pain_point_id": ["p1", "p1", "p2", "p2", "p3", "p3"],
            "text": ["the gateway again", "gateway down", "gateway slow", "gateway?", "gateway", "gateway!"],
        }
    )
    incidents = pd.DataFrame({"incident_id": ["i1"], "message_pattern": ["timeout at gateway <num>"]})
    assert score_text_match(tickets, incidents, max_term_share=1.0).empty


def test_expected_share_counts_exposures_in_each_authors_window() -> None:
    from detectors.links.association import expected_exposure_shares

    authors = pd.DataFrame(
        {
            "pain_point_id": ["pp", "pp"],
            "customer_id": ["a", "b"],
            "created_at": [START + pd.Timedelta(hours=100), START + pd.Timedelta(hours=200)],
        }
    )
    # Exposures at 20 h (outside both windows), 50 h and 90 h (a's window [28 h, 100 h]), 150 h (b's).
    exposures = pd.DataFrame(
        {
            "incident_id": "inc",
            "customer_id": ["x1", "x2", "x3", "x4"],
            "first_exposed_at": [START + pd.Timedelta(hours=h) for h in (20, 50, 90, 150)],
        }
    )
    pairs = pd.DataFrame({"pain_point_id": ["pp"], "incident_id": ["inc"]})
    share = expected_exposure_shares(pairs, authors, exposures, window_hours=72, population=10)
    assert share.tolist() == [pytest.approx((2 + 1) / 2 / 10)]
