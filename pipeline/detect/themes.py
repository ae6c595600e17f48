"""Themes over the run's pain points: cluster their centroids, keep theme ids, write ``themes``."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection

from detectors.painpoints import PainPointRegistry
from detectors.painpoints.registry import MERGED
from detectors.painpoints.theme_identity import ThemeRegistry, group_into_themes, keep_themes
from pipeline.detect.state import save_state
from sql import statement

log = logging.getLogger(__name__)

THEME_REGISTRY = "theme_registry"


def theme_pain_points(
    connection: Connection,
    tickets: pd.DataFrame,
    registry: PainPointRegistry,
    saved: dict | None,
    as_of: datetime,
    keep_days: int,
    *,
    regroup: bool = True,
    ticket_texts: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Group the active pain points into themes with stable ids, store them, return pain point -> theme.

    ``tickets`` holds the run's tickets with their ``pain_point_id`` (after corrections). A pain
    point without a centroid of its own (one a person split off) joins its parent's theme.

    Args:
        regroup: cluster the pain points into themes again. When False (a run that only placed new
            tickets in the pain points it had) the last run's themes are kept if they hold every active
            pain point, and only their sizes are brought up to date.
        ticket_texts: ticket id -> text, to name regrouped themes by their tickets' words.
    """
    previous = ThemeRegistry.from_dict(saved) if saved else None
    kept = None if regroup else keep_themes(registry, previous)
    if kept is not None and previous is not None:
        theme_of, themes, events = kept, previous, []
    else:
        theme_of, themes, events = group_into_themes(registry, previous, ticket_texts=ticket_texts)
    if not theme_of:
        return {}
    _write_themes(connection, tickets, themes, theme_of, as_of)
    connection.execute(statement("delete_theme_history_at"), {"as_of": as_of})
    if events:
        connection.execute(
            statement("insert_theme_history"),
            [{"theme_id": e.pain_point_id, "event": e.kind, "parent_ids": json.dumps(list(e.parent_ids)), "as_of": as_of}
             for e in events],
        )
    save_state(connection, THEME_REGISTRY, as_of, themes.to_dict(), keep_days)
    log.info("themes%s: %s over %s pain points, %s events", " (kept from the last run)" if kept else "",
             len(set(theme_of.values())), len(theme_of), len(events))
    return theme_of


def _write_themes(
    connection: Connection, tickets: pd.DataFrame, themes: ThemeRegistry, theme_of: dict[str, str], as_of: datetime
) -> None:
    frame = tickets[tickets["pain_point_id"].isin(list(theme_of))].copy()
    frame["theme_id"] = frame["pain_point_id"].map(theme_of)
    rows = []
    for theme in themes.themes:
        group = frame[frame["theme_id"] == theme.theme_id]
        if group.empty:
            status = "merged" if theme.status == MERGED else "dormant"
            connection.execute(statement("update_theme_status"), {"theme_id": theme.theme_id, "status": status, "as_of": as_of})
            continue
        rows.append(
            {
                "theme_id": theme.theme_id,
                "label": theme.label,
                "status": "active",
                "first_seen_at": group["created_at"].min().to_pydatetime(),
                "last_seen_at": group["created_at"].max().to_pydatetime(),
                "pain_point_count": int(group["pain_point_id"].nunique()),
                "ticket_count": len(group),
                "customer_count": int(group["customer_id"].nunique()),
                "as_of": as_of,
            }
        )
    if rows:
        connection.execute(statement("upsert_theme"), rows)
    # A rerun of an as-of starts from the registry saved before it: a theme the replaced run created is in
    # no registry and would stay "active" in the table beside its own successor, under another id.
    known = {theme.theme_id for theme in themes.themes}
    ghosts = [{"theme_id": theme_id, "status": "dormant", "as_of": as_of}
              for (theme_id,) in connection.execute(statement("select_active_theme_ids")).all() if theme_id not in known]
    if ghosts:
        connection.execute(statement("update_theme_status"), ghosts)
