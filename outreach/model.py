"""Plain values shared by the outreach modules: settings, the facts a message is built from, a rendered message."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime

from outreach.workaround_lint import Translation


@dataclass(frozen=True)
class OutreachSettings:
    """How campaigns are targeted, approved and sent. Units are in the field names."""

    holdout_share: float = 0.10
    # At most this many proactive emails per customer in any ``frequency_cap_days``, whatever they are
    # about (and never two about one incident: contacted_before). One a week held back the customers two
    # incidents hit in the same week, the second email being as much about their own trouble as the first:
    # out-of-sample seed 23, 3 of a spike's 12 writers had been emailed about another error two days before
    # (from day 3, reach-before-ticket 0.75 -> 0.92 with two a week, precision unchanged).
    frequency_cap_days: int = 7
    max_emails_per_frequency_window: int = 2
    send_cap_per_campaign: int = 5000
    approval_timeout_hours: float = 48.0
    auto_approve: bool = False
    auto_approve_max_audience: int = 500
    auto_approve_min_severity: float = 0.0
    link_window_hours: int = 72
    from_email: str = "support@forewarn.example"
    from_name: str = "The Acme support team"
    reply_to: str = "support@forewarn.example"
    company_name: str = "Acme"
    support_url: str = "https://support.forewarn.example/contact"
    unsubscribe_base_url: str = "https://forewarn.example/unsubscribe"
    status_page_url: str = "https://status.forewarn.example"
    default_locale: str = "en"
    workaround_min_score: float = 0.2
    campaign_lookback_days: int = 14
    # A customer exposed (and an incident detected) longer ago than this is not emailed about it: the email
    # would no longer come before they write in (the frequency cap can hold a customer for days). 0 disables.
    max_exposure_age_hours: float = 72.0
    # Address for mailto: one-click unsubscribe (RFC 2369); empty means reply_to.
    unsubscribe_email: str = ""
    # A person's approval of an incident's campaign also covers its follow-ups (customers exposed later)
    # until this long after the approval or the latest follow-up it covered (rolling), with the same
    # workaround, while the incident's emailed customers stay within the bound the approver was shown:
    # max(standing_approval_growth x what was approved, standing_approval_min_customers, the treated share of
    # the customers who can be emailed and used the incident's scope in the last standing_approval_at_risk_days
    # days), capped by send_cap (outreach.follow_up_bound). 0 days leaves the population at risk out.
    standing_approval_hours: float = 72.0
    standing_approval_growth: float = 5.0
    standing_approval_min_customers: int = 200
    standing_approval_at_risk_days: float = 7.0
    # Product profile YAML (outreach.profile); empty means env FOREWARN_PRODUCT_PROFILE, else the built-in one.
    product_profile: str = ""


def kill_switch_engaged() -> bool:
    """True when ``FOREWARN_KILL_SWITCH`` is set to a true value: nothing may be sent."""
    return os.environ.get("FOREWARN_KILL_SWITCH", "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class WorkaroundText:
    """An approved workaround as a message carries it."""

    workaround_id: str
    title: str
    steps_markdown: str
    language: str = "en"  # what title and steps are written in
    translations: tuple[Translation, ...] = ()


@dataclass(frozen=True)
class MessageContext:
    """Everything one email is built from; nothing here belongs to another customer."""

    message_id: str
    campaign_id: str
    customer_id: str
    email: str
    name: str | None
    locale: str | None
    issue_summary: str
    workaround: WorkaroundText
    platform: str | None = None
    app_version: str | None = None
    feature: str | None = None
    error_code: str | None = None
    first_exposed_at: datetime | None = None
    fix_status: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RenderedMessage:
    """A message ready for any sender: both parts and every header it needs."""

    message_id: str
    to_email: str
    to_name: str | None
    from_email: str
    from_name: str
    reply_to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str]
    custom_args: dict[str, str]
    categories: tuple[str, ...] = ("forewarn-outreach",)
    locale: str = "en"  # the one language the whole message is written in
    language_reason: str = ""  # "customer's language", or why it fell back whole to the workaround's language
