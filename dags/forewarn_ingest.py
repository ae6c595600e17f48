"""
### forewarn_ingest

Loads one data interval of the customer, ticket and event source into the Forewarn warehouse. The
interval is hourly by default; `[forewarn] ingest_interval` in `airflow.cfg` (or the environment variable
`AIRFLOW__FOREWARN__INGEST_INTERVAL`) sets `hourly`, `daily` or a cron expression.

1. **ingest**: reads the source named by the Airflow Variable `forewarn_source` (a folder of CSV/Parquet
   files or a SQLAlchemy URL; with the Variable `forewarn_source_mapping`, a mapping file or ready mapping
   name, read in the source's own layout), validates every chunk with the Great Expectations suites and upserts it;
   failing rows go to `quarantine` with their rule. A table-level failure fails the task, nothing is
   half-written.
   Before it, **pull_zendesk** lands the interval's Zendesk tickets (Connection `forewarn_zendesk`) as
   export pages under the folder of the Variable `forewarn_zendesk_landing`, when that is set.
2. **validate**: the interval gate: every table loaded, bad-row share under the limit, data fresh.
3. **publish**: emits the `forewarn_ingested` asset event carrying the interval end as `as_of`, which
   schedules `forewarn_detect` as of that time.

Trigger with conf `{"load_history": true}` for a first run that loads everything before the interval.
A manual run given a logical date (`airflow dags trigger forewarn_ingest -l 2026-02-21T00:00:00+00:00`)
loads the interval that starts at that date, as scheduled and backfill runs do.
Reruns of an interval change nothing (upserts keyed by id).
"""

from __future__ import annotations

from airflow.sdk import Param, dag, task
from forewarn_tasks import DEFAULT_ARGS, INGESTED, START_DATE, TAGS
from forewarn_tasks.cadence import ingest_timetable


@dag(
    schedule=ingest_timetable(),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=[*TAGS, "ingest"],
    doc_md=__doc__,
    params={"load_history": Param(False, type="boolean", description="Also load everything before the interval")},
)
def forewarn_ingest() -> None:
    @task
    def pull_zendesk(params=None, **context) -> dict | None:  # noqa: ANN001, ANN003
        from forewarn_tasks.runtime import data_interval, variable

        landing = variable("forewarn_zendesk_landing")
        if not landing:
            return None  # no Zendesk pull configured: the source is read as it is
        from forewarn_tasks.zendesk import pull_interval

        start, end = data_interval(context)
        start = None if (params or {}).get("load_history") else start
        return pull_interval(landing, start, end)

    @task
    def ingest(params=None, **context) -> dict[str, dict[str, int]]:  # noqa: ANN001, ANN003
        from forewarn_tasks.runtime import data_interval, no_retry_on_bad_data, variable, warehouse_engine

        from pipeline.ingest import Interval, ingest_summary
        from pipeline.ingest import ingest as run_ingest
        from pipeline.mapping import load_mapping

        source = variable("forewarn_source")
        if not source:
            raise ValueError("set the Airflow Variable forewarn_source (or AIRFLOW_VAR_FOREWARN_SOURCE) to the source")
        start, end = data_interval(context)
        start = None if (params or {}).get("load_history") else start
        mapping_file = variable("forewarn_source_mapping")
        with no_retry_on_bad_data():
            mapping = load_mapping(mapping_file) if mapping_file else None
            report = run_ingest(warehouse_engine(), source, Interval(start, end), mapping=mapping)
        return ingest_summary(report)

    @task
    def validate(loaded: dict[str, dict[str, int]], params=None, **context) -> dict:  # noqa: ANN001, ANN003
        from forewarn_tasks.runtime import data_interval, no_retry_on_bad_data, warehouse_engine

        from pipeline.validation import ValidationSettings
        from pipeline.validation.interval import check_interval

        start, end = data_interval(context)
        start = None if (params or {}).get("load_history") else start
        with no_retry_on_bad_data():
            check = check_interval(warehouse_engine(), start, end, ValidationSettings.from_env())
        return check.tables

    @task(outlets=[INGESTED])
    def publish(checked: dict, **context) -> str:  # noqa: ANN003
        from forewarn_tasks.runtime import data_interval

        # The interval end travels on the asset event: detect works as of it, not as of the moment
        # the event arrived (a backfill or a past interval would otherwise detect "now").
        as_of = data_interval(context)[1].isoformat()
        context["outlet_events"][INGESTED].extra = {"as_of": as_of}
        return as_of

    loaded = ingest()
    pull_zendesk() >> loaded
    publish(validate(loaded))


forewarn_ingest()
