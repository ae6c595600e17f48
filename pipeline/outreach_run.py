"""The outreach loop's steps as the DAG and the demo run them: prepare, ask a person, record, (send).

Sending itself is ``outreach.dispatch.send_approved``; this module turns campaigns into approval
requests a person can judge, and their answers back into approvals, rejections or, when nobody answered,
expiries (which a person can reopen; a rejection stays).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from outreach.approval import InvalidTransition, approve, expire, expire_pending, reject
from outreach.approval_text import approval_text
from outreach.campaign_store import list_campaigns, read_campaign_row, show_campaign
from outreach.campaigns import build_campaigns
from outreach.model import OutreachSettings
from outreach.workarounds import load_workarounds, upsert_workarounds
from pipeline.airflow_approvals import APPROVE, REJECT

log = logging.getLogger(__name__)


def prepare_campaigns(
    engine: Engine, as_of: datetime, settings: OutreachSettings, *, workarounds_dir: str | None = None
) -> dict[str, int]:
    """Load workarounds (when a folder is given), expire stale approvals, build campaigns; return counts."""
    if workarounds_dir:
        upsert_workarounds(engine, load_workarounds(Path(workarounds_dir)), now=as_of)
    expired = expire_pending(engine, as_of, settings.approval_timeout_hours)
    summaries = build_campaigns(engine, as_of=as_of, settings=settings)
    counts: dict[str, int] = {"expired": len(expired)}
    for summary in summaries:
        counts[summary.status] = counts.get(summary.status, 0) + 1
    log.info("campaigns as of %s: %s", as_of, counts)
    return counts


def approval_requests(engine: Engine) -> list[dict[str, Any]]:
    """One request per campaign waiting for a person: its id, subject, Markdown body and headline facts."""
    return [
        approval_text(show_campaign(engine, c.campaign_id)).as_dict()
        for c in list_campaigns(engine, status="pending_approval")
    ]


def decided_already(engine: Engine, campaign_id: str) -> dict[str, Any] | None:
    """The answer a campaign's approval task gives without asking, once the campaign no longer waits; else None.

    A person may decide from the terminal before the task asks, or a task answered from the terminal may be
    retried by Airflow (README, "Airflow": a known race). Asking again would hold the run, and the customers'
    email, until the approval timeout for a decision already taken. The answer has the shape of a person's
    answer in Airflow; ``record_decisions`` finds the campaign decided and leaves it as it is.
    """
    with engine.connect() as connection:
        row = read_campaign_row(connection, campaign_id)
    if row.status == "pending_approval":
        return None
    approved = row.approved_by is not None and row.status in ("approved", "sending", "sent")
    return {
        "chosen_options": [APPROVE if approved else REJECT],
        "params_input": {},
        "responded_at": row.approved_at if approved else None,
        "responded_by_user": {"id": row.approved_by or "", "name": row.approved_by or ""},
        "decided_already": row.status,
    }


def record_decisions(
    engine: Engine, requests: Sequence[dict[str, Any]], answers: Sequence[Any], *, now: datetime
) -> dict[str, int]:
    """Apply each person's answer (``chosen_options`` from the approval task) to its campaign.

    Only a person's *Approve* approves: nothing is ever sent by default. A person's other answer rejects;
    a timeout or a missing answer (the task failed) expires the campaign, as a campaign that waited too long
    from the terminal does, so `forewarn campaigns reopen` can still ask again when nobody had seen it.
    """
    counts = {"approved": 0, "rejected": 0, "expired": 0, "skipped": 0}
    for index, request in enumerate(requests):
        answer = answers[index] if index < len(answers) else None
        chosen = list((answer or {}).get("chosen_options") or [])
        user = (answer or {}).get("responded_by_user") or {}
        by = f"airflow:{user.get('name') or user.get('id') or 'timeout'}"
        try:
            if answer is not None and answer.get("decided_already"):  # the task did not ask: see decided_already
                counts["skipped"] += 1
            elif answer is None or answer.get("timedout"):
                expire(engine, request["campaign_id"], by, now, reason="no answer within the approval timeout")
                counts["expired"] += 1
            elif chosen == [APPROVE]:
                approve(engine, request["campaign_id"], by, now)
                counts["approved"] += 1
            else:
                reject(engine, request["campaign_id"], by, now, reason="rejected in the approval task")
                counts["rejected"] += 1
        except InvalidTransition as exc:  # decided meanwhile from the CLI: that decision stands
            log.info("campaign %s already decided: %s", request["campaign_id"], exc)
            counts["skipped"] += 1
    return counts
