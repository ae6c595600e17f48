"""Stable theme ids across runs: a theme follows its pain points, as a pain point follows its tickets.

A fresh theme continues the earlier theme that held most of its pain points (weighted by their
tickets); a second fresh theme out of the same earlier one is a split when it took at least
``split_min_share`` of it, else a new theme; an earlier theme whose pain points went mostly into a
continued one merged into it. Ids are never reused.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from detectors.painpoints.registry import ACTIVE, INACTIVE, MERGED, HistoryEvent, PainPointRegistry
from detectors.painpoints.themes import ThemeClusterer


@dataclass(frozen=True)
class ThemeState:
    """One theme as remembered between runs (its pain points are those of the latest run)."""

    theme_id: str
    label: str
    pain_point_ids: tuple[str, ...]
    status: str = ACTIVE
    merged_into: str | None = None


@dataclass(frozen=True)
class ThemeRegistry:
    """Plain serialisable memory of themes; ``history`` holds events whose ids are theme ids."""

    themes: tuple[ThemeState, ...] = ()
    next_number: int = 1
    history: tuple[HistoryEvent, ...] = field(default=())

    def theme_of(self) -> dict[str, str]:
        """Pain point id -> id of the active theme that holds it."""
        return {p: t.theme_id for t in self.themes if t.status == ACTIVE for p in t.pain_point_ids}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "next_number": self.next_number,
            "themes": [asdict(t) for t in self.themes],
            "history": [asdict(e) for e in self.history],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ThemeRegistry:
        """Rebuild from ``to_dict`` output.

        Raises:
            ValueError: if a required key is missing.
        """
        try:
            themes = tuple(
                ThemeState(
                    str(t["theme_id"]),
                    str(t["label"]),
                    tuple(str(p) for p in t["pain_point_ids"]),
                    str(t.get("status", ACTIVE)),
                    t.get("merged_into"),
                )
                for t in data["themes"]
            )
            history = tuple(
                HistoryEvent(e["kind"], e["pain_point_id"], tuple(e.get("parent_ids", ()))) for e in data.get("history", ())
            )
            return cls(themes, int(data["next_number"]), history)
        except KeyError as exc:
            raise ValueError(f"theme registry is missing key {exc.args[0]!r}") from exc


def format_theme_id(number: int) -> str:
    """``th-0007`` style id."""
    return f"th-{number:04d}"


def assign_theme_ids(
    previous: ThemeRegistry | None,
    pain_point_ids: Sequence[str],
    ticket_counts: Sequence[int],
    model: ThemeClusterer,
    *,
    split_min_share: float = 0.3,
) -> tuple[dict[str, str], ThemeRegistry, list[HistoryEvent]]:
    """Give a fitted ``ThemeClusterer``'s themes stable ids.

    Args:
        previous: the registry of the last run, or None.
        pain_point_ids: the pain point of each row ``model`` was fitted on.
        ticket_counts: tickets per pain point (the weight of its vote).
        model: the fitted theme clusterer.
        split_min_share: share of an earlier theme's tickets a second successor needs to count as a split.

    Returns:
        (pain point id -> theme id, the new registry, this run's events).
    """
    previous = previous or ThemeRegistry()
    old_of = previous.theme_of()
    weight = dict(zip(pain_point_ids, (float(w) for w in ticket_counts), strict=True))
    labels = np.asarray(model.labels_)
    members = {int(t): [pain_point_ids[i] for i in np.flatnonzero(labels == t)] for t in np.unique(labels)}
    order = sorted(members, key=lambda t: (-sum(weight[p] for p in members[t]), t))
    overlap = {t: Counter({old_of[p]: 0.0 for p in members[t] if p in old_of}) for t in order}
    for t in order:
        for p in members[t]:
            if p in old_of:
                overlap[t][old_of[p]] += weight[p]
    present: Counter[str] = Counter()
    for p, theme in old_of.items():
        present[theme] += weight.get(p, 0.0)

    ids: dict[int, str] = {}
    events: list[HistoryEvent] = []
    number = previous.next_number
    children: dict[str, list[int]] = {}
    for t in order:
        votes = overlap[t]
        if votes:
            best, n = min(votes.items(), key=lambda kv: (-kv[1], kv[0]))
            if 2 * n > sum(votes.values()):
                children.setdefault(best, []).append(t)
    split_parent: dict[int, str] = {}
    for theme_id, kids in sorted(children.items()):
        kids.sort(key=lambda t: (-overlap[t][theme_id], t))
        ids[kids[0]] = theme_id
        for t in kids[1:]:
            if overlap[t][theme_id] >= split_min_share * present[theme_id]:
                split_parent[t] = theme_id
    for t in order:
        if t in ids:
            continue
        ids[t] = format_theme_id(number)
        number += 1
        parent = split_parent.get(t)
        events.append(HistoryEvent("split" if parent else "created", ids[t], (parent,) if parent else ()))

    merged_into: dict[str, str] = {}
    continued = set(ids.values())
    for theme_id in sorted(present):
        if theme_id in continued:
            continue
        best = min((t for t in order if overlap[t][theme_id] > 0), key=lambda t: (-overlap[t][theme_id], t), default=None)
        if best is not None and 2 * overlap[best][theme_id] >= present[theme_id]:
            merged_into[theme_id] = ids[best]
            events.append(HistoryEvent("merged", ids[best], tuple(sorted((ids[best], theme_id)))))

    mapping = {p: ids[t] for t in order for p in members[t]}
    fresh = {ids[t]: ThemeState(ids[t], model.themes_[t].label, tuple(sorted(members[t]))) for t in order}
    states = []
    for old in previous.themes:
        if old.theme_id in fresh:
            continue
        if old.theme_id in merged_into:
            states.append(ThemeState(old.theme_id, old.label, (), MERGED, merged_into[old.theme_id]))
        else:
            states.append(ThemeState(old.theme_id, old.label, (), MERGED if old.status == MERGED else INACTIVE, old.merged_into))
    states.extend(fresh.values())
    registry = ThemeRegistry(tuple(sorted(states, key=lambda s: s.theme_id)), number, previous.history + tuple(events))
    return mapping, registry, events


def keep_themes(registry: PainPointRegistry, previous: ThemeRegistry | None) -> dict[str, str] | None:
    """Pain point -> theme id as ``previous`` grouped them, when it grouped every active pain point; else None.

    Between re-clusterings a run only places new tickets in the pain points it has: the themes over them
    stay as they were, and regrouping them every hour would only redraw them by a few tickets' weight.
    A pain point without a centroid of its own (a part a person split off) joins its parent's theme.
    """
    if previous is None:
        return None
    theme_of = previous.theme_of()
    mapping = {}
    for state in registry.active:
        parent = state.parent_ids[0] if state.parent_ids else None
        theme = theme_of.get(state.pain_point_id) or (theme_of.get(parent) if not state.centroid and parent else None)
        if theme is None:
            return None
        mapping[state.pain_point_id] = theme
    return mapping or None


def group_into_themes(
    registry: PainPointRegistry,
    previous: ThemeRegistry | None,
    model: ThemeClusterer | None = None,
    ticket_texts: Mapping[str, str] | None = None,
) -> tuple[dict[str, str], ThemeRegistry, list[HistoryEvent]]:
    """Themes of a registry's active pain points, with ids kept from ``previous``.

    A pain point without a centroid of its own (a part a person split off) joins its parent's theme.
    With ``ticket_texts`` (ticket id -> text) themes are named from their tickets' words.

    Returns:
        (pain point id -> theme id, the new theme registry, this run's theme events).
    """
    active = [s for s in registry.active if s.centroid]
    width = len(active[0].centroid) if active else 0
    active = [s for s in active if len(s.centroid) == width]
    if not active:
        return {}, previous or ThemeRegistry(), []
    counts = [len(s.ticket_ids) for s in active]
    model = model if model is not None else ThemeClusterer()
    texts = None
    if ticket_texts is not None:
        texts = [[ticket_texts[t] for t in s.ticket_ids if t in ticket_texts] for s in active]
    earlier = previous.theme_of() if previous else {}
    model.fit(
        np.array([s.centroid for s in active]), sample_weight=counts, pain_point_labels=[s.label for s in active],
        pain_point_texts=texts, prior=[earlier.get(s.pain_point_id) for s in active],
    )
    theme_of, themes, events = assign_theme_ids(previous, [s.pain_point_id for s in active], counts, model)
    for state in registry.active:
        if state.pain_point_id not in theme_of and state.parent_ids and state.parent_ids[0] in theme_of:
            theme_of[state.pain_point_id] = theme_of[state.parent_ids[0]]
    return theme_of, themes, events
