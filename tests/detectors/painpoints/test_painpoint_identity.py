"""Pain point ids that survive reruns, with splits and merges recorded as history."""

from __future__ import annotations

import json

import numpy as np
import pytest

from detectors.painpoints import (
    CachingEmbedder,
    FitResult,
    PainPoint,
    PainPointClusterer,
    PainPointRegistry,
    assign_stable_ids,
)


def _fit_result(labels: list[int], centroids: list[list[float]] | None = None) -> FitResult:
    labels_arr = np.array(labels)
    k = int(labels_arr.max()) + 1
    if centroids is None:
        centroids = np.eye(k, 4, dtype=np.float32)
    points = tuple(
        PainPoint(c, f"problem {chr(97 + c)}", (), int((labels_arr == c).sum()), ()) for c in range(k)
    )
    return FitResult(labels_arr, points, np.asarray(centroids, dtype=np.float32), "test")


def test_first_run_issues_fresh_ids_largest_first():
    mapping, registry, events = assign_stable_ids(
        None, ["a", "b", "c", "d", "e"], _fit_result([1, 1, 0, 1, -1])
    )
    assert mapping == {"a": "pp-000001", "b": "pp-000001", "c": "pp-000002", "d": "pp-000001", "e": None}
    assert [e.kind for e in events] == ["created", "created"]
    assert registry.next_number == 3


def test_rerun_with_renumbered_clusters_keeps_ids():
    ids = [f"t{i}" for i in range(12)]
    first, registry, _ = assign_stable_ids(None, ids, _fit_result([0] * 6 + [1] * 6))
    second, _, events = assign_stable_ids(registry, ids, _fit_result([1] * 6 + [0] * 6))
    assert second == first
    assert events == []


def test_growth_keeps_ids_and_new_topic_gets_a_new_id():
    ids = [f"t{i}" for i in range(10)]
    first, registry, _ = assign_stable_ids(None, ids, _fit_result([0] * 5 + [1] * 5))
    more = ids + [f"n{i}" for i in range(9)]
    second, registry2, events = assign_stable_ids(
        registry, more, _fit_result([0] * 5 + [1] * 5 + [0] * 3 + [2] * 6)
    )
    assert all(second[t] == first[t] for t in ids)
    assert second["n0"] == first["t0"]
    assert second["n3"] == "pp-000003"
    assert [(e.kind, e.pain_point_id) for e in events] == [("created", "pp-000003")]
    assert registry2.get("pp-000001").ticket_count == 8


def test_split_is_recorded_with_its_parent():
    ids = [f"t{i}" for i in range(20)]
    _, registry, _ = assign_stable_ids(None, ids, _fit_result([0] * 20))
    mapping, registry2, events = assign_stable_ids(registry, ids, _fit_result([0] * 12 + [1] * 8))
    assert [(e.kind, e.pain_point_id, e.parent_ids) for e in events] == [
        ("split", "pp-000002", ("pp-000001",))
    ]
    assert mapping["t0"] == "pp-000001" and mapping["t19"] == "pp-000002"
    assert registry2.get("pp-000002").parent_ids == ("pp-000001",)


def test_a_ticket_the_refit_moved_follows_it_and_ids_stay():
    ids = [f"t{i}" for i in range(20)]
    first, registry, _ = assign_stable_ids(None, ids, _fit_result([0] * 10 + [1] * 10))
    # Two tickets of the first pain point land in the second one: the refit (which already leans on
    # the earlier groups) says they belong there, so they move; both pain points keep their ids.
    mapping, registry2, events = assign_stable_ids(registry, ids, _fit_result([0] * 8 + [1] * 12))
    assert {t: mapping[t] for t in ids[:8]} == {t: first["t0"] for t in ids[:8]}
    assert {t: mapping[t] for t in ids[8:]} == {t: first["t10"] for t in ids[8:]}
    assert events == []
    assert registry2.get(first["t0"]).ticket_count == 8


def test_a_small_part_the_refit_separated_splits_off_under_its_own_id():
    ids = [f"t{i}" for i in range(20)]
    first, registry, _ = assign_stable_ids(None, ids, _fit_result([0] * 20))
    # A fifth of the pain point's tickets now form a cluster of their own: one id for both clusters
    # would hand the next refit's history two problems as one.
    mapping, _, events = assign_stable_ids(registry, ids, _fit_result([0] * 16 + [1] * 4))
    assert [(e.kind, e.parent_ids) for e in events] == [("split", (first["t0"],))]
    assert {mapping[t] for t in ids[16:]} == {events[0].pain_point_id}
    assert {mapping[t] for t in ids[:16]} == {first["t0"]}


