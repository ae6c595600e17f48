"""
### forewarn_detect

Runs when `forewarn_ingest` publishes `forewarn_ingested`: brings the event aggregates in the
warehouse (SQL) up to the as-of (adding the new events), clusters tickets into pain points with stable ids, finds incidents (spikes, level
shifts, new signatures, release regressions) and links pain points to incidents. Idempotent per as-of:
a rerun gives the same ids and rows. Publishes `forewarn_detected` with the as-of, which schedules
`forewarn_outreach`.
"""

from __future__ import annotations

from airflow.sdk import dag, task
from forewarn_tasks import DEFAULT_ARGS, DETECTED, INGESTED, START_DATE, TAGS


@dag(
    schedule=[INGESTED],
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=[*TAGS, "detect"],
    doc_md=__doc__,
)
def forewarn_detect() -> None:
    @task(outlets=[DETECTED])
    def detect(**context) -> dict:  # noqa: ANN003
        from forewarn_tasks.runtime import as_of_from_context, variable, warehouse_engine

        from pipeline.detect import DetectSettings
        from pipeline.detect import detect as run_detect

        as_of = as_of_from_context(context)
        settings = DetectSettings(embedder=variable("forewarn_embedder", "auto") or "auto")
        summary = run_detect(warehouse_engine(), as_of, settings)
        context["outlet_events"][DETECTED].extra = {"as_of": as_of.isoformat()}
        return summary.as_dict()

    detect()


forewarn_detect()
