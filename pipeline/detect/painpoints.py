"""Pain points from ticket text: cluster the rolling window, keep ids stable, write the findings."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine

from detectors.painpoints import (
    UNASSIGNED,
    Embedder,
    HistoryEvent,
    PainPointClusterer,
    PainPointRegistry,
    StoredEmbedder,
    TfidfLsaEmbedder,
    assign_stable_ids,
    default_embedder,
    kept_weights,
    learns_token_weights,
    weights_for_run,
)
from detectors.painpoints.community import LouvainClusterer
from detectors.painpoints.corrections import (
    CorrectedRun,
    Correction,
    apply_corrections,
    corrections_fingerprint,
    reserve_ids,
)
from detectors.painpoints.granularity import Granularity, granularity_state, kept_granularity, vector_space
from detectors.painpoints.labeling import borne_out
from detectors.painpoints.language_centring import LanguageCentredEmbedder, offsets_from_dict, offsets_to_dict
from detectors.painpoints.placement import FitMemory, RefitPolicy, place_texts, recluster_reason
from detectors.painpoints.registry import ACTIVE, INACTIVE
from pipeline.detect.corrections import PAIN_POINT_REGISTRY, load_corrections
from pipeline.detect.mrr import mrr_at_risk
from pipeline.detect.settings import DetectSettings
from pipeline.detect.state import load_state, save_state
from pipeline.detect.themes import THEME_REGISTRY, theme_pain_points
from pipeline.detect.vector_store import WarehouseVectorStore
from pipeline.warehouse.frames import read_frame
from sql import statement

log = logging.getLogger(__name__)

REGISTRY = PAIN_POINT_REGISTRY
TOKEN_WEIGHTS = "painpoint_token_weights"
RESOLUTION = "painpoint_resolution"
FIT_MEMORY = "painpoint_fit"
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class PainPointRun:
    """Counts of one pain-point run."""

    tickets: int
    assigned: int
    pain_points: int
    created: int
    history_events: int


def detect_pain_points(
    engine: Engine,
    as_of: datetime,
    settings: DetectSettings,
    progress: Progress | None = None,
    *,
    embedder: Embedder | None = None,
) -> PainPointRun:
    """Store pain points with stable ids for the tickets of the window before ``as_of``.

    The whole window is clustered again when ``recluster_reason`` says so (a day after the last fit, a
    queue changed by a tenth, new tickets no pain point takes, a person's correction, new vectors);
    otherwise the tickets the last fit did not see are placed in its pain points, which costs a
    fraction of a second where a fit of a month's queue costs seconds every hour.
    """
    since = as_of - timedelta(days=settings.ticket_window_days)
    with engine.connect() as connection:
        tickets = _tickets(connection, since, as_of)
        saved = load_state(connection, REGISTRY, as_of)
        saved_themes = load_state(connection, THEME_REGISTRY, as_of)
        corrections = load_corrections(connection)
        memory = FitMemory.from_dict(load_state(connection, FIT_MEMORY, as_of))
    if tickets.empty:
        log.info("no tickets before %s: no pain points to find", as_of)
        return PainPointRun(0, 0, 0, 0, 0)
    previous = reserve_ids(PainPointRegistry.from_dict(saved) if saved else None, corrections)
    ids = tickets["ticket_id"].tolist()
    texts = _texts(tickets)
    clusterer = PainPointClusterer(random_state=0)
    fingerprint = corrections_fingerprint(corrections)
    policy = RefitPolicy(timedelta(hours=settings.painpoint_refit_hours), settings.painpoint_refit_change)
    owner = {t: p.pain_point_id for p in previous.active for t in p.ticket_ids} if previous else {}
    new_rows = _new_rows(owner, memory, ids)
    # Whether token weights are due for a refit needs every text of the queue cleaned: only asked
    # when the window will be re-clustered anyway, which a refit would force.
    early = recluster_reason(memory, as_of, memory.embedder_name if memory else "", fingerprint, len(ids), len(new_rows), 0, policy)
    if early is not None:
        log.info("re-clustering the ticket window: %s", early)
    may_place = memory is not None and early is None
    chosen, weights_state = _embedder(
        engine, settings, as_of, lambda: clusterer.embedding_texts(texts), embedder, may_refit=not may_place
    )
    placed = None
    if may_place:
        placed = _place(previous, owner, memory, ids, texts, new_rows, chosen, clusterer.text_cleaner, fingerprint, as_of, policy)
    kept_choice = None
    if placed is not None:
        mapping, registry = placed
        events: list[HistoryEvent] = []
        fit = None
    else:
        clusterer.set_params(embedder=chosen)
        space = vector_space(chosen.name)
        kept_choice = _keep_granularity(engine, clusterer, len(texts), space, as_of)
        prior = previous.prior_groups(ids) if previous else None
        clusterer.fit(texts, prior_groups=prior, progress=progress)
        used = clusterer.embedder_
        stored = used.inner if isinstance(used, LanguageCentredEmbedder) else used
        if isinstance(stored, StoredEmbedder):
            log.info("text vectors: %s read back, %s embedded", stored.reused_, stored.embedded_)
        mapping, registry, events = assign_stable_ids(previous, ids, clusterer.result_, texts=texts)
        fit = clusterer
    # A person's corrections win over the refit: applied after identity, every run.
    text_of = dict(zip(ids, texts, strict=True))
    corrected = apply_corrections(previous, mapping, registry, events, corrections, text_of, as_of=as_of)
    mapping, registry, events = corrected.mapping, corrected.registry, list(corrected.events)
    if corrections:
        log.info("applied %s corrections (%s muted, %s pinned)", len(corrections), len(corrected.muted), len(corrected.pinned))
    tickets["pain_point_id"] = tickets["ticket_id"].map(mapping)
    split_off = {s.pain_point_id for s in registry.pain_points if not s.centroid}
    if fit is not None:
        tickets["cluster"] = fit.labels_
        # A ticket the fit left out counts only where a person put it (a part split off by phrase).
        tickets["placed"] = tickets["pain_point_id"].notna() & (
            (tickets["cluster"] != UNASSIGNED) | tickets["pain_point_id"].isin(list(split_off))
        )
        described = _fit_descriptions(tickets, fit, split_off)
        memory = _fit_memory(tickets, fit, chosen.name, fingerprint, described, as_of)
    else:
        tickets["placed"] = tickets["pain_point_id"].notna()
        described = dict(memory.described)
    with engine.begin() as connection:
        _write_assignments(connection, tickets, since, as_of)
        theme_of = theme_pain_points(connection, tickets, registry, saved_themes, as_of, settings.state_keep_days,
                                     regroup=fit is not None, ticket_texts=text_of)
        written = _write_pain_points(connection, tickets, described, registry, as_of, settings, corrected, theme_of)
        _write_history(connection, events, as_of, _renamed_by_run(previous, registry, corrections))
        save_state(connection, REGISTRY, as_of, registry.to_dict(), settings.state_keep_days)
        save_state(connection, FIT_MEMORY, as_of, memory.to_dict(), settings.state_keep_days)
        if weights_state is not None:
            save_state(connection, TOKEN_WEIGHTS, as_of, weights_state, settings.state_keep_days)
        choice = kept_choice
        if fit is not None and choice is None and fit.resolution_ is not None and fit.n_neighbors_ is not None:
            read = Granularity(fit.resolution_, fit.n_neighbors_)
            choice = granularity_state(read, len(texts), vector_space(chosen.name), as_of)
        if choice is not None:
            save_state(connection, RESOLUTION, as_of, choice, settings.state_keep_days)
    assigned = int(tickets["pain_point_id"].notna().sum())
    created = sum(1 for e in events if e.kind == "created")
    log.info(
        "pain points (%s): %s tickets, %s assigned, %s pain points, %s new",
        "re-clustered" if fit is not None else "new tickets placed", len(tickets), assigned, written, created,
    )
    return PainPointRun(len(tickets), assigned, written, created, len(events))


def _new_rows(owner: dict[str, str], memory: FitMemory | None, ids: list[str]) -> list[int]:
    """Rows of the window's tickets the last fit did not see (neither a member nor left unplaced)."""
    if memory is None:
        return list(range(len(ids)))
    return [i for i, t in enumerate(ids) if t not in owner and t not in memory.unplaced]


def _place(
    previous: PainPointRegistry | None,
    owner: dict[str, str],
    memory: FitMemory,
    ids: list[str],
    texts: list[str],
    new_rows: list[int],
    embedder: Embedder,
    clean: Callable[[str], str] | None,
    corrections: str,
    as_of: datetime,
    policy: RefitPolicy,
) -> tuple[dict[str, str | None], PainPointRegistry] | None:
    """The window's tickets mapped to the last fit's pain points, new ones placed by centroid, and the
    registry with those members; None when the window must be clustered again (``recluster_reason``)."""
    if previous is None:
        return None
    targets = [s for s in previous.active if s.centroid and s.pain_point_id in memory.accept]
    # Vectors of another embedder cannot be compared with the fit's centroids: ask before embedding.
    reason = recluster_reason(memory, as_of, embedder.name, corrections, len(ids), len(new_rows), 0, policy)
    if reason is None and len({len(s.centroid) for s in targets}) > 1:
        reason = "the pain points' centroids are of different lengths"
    if reason is None:
        centroids = np.array([s.centroid for s in targets], dtype=np.float32).reshape(len(targets), -1)
        accept = np.array([memory.accept[s.pain_point_id] for s in targets], dtype=np.float32)
        # The fit centred its tickets in other languages; the tickets placed in its pain points alike.
        centring = LanguageCentredEmbedder(embedder, offsets_from_dict(memory.language_offsets))
        labels = place_texts([texts[i] for i in new_rows], centring, centroids, accept, clean)
        unplaced = int((labels == UNASSIGNED).sum())
        reason = recluster_reason(memory, as_of, embedder.name, corrections, len(ids), len(new_rows), unplaced, policy)
    if reason is not None:
        log.info("re-clustering the ticket window: %s", reason)
        return None
    mapping: dict[str, str | None] = {t: owner.get(t) for t in ids}
    for row, label in zip(new_rows, labels, strict=True):
        if label != UNASSIGNED:
            mapping[ids[row]] = targets[label].pain_point_id
    members: dict[str, list[str]] = {}
    for ticket, pain_point in mapping.items():
        if pain_point is not None:
            members.setdefault(pain_point, []).append(ticket)
    states = tuple(
        replace(s, ticket_ids=tuple(members.get(s.pain_point_id, ())), status=ACTIVE if s.pain_point_id in members else INACTIVE)
        if s.status == ACTIVE
        else s
        for s in previous.pain_points
    )
    log.info("placed %s of %s new tickets in the pain points fitted at %s", len(new_rows) - unplaced, len(new_rows), memory.fitted_at)
    return mapping, replace(previous, pain_points=states)


def _fit_descriptions(tickets: pd.DataFrame, fit: PainPointClusterer, split_off: set[str]) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Key terms and examples per pain point id, from the fitted cluster holding most of its tickets."""
    described = {p.cluster: p for p in fit.pain_points_}
    out = {}
    for pain_point_id, group in tickets[tickets["placed"]].groupby("pain_point_id", sort=True):
        description = described.get(int(group["cluster"].mode().iat[0]))
        if description is not None and pain_point_id not in split_off:
            terms, examples = borne_out(description.key_terms, description.representative_texts, _texts(group))
            out[str(pain_point_id)] = (tuple(terms), tuple(examples))
    return out


def _fit_memory(
    tickets: pd.DataFrame,
    fit: PainPointClusterer,
    embedder_name: str,
    corrections: str,
    described: dict[str, tuple[tuple[str, ...], tuple[str, ...]]],
    as_of: datetime,
) -> FitMemory:
    """What this fit leaves for the runs that only place new tickets until the next one."""
    placed = tickets[tickets["placed"] & (tickets["cluster"] != UNASSIGNED)]
    accept = {
        str(pain_point_id): float(fit.accept_similarity_[int(group["cluster"].mode().iat[0])])
        for pain_point_id, group in placed.groupby("pain_point_id", sort=True)
    }
    unplaced = tickets.loc[tickets["pain_point_id"].isna(), "ticket_id"]
    return FitMemory(
        fitted_at=as_of,
        tickets=len(tickets),
        embedder_name=embedder_name,
        unassigned_share=len(unplaced) / len(tickets),
        min_cluster_size=fit.min_cluster_size_,
        corrections=corrections,
        unplaced=frozenset(unplaced.astype(str)),
        accept=accept,
        described=described,
        language_offsets=offsets_to_dict(getattr(fit.embedder_, "offsets", None) or {}),
    )


def _keep_granularity(engine: Engine, clusterer: PainPointClusterer, n_texts: int, space: str, as_of: datetime) -> dict | None:
    """Fix the clusterer's degree and resolution to an earlier run's choice while it holds; its state, else None.

    Reading them (a first cut to size the problems, two stable-resolution sweeps) is the costliest
    part of clustering after embedding, and an hour's tickets do not change how finely the queue's
    problems are cut: they are read again once the queue changed by a tenth or the choice is a day
    old (``granularity.kept_granularity``).
    """
    with engine.connect() as connection:
        saved = load_state(connection, RESOLUTION, as_of)
    kept = kept_granularity(saved, n_texts, space, as_of)
    if kept is None:
        return None
    log.info(
        "resolution %.2f and %s neighbours kept from %s (%s texts then, %s now)",
        kept.resolution, kept.neighbours, saved["chosen_at"], saved["texts"], n_texts,
    )
    clusterer.set_params(community=LouvainClusterer(resolution=kept.resolution, n_neighbors=kept.neighbours))
    return dict(saved)


def _tickets(connection: Connection, since: datetime, as_of: datetime) -> pd.DataFrame:
    frame = read_frame(
        connection, "select_tickets_for_clustering", {"since": since, "as_of": as_of},
        ["ticket_id", "customer_id", "created_at", "subject_redacted", "body_redacted", "mrr"],
    )
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    return frame


def _texts(tickets: pd.DataFrame) -> list[str]:
    subject = tickets["subject_redacted"].fillna("")
    body = tickets["body_redacted"].fillna("")
    return (subject + ". " + body).str.strip(". ").tolist()


def _embedder(
    engine: Engine,
    settings: DetectSettings,
    as_of: datetime,
    distinct_texts: Callable[[], Sequence[str]],
    model: Embedder | None,
    *,
    may_refit: bool = True,
) -> tuple[Embedder, dict | None]:
    """The run's embedder, and the token-weight state to save with the run (None when it has none).

    A pretrained model reads the vectors of texts seen before from the warehouse. A model that
    learns token weights keeps the table an earlier run fitted (stored vectors are only valid
    for it) until ``refit_reason`` says a new one is worth re-embedding every ticket. A caller's
    ``StoredEmbedder`` is used as given. ``distinct_texts`` gives the texts the clusterer will
    embed; they are only prepared when weights may have to be fitted.
    """
    if model is None:
        model = RunTfidfEmbedder(as_of) if settings.embedder == "tfidf" else default_embedder()
    if isinstance(model, StoredEmbedder):
        return model, None
    if isinstance(model, TfidfLsaEmbedder):
        return (model if isinstance(model, RunTfidfEmbedder) else RunTfidfEmbedder(as_of)), None
    weights_state = None
    if learns_token_weights(model):
        model, weights_state = _with_kept_weights(engine, model, as_of, distinct_texts, may_refit)
    store = WarehouseVectorStore(engine, as_of)
    # A text stored before the window opened belongs to no ticket the run can still cluster.
    pruned = store.prune(as_of - timedelta(days=settings.ticket_window_days))
    if pruned:
        log.info("dropped %s stored text vectors older than the ticket window", pruned)
    return StoredEmbedder(model, store), weights_state


def _with_kept_weights(engine: Engine, model, as_of: datetime, texts: Callable[[], Sequence[str]], may_refit: bool):  # noqa: ANN001, ANN202
    """``model`` with the token weights of the last run, or refitted on ``texts`` when due and allowed."""
    with engine.connect() as connection:
        saved = load_state(connection, TOKEN_WEIGHTS, as_of)
    if not may_refit:
        kept = kept_weights(model, saved)
        if kept is not None:
            return kept, None
    distinct = texts()
    fitted, state, refitted = weights_for_run(model, distinct, saved, as_of)
    if refitted:
        log.info("token weights refitted on %s texts (%s): every text is embedded again", len(distinct), refitted)
    return fitted, state


class RunTfidfEmbedder(TfidfLsaEmbedder):
    """TF-IDF/LSA fitted on one run's tickets, named after that run.

    Its vocabulary and components are refitted every run, so its vectors live in a space of their own
    (even their length varies with few tickets). The stable-id registry compares centroids only
    within one embedder name; naming the space after the run keeps it from comparing vectors of
    different spaces (pain points then continue by their tickets, which is what carries over).
    """

    def __init__(self, as_of: datetime, n_components: int = 200, random_state: int = 0) -> None:
        super().__init__(n_components, random_state)
        self.as_of = as_of
        self.name = f"{TfidfLsaEmbedder.name}@{as_of:%Y-%m-%dT%H:%M:%S}"

    def fit(self, texts: Sequence[str]) -> TfidfLsaEmbedder:
        """A fitted copy that carries this run's name."""
        fitted = super().fit(texts)
        fitted.name = self.name
        return fitted


def _write_assignments(connection: Connection, tickets: pd.DataFrame, since: datetime, as_of: datetime) -> None:
    connection.execute(statement("delete_ticket_pain_points_since"), {"since": since, "as_of": as_of})
    assigned = tickets[tickets["pain_point_id"].notna()]
    if not assigned.empty:
        connection.execute(
            statement("insert_ticket_pain_point"),
            [
                {"ticket_id": t, "pain_point_id": p, "score": None, "as_of": as_of}
                for t, p in zip(assigned["ticket_id"], assigned["pain_point_id"], strict=True)
            ],
        )


def _write_pain_points(
    connection: Connection,
    tickets: pd.DataFrame,
    described: dict[str, tuple[tuple[str, ...], tuple[str, ...]]],
    registry: PainPointRegistry,
    as_of: datetime,
    settings: DetectSettings,
    corrected: CorrectedRun,
    theme_of: dict[str, str],
) -> int:
    trend_days = pd.date_range(end=pd.Timestamp(as_of).normalize() - pd.Timedelta(days=1), periods=settings.trend_days)
    rows = []
    # Every ticket ticket_pain_points maps counts, one the refit left out too (it keeps its earlier pain
    # point, identity.py): a BI tool counting that table, the theme's size and the registry all see it.
    for pain_point_id, figures in _figures(tickets[tickets["pain_point_id"].notna()], trend_days).items():
        # A part a person split off has no cluster of its own; its own tickets are its examples.
        key_terms, examples = described.get(pain_point_id, ((), ()))
        rows.append(
            {
                "pain_point_id": pain_point_id,
                "label": registry.get(pain_point_id).label,
                "status": "active",
                **figures.counts,
                "key_terms": json.dumps(list(key_terms)),
                "representatives": json.dumps([{"text": text} for text in examples or figures.first_texts]),
                "trend": json.dumps(figures.trend),
                "as_of": as_of,
                "theme_id": theme_of.get(pain_point_id),
                "muted": pain_point_id in corrected.muted,
                "pinned": pain_point_id in corrected.pinned,
            }
        )
    if rows:
        connection.execute(statement("upsert_pain_point"), rows)
    active = {row["pain_point_id"] for row in rows}
    resting = [
        {"pain_point_id": state.pain_point_id, "status": "merged" if state.merged_into else "dormant", "as_of": as_of}
        for state in registry.pain_points
        if state.pain_point_id not in active
    ]
    # A row this run's registry never knew (issued by an earlier run of this as-of, which a rerun does not
    # start from) stays active with its old counts unless retired here: a rerun after a correction left
    # eight such pairs of twins, one of them an id the corrections then called unknown.
    known = {state.pain_point_id for state in registry.pain_points}
    shown = connection.execute(statement("select_active_pain_point_ids")).scalars().all()
    resting += [{"pain_point_id": p, "status": "dormant", "as_of": as_of} for p in shown if p not in active and p not in known]
    if resting:
        connection.execute(statement("update_pain_point_status"), resting)
    return len(rows)


@dataclass(frozen=True)
class _Figures:
    """What the pain_points row of one pain point counts, and its first tickets' texts."""

    counts: dict[str, object]  # first_seen_at, last_seen_at, ticket_count, customer_count, mrr_at_risk
    trend: list[list[object]]  # [day, tickets] per trend day
    first_texts: list[str]


def _figures(assigned: pd.DataFrame, trend_days: pd.DatetimeIndex) -> dict[str, _Figures]:
    """Every pain point's figures from one pass over its tickets (an hourly run writes all of them again;
    one group at a time cost a tenth of a second)."""
    if assigned.empty:
        return {}
    by_point = assigned.groupby("pain_point_id", sort=True)
    seen = by_point["created_at"].agg(["min", "max", "size"])
    customers = assigned.drop_duplicates(["pain_point_id", "customer_id"])
    people = customers.groupby("pain_point_id", sort=True).agg(
        customer_count=("customer_id", "size"), mrr_at_risk=("mrr", mrr_at_risk)
    )
    daily = assigned.groupby(["pain_point_id", assigned["created_at"].dt.normalize()]).size()
    per_day: dict[str, dict[pd.Timestamp, int]] = {}
    for (pain_point_id, day), count in daily[daily.index.get_level_values(1).isin(trend_days)].items():
        per_day.setdefault(str(pain_point_id), {})[day] = int(count)
    first = by_point.head(3)
    first_texts: dict[str, list[str]] = {}
    for pain_point_id, text in zip(first["pain_point_id"], _texts(first), strict=True):
        first_texts.setdefault(str(pain_point_id), []).append(text)
    figures = {}
    for pain_point_id, row in seen.iterrows():
        key, counts = str(pain_point_id), per_day.get(str(pain_point_id), {})
        figures[key] = _Figures(
            counts={
                "first_seen_at": row["min"].to_pydatetime(),
                "last_seen_at": row["max"].to_pydatetime(),
                "ticket_count": int(row["size"]),
                "customer_count": int(people.at[pain_point_id, "customer_count"]),
                "mrr_at_risk": _known(people.at[pain_point_id, "mrr_at_risk"]),
            },
            trend=[[day.strftime("%Y-%m-%d"), counts.get(day, 0)] for day in trend_days],
            first_texts=first_texts[key],
        )
    return figures


# The history event of a pain point this run named otherwise than the last (``_renamed_by_run``).
RELABELLED = "relabelled"


def _renamed_by_run(
    previous: PainPointRegistry | None, registry: PainPointRegistry, corrections: Sequence[Correction]
) -> list[tuple[str, str, str]]:
    """(id, earlier label, label now) of each pain point this run named otherwise than the last run did.

    A label follows its tickets' words (``identity``), so a product manager who knew a pain point by
    one name finds another: the history says when and from what. A person's rename is in the history
    as their correction already, so a label one of them chose is left out here.
    """
    if previous is None:
        return []
    before = {s.pain_point_id: s.label for s in previous.active}
    chosen = {c.label for c in corrections if c.action == "rename"}
    return [
        (s.pain_point_id, before[s.pain_point_id], s.label)
        for s in registry.active
        if s.pain_point_id in before and s.label != before[s.pain_point_id] and s.label not in chosen
    ]


def _write_history(
    connection: Connection, events: list[HistoryEvent], as_of: datetime, renamed: list[tuple[str, str, str]]
) -> None:
    connection.execute(statement("delete_pain_point_history_at"), {"as_of": as_of})
    rows = [
        {"pain_point_id": e.pain_point_id, "event": e.kind, "parent_ids": json.dumps(list(e.parent_ids)),
         "as_of": as_of, "detail": None}
        for e in events
    ] + [
        {"pain_point_id": pid, "event": RELABELLED, "parent_ids": "[]", "as_of": as_of,
         "detail": json.dumps({"from": earlier, "to": now})}
        for pid, earlier, now in renamed
    ]
    if rows:
        connection.execute(statement("insert_pain_point_history"), rows)


def _known(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
