"""What a person reads when asked to approve a campaign: a subject that leads with the problem, the
audience and the severity, and a body whose exclusions read as a short list.

Pure: takes a ``CampaignDetail`` (plain values), returns text. The Airflow approval task and the owner's
notification both show this text; neither builds its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from outreach.audience import EXCLUSION_REASONS
from outreach.campaign_store import CampaignDetail
from outreach.follow_up_bound import FollowUpBound

# Long enough for a pain point's label, short enough for a list row in Airflow's Required Actions.
ISSUE_CHARS = 60
PREVIEW_LINES = 40


@dataclass(frozen=True)
class ApprovalText:
    """One approval request as a person sees it, plus the facts a notification repeats."""

    campaign_id: str
    subject: str
    body: str
    issue: str
    customers: int
    severity: float | None
    left_out: tuple[str, ...]
    incident_id: str | None
    workaround: str | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (what the DAG passes to its approval tasks through XCom)."""
        return {
            "campaign_id": self.campaign_id,
            "subject": self.subject,
            "body": self.body,
            "issue": self.issue,
            "customers": self.customers,
            "severity": self.severity,
            "left_out": list(self.left_out),
            "incident_id": self.incident_id,
            "workaround": self.workaround,
        }


def approval_subject(issue: str, customers: int, severity: float | None) -> str:
    """``Email 33 customers about 'cannot upload files'? severity 65``."""
    who = "1 customer" if customers == 1 else f"{customers:,} customers"
    how_bad = "severity unknown" if severity is None else f"severity {severity:.0f}"
    return f"Email {who} about '{shorten(issue, ISSUE_CHARS)}'? {how_bad}"


def left_out_list(excluded: Mapping[str, int], holdout: int = 0) -> list[str]:
    """Who is not emailed and why, one short line per reason, in the order the audience rules apply.

    ``{"wrote_in": 41, "opted_out": 9}`` and a holdout of 3 give
    ``["41 already wrote in", "9 opted out", "3 held out to measure the effect"]``; reasons counted zero
    are left out, and a reason this module does not know yet is still shown, in words.
    """
    known = [reason for reason in EXCLUSION_REASONS if excluded.get(reason)]
    unknown = sorted(reason for reason, count in excluded.items() if count and reason not in EXCLUSION_REASONS)
    lines = [f"{int(excluded[r]):,} {EXCLUSION_REASONS[r]}" for r in known]
    lines += [f"{int(excluded[r]):,} {r.replace('_', ' ')}" for r in unknown]
    if holdout:
        lines.append(f"{holdout:,} held out to measure the effect")
    return lines


def approval_text(detail: CampaignDetail) -> ApprovalText:
    """The subject and Markdown body of the approval request for one waiting campaign."""
    campaign, evidence = detail.campaign, detail.evidence
    issue = str(evidence.get("issue_summary") or evidence.get("summary") or campaign.incident_id or campaign.campaign_id)
    audience = evidence.get("audience") if isinstance(evidence.get("audience"), dict) else {}
    left_out = left_out_list(audience.get("excluded") or {}, campaign.holdout_size)
    workaround = detail.workaround_title or campaign.workaround_id
    lines = [
        f"**{issue}**",
        "",
        f"- Audience: **{campaign.treated:,}** customers to email ({audience.get('affected', '?')} affected)",
        f"- Severity: {campaign.severity:.0f}/100" if campaign.severity is not None else "- Severity: unknown",
        *_incident_lines(evidence.get("incident")),
        f"- Workaround: {workaround} ({detail.workaround_status or 'status unknown'})",
        f"- Send cap: {campaign.send_cap}",
        *_follow_up_lines(evidence),
        f"- Campaign: `{campaign.campaign_id}`",
        "",
        "**Who is left out and why**",
        "",
        *([f"- {line}" for line in left_out] or ["- nobody"]),
        *_preview_lines(detail),
    ]
    return ApprovalText(
        campaign_id=campaign.campaign_id,
        subject=approval_subject(issue, campaign.treated, campaign.severity),
        body="\n".join(lines),
        issue=issue,
        customers=campaign.treated,
        severity=campaign.severity,
        left_out=tuple(left_out),
        incident_id=campaign.incident_id,
        workaround=workaround,
    )


def _follow_up_lines(evidence: dict[str, Any]) -> list[str]:
    """What the yes covers later, as ``outreach.follow_up_bound`` stored it (nothing for older campaigns)."""
    bound = FollowUpBound.from_evidence(evidence)
    return [f"- Follow-ups: {bound.sentence()}"] if bound is not None else []


def _preview_lines(detail: CampaignDetail) -> list[str]:
    """The languages line and one rendered sample per language (one plain preview for older campaigns)."""
    languages = detail.evidence.get("languages") if isinstance(detail.evidence.get("languages"), dict) else {}
    lines = ["", f"- Languages: {languages['summary']}"] if languages.get("summary") else []
    samples = languages.get("samples") or {}
    if not samples:  # campaigns built before language previews existed
        samples = {"": {"subject": detail.preview_subject or "", "text": detail.preview_text or ""}}
    for language, sample in sorted(samples.items()):
        title = f"**Preview in {language}**" if language else "**Preview**"
        lines += ["", f"{title} (a placeholder customer):", "", f"Subject: {sample.get('subject') or ''}", ""]
        lines += ["> " + line for line in (sample.get("text") or "").splitlines()[:PREVIEW_LINES]]
    return lines


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word boundary to at most ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0] or flat[: limit - 1]
    return cut.rstrip(" ,;:.") + "…"


def _incident_lines(incident: Any) -> list[str]:
    if not isinstance(incident, dict):
        return []
    what = incident.get("kind", "incident").replace("_", " ")
    where = ", ".join(str(incident[k]) for k in ("error_code", "feature", "platform", "app_version") if incident.get(k))
    since = f", since {incident['started_at']}" if incident.get("started_at") else ""
    return [f"- Incident: {what}{f' ({where})' if where else ''}{since}"]
