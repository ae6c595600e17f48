"""Read the themes over the pain points and the corrections people made to them."""

from __future__ import annotations

import json

from sqlalchemy import Connection

from pipeline.report.model import CorrectionNote, Steering, Theme
from pipeline.report.queries.common import fetch, to_datetime, to_int

LISTED_CORRECTIONS = 10


def load_steering(connection: Connection) -> Steering:
    """Active themes biggest first, the newest corrections, and how many pain points are muted."""
    themes = tuple(
        Theme(
            theme_id=row["theme_id"],
            label=row["label"],
            pain_point_count=to_int(row["pain_point_count"]),
            ticket_count=to_int(row["ticket_count"]),
            customer_count=to_int(row["customer_count"]),
        )
        for row in fetch(connection, "report_select_themes")
    )
    corrections = tuple(
        CorrectionNote(at=to_datetime(row["at"]), by=row["by"], action=row["action"], summary=_summary(row))
        for row in fetch(connection, "report_select_corrections", limit=LISTED_CORRECTIONS)
    )
    muted = to_int(fetch(connection, "report_count_muted_pain_points")[0]["muted"])
    return Steering(themes, corrections, muted)


def _summary(row) -> str:  # noqa: ANN001 - a RowMapping
    pid, name = row["pain_point_id"], row["current_label"] or row["pain_point_id"]
    action = row["action"]
    if action == "rename":
        return f"{pid} renamed to “{row['label']}”"
    if action == "merge":
        others = ", ".join(json.loads(row["other_ids"] or "[]"))
        return f"{others} merged into {pid} ({name})"
    if action == "split":
        how = f"tickets saying “{row['phrase']}”" if row["phrase"] else "example tickets"
        return f"{row['new_pain_point_id']} split off {pid} ({name}): {how}"
    if action == "mute":
        return f"{pid} ({name}) muted: hidden from the lists and from incident links"
    return f"{pid} ({name}) pinned: never merged away"
