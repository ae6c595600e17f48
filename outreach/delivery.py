"""Send an approved campaign through any EmailSender, at most once per message whatever happens.

Each batch: claim (committed) → render and send on a small thread pool → record the answers (one
transaction). Between batches the campaign status, the kill switch and the send cap are checked
again. Transient refusals are retried with exponential backoff and jitter inside the same claim; a
timeout is ``unknown`` and never resent; a 429 pauses every worker for as long as SendGrid asks.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from jinja2 import TemplateError
from sqlalchemy import Engine

from outreach import ledger
from outreach.ledger import reconcile_stale
from outreach.messages import active_profile, render_message
from outreach.model import MessageContext, OutreachSettings, WorkaroundText, kill_switch_engaged
from outreach.profile import ProductProfile
from outreach.senders.base import (
    DeliveryUnknownError,
    EmailSender,
    PermanentSendError,
    SenderConfigError,
    TransientSendError,
)
from outreach.unsubscribe import UnsubscribeSecretMissing
from outreach.workaround_lint import Translation, translations_from_json

log = logging.getLogger(__name__)

__all__ = [
    "CampaignNotFound", "CampaignNotSendable", "RetryPolicy", "SendSummary", "reconcile_stale", "send_campaign",
]


class CampaignNotFound(LookupError):
    """No campaign with that id in the warehouse."""


class CampaignNotSendable(ValueError):
    """The campaign cannot be emailed as it stands (no approved workaround)."""


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries of transient refusals (429, 5xx, connection refused) within one claim.

    ``max_claims``: after this many runs that could not get a message accepted, it is failed for good.
    """

    max_attempts: int = 4
    base_delay_seconds: float = 0.5
    max_delay_seconds: float = 60.0
    max_claims: int = 3


@dataclass(frozen=True)
class SendSummary:
    """What one ``send_campaign`` call did. ``stopped_reason`` is None when nothing is left queued."""

    campaign_id: str
    sent: int = 0
    failed: int = 0
    unknown: int = 0
    skipped: int = 0
    released: int = 0
    skipped_by_reason: dict[str, int] = field(default_factory=dict)
    stopped_reason: str | None = None
    campaign_status: str | None = None
    batches: int = 0
    elapsed_seconds: float = 0.0


class _RateGate:
    """Shared pause: when the provider says "wait N seconds", every worker waits."""

    def __init__(self, sleep: Callable[[float], None]) -> None:
        self._until = 0.0
        self._lock = threading.Lock()
        self._sleep = sleep

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._until = max(self._until, time.monotonic() + seconds)

    def wait(self) -> None:
        delay = self._until - time.monotonic()
        if delay > 0:
            self._sleep(delay)


@dataclass
class _Run:
    """State shared by the workers of one send_campaign call."""

    campaign: ledger.CampaignRow
    sender: EmailSender
    settings: OutreachSettings
    secret: str
    retry: RetryPolicy
    now: datetime
    sleep: Callable[[float], None]
    started: float = field(default_factory=time.monotonic)
    stop: threading.Event = field(default_factory=threading.Event)
    stop_reason: str | None = None
    config_error: SenderConfigError | None = None
    unexpected_error: Exception | None = None
    gate: _RateGate = field(init=False)
    profile: ProductProfile = field(init=False)

    def __post_init__(self) -> None:
        self.gate = _RateGate(self.sleep)
        # Read once per run, before anything is claimed: a missing profile file stops the run, not each message.
        self.profile = active_profile(self.settings)

    def clock(self) -> datetime:
        # Times move on from the caller's ``now`` (the data interval), so tests stay repeatable.
        return self.now + timedelta(seconds=time.monotonic() - self.started)

    def halt(self, reason: str) -> None:
        if not self.stop.is_set():
            self.stop_reason = reason
            self.stop.set()


