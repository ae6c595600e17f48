"""The approval request a support lead scans: problem, audience and severity first; exclusions in words."""

from __future__ import annotations

import json
from datetime import datetime

from outreach.approval_text import approval_subject, approval_text, left_out_list, shorten
from outreach.campaign_store import CampaignDetail, CampaignRow


def _detail(evidence: dict, *, treated: int = 33, holdout: int = 4, severity: float | None = 64.6) -> CampaignDetail:
    campaign = CampaignRow(
        campaign_id="cmp-inc-3f2a9b7c01d2e4f5a6b7c8d9", incident_id="inc-3f2a", pain_point_id="pp-7",
        workaround_id="wa-upload", status="pending_approval", created_at=datetime(2026, 2, 21),
        approved_at=None, approved_by=None, decided_reason=None, audience_size=treated + holdout,
        holdout_size=holdout, send_cap=5000, severity=severity,
    )
    return CampaignDetail(
        campaign=campaign, evidence=evidence, preview_subject="About uploads", preview_text="Hi Sam,\nSorry.",
        preview_html=None, workaround_title="Upload from the web app", workaround_status="approved",
    )


EVIDENCE = {
    "issue_summary": "cannot upload files",
    "audience": {"affected": 90, "eligible": 37, "excluded": {"wrote_in": 41, "opted_out": 9, "suppressed": 0,
                                                              "frequency_cap": 3}},
    "incident": {"kind": "new_signature", "error_code": "E2001", "platform": "ios", "started_at": "2026-02-20T14:00:00"},
}


def test_subject_leads_with_problem_audience_and_severity() -> None:
    text = approval_text(_detail(EVIDENCE))
    assert text.subject == "Email 33 customers about 'cannot upload files'? severity 65"
    assert "cmp-inc" not in text.subject


def test_subject_of_one_customer_and_of_unknown_severity() -> None:
    assert approval_subject("sync stuck", 1, None) == "Email 1 customer about 'sync stuck'? severity unknown"
    assert approval_subject("x", 12345, 7.2) == "Email 12,345 customers about 'x'? severity 7"


def test_a_long_pain_point_label_is_cut_at_a_word_with_an_ellipsis() -> None:
    label = "export to pdf fails with a blank page when the document has more than two hundred pages in it"
    subject = approval_subject(label, 5, 40)
    issue = subject.split("'")[1]
    assert len(issue) <= 60 and issue.endswith("…")
    assert issue.startswith("export to pdf fails with a blank page")
    assert shorten("a\n  b", 10) == "a b"


def test_who_is_left_out_reads_as_a_short_list_not_json() -> None:
    text = approval_text(_detail(EVIDENCE))
    assert text.left_out == ("41 already wrote in", "9 opted out", "3 hit the frequency cap",
                             "4 held out to measure the effect")
    section = text.body.split("**Who is left out and why**")[1].split("**Preview**")[0]
    assert [line for line in section.splitlines() if line] == [f"- {line}" for line in text.left_out]
    assert "{" not in text.body and json.dumps(EVIDENCE["audience"]["excluded"]) not in text.body


def test_body_names_incident_workaround_and_preview() -> None:
    body = approval_text(_detail(EVIDENCE)).body
    assert body.startswith("**cannot upload files**")
    assert "- Incident: new signature (E2001, ios), since 2026-02-20T14:00:00" in body
    assert "- Workaround: Upload from the web app (approved)" in body
    assert "> Hi Sam," in body


def test_an_unknown_reason_is_still_shown_and_nobody_left_out_says_so() -> None:
    assert left_out_list({"legal_hold": 2}) == ["2 legal hold"]
    body = approval_text(_detail({"issue_summary": "x"}, holdout=0)).body
    assert "**Who is left out and why**\n\n- nobody" in body


def test_the_body_says_what_the_yes_covers_later_and_older_campaigns_say_nothing() -> None:
    evidence = {**EVIDENCE, "follow_ups": {"bound": 1350, "at_risk": 1500, "scope": "used export in the last 7 days",
                                           "hours": 72.0}}
    body = approval_text(_detail(evidence)).body
    assert ("- Follow-ups: customers exposed later are emailed under this approval, up to 1,350 in all "
            "(1,500 customers who can be emailed used export in the last 7 days), while it keeps going "
            "(each follow-up within 72 h of the last)") in body
    assert "Follow-ups" not in approval_text(_detail(EVIDENCE)).body
