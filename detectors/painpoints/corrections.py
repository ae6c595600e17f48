"""A person's corrections to pain points, re-applied after every clustering and identity run.

No clustering keeps a person's edits when it is refitted, so the edits are not made to a
clustering at all: they are kept as a list of ``Correction`` and applied, in the order they were
made, to whatever the latest run found, after ``assign_stable_ids``. Each one is idempotent, so
applying the whole list to a run that already honours it changes nothing:

* ``rename``: the pain point shows the person's label, whatever today's words are;
* ``merge``: the other pain points' tickets join this one and the others stay merged; a pain point
  the identity step split off this run out of mostly the tickets that were merged is folded back;
* ``split``: tickets holding the phrase (or the listed example tickets) form the pain point
  ``new_pain_point_id``; of the two, the new one holds exactly the matching tickets every run;
* ``mute``: kept and counted, but hidden from top lists and never linked to an incident;
* ``pin``: never merged away; a merge the identity step made this run is undone.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from detectors.painpoints.labeling import label_parts
from detectors.painpoints.registry import (
    ACTIVE,
    INACTIVE,
    MERGED,
    HistoryEvent,
    PainPointRegistry,
    PainPointState,
)

ACTIONS = ("rename", "merge", "split", "mute", "pin")
_ID_NUMBER = re.compile(r"^pp-(\d+)$")


@dataclass(frozen=True)
class Correction:
    """One correction as a person made it (``other_ids``: merge; ``phrase``/``ticket_ids``: split)."""

    action: str
    pain_point_id: str
    by: str
    at: datetime
    label: str | None = None
    other_ids: tuple[str, ...] = ()
    phrase: str | None = None
    ticket_ids: tuple[str, ...] = ()
    new_pain_point_id: str | None = None
    snapshot_ticket_ids: tuple[str, ...] = ()  # the pain point's tickets when the correction was made


@dataclass(frozen=True)
class CorrectedRun:
    """A run's ids after corrections: the ticket mapping, registry and events to store."""

    mapping: dict[str, str | None]
    registry: PainPointRegistry
    events: tuple[HistoryEvent, ...]
    muted: frozenset[str]
    pinned: frozenset[str]


def phrase_matches(text: str, phrase: str) -> bool:
    """``text`` holds ``phrase`` as whole words, ignoring case and spacing ("card declined" in "My card declined!")."""
    words = re.findall(r"\w+", phrase.casefold())
    if not words:
        return False
    return re.search(r"\b" + r"\W+".join(map(re.escape, words)) + r"\b", text.casefold()) is not None


def corrections_fingerprint(corrections: Sequence[Correction]) -> str:
    """A digest of every correction, to tell whether any was made or withdrawn since an earlier run."""
    ordered = sorted(repr(c) for c in corrections)
    return hashlib.sha256("\n".join(ordered).encode()).hexdigest()[:16]


def reserve_ids(previous: PainPointRegistry | None, corrections: Sequence[Correction]) -> PainPointRegistry | None:
    """``previous`` with the numbers every split correction gave out reserved.

    A rerun of an earlier as-of starts from an older registry, which would otherwise issue a split's id
    again to a different pain point. The numbers are passed over, not jumped past: jumping gave the
    pain points a rerun finds again new ids (its as-of's own run had issued them below the split's), and
    left the ids that run had issued behind as duplicates.
    """
    reserved = frozenset(n for n in (_number(c.new_pain_point_id) for c in corrections if c.new_pain_point_id) if n)
    if not reserved:
        return previous
    if previous is None:
        return PainPointRegistry(reserved_numbers=reserved)
    return replace(previous, reserved_numbers=previous.reserved_numbers | reserved)


def apply_corrections(
    previous: PainPointRegistry | None,
    mapping: Mapping[str, str | None],
    registry: PainPointRegistry,
    events: Sequence[HistoryEvent],
    corrections: Sequence[Correction],
    texts: Mapping[str, str],
    as_of: datetime | None = None,
) -> CorrectedRun:
    """Apply every correction, oldest first, to one run's stable ids.

    Args:
        previous: the registry the run started from (None on a first run); pins undo its merges.
        mapping, registry, events: what ``assign_stable_ids`` returned for the run.
        corrections: all corrections ever made, in any order.
        texts: ticket id -> text, for splits by phrase.
        as_of: the run's as-of. A correction made after it (a backtest or a rerun replaying an
            earlier time) names ids this replay may have given to other problems, so it is applied to
            the pain points holding most of the tickets it was made on, and skipped while none of
            them is in the run.

    Returns:
        The corrected mapping, registry and events, and the muted and pinned ids.
    """
    known = frozenset(t for s in previous.pain_points for t in s.ticket_ids) if previous is not None else frozenset()
    work = _Work(dict(mapping), {s.pain_point_id: s for s in registry.pain_points}, list(events), known)
    in_order = sorted(corrections, key=lambda c: c.at)
    # Pins act on the merges the identity step made, so they are read in its ids.
    pinned = frozenset(c.pain_point_id for c in (_as_seen_by(c, mapping, as_of, known) for c in in_order if c.action == "pin") if c)
    for pid in sorted(pinned):
        work.unmerge(pid, previous)
    ordered = []
    renamed: set[str] = set()
    for made in in_order:
        # Read in the ids the earlier corrections left: a merge of a part split off by an earlier
        # correction finds its tickets in that part, not where the clustering had put them.
        correction = _as_seen_by(made, work.owner, as_of, work.known)
        if correction is None:
            continue
        ordered.append(correction)
        if correction.action == "merge":
            work.merge(correction)
        elif correction.action == "split":
            work.split(correction, texts)
        elif correction.action == "rename" and correction.pain_point_id in work.states:
            work.states[correction.pain_point_id] = replace(work.states[correction.pain_point_id], label=correction.label)
            renamed.add(correction.pain_point_id)
    work.relabel_split_parts(texts, renamed)
    kept = len(registry.history) - len(events)
    fixed = work.registry(registry, kept)
    muted = frozenset(c.pain_point_id for c in ordered if c.action == "mute")
    return CorrectedRun(work.owner, fixed, tuple(work.events), muted, pinned)


