"""The truth of a simulated world (``forewarn simulate`` writes it to ``DIR/truth/``), read for scoring."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

INCIDENTS_FILE = "incidents.json"
TICKETS_FILE = "ticket_pain_points.csv"


class TruthError(ValueError):
    """The truth folder is missing a file or holds something unreadable (the message names it)."""


@dataclass(frozen=True)
class TrueIncident:
    """One injected incident: its kind, signature, true start and end, and whom it affected."""

    incident_id: str
    kind: str
    started_at: datetime
    ended_at: datetime | None
    name: str | None
    error_code: str | None
    feature: str | None
    platform: str | None
    app_version: str | None
    affected: frozenset[str]
    ticket_pain_point: str
    message: str | None = None  # the error events' message; names the error where they carry no code


@dataclass(frozen=True)
class Truth:
    """Injected incidents and the true pain point (and incident, if any) of every ticket."""

    incidents: tuple[TrueIncident, ...]
    tickets: pd.DataFrame  # ticket_id, pain_point, incident_id (None when the ticket is about no incident)


def read_truth(folder: str | Path) -> Truth:
    """Read ``incidents.json`` and ``ticket_pain_points.csv`` from ``folder`` (or its ``truth/``).

    Raises:
        TruthError: a file is missing or malformed, naming the file and the field.
    """
    root = Path(folder)
    if not (root / INCIDENTS_FILE).is_file() and (root / "truth" / INCIDENTS_FILE).is_file():
        root = root / "truth"
    return Truth(_incidents(root / INCIDENTS_FILE), _tickets(root / TICKETS_FILE))


def _incidents(path: Path) -> tuple[TrueIncident, ...]:
    if not path.is_file():
        raise TruthError(f"no {INCIDENTS_FILE} in {path.parent}: point --truth at the truth/ folder of a simulated world")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise TruthError(f"{path}: not JSON ({exc})") from exc
    if not isinstance(raw, list):
        raise TruthError(f"{path}: expected a JSON list of incidents, got {type(raw).__name__}")
    return tuple(_incident(item, path, number) for number, item in enumerate(raw, 1))


def _incident(item: dict, path: Path, number: int) -> TrueIncident:
    try:
        signature = item.get("signature") or {}
        return TrueIncident(
            incident_id=str(item["incident_id"]),
            kind=str(item["kind"]),
            started_at=_naive_utc(item["started_at"]),
            ended_at=_naive_utc(item["ended_at"]) if item.get("ended_at") else None,
            name=signature.get("name"),
            error_code=signature.get("error_code"),
            feature=signature.get("feature"),
            platform=signature.get("platform"),
            app_version=signature.get("app_version"),
            affected=frozenset(str(c) for c in item.get("affected_customer_ids", [])),
            ticket_pain_point=str(item.get("ticket_pain_point") or f"incident:{item['incident_id']}"),
            message=signature.get("message"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise TruthError(f"{path}: incident #{number} is malformed ({exc!r})") from exc


def _tickets(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise TruthError(f"no {TICKETS_FILE} in {path.parent}: point --truth at the truth/ folder of a simulated world")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"ticket_id", "pain_point", "incident_id"} - set(frame.columns)
    if missing:
        raise TruthError(f"{path}: missing column(s) {sorted(missing)}; found {list(frame.columns)}")
    frame["incident_id"] = frame["incident_id"].astype(object).where(frame["incident_id"] != "", None)
    return frame[["ticket_id", "pain_point", "incident_id"]]


def _naive_utc(text: str) -> datetime:
    stamp = pd.Timestamp(text)
    return (stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo else stamp).to_pydatetime()
