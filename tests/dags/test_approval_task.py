"""The approval task asks a person only about a campaign that still waits for one."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from outreach.approval import approve, reject
from pipeline.outreach_run import approval_requests, decided_already, record_decisions
from tests.pipeline.test_outreach_run import NOW, pending_campaign


class _MappedTaskInstance:
    """What the operator reads of its task instance: the upstream requests and its own map index."""

    def __init__(self, requests: list[dict], map_index: int) -> None:
        self._requests, self.map_index = requests, map_index

    def xcom_pull(self, task_ids: str) -> list[dict]:
        assert task_ids == "build_campaigns"
        return self._requests


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_a_campaign_decided_from_the_terminal_is_answered_without_asking(
    sqlite_warehouse: Engine, monkeypatch: pytest.MonkeyPatch, decision: str
) -> None:
    """The terminal decided between build_campaigns and the task (or before Airflow retried the task): the
    task returns that decision at once instead of waiting up to its 48 h timeout, and recording it changes
    nothing (the person's decision, by the person, stands)."""
    from forewarn_tasks.approval import CampaignApproval

    monkeypatch.setenv("FOREWARN_DATABASE_URL", str(sqlite_warehouse.url))
    pending_campaign(sqlite_warehouse, "cmp-a")
    pending_campaign(sqlite_warehouse, "cmp-b")
    requests = approval_requests(sqlite_warehouse)
    (approve if decision == "approve" else reject)(sqlite_warehouse, "cmp-b", "cli:pm", NOW)

    operator = CampaignApproval(task_id="approve", options=["Approve", "Reject"], subject="s", body="b",
                                defaults=["Reject"])
    index = [r["campaign_id"] for r in requests].index("cmp-b")
    answer = operator.execute({"ti": _MappedTaskInstance(requests, index)})

    assert answer["chosen_options"] == (["Approve"] if decision == "approve" else ["Reject"])
    assert answer["decided_already"] == ("approved" if decision == "approve" else "rejected")
    counts = record_decisions(sqlite_warehouse, [requests[index]], [answer], now=NOW)
    assert counts == {"approved": 0, "rejected": 0, "expired": 0, "skipped": 1}
    with sqlite_warehouse.connect() as connection:
        row = connection.execute(
            text("SELECT status, approved_by, decided_reason FROM campaigns WHERE campaign_id = 'cmp-b'")
        ).one()
    assert row.status == answer["decided_already"]
    assert "cli:pm" in (row.approved_by or row.decided_reason)
    assert decided_already(sqlite_warehouse, "cmp-a") is None  # the other one still waits: its task asks