def test_a_ticket_the_refit_left_out_keeps_its_pain_point():
    ids = [f"t{i}" for i in range(20)]
    first, registry, _ = assign_stable_ids(None, ids, _fit_result([0] * 10 + [1] * 10))
    mapping, _, events = assign_stable_ids(registry, ids, _fit_result([0] * 9 + [-1] + [1] * 10))
    assert mapping == first
    assert events == []


def test_merge_is_recorded_and_the_old_id_is_never_reused():
    ids = [f"t{i}" for i in range(20)]
    _, registry, _ = assign_stable_ids(None, ids, _fit_result([0] * 12 + [1] * 8))
    mapping, registry2, events = assign_stable_ids(registry, ids, _fit_result([0] * 20))
    assert [(e.kind, e.pain_point_id, e.parent_ids) for e in events] == [
        ("merged", "pp-000001", ("pp-000001", "pp-000002"))
    ]
    assert set(mapping.values()) == {"pp-000001"}
    assert registry2.get("pp-000002").status == "merged"
    assert registry2.get("pp-000002").merged_into == "pp-000001"
    _, registry3, _ = assign_stable_ids(registry2, ["x1", "x2"], _fit_result([0, 0], [[0, 0, 0, 1]]))
    assert registry3.active[-1].pain_point_id == "pp-000003"


def test_same_problem_with_only_new_tickets_is_recognised_by_centroid():
    _, registry, _ = assign_stable_ids(None, ["a", "b", "c"], _fit_result([0, 0, 0], [[1, 0, 0, 0]]))
    mapping, _, events = assign_stable_ids(registry, ["d", "e"], _fit_result([0, 0], [[0.99, 0.1, 0, 0]]))
    assert mapping == {"d": "pp-000001", "e": "pp-000001"}
    assert events == []


def test_registry_round_trips_through_json():
    ids = [f"t{i}" for i in range(20)]
    _, registry, _ = assign_stable_ids(None, ids, _fit_result([0] * 12 + [1] * 8))
    _, registry, _ = assign_stable_ids(registry, ids, _fit_result([0] * 20))
    again = PainPointRegistry.from_dict(json.loads(json.dumps(registry.to_dict())))
    assert again == registry


def test_bad_ticket_ids_are_clear_errors():
    with pytest.raises(ValueError, match="unique"):
        assign_stable_ids(None, ["a", "a"], _fit_result([0, 0]))
    with pytest.raises(ValueError, match="3 ticket ids for 2"):
        assign_stable_ids(None, ["a", "b", "c"], _fit_result([0, 0]))
    with pytest.raises(ValueError, match="missing key"):
        PainPointRegistry.from_dict({"pain_points": []})


@pytest.mark.slow
def test_banking77_seventy_then_hundred_percent_keeps_ids(banking77, minilm_idf):
    texts = banking77["text"].tolist()
    ids = [f"t{i}" for i in range(len(texts))]
    rng = np.random.default_rng(0)
    first = np.sort(rng.permutation(len(texts))[: int(0.7 * len(texts))])
    first_texts = [texts[i] for i in first]
    # As the pipeline does: token weights fitted on the first run's texts are kept for later runs.
    minilm = CachingEmbedder(minilm_idf.fit(PainPointClusterer().embedding_texts(first_texts)))
    run1 = PainPointClusterer(embedder=minilm).fit(first_texts)
    map1, reg1, _ = assign_stable_ids(None, [ids[i] for i in first], run1.result_)
    run2 = PainPointClusterer(embedder=minilm).fit(texts, prior_groups=reg1.prior_groups(ids))
    map2, reg2, _ = assign_stable_ids(reg1, ids, run2.result_)
    assigned = [t for t, pid in map1.items() if pid]
    kept = np.mean([map2[t] == map1[t] for t in assigned])
    # Measured in float32, this sample (seed 0): 95.4%; with one-pass embeddings on four samples
    # 95.2-97.9%. The int8 default keeps 94.9% here (95.8% on average over three samples): the
    # README reports both.
    assert kept >= 0.95
    # A rerun of the same tickets does not depend on their order, and keeps (almost) every id.
    order = rng.permutation(len(texts))
    shuffled = [ids[i] for i in order]
    run3 = PainPointClusterer(embedder=minilm).fit(
        [texts[i] for i in order], prior_groups=reg2.prior_groups(shuffled)
    )
    map3, _, events3 = assign_stable_ids(reg2, shuffled, run3.result_)
    run4 = PainPointClusterer(embedder=minilm).fit(texts, prior_groups=reg2.prior_groups(ids))
    map4, _, events4 = assign_stable_ids(reg2, ids, run4.result_)
    assert map3 == map4 and events3 == events4
    assert np.mean([map3[t] == map2[t] for t in ids]) >= 0.97


