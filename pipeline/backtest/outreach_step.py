"""One run's outreach in the replay: the outreach DAG's steps (build, approve, send) into a scratch outbox.

Building is ``pipeline.outreach_run.prepare_campaigns`` (what the DAG's ``build_campaigns`` task calls);
approval is the configured policy, or ``--approve-after``: every campaign that waits for a person is
approved through ``outreach.approval.approve`` (what ``forewarn campaigns approve`` calls), by
``backtest``, at the first run at least that long after it was created; sending is
``outreach.dispatch.send_approved`` with the outbox sender.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from outreach.approval import InvalidTransition, approve, list_campaigns
from outreach.dispatch import send_approved
from outreach.model import OutreachSettings
from outreach.senders import make_sender
from outreach.unsubscribe import load_unsubscribe_secret
from pipeline.outreach_run import prepare_campaigns

log = logging.getLogger(__name__)

APPROVER = "backtest"


@dataclass(frozen=True)
class OutreachPlan:
    """How the replay answers and sends: settings (policy), workarounds, the simulated approver's delay."""

    settings: OutreachSettings = field(default_factory=OutreachSettings)
    workarounds_dir: Path | None = None
    approve_after: timedelta | None = None


class OutreachStep:
    """Runs the outreach of each replay step and remembers every campaign that waited for a person."""

    def __init__(self, plan: OutreachPlan, outbox: Path, home: Path) -> None:
        self.plan = plan
        self.outbox = outbox
        self.sender = make_sender("outbox", directory=outbox)
        self.secret = load_unsubscribe_secret(allow_dev_secret=True, home=home)
        self.asked: dict[str, datetime] = {}  # campaign id -> first run that saw it wait for a person

    def __call__(self, engine: Engine, as_of: datetime) -> dict[str, int]:
        """Build, approve and send as of ``as_of``; return counts of what happened."""
        plan = self.plan
        built = prepare_campaigns(engine, as_of, plan.settings,
                                  workarounds_dir=str(plan.workarounds_dir) if plan.workarounds_dir else None)
        waiting = list_campaigns(engine, status="pending_approval")
        for campaign in waiting:
            self.asked.setdefault(campaign.campaign_id, as_of)
        approved = 0
        if plan.approve_after is not None:
            for campaign in waiting:
                if campaign.created_at + plan.approve_after > as_of:
                    continue
                try:
                    approve(engine, campaign.campaign_id, APPROVER, as_of)
                    approved += 1
                except InvalidTransition as exc:  # e.g. its workaround went back to draft: as a person would see
                    log.info("backtest could not approve %s: %s", campaign.campaign_id, exc)
        result = send_approved(engine, self.sender, plan.settings, self.secret, now=as_of)
        totals = result.totals()
        return {"built": sum(v for k, v in built.items() if k != "expired"), "expired": built.get("expired", 0),
                "waiting": len(waiting), "approved": approved, "sent": totals["sent"]}
