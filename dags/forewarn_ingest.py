"""
### forewarn_ingest

Loads one data interval of the customer, ticket and event source into the Forewarn warehouse.

1. **ingest**: reads the source named by the Airflow Variable `forewarn_source` (a folder of CSV/Parquet
   files or a SQLAlchemy URL; with the Variable `forewarn_source_mapping`, a mapping file or ready mapping
   name, read in the source's own layout), validates every chunk with the Great Expectations suites and upserts it;
   failing rows go to `quarantine` with their rule. A table-level failure fails the task, nothing is
   half-written.
   Before it, **pull_zendesk** lands the interval's Zendesk tickets (Connection `forewarn_zendesk`) as
   export pages under the folder of the Variable `forewarn_zendesk_landing`, when that is set.
2. **validate**: the interval gate: every table loaded, bad-row share under the limit, data fresh.
3. **publish**: emits the `forewarn_ingested` asset, which schedules `forewarn_detect`.

Trigger with conf `{"load_history": true}` for a first run that loads everything before the interval.
Reruns of an interval change nothing (upserts keyed by id).
"""

from __future__ import annotations

from airflow.sdk import CronDataIntervalTimetable, Param, dag, task
from forewarn_tasks import DEFAULT_ARGS, INGESTED, START_DATE, TAGS


@dag(
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
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
    def pull_zendesk(data_interval_start=None, data_interval_end=None, params=None) -> dict | None:  # noqa: ANN001
        from forewarn_tasks.runtime import naive_utc, variable

        landing = variable("forewarn_zendesk_landing")
        if not landing:
            return None  # no Zendesk pull configured: the source is read as it is
        from forewarn_tasks.zendesk import pull_interval

        start = None if (params or {}).get("load_history") else naive_utc(data_interval_start)
        return pull_interval(landing, start, naive_utc(data_interval_end))

    @task
    def ingest(data_interval_start=None, data_interval_end=None, params=None) -> dict[str, dict[str, int]]:  # noqa: ANN001
        from forewarn_tasks.runtime import naive_utc, no_retry_on_bad_data, variable, warehouse_engine

        from pipeline.ingest import Interval, ingest_summary
        from pipeline.ingest import ingest as run_ingest
        from pipeline.mapping import load_mapping

        source = variable("forewarn_source")
        if not source:
            raise ValueError("set the Airflow Variable forewarn_source (or AIRFLOW_VAR_FOREWARN_SOURCE) to the source")
        start = None if (params or {}).get("load_history") else naive_utc(data_interval_start)
        mapping_file = variable("forewarn_source_mapping")
        with no_retry_on_bad_data():
            mapping = load_mapping(mapping_file) if mapping_file else None
            report = run_ingest(warehouse_engine(), source, Interval(start, naive_utc(data_interval_end)), mapping=mapping)
        return ingest_summary(report)

    @task
    def validate(loaded: dict[str, dict[str, int]], data_interval_start=None, data_interval_end=None, params=None) -> dict:  # noqa: ANN001
        from forewarn_tasks.runtime import naive_utc, no_retry_on_bad_data, warehouse_engine

        from pipeline.validation import ValidationSettings
        from pipeline.validation.interval import check_interval

        start = None if (params or {}).get("load_history") else naive_utc(data_interval_start)
        with no_retry_on_bad_data():
            check = check_interval(
                warehouse_engine(), start, naive_utc(data_interval_end), ValidationSettings.from_env()
            )
        return check.tables

    @task(outlets=[INGESTED])
    def publish(checked: dict, data_interval_end=None) -> str:  # noqa: ANN001
        from forewarn_tasks.runtime import naive_utc

        return naive_utc(data_interval_end).isoformat()

    loaded = ingest()
    pull_zendesk() >> loaded
    publish(validate(loaded))


forewarn_ingest()