def send_campaign(
    engine: Engine,
    campaign_id: str,
    sender: EmailSender,
    settings: OutreachSettings,
    unsubscribe_secret: str,
    *,
    now: datetime,
    batch_size: int = 200,
    concurrency: int | None = None,
    retry: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SendSummary:
    """Send the queued messages of an approved campaign, each at most once.

    Args:
        now: the run's time (naive UTC, from the data interval); claim and sent times count on from it.
        batch_size: messages claimed per transaction; the campaign is re-checked between batches.
        concurrency: requests in flight at once (default: the sender's ``max_concurrency``, else 1).

    Returns:
        Counts of this call; ``stopped_reason`` says why it stopped early (``kill_switch``,
        ``cancelled`` or another campaign status, ``send_cap_reached``, ``provider_unavailable``).

    Raises:
        CampaignNotFound, CampaignNotSendable, UnsubscribeSecretMissing, ProfileError: before anything is claimed.
        SenderConfigError: the sender cannot send (bad key); claimed messages were given back first.
    """
    if not unsubscribe_secret:
        raise UnsubscribeSecretMissing("send_campaign needs the unsubscribe secret to sign unsubscribe links")
    campaign = _sendable_campaign(engine, campaign_id)
    if kill_switch_engaged():
        log.warning("kill switch engaged (FOREWARN_KILL_SWITCH): campaign %s sends nothing", campaign_id)
        return SendSummary(campaign_id, stopped_reason="kill_switch", campaign_status=campaign.status)
    if campaign.status not in ledger.SENDABLE_CAMPAIGN_STATUSES:
        log.info("campaign %s is %s: nothing to send", campaign_id, campaign.status)
        stopped = None if campaign.status == "sent" else campaign.status  # a finished campaign is not a stop
        return SendSummary(campaign_id, stopped_reason=stopped, campaign_status=campaign.status)
    run = _Run(campaign, sender, settings, unsubscribe_secret, retry or RetryPolicy(), now, sleep)
    tally: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    batches = 0
    cursor = ""
    workers = max(1, concurrency or getattr(sender, "max_concurrency", 1))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="forewarn-send") as pool:
        while not run.stop.is_set():
            if kill_switch_engaged():
                run.halt("kill_switch")
                break
            claim = ledger.claim_batch(engine, campaign_id, claimed_at=run.clock(), limit=batch_size,
                                       default_cap=settings.send_cap_per_campaign, after=cursor)
            skipped.update(claim.skipped.values())
            if claim.blocked_status:
                run.halt(claim.blocked_status)
                break
            if claim.exhausted:
                if not cursor:
                    break
                cursor = ""  # one more pass from the start for anything queued behind the cursor
                continue
            cursor = claim.last_message_id
            if not claim.claimed:
                if claim.cap_reached:
                    run.halt("send_cap_reached")
                    break
                continue  # the whole batch was skipped (suppressed ...): claim the next one
            batches += 1
            outcomes = _send_batch(engine, run, pool, claim.claimed)
            ledger.record_outcomes(engine, outcomes)
            tally.update(o.status for o in outcomes)
            log.info("campaign %s batch %s: %s", campaign_id, batches, dict(Counter(o.status for o in outcomes)))
    if run.config_error is not None:
        raise run.config_error
    if run.unexpected_error is not None:
        raise run.unexpected_error
    if run.stop_reason is None:
        ledger.finish_campaign(engine, campaign_id)
    final = ledger.load_campaign(engine, campaign_id)
    summary = SendSummary(
        campaign_id=campaign_id, sent=tally["sent"], failed=tally["failed"], unknown=tally["unknown"],
        skipped=sum(skipped.values()), released=tally["released"], skipped_by_reason=dict(skipped),
        stopped_reason=run.stop_reason, campaign_status=final.status if final else None, batches=batches,
        elapsed_seconds=round(time.monotonic() - run.started, 3),
    )
    log.info("campaign %s: %s sent, %s failed, %s unknown, %s skipped, %s released, stopped: %s",
             campaign_id, summary.sent, summary.failed, summary.unknown, summary.skipped, summary.released,
             summary.stopped_reason or "no (done)")
    return summary


def _sendable_campaign(engine: Engine, campaign_id: str) -> ledger.CampaignRow:
    campaign = ledger.load_campaign(engine, campaign_id)
    if campaign is None:
        raise CampaignNotFound(f"no campaign {campaign_id!r} in the warehouse (table campaigns)")
    if campaign.status in ledger.SENDABLE_CAMPAIGN_STATUSES:
        if not campaign.workaround_id or campaign.workaround_markdown is None:
            raise CampaignNotSendable(
                f"campaign {campaign_id!r} has no workaround (workaround_id={campaign.workaround_id!r}): "
                "attach an approved workaround before sending"
            )
        if campaign.workaround_status != "approved":
            raise CampaignNotSendable(
                f"campaign {campaign_id!r}: workaround {campaign.workaround_id!r} is "
                f"{campaign.workaround_status!r}; only approved workarounds are ever emailed"
            )
    return campaign


def _send_batch(engine: Engine, run: _Run, pool: ThreadPoolExecutor, claimed: dict[str, int]) -> list[ledger.Outcome]:
    rows = {row.message_id: row for row in ledger.load_message_rows(engine, claimed)}
    outcomes = [
        ledger.Outcome(mid, "failed", error="customer row disappeared after targeting")
        for mid in claimed if mid not in rows
    ]
    futures = [pool.submit(_deliver, run, row, claimed[mid]) for mid, row in rows.items()]
    outcomes += [future.result() for future in futures]
    return outcomes


