"""
### forewarn_outreach

Runs when `forewarn_detect` publishes `forewarn_detected`, as of every as-of that event carries.

1. **build_campaigns**: loads the workarounds (Variable `forewarn_workarounds`, a folder), expires
   campaigns that waited too long for a decision, and builds one campaign per open incident: the
   affected customers who have not written in, opted in, not suppressed, not contacted before, under the
   frequency cap, minus a random holdout. Without an approved workaround a campaign is only listed as
   `needs_workaround`. A configured policy (Variable `forewarn_outreach_settings`) may auto-approve.
2. **approve**: one human-in-the-loop task per campaign waiting for a person. Its subject leads with the
   problem, the audience and the severity ("Email 33 customers about 'cannot upload files'? severity
   65"); the detail shows the evidence, who is left out and why, the workaround and the rendered preview.
   The owner is notified with a link to it (Connections `forewarn_notify_smtp`,
   `forewarn_notify_slack`). *Approve* or *Reject*; no answer within the
   approval timeout expires the campaign (never a send; `forewarn campaigns reopen ID` asks again).
   `forewarn campaigns approve ID` (or `reject`, `cancel`) records a decision too and, with
   `FOREWARN_AIRFLOW_API_URL` set, gives this task the same answer through the REST API, so the run
   goes on at once; the first decision recorded stands. A campaign decided from the terminal before its
   task asks (or before Airflow retries the task) is not asked about again: the task returns that decision.
3. **record_decisions**: writes each decision to the warehouse.
4. **send**: sends every approved campaign through the sender named by Variable `forewarn_sender`
   (outbox by default; `sendgrid` with Connection `forewarn_sendgrid`; `smtp` with `forewarn_smtp`).
   Each message is claimed in the ledger before the provider is called, so a retry or rerun never sends
   twice. The Variable `forewarn_kill_switch` (or env `FOREWARN_KILL_SWITCH`) stops all sending.
"""

from __future__ import annotations

import os
from datetime import timedelta

from airflow.sdk import dag, task
from forewarn_tasks import DEFAULT_ARGS, DETECTED, OUTREACH_DONE, START_DATE, TAGS
from forewarn_tasks.approval import REQUESTS_TASK_ID, CampaignApproval
from forewarn_tasks.notifiers import ApprovalNotifier

# The terminal answers with the same words (pipeline.airflow_approvals; the library is not imported while
# parsing), and record_decisions reads them.
APPROVE, REJECT = "Approve", "Reject"

# Read at parse time from the environment only (no Variable or DB access while parsing).
APPROVAL_TIMEOUT = timedelta(hours=float(os.environ.get("FOREWARN_APPROVAL_TIMEOUT_HOURS", "48")))


@dag(
    schedule=[DETECTED],
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=[*TAGS, "outreach"],
    doc_md=__doc__,
)
def forewarn_outreach() -> None:
    @task(task_id=REQUESTS_TASK_ID)
    def build_campaigns(**context) -> list[dict]:  # noqa: ANN003
        from forewarn_tasks.runtime import as_ofs_from_context, outreach_settings, variable, warehouse_engine

        from pipeline.outreach_run import approval_requests, prepare_campaigns

        engine = warehouse_engine()
        settings, workarounds = outreach_settings(), variable("forewarn_workarounds")
        # Every as-of detect worked through, oldest first, as the same number of CLI runs would.
        for as_of in as_ofs_from_context(context):
            prepare_campaigns(engine, as_of, settings, workarounds_dir=workarounds)
        return approval_requests(engine)

    requests = build_campaigns()
    # One approval task per waiting campaign. Subject and body are rendered per map index from the
    # requests (template fields cannot be mapped directly); the expanded argument is each task's
    # default answer, Reject, which is also what a timeout gives: no answer never sends (record_decisions
    # files a timeout as expired, not as a person's rejection, so it can be reopened). A campaign decided
    # meanwhile from the terminal is not asked about (CampaignApproval).
    decisions = CampaignApproval.partial(
        task_id="approve",
        options=[APPROVE, REJECT],
        subject="{{ ti.xcom_pull(task_ids='build_campaigns')[ti.map_index]['subject'] }}",
        body="{{ ti.xcom_pull(task_ids='build_campaigns')[ti.map_index]['body'] }}",
        map_index_template="{{ ti.xcom_pull(task_ids='build_campaigns')[ti.map_index]['campaign_id'] }}",
        response_timeout=APPROVAL_TIMEOUT,
        retries=1,
        notifiers=[ApprovalNotifier()],
    ).expand(defaults=requests.map(lambda _request: [REJECT]))

    @task(trigger_rule="all_done")
    def record_decisions(requests: list[dict], decisions: list | None = None, **context) -> dict:  # noqa: ANN003
        from forewarn_tasks.runtime import as_of_from_context, warehouse_engine

        from pipeline.outreach_run import record_decisions as record

        answers = list(decisions or [])
        return record(warehouse_engine(), requests, answers, now=as_of_from_context(context))

    @task(outlets=[OUTREACH_DONE], trigger_rule="none_failed")
    def send(recorded: dict, **context) -> dict:  # noqa: ANN003
        from forewarn_tasks.runtime import (
            apply_kill_switch,
            as_of_from_context,
            outreach_settings,
            sender_from_airflow,
            warehouse_engine,
        )

        from outreach.dispatch import send_approved
        from pipeline.warehouse import forewarn_home

        apply_kill_switch()
        sender, secret, kind = sender_from_airflow(forewarn_home())
        as_of = as_of_from_context(context)
        result = send_approved(warehouse_engine(), sender, outreach_settings(), secret, now=as_of)
        return {"sender": kind, "held_back": result.held_back, **result.totals()}

    recorded = record_decisions(requests, decisions.output)
    send(recorded)


forewarn_outreach()
