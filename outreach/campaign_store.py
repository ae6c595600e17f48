"""Read campaigns back for people: the list, and one campaign with its evidence, preview and message counts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from sql import statement


class CampaignNotFound(LookupError):
    """No campaign has this id."""


@dataclass(frozen=True)
class CampaignRow:
    """One campaign as listed."""

    campaign_id: str
    incident_id: str | None
    pain_point_id: str | None
    workaround_id: str | None
    status: str
    created_at: datetime
    approved_at: datetime | None
    approved_by: str | None
    decided_reason: str | None
    audience_size: int
    holdout_size: int
    send_cap: int | None
    severity: float | None

    @property
    def treated(self) -> int:
        return self.audience_size - self.holdout_size


@dataclass(frozen=True)
class CampaignDetail:
    """One campaign with everything a person needs to approve or cancel it."""

    campaign: CampaignRow
    evidence: dict[str, Any]
    preview_subject: str | None
    preview_text: str | None
    preview_html: str | None
    message_counts: dict[str, int] = field(default_factory=dict)
    workaround_title: str | None = None
    workaround_status: str | None = None


def list_campaigns(engine: Engine, *, status: str | None = None) -> list[CampaignRow]:
    """Every campaign, newest first; only those in ``status`` when given."""
    with engine.connect() as conn:
        rows = conn.execute(statement("campaign_select_list", conn.dialect.name)).all()
    campaigns = [_campaign(row) for row in rows]
    return [c for c in campaigns if status is None or c.status == status]


def show_campaign(engine: Engine, campaign_id: str) -> CampaignDetail:
    """One campaign in full.

    Raises:
        CampaignNotFound: no campaign has this id.
    """
    with engine.connect() as conn:
        row = read_campaign_row(conn, campaign_id)
        counts = {
            r.status: int(r.n)
            for r in conn.execute(statement("campaign_count_messages", conn.dialect.name), {"campaign_id": campaign_id})
        }
        workaround = None
        if row.workaround_id:
            workaround = conn.execute(
                statement("workaround_select_one", conn.dialect.name), {"workaround_id": row.workaround_id}
            ).first()
    return CampaignDetail(
        campaign=_campaign(row),
        evidence=json.loads(row.evidence) if row.evidence else {},
        preview_subject=row.preview_subject,
        preview_text=row.preview_text,
        preview_html=row.preview_html,
        message_counts=counts,
        workaround_title=workaround.title if workaround else None,
        workaround_status=workaround.status if workaround else None,
    )


def read_campaign_row(conn: Connection, campaign_id: str) -> Any:
    """The raw campaign row.

    Raises:
        CampaignNotFound: naming the id and how to list the known ones.
    """
    row = conn.execute(statement("campaign_select_one", conn.dialect.name), {"campaign_id": campaign_id}).first()
    if row is None:
        raise CampaignNotFound(f"no campaign {campaign_id!r}; `forewarn campaigns list` shows the known ids")
    return row


def _campaign(row: Any) -> CampaignRow:
    return CampaignRow(
        campaign_id=row.campaign_id,
        incident_id=row.incident_id,
        pain_point_id=row.pain_point_id,
        workaround_id=row.workaround_id,
        status=row.status,
        created_at=row.created_at,
        approved_at=row.approved_at,
        approved_by=row.approved_by,
        decided_reason=row.decided_reason,
        audience_size=int(row.audience_size or 0),
        holdout_size=int(row.holdout_size or 0),
        send_cap=row.send_cap,
        severity=row.severity,
    )
