"""Read the themes over the pain points and the corrections people made to them."""

from __future__ import annotations

import json

from sqlalchemy import Connection

from pipeline.report.model import CorrectionNote, RenameNote, ReportWindow, Steering, Theme
from pipeline.report.queries.common import fetch, to_datetime, to_int

LISTED_CORRECTIONS = 10
LISTED_RENAMES = 10


def load_steering(connection: Connection, window: ReportWindow) -> Steering:
    """Active themes biggest first, the newest corrections, how many pain points are muted, and the
    names runs changed in the window."""
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
    renamed = tuple(
        RenameNote(at=to_datetime(row["as_of"]), pain_point_id=row["pain_point_id"], **_names(row["detail"]))
        for row in fetch(connection, "report_select_relabels", start=window.start, end=window.end, limit=LISTED_RENAMES)
    )
    return Steering(themes, corrections, muted, renamed)


def _names(detail: str | None) -> dict[str, str]:
    names = json.loads(detail or "{}")
    return {"before": str(names.get("from", "")), "after": str(names.get("to", ""))}


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