def _described(labels: list[int], texts: list[tuple[str, tuple[str, ...]]]) -> FitResult:
    """A fit whose cluster c reads ``texts[c]`` = (label, key terms)."""
    labels_arr = np.array(labels)
    points = tuple(
        PainPoint(c, label, terms, int((labels_arr == c).sum()), ()) for c, (label, terms) in enumerate(texts)
    )
    return FitResult(labels_arr, points, np.eye(len(texts), 4, dtype=np.float32), "test")


def test_a_label_stays_while_it_still_describes_the_tickets_and_changes_when_they_moved_on():
    ids = [f"t{i}" for i in range(12)]
    first = [("card payment declined abroad", ("card", "abroad")), ("search does not find tasks", ("search",))]
    _, registry, _ = assign_stable_ids(None, ids, _described([0] * 6 + [1] * 6, first))
    # Same tickets, today's wording differs: the payment pain point is still about declined cards
    # abroad; the other one's tickets now speak only of calendar sync.
    today = [("declined card", ("abroad", "payment")), ("calendar sync", ("outlook calendar", "sync"))]
    _, registry2, _ = assign_stable_ids(registry, ids, _described([0] * 6 + [1] * 6, today))
    assert registry2.get("pp-000001").label == "card payment declined abroad"
    assert registry2.get("pp-000002").label == "calendar sync"


def test_a_kept_label_gives_way_when_another_pain_point_now_carries_it():
    ids = [f"t{i}" for i in range(12)]
    first = [("pdf export broken", ("pdf", "export")), ("trello import", ("trello",))]
    _, registry, _ = assign_stable_ids(None, ids, _described([0] * 6 + [1] * 6, first))
    # pp-000001's earlier label still describes it, but today's run gave that very phrase to
    # pp-000002 (whose tickets moved on from Trello): the kept label gives way to today's own.
    today = [("pdf export slow", ("broken", "pdf export")), ("pdf export broken", ("pdf", "timeout"))]
    _, registry2, _ = assign_stable_ids(registry, ids, _described([0] * 6 + [1] * 6, today))
    labels = [registry2.get(pid).label for pid in ("pp-000001", "pp-000002")]
    assert labels == ["pdf export slow", "pdf export broken"]


def test_a_kept_label_gives_way_to_its_own_completion():
    ids = [f"t{i}" for i in range(12)]
    first = [("outlook calendar out", ("outlook", "sync")), ("google pay top", ("google pay",))]
    _, registry, _ = assign_stable_ids(None, ids, _described([0] * 6 + [1] * 6, first))
    # Today's labels hold yesterday's fragments word for word: take them. A label that only shares
    # words ("pay top google") is not a completion, and yesterday's stays.
    today = [("outlook calendar out of date", ("outlook", "sync")), ("pay top google", ("google pay top",))]
    _, registry2, _ = assign_stable_ids(registry, ids, _described([0] * 6 + [1] * 6, today))
    labels = [registry2.get(pid).label for pid in ("pp-000001", "pp-000002")]
    assert labels == ["outlook calendar out of date", "google pay top"]


