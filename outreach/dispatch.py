"""Send every approved campaign: the one step the CLI and the outreach DAG share."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from outreach.campaign_store import list_campaigns
from outreach.delivery import SendSummary, send_campaign
from outreach.model import OutreachSettings, kill_switch_engaged
from outreach.senders import EmailSender

log = logging.getLogger(__name__)

SENDABLE = ("approved", "sending")


@dataclass(frozen=True)
class DispatchResult:
    """What one dispatch did: per-campaign summaries, or why nothing was sent."""

    summaries: tuple[SendSummary, ...]
    held_back: str | None = None
    ready: int = 0

    def totals(self) -> dict[str, int]:
        """Messages sent, failed and unknown over every campaign."""
        return {
            "campaigns": len(self.summaries),
            "sent": sum(s.sent for s in self.summaries),
            "failed": sum(s.failed for s in self.summaries),
            "unknown": sum(s.unknown for s in self.summaries),
        }


def send_approved(
    engine: Engine,
    sender: EmailSender,
    settings: OutreachSettings,
    unsubscribe_secret: str,
    *,
    now: datetime,
    on_campaign: Callable[[str], None] | None = None,
) -> DispatchResult:
    """Send the queued messages of every approved (or interrupted) campaign, unless the kill switch is on."""
    ready = [c.campaign_id for c in list_campaigns(engine) if c.status in SENDABLE]
    if not ready:
        return DispatchResult((), held_back="no approved campaign")
    if kill_switch_engaged():
        log.warning("kill switch engaged: %s approved campaign(s) not sent", len(ready))
        return DispatchResult((), held_back="kill switch engaged (FOREWARN_KILL_SWITCH)", ready=len(ready))
    summaries = []
    for campaign_id in ready:
        if on_campaign:
            on_campaign(campaign_id)
        summaries.append(send_campaign(engine, campaign_id, sender, settings, unsubscribe_secret, now=now))
    return DispatchResult(tuple(summaries), ready=len(ready))
