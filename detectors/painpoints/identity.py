"""Stable pain point ids across runs: reconcile a fresh clustering with the registry of earlier runs.

A fresh run knows nothing of earlier ids, and graph clustering moves a few tickets between close
pain points from run to run even on the same data. Ids therefore follow the tickets:

* a fresh cluster whose earlier tickets mostly belonged to pain point P continues P (the largest
  such cluster; a further one made mostly of P's earlier tickets is a split of P, one made mostly of
  new tickets a new pain point or an earlier one revived);
* a pain point most of whose tickets went into a cluster continuing another pain point merged into it;
* a cluster of only new tickets takes the id of an earlier pain point with no successor whose
  centroid is within ``centroid_match_similarity`` (same problem, new tickets), else a new id;
* a ticket goes where the fresh clustering put it, under that cluster's id; one the clustering left
  out keeps its earlier pain point. The clustering itself leans toward the earlier groups
  (``LouvainClusterer``'s history weight), so what moves is what the data moved.

Labels are kept too, while they still describe the pain point: a pain point whose tickets now
speak of something else (it grew, or a part split off) takes today's label, as does one whose
kept label another pain point now carries, or whose label today is the earlier one completed. Given
the tickets' texts, a kept label also gives way when today's label says no less and is written by at
least twice as many of the pain point's tickets (a name read off its first few tickets, once most of
them write another; ``_clearly_outwritten``).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from detectors.painpoints.registry import (
    ACTIVE,
    INACTIVE,
    MERGED,
    HistoryEvent,
    PainPointRegistry,
    PainPointState,
    format_pain_point_id,
)
from detectors.painpoints.result import UNASSIGNED, FitResult, PainPoint
from detectors.painpoints.words import STOP_WORDS, contains_phrase, stem, tokenize

logger = logging.getLogger(__name__)


@dataclass
class _Plan:
    """Working state while reconciling one run."""

    cluster_id: dict[int, str]  # fresh cluster -> pain point id
    merged_into: dict[str, str]  # earlier pain point -> the id it merged into
    events: list[HistoryEvent]
    next_number: int
    reserved: PainPointRegistry  # whose numbers a split correction gave out are passed over

    def issue(self, cluster: int, kind: str, parents: tuple[str, ...] = ()) -> str:
        number = self.reserved.free_number(self.next_number)
        new_id = format_pain_point_id(number)
        self.next_number = number + 1
        self.cluster_id[cluster] = new_id
        self.events.append(HistoryEvent(kind, new_id, parents))
        return new_id


def assign_stable_ids(
    previous: PainPointRegistry | None,
    ticket_ids: Sequence[str],
    fit_result: FitResult,
    *,
    centroid_match_similarity: float = 0.85,
    texts: Sequence[str] | None = None,
) -> tuple[dict[str, str | None], PainPointRegistry, list[HistoryEvent]]:
    """Give the fresh run's pain points stable ids.

    Args:
        previous: the registry returned by the last run, or None on the first run.
        ticket_ids: one unique id per row the clusterer was fitted on, in the same order.
        fit_result: ``PainPointClusterer.result_`` of this run.
        centroid_match_similarity: cosine at which a cluster of new tickets continues an earlier
            pain point that has no successor.
        texts: the rows' texts, in the same order, when known: an earlier label then also gives way
            to today's when far fewer of the pain point's tickets write it (``_clearly_outwritten``).

    Returns:
        (ticket id -> pain point id or None when unassigned, the new registry, this run's events).

    Raises:
        ValueError: if ticket ids are not unique or do not match the fitted rows.
    """
    ids = [str(t) for t in ticket_ids]
    labels = np.asarray(fit_result.labels)
    if len(ids) != labels.size:
        raise ValueError(f"got {len(ids)} ticket ids for {labels.size} clustered rows")
    if texts is not None and len(texts) != labels.size:
        raise ValueError(f"got {len(texts)} texts for {labels.size} clustered rows")
    if len(set(ids)) != len(ids):
        dup = next(t for t, c in Counter(ids).items() if c > 1)
        raise ValueError(f"ticket ids must be unique; {dup!r} appears more than once")
    previous = previous or PainPointRegistry(embedder_name=fit_result.embedder_name)
    old_of = {t: s.pain_point_id for s in previous.active for t in s.ticket_ids}
    members = _members(labels)
    overlap = {c: Counter(old_of[ids[i]] for i in rows if ids[i] in old_of) for c, rows in members.items()}
    plan = _Plan({}, {}, [], previous.next_number, previous)
    present = Counter(old_of[t] for t in ids if t in old_of)

    predecessor = {c: _predecessor(overlap[c]) for c in members}
    _continue_and_split(plan, members, overlap, predecessor)
    _merge(plan, members, overlap, present, predecessor)
    _match_or_create(plan, members, previous, fit_result, centroid_match_similarity)

    mapping = _map_tickets(ids, labels, old_of, plan)
    registry = _build_registry(previous, mapping, fit_result, plan, _RowTexts(texts, members))
    logger.info(
        "stable ids: %s pain points active, %s events (%s)",
        len(registry.active),
        len(plan.events),
        dict(Counter(e.kind for e in plan.events)),
    )
    return mapping, registry, plan.events


def _members(labels: np.ndarray) -> dict[int, np.ndarray]:
    """Fresh cluster -> row indices, largest cluster first (so ids are issued in a stable order)."""
    clusters = [int(c) for c in np.unique(labels) if c != UNASSIGNED]
    rows = {c: np.flatnonzero(labels == c) for c in clusters}
    return dict(sorted(rows.items(), key=lambda kv: (-kv[1].size, kv[0])))


def _predecessor(counts: Counter) -> str | None:
    """The earlier pain point holding a majority of a cluster's earlier tickets, if any."""
    if not counts:
        return None
    pid, n = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return pid if n * 2 > sum(counts.values()) else None


def _continue_and_split(plan, members, overlap, predecessor) -> None:
    """Largest successor continues each earlier pain point; further ones made of its tickets split off.

    A further successor used to be folded back into the earlier pain point unless it took 30% of its
    tickets. Since tickets follow the fit, that gave two fresh clusters one id, and the next refit's
    history held them together: a simulated world (seed 11, 46 true problems) replayed daily stayed
    at 19 pain points, NMI 0.814; without the fold-back it ends at 35, NMI 0.880.
    """
    children: dict[str, list[int]] = {}
    for c, pid in predecessor.items():
        if pid is not None:
            children.setdefault(pid, []).append(c)
    for pid, kids in sorted(children.items()):
        kids.sort(key=lambda c: (-overlap[c][pid], c))
        plan.cluster_id[kids[0]] = pid
        for c in kids[1:]:
            if overlap[c][pid] * 2 >= members[c].size:
                plan.issue(c, "split", (pid,))
            # else: mostly new tickets next to pid; revived or new in _match_or_create


def _merge(plan, members, overlap, present, predecessor) -> None:
    """An earlier pain point with no successor merged into the cluster that took most of its tickets."""
    continued = set(plan.cluster_id.values())
    for pid in sorted(present):
        if pid in continued:
            continue
        best = min(
            (c for c in members if overlap[c][pid] > 0), key=lambda c: (-overlap[c][pid], c), default=None
        )
        if best is None or overlap[best][pid] * 2 < present[pid] or best not in plan.cluster_id:
            continue
        target = plan.cluster_id[best]
        plan.merged_into[pid] = target
        plan.events.append(HistoryEvent("merged", target, tuple(sorted((target, pid)))))


def _match_or_create(plan, members, previous, fit_result, centroid_match_similarity) -> None:
    """Clusters still without an id: revive an unclaimed earlier pain point by centroid, else new id."""
    claimed = set(plan.cluster_id.values()) | set(plan.merged_into)
    same_space = previous.embedder_name == fit_result.embedder_name
    width = fit_result.centroids.shape[1] if fit_result.centroids.ndim == 2 else -1
    candidates = [
        s
        for s in previous.pain_points
        if s.status in (ACTIVE, INACTIVE) and s.pain_point_id not in claimed and len(s.centroid) == width
    ]
    for c in members:
        if c in plan.cluster_id:
            continue
        match = None
        if same_space and candidates and fit_result.centroids.shape[0] > c:
            sims = np.array([s.centroid for s in candidates], dtype=np.float32) @ fit_result.centroids[c]
            best = int(np.argmax(sims))
            if sims[best] >= centroid_match_similarity:
                match = candidates.pop(best)
        if match is not None:
            plan.cluster_id[c] = match.pain_point_id
        else:
            plan.issue(c, "created")


def _map_tickets(ids, labels, old_of, plan) -> dict[str, str | None]:
    """Each ticket's id: its fresh cluster's, or its earlier one when the refit left it out.

    The refit already leans toward the earlier groups (``LouvainClusterer``'s history weight), so a
    ticket it puts elsewhere belongs elsewhere. Keeping every ticket where it was first put froze the
    first run's mistakes: a world of real BANKING77 texts replayed daily held NMI 0.794 where one fit
    of the same tickets scored 0.823 (``benchmarks/world_real_text.py``).
    """
    mapping: dict[str, str | None] = {}
    for t, c in zip(ids, labels, strict=True):
        fresh = plan.cluster_id.get(int(c)) if c != UNASSIGNED else None
        old = old_of.get(t)
        if fresh is not None or old is None:
            mapping[t] = fresh
        else:  # left out by this fit: it stays where people already saw it, or where that went
            mapping[t] = plan.merged_into.get(old, old)
    return mapping


def _content_stems(text: str) -> set[str]:
    return {stem(w) for w in tokenize(text) if w not in STOP_WORDS}


def _still_describes(label: str, fresh: PainPoint) -> bool:
    """Every content word of an earlier label occurs in today's label or key terms.

    Every word, not most: a product's own nouns ("task", "app") sit in many pain points' terms and
    would keep a label alive on tickets that no longer mention its problem. Not the example
    tickets either, for the same reason: three whole texts hold incidental words.
    """
    words = _content_stems(label)
    today = set().union(*(_content_stems(t) for t in (fresh.label, *fresh.key_terms)))
    return bool(words) and words <= today


# Today's label must be written by this many times as many of a pain point's tickets as its earlier
# label before it replaces a label that still describes them. Twice, not "more": two phrases written
# by about as many tickets would otherwise swap names from one run to the next as tickets come and go.
_CLEARLY_MORE_WRITTEN = 2.0


@dataclass
class _RowTexts:
    """The fitted rows' texts (None when the caller gave none) and each fresh cluster's rows."""

    texts: Sequence[str] | None
    members: dict[int, np.ndarray]
    _stems: list[frozenset[str]] | None = None  # per row, its content stems: read once, when first asked

    def _row_stems(self) -> list[frozenset[str]]:
        if self._stems is None:
            self._stems = [frozenset(_content_stems(t)) for t in self.texts or ()]
        return self._stems

    def writers(self, label: str, cluster: int | None = None) -> int:
        """How many tickets (of ``cluster``, else of all) hold every content word of ``label``, in any order."""
        words = _content_stems(label)
        stems = self._row_stems()
        rows = range(len(stems)) if cluster is None else self.members.get(cluster, ())
        return sum(1 for i in rows if words <= stems[i])


def _clearly_outwritten(earlier: str, point: PainPoint, rows: _RowTexts) -> bool:
    """Whether today's label is written by at least twice as many of the pain point's tickets as the
    earlier one, and says no less: the earlier one was read off a few first tickets, and most now
    say otherwise.

    "No less": no fewer content words, and of all the tickets writing it, no smaller a share is this
    pain point's. A vaguer name ("spend" for "spent on food", "tasks" for "recurring task date off")
    or another pain point's word too ("app" for "recognise") is always written by more tickets, and
    would win for that alone.
    """
    if rows.texts is None or len(_content_stems(point.label)) < len(_content_stems(earlier)):
        return False
    today, before = rows.writers(point.label, point.cluster), rows.writers(earlier, point.cluster)
    if today < _CLEARLY_MORE_WRITTEN * max(before, 1):
        return False
    return today / max(rows.writers(point.label), 1) >= before / max(rows.writers(earlier), 1)


def _labels(old_states, fresh_cluster, fit_result, rows: _RowTexts) -> dict[str, str]:
    """Each pain point's label: the earlier one while it still describes today's cluster, else today's."""
    fresh = {pid: fit_result.pain_points[c] for pid, c in fresh_cluster.items()}
    labels = {pid: state.label for pid, state in old_states.items()}
    kept = set()
    for pid, point in fresh.items():
        # Today's label holding the earlier one word for word ("outlook calendar out" -> "outlook
        # calendar out of date") is the same name, completed: a reader loses nothing by the change.
        completed = pid in labels and contains_phrase(point.label, labels[pid])
        if (
            pid in labels
            and _still_describes(labels[pid], point)
            and not completed
            and not _clearly_outwritten(labels[pid], point, rows)
        ):
            kept.add(pid)
        else:
            labels[pid] = point.label
    # Today's labels are distinct among themselves; a kept label another current pain point now
    # carries gives way to today's, so two pain points on one report never read the same.
    today = Counter(labels[pid] for pid in fresh)
    for pid in sorted(kept):
        if today[labels[pid]] > 1:
            today[labels[pid]] -= 1
            labels[pid] = fresh[pid].label
            today[labels[pid]] += 1
    return labels


def _build_registry(previous, mapping, fit_result, plan, rows: _RowTexts) -> PainPointRegistry:
    """New registry: this run's members, fresh centroids, labels kept for continued pain points."""
    tickets: dict[str, list[str]] = {}
    for t, pid in mapping.items():
        if pid is not None:
            tickets.setdefault(pid, []).append(t)
    fresh_cluster = {}
    for c, pid in plan.cluster_id.items():
        fresh_cluster.setdefault(pid, c)  # the first (largest) cluster carrying the id describes it
    parents = {e.pain_point_id: e.parent_ids for e in plan.events if e.kind == "split"}
    old_states = {s.pain_point_id: s for s in previous.pain_points}
    labels = _labels(old_states, fresh_cluster, fit_result, rows)
    states = []
    for pid in sorted(set(old_states) | set(tickets) | set(fresh_cluster)):
        old = old_states.get(pid)
        c = fresh_cluster.get(pid)
        label = labels[pid]
        centroid = tuple(float(x) for x in fit_result.centroids[c]) if c is not None else old.centroid
        members = tuple(sorted(tickets.get(pid, ())))
        if pid in plan.merged_into:
            status, into = MERGED, plan.merged_into[pid]
        elif old is not None and old.status == MERGED:
            status, into = MERGED, old.merged_into
        else:
            status, into = (ACTIVE if members else INACTIVE), None
        states.append(
            PainPointState(
                pain_point_id=pid,
                label=label,
                centroid=centroid,
                ticket_ids=members if status != MERGED else (),
                status=status,
                parent_ids=parents.get(pid, old.parent_ids if old is not None else ()),
                merged_into=into,
            )
        )
    return PainPointRegistry(
        pain_points=tuple(states),
        next_number=plan.next_number,
        embedder_name=fit_result.embedder_name,
        history=previous.history + tuple(plan.events),
        reserved_numbers=previous.reserved_numbers,
    )