def _deliver(run: _Run, row, attempts_so_far: int) -> ledger.Outcome:  # noqa: ANN001 - a SQL row
    """Render and send one claimed message; every path ends in exactly one Outcome."""
    message_id = row.message_id
    try:
        message = render_message(_context(row, run.campaign), run.settings, run.secret, run.profile)
    except (TemplateError, ValueError, TypeError) as exc:
        return ledger.Outcome(message_id, "failed", error=f"could not render the message: {exc}")
    attempt = 0
    while True:
        if not run.stop.is_set() and kill_switch_engaged():
            run.halt("kill_switch")
        if run.stop.is_set():
            return ledger.Outcome(message_id, "released", error=f"not sent: run stopped ({run.stop_reason})")
        attempt += 1
        run.gate.wait()
        try:
            result = run.sender.send(message)
        except DeliveryUnknownError as exc:
            log.warning("message %s: outcome unknown, not retried: %s", message_id, exc)
            return ledger.Outcome(message_id, "unknown", error=str(exc), language=message.locale,
                                  language_reason=message.language_reason)
        except TransientSendError as exc:
            if exc.retry_after_seconds is not None and exc.retry_after_seconds > run.retry.max_delay_seconds:
                return _give_back(run, message_id, attempts_so_far, f"provider asks to wait "
                                  f"{exc.retry_after_seconds:.0f}s: {exc}")
            if attempt >= run.retry.max_attempts:
                return _give_back(run, message_id, attempts_so_far, f"not accepted after {attempt} tries: {exc}")
            delay = _backoff(run.retry, attempt)
            if exc.retry_after_seconds is not None:
                run.gate.pause(max(exc.retry_after_seconds, delay))
            else:
                run.sleep(delay)
            continue
        except PermanentSendError as exc:
            return ledger.Outcome(message_id, "failed", error=str(exc))
        except SenderConfigError as exc:
            run.config_error = run.config_error or exc
            run.halt("sender_misconfigured")
            return ledger.Outcome(message_id, "released", error=str(exc))
        except Exception as exc:  # noqa: BLE001 - a sender bug must not lose the batch's other outcomes
            # We cannot tell whether it went out: unknown, then stop the run and re-raise once recorded.
            log.exception("message %s: unexpected error from the sender; stopping the run", message_id)
            run.unexpected_error = run.unexpected_error or exc
            run.halt("unexpected_error")
            return ledger.Outcome(message_id, "unknown", error=f"unexpected {type(exc).__name__}: {exc}")
        return ledger.Outcome(message_id, "sent", provider_message_id=result.provider_message_id, sent_at=run.clock(),
                              language=message.locale, language_reason=message.language_reason)


def _give_back(run: _Run, message_id: str, attempts_so_far: int, reason: str) -> ledger.Outcome:
    """The provider certainly did not take it: queue it again for a later run, or fail it after enough runs."""
    if attempts_so_far >= run.retry.max_claims:
        return ledger.Outcome(message_id, "failed", error=f"gave up after {attempts_so_far} runs: {reason}")
    run.halt("provider_unavailable")
    return ledger.Outcome(message_id, "released", error=reason)


def _backoff(retry: RetryPolicy, attempt: int) -> float:
    """Exponential backoff with "equal jitter": half fixed, half random, so workers spread out."""
    ceiling = min(retry.max_delay_seconds, retry.base_delay_seconds * 2 ** (attempt - 1))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def _context(row, campaign: ledger.CampaignRow) -> MessageContext:  # noqa: ANN001 - a SQL row
    """The MessageContext of one claimed row: its customer, its own context JSON, the campaign's workaround."""
    context = _json_object(row.context)
    evidence = _json_object(campaign.evidence)
    first_exposed = context.get("first_exposed_at")
    return MessageContext(
        message_id=row.message_id,
        campaign_id=row.campaign_id,
        customer_id=row.customer_id,
        email=row.email,
        name=row.name,
        locale=row.locale,
        issue_summary=str(context.get("issue_summary") or evidence.get("issue_summary") or ""),
        workaround=WorkaroundText(
            workaround_id=campaign.workaround_id or "",
            title=campaign.workaround_title or "",
            steps_markdown=campaign.workaround_markdown or "",
            language=campaign.workaround_language or "en",
            translations=_translations(campaign.workaround_translations),
        ),
        platform=_text(context.get("platform")),
        app_version=_text(context.get("app_version")),
        feature=_text(context.get("feature")),
        error_code=_text(context.get("error_code")),
        first_exposed_at=datetime.fromisoformat(first_exposed) if isinstance(first_exposed, str) else None,
        fix_status=_text(context.get("fix_status") or evidence.get("fix_status") or campaign.incident_status),
        extra={k: str(v) for k, v in context.items() if k == "fixed_in_version" and v},
    )


@lru_cache(maxsize=8)
def _translations(text: str | None) -> tuple[Translation, ...]:
    # Parsed once per campaign, not once per message.
    return translations_from_json(text)


def _json_object(text: str | None) -> dict:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str | None:
    return str(value) if value not in (None, "") else None
