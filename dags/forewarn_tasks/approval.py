"""The approval task: Airflow's human-in-the-loop operator, asking only about campaigns that still wait."""

from __future__ import annotations

from typing import Any

from airflow.providers.standard.operators.hitl import HITLOperator

# The task whose return value lists the campaigns to ask about, one per map index.
REQUESTS_TASK_ID = "build_campaigns"


class CampaignApproval(HITLOperator):
    """Ask a person to approve or reject one campaign, unless it was decided meanwhile.

    A decision taken from the terminal before this task asks, or before Airflow retried a task that had
    been answered (README, "Airflow": Airflow 3.3's race when an answer comes within seconds of the
    question), is already in the warehouse. Asking again would hold the run, and the customers' email,
    until the approval timeout for a decision a person has taken.
    """

    def execute(self, context: Any) -> Any:  # noqa: ANN401 (Airflow's own signature)
        from forewarn_tasks.runtime import warehouse_engine
        from pipeline.outreach_run import decided_already

        ti = context["ti"]
        campaign_id = ti.xcom_pull(task_ids=REQUESTS_TASK_ID)[ti.map_index]["campaign_id"]
        answer = decided_already(warehouse_engine(), campaign_id)
        if answer is None:
            return super().execute(context)
        # Only the status: who decided may be an email address, which never goes to a log.
        self.log.info("campaign %s is %s already: not asking again", campaign_id, answer["decided_already"])
        return answer