@dataclass
class _Work:
    owner: dict[str, str | None]
    states: dict[str, PainPointState]
    events: list[HistoryEvent]
    known: frozenset[str]  # tickets the previous run had placed: what a new cut is judged by
    split_parts: list[tuple[str, str]] = field(default_factory=list)  # (source, part) of each split applied

    def relabel_split_parts(self, texts: Mapping[str, str], renamed: set[str]) -> None:
        """Name both sides of each split by their own tickets, read against each other.

        A label a person gave (a rename, before or after the split) is kept; so is the old label of a
        side that has no ticket with text here.
        """
        for source, part in self.split_parts:
            source, part = self.resolve(source), self.resolve(part)
            sides = [side for side in (source, part) if side in self.states and side not in renamed]
            if not sides or source == part:
                continue
            members = {source: [], part: []}
            for ticket, owner in self.owner.items():
                if owner in members and texts.get(ticket):
                    members[owner].append(texts[ticket])
            labels = dict(zip((source, part), label_parts([members[source], members[part]]), strict=True))
            for side in sides:
                if labels[side]:
                    self.states[side] = replace(self.states[side], label=labels[side])

    def resolve(self, pid: str) -> str:
        """The pain point ``pid`` lives on in: itself, or the one it merged into."""
        seen = set()
        while pid in self.states and self.states[pid].status == MERGED and self.states[pid].merged_into and pid not in seen:
            seen.add(pid)
            pid = self.states[pid].merged_into
        return pid

    def unmerge(self, pid: str, previous: PainPointRegistry | None) -> None:
        """Undo a merge of ``pid`` the identity step made this run: its earlier tickets come back."""
        state = self.states.get(pid)
        if state is None or state.status != MERGED or previous is None:
            return
        merge = next((e for e in self.events if e.kind == "merged" and pid in e.parent_ids and e.pain_point_id != pid), None)
        if merge is None:
            return  # merged in an earlier run, before the pin: nothing of this run to undo
        self.events.remove(merge)
        earlier = next((s for s in previous.pain_points if s.pain_point_id == pid), None)
        for ticket in earlier.ticket_ids if earlier else ():
            if self.owner.get(ticket) == merge.pain_point_id:
                self.owner[ticket] = pid
        self.states[pid] = replace(state, status=ACTIVE, merged_into=None)

    def merge(self, correction: Correction) -> None:
        into = self.resolve(correction.pain_point_id)
        merged = set(correction.ticket_ids)
        others = {o for o in correction.other_ids if o != into}
        fresh = [e for e in self.events if e.kind in ("created", "split")]
        # One pass over the tickets for every pain point this merge may move (one per merge, not per id).
        wanted = others | {e.pain_point_id for e in fresh}
        held_by: dict[str, list[str]] = {}
        for ticket, owner in self.owner.items():
            if owner in wanted:
                held_by.setdefault(owner, []).append(ticket)
        for other in sorted(others):
            for ticket in held_by.get(other, ()):
                self.owner[ticket] = into
            if other in self.states:
                self.states[other] = replace(self.states[other], status=MERGED, merged_into=into, ticket_ids=())
        # The clustering may cut the merged tickets off again; a pain point new this run whose earlier
        # tickets are mostly them is the same cut the person undid, so it is folded back, with the
        # new tickets that joined it (judging by all its tickets would let new ones outvote the merge).
        for event in fresh:
            held = held_by.get(event.pain_point_id, [])
            earlier = [t for t in held if t in self.known]
            if earlier and 2 * sum(t in merged for t in earlier) > len(earlier):
                for ticket in held:
                    self.owner[ticket] = into
                self.events.remove(event)
                self.states.pop(event.pain_point_id, None)

    def split(self, correction: Correction, texts: Mapping[str, str]) -> None:
        source, new = self.resolve(correction.pain_point_id), correction.new_pain_point_id
        if new is None:
            return
        # The identity step may have merged the split-off part back into its source this run.
        self.events = [e for e in self.events if not (e.kind == "merged" and new in e.parent_ids)]
        if correction.phrase:
            pool = [t for t, o in self.owner.items() if o in (source, new)]
            for ticket in pool:
                self.owner[ticket] = new if phrase_matches(texts.get(ticket, ""), correction.phrase) else source
        else:
            examples = set(correction.ticket_ids)
            for ticket in self.owner:
                if ticket in examples:
                    self.owner[ticket] = new
                elif self.owner[ticket] == new:
                    self.owner[ticket] = source
        old = self.states.get(new)
        label = old.label if old is not None else (correction.phrase or f"split of {correction.pain_point_id}")
        self.states[new] = PainPointState(new, label, (), (), ACTIVE, (correction.pain_point_id,), None)
        self.split_parts.append((source, new))

    def registry(self, original: PainPointRegistry, kept_history: int) -> PainPointRegistry:
        members: dict[str, list[str]] = {}
        for ticket, pid in self.owner.items():
            if pid is not None:
                members.setdefault(pid, []).append(ticket)
        states = []
        for pid in sorted(self.states):
            state = self.states[pid]
            if state.status == MERGED:
                states.append(replace(state, ticket_ids=()))
                continue
            tickets = tuple(sorted(members.get(pid, ())))
            states.append(replace(state, ticket_ids=tickets, status=ACTIVE if tickets else INACTIVE))
        # A split's part keeps the number its correction gave it, which may lie past this run's next one.
        numbers = [n for n in (_number(s.pain_point_id) for s in states) if n is not None]
        return PainPointRegistry(
            pain_points=tuple(states),
            next_number=max([original.next_number, *(n + 1 for n in numbers)]),
            embedder_name=original.embedder_name,
            history=original.history[:kept_history] + tuple(self.events),
            reserved_numbers=original.reserved_numbers,
        )


