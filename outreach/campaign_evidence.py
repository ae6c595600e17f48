"""What a person sees before approving a campaign: the evidence and a preview of the email."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from outreach.audience import Audience, AudienceMember
from outreach.findings import ExampleTicket, Incident, PainPointLink
from outreach.model import MessageContext, OutreachSettings, WorkaroundText
from outreach.workaround_matching import WorkaroundMatch
from sql import expanding_texts, statement

log = logging.getLogger(__name__)

# The preview never carries a real customer's name or address, and its unsubscribe link is not valid.
PREVIEW_NAME = "Sam Example"
PREVIEW_EMAIL = "customer@example.com"
PREVIEW_CUSTOMER_ID = "preview-customer"
PREVIEW_SECRET = "preview-only-not-a-signing-secret"


@dataclass(frozen=True)
class Preview:
    """The rendered email of a representative audience member, with placeholder identity."""

    subject: str
    text: str
    html: str


def issue_summary(incident: Incident, link: PainPointLink | None) -> str:
    """A short description of the problem, for the email and the listings."""
    if link is not None and link.label:
        return link.label
    if incident.name:
        return incident.name
    return incident.error_code or "a problem in the app"


def build_evidence(
    *,
    incident: Incident,
    link: PainPointLink | None,
    match: WorkaroundMatch | None,
    audience: Audience,
    holdout_size: int,
    examples: list[ExampleTicket],
    as_of: datetime,
    policy: str | None,
    follow_up_of: str | None,
) -> dict[str, Any]:
    """The JSON evidence stored on a campaign: why it exists, whom it leaves out and why."""
    return {
        "as_of": as_of.isoformat(),
        "summary": audience.summary(),
        "issue_summary": issue_summary(incident, link),  # delivery reads this key for every email
        "audience": {
            "affected": audience.affected,
            "eligible": audience.eligible,
            "treated": audience.eligible - holdout_size,
            "holdout": holdout_size,
            "excluded": dict(audience.excluded),
        },
        "incident": {k: _jsonable(v) for k, v in asdict(incident).items()},
        "signature_id": incident.signature_id,
        "release": incident.app_version,
        "severity": incident.severity,
        "pain_point": None if link is None else {k: _jsonable(v) for k, v in asdict(link).items()},
        "workaround": None
        if match is None
        else {
            "workaround_id": match.workaround.workaround_id,
            "title": match.workaround.title,
            "content_hash": match.workaround.content_hash,
            "score": match.score,
            "why": list(match.why),
        },
        "example_tickets": [{k: _jsonable(v) for k, v in asdict(t).items()} for t in examples],
        "policy": policy,
        "follow_up_of": follow_up_of,
    }


def render_preview(
    *,
    campaign_id: str,
    incident: Incident,
    link: PainPointLink | None,
    match: WorkaroundMatch,
    member: AudienceMember,
    settings: OutreachSettings,
) -> Preview | None:
    """The email as ``member`` would get it, with a placeholder name and address; None without a renderer."""
    try:
        from outreach.messages import render_message
    except ImportError:  # the renderer is built separately; a campaign is still useful without a preview
        log.warning("outreach.messages is not available: campaign %s has no preview", campaign_id)
        return None
    context = _preview_context(campaign_id, incident, link, match, member, settings.default_locale)
    rendered = render_message(context, settings, PREVIEW_SECRET)
    return Preview(subject=rendered.subject, text=rendered.text, html=rendered.html)


def language_preview(
    conn: Connection,
    *,
    campaign_id: str,
    incident: Incident,
    link: PainPointLink | None,
    match: WorkaroundMatch,
    members: list[AudienceMember],
    settings: OutreachSettings,
) -> dict[str, Any]:
    """How many emails go out in each language, which fall back whole and why, and one sample per language.

    Stored in the campaign's evidence as ``languages``: ``counts`` ({language: emails}), ``fallbacks``
    ([{wanted, language, reason, count}]), ``samples`` ({language: {subject, text}}) and a one-line ``summary``
    ("38 in English, 6 in German, 1 fell back to English: no German workaround").
    """
    from outreach.language_choice import choose_language, language_name
    from outreach.messages import active_profile, render_message

    profile = active_profile(settings)
    locales = _customer_locales(conn, [m.customer_id for m in members])
    counts: Counter[str] = Counter()
    fallbacks: Counter[tuple[str, str, str]] = Counter()
    firsts: dict[str, MessageContext] = {}
    for member in members:
        context = _preview_context(campaign_id, incident, link, match, member, locales.get(member.customer_id))
        choice = choose_language(context, profile, settings.default_locale)
        counts[choice.language] += 1
        if choice.fell_back:
            fallbacks[(choice.wanted, choice.language, choice.reason)] += 1
        firsts.setdefault(choice.language, context)
    samples = {}
    for language, context in sorted(firsts.items()):
        rendered = render_message(context, settings, PREVIEW_SECRET, profile)
        samples[language] = {"subject": rendered.subject, "text": rendered.text}
    parts = [f"{n} in {language_name(lang)}" for lang, n in counts.most_common()]
    parts += [f"{n} fell back to {language_name(lang)}: {reason}" for (_, lang, reason), n in fallbacks.most_common()]
    return {
        "counts": dict(counts),
        "fallbacks": [{"wanted": w, "language": lang, "reason": r, "count": n} for (w, lang, r), n in fallbacks.most_common()],
        "samples": samples,
        "summary": ", ".join(parts) or "nobody to email",
    }


def workaround_text(match: WorkaroundMatch) -> WorkaroundText:
    """The workaround as a message carries it, with its language and translations."""
    workaround = match.workaround
    return WorkaroundText(
        workaround_id=workaround.workaround_id, title=workaround.title, steps_markdown=workaround.body_markdown,
        language=workaround.language, translations=workaround.translations,
    )


def _preview_context(
    campaign_id: str, incident: Incident, link: PainPointLink | None, match: WorkaroundMatch,
    member: AudienceMember, locale: str | None,
) -> MessageContext:
    return MessageContext(
        message_id=f"preview-{campaign_id}",
        campaign_id=campaign_id,
        customer_id=PREVIEW_CUSTOMER_ID,
        email=PREVIEW_EMAIL,
        name=PREVIEW_NAME,
        locale=locale,
        issue_summary=issue_summary(incident, link),
        workaround=workaround_text(match),
        platform=member.platform,
        app_version=member.app_version,
        feature=member.feature,
        error_code=member.error_code,
        first_exposed_at=member.first_exposed_at,
    )


def _customer_locales(conn: Connection, customer_ids: list[str], chunk: int = 500) -> dict[str, str | None]:
    query = statement("customer_select_locales", conn.dialect.name).bindparams(
        expanding_texts("customer_ids")
    )
    locales: dict[str, str | None] = {}
    for start in range(0, len(customer_ids), chunk):
        rows = conn.execute(query, {"customer_ids": customer_ids[start : start + chunk]})
        locales.update({row.customer_id: row.locale for row in rows})
    return locales


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
