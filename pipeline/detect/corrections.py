"""Corrections people make to pain points: check, store and show them at once; read them for each run.

``correct_pain_point`` is what ``forewarn painpoints rename|merge|split|mute|pin`` calls. In one
transaction it checks the correction against the latest run (unknown or merged-away ids, a merge
with itself, a split phrase that matches nothing, contradictions with earlier corrections), stores
it in ``pain_point_corrections``, and applies it to the latest run's stored pain points and
registry, so the report shows it before the next detect run, which applies every correction again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, Engine

from detectors.painpoints import PainPointRegistry
from detectors.painpoints.corrections import (
    ACTIONS,
    Correction,
    apply_corrections,
    phrase_matches,
    reserve_ids,
)
from detectors.painpoints.labeling import borne_out
from detectors.painpoints.registry import MERGED, HistoryEvent, format_pain_point_id
from pipeline.detect.mrr import mrr_at_risk
from pipeline.detect.settings import DetectSettings
from sql import expanding_texts, statement

PAIN_POINT_REGISTRY = "painpoint_registry"
MAX_LABEL_CHARS = 80


class CorrectionError(ValueError):
    """A correction that cannot be applied; the message names the id or value and what to do."""


@dataclass(frozen=True)
class CorrectionRequest:
    """What a person asked for (``other_ids``: merge; ``phrase`` or ``ticket_ids``: split)."""

    action: str
    pain_point_id: str
    by: str
    at: datetime
    label: str | None = None
    other_ids: tuple[str, ...] = ()
    phrase: str | None = None
    ticket_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class CorrectionResult:
    """The stored correction and what it changed in the latest run."""

    correction: Correction
    moved_tickets: int
    as_of: datetime


def store_corrections(connection: Connection, corrections: Sequence[Correction]) -> None:
    """Keep corrections made elsewhere (a backtest replays with the production warehouse's corrections)."""
    for correction in corrections:
        _store(connection, correction)


def load_corrections(connection: Connection) -> list[Correction]:
    """Every stored correction, oldest first."""
    rows = connection.execute(statement("select_pain_point_corrections")).mappings().all()
    return [
        Correction(
            action=row["action"],
            pain_point_id=row["pain_point_id"],
            by=row["by"],
            at=_datetime(row["at"]),
            label=row["label"],
            other_ids=tuple(json.loads(row["other_ids"] or "[]")),
            phrase=row["phrase"],
            ticket_ids=tuple(json.loads(row["ticket_ids"] or "[]")),
            new_pain_point_id=row["new_pain_point_id"],
            snapshot_ticket_ids=tuple(json.loads(row["snapshot_ticket_ids"] or "[]")),
        )
        for row in rows
    ]


def correct_pain_point(engine: Engine, request: CorrectionRequest, settings: DetectSettings | None = None) -> CorrectionResult:
    """Check, store and apply one correction to the latest run, all or nothing.

    Raises:
        CorrectionError: no run yet, an unknown or merged-away id, a merge with itself, a split
            that matches nothing or everything, or a correction contradicting an earlier one.
    """
    settings = settings or DetectSettings()
    with engine.begin() as connection:
        latest = connection.execute(statement("select_latest_detector_state"), {"name": PAIN_POINT_REGISTRY}).mappings().first()
        if latest is None:
            raise CorrectionError("no pain points yet: run forewarn detect first, then correct them")
        as_of = _datetime(latest["as_of"])
        registry = PainPointRegistry.from_dict(json.loads(latest["state"]))
        earlier = load_corrections(connection)
        correction, texts = _checked(connection, request, registry, earlier)
        _store(connection, correction)
        moved = _apply_now(connection, registry, as_of, correction, earlier, texts, settings)
    return CorrectionResult(correction, moved, as_of)


def _checked(
    connection: Connection, request: CorrectionRequest, registry: PainPointRegistry, earlier: Sequence[Correction]
) -> tuple[Correction, dict[str, str]]:
    """The correction to store (a split gets its new id, a merge the tickets it moves), and texts read."""
    if request.action not in ACTIONS:
        raise CorrectionError(f"unknown correction {request.action!r}; use one of {', '.join(ACTIONS)}")
    if not request.by.strip():
        raise CorrectionError("--by is empty; say who makes the correction")
    state = _current(registry, request.pain_point_id)
    correction = Correction(
        request.action, state.pain_point_id, request.by.strip(), request.at, snapshot_ticket_ids=state.ticket_ids
    )
    pinned = {c.pain_point_id for c in earlier if c.action == "pin"}
    muted = {c.pain_point_id for c in earlier if c.action == "mute"}
    if state.pain_point_id in {"mute": muted, "pin": pinned}.get(request.action, set()):
        # Stored again, the log listed the same correction twice and nothing changed.
        raise CorrectionError(f"{state.pain_point_id} is {request.action}ned already" if request.action == "pin"
                              else f"{state.pain_point_id} is muted already")
    if request.action == "rename":
        label = " ".join((request.label or "").split())
        if not label:
            raise CorrectionError(f"the new label of {state.pain_point_id} is empty; give the words a reader should see")
        if len(label) > MAX_LABEL_CHARS:
            raise CorrectionError(f"the new label of {state.pain_point_id} has {len(label)} characters; keep it to {MAX_LABEL_CHARS}")
        return replace(correction, label=label), {}
    if request.action == "merge":
        return _checked_merge(correction, request, registry, pinned, muted), {}
    if request.action == "split":
        # The new part's id passes over every id an earlier split gave out (a rerun's registry may sit below one).
        return _checked_split(connection, correction, request, reserve_ids(registry, earlier) or registry)
    return correction, {}


def _checked_merge(correction: Correction, request: CorrectionRequest, registry: PainPointRegistry, pinned: set, muted: set) -> Correction:
    if not request.other_ids:
        raise CorrectionError(f"merge needs at least one other pain point to merge into {correction.pain_point_id}")
    others: list[str] = []
    for other_id in request.other_ids:
        other = _current(registry, other_id)
        if other.pain_point_id == correction.pain_point_id:
            raise CorrectionError(f"cannot merge {other.pain_point_id} with itself; name two different pain points")
        if other.pain_point_id in others:
            raise CorrectionError(f"{other.pain_point_id} is named twice; name each pain point to merge once")
        if other.pain_point_id in pinned:
            way_round = (
                f"; merge the other way round (forewarn painpoints merge {other.pain_point_id} {correction.pain_point_id})"
                if correction.pain_point_id not in pinned
                else "; both are pinned, so neither is merged into the other"
            )
            raise CorrectionError(f"{other.pain_point_id} is pinned, so it is never merged away{way_round}")
        if (other.pain_point_id in muted) != (correction.pain_point_id in muted):
            which, plain = (other.pain_point_id, correction.pain_point_id)
            if correction.pain_point_id in muted:
                which, plain = plain, which
            raise CorrectionError(f"{which} is muted and {plain} is not; mute both (or neither) before merging them")
        others.append(other.pain_point_id)
    moved = tuple(sorted(t for o in others for t in registry.get(o).ticket_ids))
    return replace(correction, other_ids=tuple(others), ticket_ids=moved)


def _checked_split(connection: Connection, correction: Correction, request: CorrectionRequest, registry: PainPointRegistry):  # noqa: ANN202
    source = registry.get(correction.pain_point_id)
    phrase = " ".join((request.phrase or "").split()) or None
    if (phrase is None) == (not request.ticket_ids):
        raise CorrectionError("split needs either --phrase TEXT or --examples TICKET_ID,... (exactly one of them)")
    tickets = set(source.ticket_ids)
    texts = _ticket_texts(connection, sorted(tickets))
    if phrase is not None:
        matched = [t for t in sorted(tickets) if phrase_matches(texts.get(t, ""), phrase)]
        if not matched:
            raise CorrectionError(
                f"split phrase {phrase!r} matches none of the {len(tickets)} tickets of {source.pain_point_id}; "
                "use words those tickets contain"
            )
    else:
        matched = sorted(set(request.ticket_ids))
        stray = next((t for t in request.ticket_ids if t not in tickets), None)
        if stray is not None:
            raise CorrectionError(
                f"ticket {stray!r} of --examples is not in {source.pain_point_id}; name tickets of the pain point being split"
            )
    if len(matched) == len(tickets):
        raise CorrectionError(
            f"the split would move all {len(tickets)} tickets of {source.pain_point_id} and leave it empty; "
            "rename it instead, or split by a narrower phrase"
        )
    new_id = format_pain_point_id(registry.free_number(registry.next_number))
    return replace(correction, phrase=phrase, ticket_ids=tuple(matched), new_pain_point_id=new_id), texts


def _current(registry: PainPointRegistry, pain_point_id: str):  # noqa: ANN202 - PainPointState
    wanted = pain_point_id.strip()
    try:
        state = registry.get(wanted)
    except KeyError:
        raise CorrectionError(
            f"pain point {wanted!r} is unknown; forewarn painpoints list shows the current ids"
        ) from None
    if state.status == MERGED:
        raise CorrectionError(
            f"pain point {wanted} was merged into {state.merged_into}; correct {state.merged_into} instead"
        )
    return state


def _store(connection: Connection, correction: Correction) -> None:
    connection.execute(
        statement("insert_pain_point_correction"),
        {
            "pain_point_id": correction.pain_point_id,
            "action": correction.action,
            "by": correction.by,
            "at": correction.at,
            "label": correction.label,
            "other_ids": json.dumps(list(correction.other_ids)) if correction.other_ids else None,
            "phrase": correction.phrase,
            "ticket_ids": json.dumps(list(correction.ticket_ids)) if correction.ticket_ids else None,
            "new_pain_point_id": correction.new_pain_point_id,
            "snapshot_ticket_ids": json.dumps(list(correction.snapshot_ticket_ids)),
        },
    )


def _apply_now(
    connection: Connection,
    registry: PainPointRegistry,
    as_of: datetime,
    correction: Correction,
    earlier: Sequence[Correction],
    texts: dict[str, str],
    settings: DetectSettings,
) -> int:
    """Apply ``correction`` to the latest run's rows and registry; returns the tickets it moved.

    The latest run already honours the earlier corrections (each was applied when made, and the
    run applied them all), so only the new one is applied here; it is idempotent like the rest.
    """
    everything = [*earlier, correction]
    muted = {c.pain_point_id for c in everything if c.action == "mute"}
    pinned = {c.pain_point_id for c in everything if c.action == "pin"}
    if correction.action not in ("merge", "split"):
        # No ticket moves: the row shows it now, and the next run applies it after identity, so the
        # stored registry (megabytes at 50,000 tickets) need not be rewritten.
        state = registry.get(correction.pain_point_id)
        connection.execute(
            statement("update_pain_point_corrected"),
            {"pain_point_id": state.pain_point_id, "label": correction.label or state.label,
             "muted": state.pain_point_id in muted, "pinned": state.pain_point_id in pinned},
        )
        if correction.action == "mute":
            # The next run links it to nothing; outreach built before then must not name a campaign after it.
            connection.execute(statement("delete_pain_point_links_of"), {"pain_point_id": state.pain_point_id})
        _record_history(connection, correction)
        return 0
    mapping = {t: s.pain_point_id for s in registry.active for t in s.ticket_ids}
    # Earlier renames reached only the rows (above), not the stored registry the labels below are written
    # from; re-applied first (a label is idempotent), a rename then a merge no longer shows the old label.
    renames = [c for c in earlier if c.action == "rename"]
    fixed = apply_corrections(None, mapping, registry, [], [*renames, correction], texts)
    new_registry = reserve_ids(fixed.registry, [correction]) or fixed.registry
    moved = {t: p for t, p in fixed.mapping.items() if mapping.get(t) != p}
    if moved:
        connection.execute(
            statement("update_ticket_pain_point"), [{"ticket_id": t, "pain_point_id": p} for t, p in moved.items()]
        )
    touched = {correction.pain_point_id, *correction.other_ids, *(p for p in moved.values() if p)}
    if correction.new_pain_point_id:
        touched.add(correction.new_pain_point_id)
    _recount(connection, new_registry, sorted(touched), correction, as_of, texts, settings)
    for pid in sorted(touched):
        state = new_registry.get(pid)
        if state.status == MERGED:
            connection.execute(statement("update_pain_point_status"), {"pain_point_id": pid, "status": "merged", "as_of": as_of})
        connection.execute(
            statement("update_pain_point_corrected"),
            {"pain_point_id": pid, "label": state.label, "muted": pid in muted, "pinned": pid in pinned},
        )
    connection.execute(statement("update_theme_counts"))
    connection.execute(statement("upsert_detector_state"), {"name": PAIN_POINT_REGISTRY, "as_of": as_of, "state": json.dumps(new_registry.to_dict())})
    _record_history(connection, correction)
    return len(moved)


def _recount(
    connection: Connection,
    registry: PainPointRegistry,
    pain_point_ids: Sequence[str],
    correction: Correction,
    as_of: datetime,
    texts: dict[str, str],
    settings: DetectSettings,
) -> None:
    """Counts, trend and dates of the pain points whose tickets a merge or split changed."""
    if correction.action not in ("merge", "split"):
        return
    states = [registry.get(p) for p in pain_point_ids if registry.get(p).status != MERGED and registry.get(p).ticket_ids]
    members = {t: s.pain_point_id for s in states for t in s.ticket_ids}
    frame = _tickets(connection, sorted(members))
    frame["pain_point_id"] = frame["ticket_id"].map(members)
    trend_days = pd.date_range(end=pd.Timestamp(as_of).normalize() - pd.Timedelta(days=1), periods=settings.trend_days)
    source_row = connection.execute(statement("select_pain_point_row"), {"pain_point_id": correction.pain_point_id}).mappings().first()
    rows = []
    for state in states:
        group = frame[frame["pain_point_id"] == state.pain_point_id]
        if group.empty:
            continue
        stored = connection.execute(statement("select_pain_point_row"), {"pain_point_id": state.pain_point_id}).mappings().first()
        stored = stored or source_row  # a new split-off part starts from its source's description
        is_new = state.pain_point_id == correction.new_pain_point_id
        daily = group["created_at"].dt.normalize().value_counts()
        customers = group.drop_duplicates("customer_id")
        rows.append(
            {
                "pain_point_id": state.pain_point_id,
                "label": state.label,
                "status": "active",
                "first_seen_at": group["created_at"].min().to_pydatetime(),
                "last_seen_at": group["created_at"].max().to_pydatetime(),
                "ticket_count": len(group),
                "customer_count": len(customers),
                "mrr_at_risk": mrr_at_risk(customers["mrr"]),
                **_own_card(stored, [texts.get(t, "") for t in group["ticket_id"]], is_new),
                "trend": json.dumps([[d.strftime("%Y-%m-%d"), int(daily.get(d, 0))] for d in trend_days]),
                "as_of": as_of,
                "theme_id": stored["theme_id"] if stored else None,
                "muted": False,
                "pinned": False,
            }
        )
    if rows:
        connection.execute(statement("upsert_pain_point"), rows)


def _own_card(stored, own: list[str], is_new: bool) -> dict[str, str]:  # noqa: ANN001 - a row mapping or None
    """Key terms and examples of a pain point whose tickets a merge or split changed: the stored ones its
    tickets still bear out (a split's source showed the split-off tickets as its examples until the next
    fit), its first tickets where none is left; a new split-off part starts with its own tickets."""
    first = [{"text": text} for text in own[:3]]
    if is_new or stored is None:
        return {"key_terms": json.dumps([]), "representatives": json.dumps(first)}
    shown = [r.get("text", "") for r in json.loads(stored["representatives"] or "[]")]
    terms, examples = borne_out(json.loads(stored["key_terms"] or "[]"), shown, own)
    return {"key_terms": json.dumps(terms), "representatives": json.dumps([{"text": e} for e in examples] or first)}


def _record_history(connection: Connection, correction: Correction) -> None:
    parents = correction.other_ids or ((correction.pain_point_id,) if correction.new_pain_point_id else ())
    event = HistoryEvent(correction.action, correction.new_pain_point_id or correction.pain_point_id, parents)
    detail = {"by": correction.by, **({"label": correction.label} if correction.label else {})}
    if correction.phrase:
        detail["phrase"] = correction.phrase
    connection.execute(
        statement("insert_pain_point_history"),
        {
            "pain_point_id": event.pain_point_id,
            "event": event.kind,
            "parent_ids": json.dumps(list(event.parent_ids)),
            "as_of": correction.at,
            "detail": json.dumps(detail),
        },
    )


def _ticket_texts(connection: Connection, ticket_ids: Sequence[str]) -> dict[str, str]:
    frame = _tickets(connection, ticket_ids)
    text = (frame["subject_redacted"].fillna("") + ". " + frame["body_redacted"].fillna("")).str.strip(". ")
    return dict(zip(frame["ticket_id"], text, strict=True))


def _tickets(connection: Connection, ticket_ids: Sequence[str]) -> pd.DataFrame:
    columns = ["ticket_id", "customer_id", "created_at", "subject_redacted", "body_redacted", "mrr"]
    rows: list = []
    ticket_ids = list(ticket_ids)
    clause = statement("select_tickets_by_ids").bindparams(expanding_texts("ticket_ids"))
    for start in range(0, len(ticket_ids), 5000):  # bounded IN lists: SQLite and PostgreSQL both cap parameters
        rows += connection.execute(clause, {"ticket_ids": list(ticket_ids[start : start + 5000])}).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=columns)
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    return frame


def _datetime(value: object) -> datetime:
    # SQLite hands timestamps back as text, PostgreSQL as datetime.
    return pd.Timestamp(value).to_pydatetime()

