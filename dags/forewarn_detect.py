"""
### forewarn_detect

Runs when `forewarn_ingest` publishes `forewarn_ingested`, as of the interval end that event carries
(every as-of in order when the scheduler folded several events into one run, so a backfill of N
intervals detects exactly as N runs would; `conf={"as_of": ...}` overrides). Brings the event
aggregates in the warehouse (SQL) up to the as-of (adding the new events), clusters tickets into pain
points with stable ids, finds incidents (spikes, level shifts, new signatures, release regressions) and links pain points to incidents. Idempotent per as-of:
a rerun gives the same ids and rows. Publishes `forewarn_detected` with the as-of, which schedules
`forewarn_outreach`. Each incident this run opened is sent to its owner (Connections
`forewarn_notify_smtp`, `forewarn_notify_slack`; none set, nothing sent).
"""

from __future__ import annotations

from airflow.sdk import dag, task
from forewarn_tasks import DEFAULT_ARGS, DETECTED, INGESTED, START_DATE, TAGS
from forewarn_tasks.notifiers import IncidentOpenedNotifier


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
    @task(outlets=[DETECTED], on_success_callback=[IncidentOpenedNotifier()])
    def detect(**context) -> dict:  # noqa: ANN003
        from forewarn_tasks.runtime import as_ofs_from_context, variable, warehouse_engine

        from pipeline.detect import DetectSettings
        from pipeline.detect import detect as run_detect
        from pipeline.detect.lookback import with_first_run_lookback
        from pipeline.notices import incident_ids, opened_incidents

        engine = warehouse_engine()
        as_ofs = as_ofs_from_context(context)
        settings = DetectSettings(embedder=variable("forewarn_embedder", "auto") or "auto")
        known = incident_ids(engine)
        # A first run (a history just loaded) judges a week of alerts, as `forewarn detect` does.
        summaries = [run_detect(engine, as_of, with_first_run_lookback(engine, as_of, settings)).as_dict()
                     for as_of in as_ofs]
        stamps = [as_of.isoformat() for as_of in as_ofs]
        context["outlet_events"][DETECTED].extra = {"as_of": stamps[-1], "as_ofs": stamps}
        # The notifier (on success) tells the owner about each of these.
        return {**summaries[-1], "as_ofs": stamps, "opened_incidents": opened_incidents(engine, known)}

    detect()


forewarn_detect()
