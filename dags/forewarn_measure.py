"""
### forewarn_measure

Daily. Settles messages a crashed send left in `sending` (matched against SendGrid events, else marked
`unknown` for a person, never resent), ingests SendGrid Event Webhook files dropped in the folder named by
Variable `forewarn_email_events_dir` (bounces, spam reports and unsubscribes become suppressions at once),
expires approvals that timed out, and measures each campaign against its holdout: ticket rate and CSAT
with 95% confidence intervals and the tickets deflected, into `campaign_outcomes`.
"""

from __future__ import annotations

from airflow.sdk import CronDataIntervalTimetable, dag, task
from forewarn_tasks import DEFAULT_ARGS, START_DATE, TAGS


@dag(
    schedule=CronDataIntervalTimetable("0 6 * * *", timezone="UTC"),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=[*TAGS, "measure"],
    doc_md=__doc__,
)
def forewarn_measure() -> None:
    @task
    def ingest_email_events(**context) -> dict:  # noqa: ANN003
        from forewarn_tasks.runtime import as_of_from_context, variable, warehouse_engine

        from pipeline.measure_run import ingest_event_folder

        folder = variable("forewarn_email_events_dir")
        return ingest_event_folder(warehouse_engine(), folder, now=as_of_from_context(context))

    @task
    def reconcile(events: dict, **context) -> dict:  # noqa: ANN003
        from forewarn_tasks.runtime import as_of_from_context, outreach_settings, warehouse_engine

        from pipeline.measure_run import reconcile_and_expire

        return reconcile_and_expire(warehouse_engine(), as_of_from_context(context), outreach_settings())

    @task
    def measure(reconciled: dict, **context) -> dict:  # noqa: ANN003
        from forewarn_tasks.runtime import as_of_from_context, variable, warehouse_engine

        from outreach.outcomes import measure_outcomes

        window = int(variable("forewarn_outcome_window_days", "14") or 14)
        outcomes = measure_outcomes(warehouse_engine(), as_of=as_of_from_context(context), window_days=window)
        return {"campaigns_measured": len(outcomes)}

    measure(reconcile(ingest_email_events()))


forewarn_measure()