# The README backtest example's PDF export pain point: named from its first tickets "minute and then
# fails"; two runs later six of eight tickets say "PDF export broken".
_PDF_FIRST = [
    "pdf export broken?. Exporting a project to PDF spins for a minute and then fails.",
    "pdf export broken?. Exporting a project to PDF spins for a minute and then fails. It happened twice today.",
    "Export to PDF times out. PDF export worked for small projects but not for the one with 400 tasks.",
]
_PDF_LATER = [
    "pdf export broken?. PDF export worked for small projects but not for the one with 400 tasks.",
    "pdf export broken?. When I export the board as PDF I get an error instead of a file.",
    "pdf export broken?. The PDF export times out for our bigger projects.",
    "PDF export broken since Monday. Rendering never finishes.",
    "Export to PDF says it timed out while rendering.",
]


def test_a_kept_label_gives_way_when_twice_as_many_tickets_write_todays():
    first_ids = ["t0", "t1", "t2"]
    first = [("minute and then fails", ("spins for a minute", "export"))]
    _, registry, _ = assign_stable_ids(None, first_ids, _described([0, 0, 0], first), texts=_PDF_FIRST)
    ids = first_ids + [f"t{i}" for i in range(3, 8)]
    texts = _PDF_FIRST + _PDF_LATER
    # Yesterday's label still "describes" today's group (its words are among the key terms), but 6 of
    # 8 tickets write today's and 2 write yesterday's.
    today = [("PDF export broken", ("minute and then fails", "export to PDF"))]
    _, registry2, _ = assign_stable_ids(registry, ids, _described([0] * 8, today), texts=texts)
    assert registry2.get("pp-000001").label == "PDF export broken"
    # Without the texts, or with today's label not written by twice as many, yesterday's stays.
    _, without, _ = assign_stable_ids(registry, ids, _described([0] * 8, today))
    assert without.get("pp-000001").label == "minute and then fails"
    # 3 of 8 against 2: more, but not twice as many.
    near = _PDF_FIRST + _PDF_LATER[:1] + [t.replace("pdf export broken?.", "PDF export fails.").replace("PDF export broken", "PDF fails") for t in _PDF_LATER[1:]]
    _, kept, _ = assign_stable_ids(registry, ids, _described([0] * 8, today), texts=near)
    assert kept.get("pp-000001").label == "minute and then fails"


# Six tickets of a pain point, then three of another; the pain point's earlier label, today's vaguer
# one, and the other pain point's label.
_VAGUER = {
    # "spend" is in four of the six tickets, "spent on food" in two, and no other pain point writes
    # either: but it says less (one content word against two).
    "fewer words": (
        [
            "How much have I spent on food this week?",
            "What have I spent on food since Monday?",
            "How much did I spend on gas?",
            "What did I spend last month?",
            "Show me what I spend on rent.",
            "Can I see where I spend the most?",
            "Set a reminder to call mom.",
            "Remind me to water the plants.",
            "Add a reminder for the dentist.",
        ],
        "spent on food", "spend", "reminder",
    ),
    # "app" is in five of the six tickets, "recognise" in two, both one word: but "app" is the crash
    # pain point's word as much (5 of its 8 writers are here, against 2 of 2).
    "another pain point's word": (
        [
            "I don't recognise this payment in the app.",
            "A payment I don't recognise.",
            "There is a direct debit in the app I never set up.",
            "Unknown card payment in the app.",
            "The app shows a payment I did not make.",
            "Strange transaction in the app.",
            "The app crashes on start.",
            "The app freezes when I log in.",
            "The app closes itself.",
        ],
        "recognise", "app", "app crashes",
    ),
}


@pytest.mark.parametrize("case", sorted(_VAGUER))
def test_a_vaguer_label_written_by_more_tickets_does_not_replace_a_kept_one(case: str):
    texts, earlier, vaguer, other = _VAGUER[case]
    ids = [f"t{i}" for i in range(len(texts))]
    clusters = [0] * 6 + [1] * 3
    first = [(earlier, ("common",)), (other, ("common",))]
    _, registry, _ = assign_stable_ids(None, ids, _described(clusters, first), texts=texts)
    today = [(vaguer, (earlier, "common")), (other, ("common",))]
    _, registry2, _ = assign_stable_ids(registry, ids, _described(clusters, today), texts=texts)
    assert registry2.get("pp-000001").label == earlier


def test_texts_must_match_the_fitted_rows():
    with pytest.raises(ValueError, match="got 2 texts for 3 clustered rows"):
        assign_stable_ids(None, ["a", "b", "c"], _described([0, 0, 0], [("x", ())]), texts=["one", "two"])