def _as_seen_by(
    correction: Correction, mapping: Mapping[str, str | None], as_of: datetime | None, known: frozenset[str] = frozenset()
) -> Correction | None:
    """``correction`` in this run's ids: as made, unless the run replays a time before it was made."""
    if as_of is None or correction.at <= as_of:
        return correction
    # A split's snapshot holds the tickets it moved: the part split off must not pass for its source.
    target = _plurality((mapping.get(t) for t in correction.snapshot_ticket_ids), exclude=correction.new_pain_point_id)
    if target is None:
        return None
    # The replay may cut its problems differently: a pain point that holds a few of the corrected tickets
    # among many others is another problem, and naming or merging it would carry the correction onto it
    # (a backtest renamed a logout pain point after a calendar one, and merged a crash into a Slack one).
    # So the correction's tickets must make up a good part of the pain point it lands on: a third to name
    # it (a replay's cut of the same problem often holds other tickets too), half for a merge to fold a
    # pain point in (all its tickets move). Judged on the tickets the previous run had placed where it has
    # any, so new tickets of the same problem do not outvote the correction.
    holders = {p for p in (mapping.get(t) for t in correction.ticket_ids) if p and p != target}
    share = _Shares(mapping, {target, *holders}, known)
    if share.of(correction.snapshot_ticket_ids, target) < _NAME_SHARE:
        return None
    others: tuple[str, ...] = ()
    if correction.action == "merge":
        others = tuple(sorted(p for p in holders if share.of(correction.ticket_ids, p) >= _MOVE_SHARE))
    return replace(correction, pain_point_id=target, other_ids=others)


_NAME_SHARE = 1 / 3
_MOVE_SHARE = 0.5


class _Shares:
    """Per pain point of interest: its tickets, and of those the ones the previous run had placed."""

    def __init__(self, mapping: Mapping[str, str | None], wanted: set[str], known: frozenset[str]) -> None:
        self.mapping, self.known = mapping, known
        self.sizes: Counter[str] = Counter()
        self.known_sizes: Counter[str] = Counter()
        for ticket, owner in mapping.items():
            if owner in wanted:
                self.sizes[owner] += 1
                self.known_sizes[owner] += ticket in known

    def of(self, tickets: Sequence[str], pain_point_id: str) -> float:
        """The share of ``pain_point_id``'s tickets (its earlier ones, if it has any) among ``tickets``."""
        mine = {t for t in tickets if self.mapping.get(t) == pain_point_id}
        if self.known_sizes[pain_point_id]:
            return len(mine & self.known) / self.known_sizes[pain_point_id]
        return len(mine) / max(self.sizes[pain_point_id], 1)


def _plurality(owners, exclude: str | None) -> str | None:  # noqa: ANN001 - an iterable of ids or None
    counts: dict[str, int] = {}
    for owner in owners:
        if owner is not None and owner != exclude:
            counts[owner] = counts.get(owner, 0) + 1
    return min(counts, key=lambda p: (-counts[p], p)) if counts else None


def _number(pain_point_id: str) -> int | None:
    match = _ID_NUMBER.match(pain_point_id)
    return int(match.group(1)) if match else None
