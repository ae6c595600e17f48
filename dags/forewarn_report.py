"""
### forewarn_report

Daily. Writes the product managers' report, one self-contained HTML file (no scripts, charts as inline
SVG), to `$FOREWARN_HOME/reports/forewarn-report-<date>.html`: the week in one paragraph, top and growing
pain points, incidents with detection lag, release comparison, campaigns with deflection against the
holdout, and data quality.
"""

from __future__ import annotations

from airflow.sdk import CronDataIntervalTimetable, dag, task
from forewarn_tasks import DEFAULT_ARGS, START_DATE, TAGS


@dag(
    schedule=CronDataIntervalTimetable("0 7 * * *", timezone="UTC"),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=[*TAGS, "report"],
    doc_md=__doc__,
)
def forewarn_report() -> None:
    @task
    def write_report(**context) -> dict:  # noqa: ANN003
        from forewarn_tasks.runtime import as_of_from_context, warehouse_engine

        from pipeline.report import default_report_path
        from pipeline.report import write_report as write

        as_of = as_of_from_context(context)
        summary = write(warehouse_engine(), default_report_path(as_of), as_of=as_of)
        return {"path": str(summary.path), "pain_points": summary.pain_points, "incidents": summary.incidents}

    write_report()


forewarn_report()
