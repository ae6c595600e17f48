"""Production settings work: PostgreSQL metadata DB, CeleryExecutor on Redis, a real Forewarn DAG run.

Starts a throw-away Airflow deployment (api-server, scheduler, dag-processor, celery worker) configured
only through the README's environment overrides, triggers ``forewarn_ingest`` for one interval and checks
the warehouse, that every task went through Celery, and that the asset event scheduled ``forewarn_detect``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from airflow_cluster import AirflowCluster, free_port, redis_key_prefix, throwaway_database, wait_for
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO_ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get("FOREWARN_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("FOREWARN_TEST_REDIS_URL")
RUN_TIMEOUT_S = 150

CUSTOMERS = """customer_id,email,name,locale,plan,mrr,email_opt_in,created_at
C1,a@example.com,Ann,en,pro,49,true,2026-01-01T00:00:00Z
C2,not-an-email,Bob,de,free,0,false,2026-01-01
"""
TICKETS = """ticket_id,customer_id,created_at,subject,body,channel,status,tags,csat
T1,C1,2026-01-02T10:00:00Z,Export broken,"PDF export fails, call me on +44 20 7946 0958",email,open,export,
T2,C1,2026-01-03T10:00:00Z,Still broken,It still fails,email,open,export,
"""
EVENTS = """event_id,customer_id,occurred_at,name,feature,app_version,platform,error_code,message
E1,C1,2026-01-02T09:00:00Z,session_start,,5.4.0,android,,
E2,C1,2026-01-02T09:05:00Z,error,export,5.4.0,android,E1042,Export failed for doc 12345
E3,C1,2026-01-03T09:05:00Z,error,export,5.4.0,android,E1042,Export failed for doc 777
"""
# forewarn_ingest's interval starting at this logical date is [2026-01-02, 2026-01-03).
LOGICAL_DATE = "2026-01-02T00:00:00+00:00"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    folder = tmp_path / "source"
    folder.mkdir()
    (folder / "customers.csv").write_text(CUSTOMERS)
    (folder / "tickets.csv").write_text(TICKETS)
    (folder / "events.csv").write_text(EVENTS)
    return folder


def _cluster_env(home: Path, metadata_url: str, warehouse_url: str, redis_prefix: str, api_port: int,
                 source: Path) -> dict[str, str]:
    """The test session's environment plus the README's production overrides, for every component."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "AIRFLOW_CONN_", "AIRFLOW_VAR_"))}
    api_url = f"http://127.0.0.1:{api_port}"
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW_CONFIG=str(REPO_ROOT / "airflow.cfg"),
        FOREWARN_REPO=str(REPO_ROOT),
        # Workers import dags/forewarn_tasks and the library.
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT / "dags"), str(REPO_ROOT), env.get("PYTHONPATH")])),
        # The production settings under test (README "Production settings").
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=metadata_url,
        # Airflow derives an asyncpg URL for its async engine unless told otherwise; psycopg 3 (already a
        # dependency) speaks asyncio under the same URL.
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC=metadata_url,
        AIRFLOW__CORE__EXECUTOR="CeleryExecutor",
        AIRFLOW__CELERY__BROKER_URL=REDIS_URL or "",
        AIRFLOW__CELERY__RESULT_BACKEND=f"db+{metadata_url}",
        AIRFLOW__API_AUTH__JWT_SECRET=os.environ["AIRFLOW__API_AUTH__JWT_SECRET"],
        # Airflow 3 workers report task state to the api-server's execution API.
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"{api_url}/execution/",
        AIRFLOW__API__BASE_URL=api_url,
        AIRFLOW__API__HOST="127.0.0.1",
        AIRFLOW__API__PORT=str(api_port),
        AIRFLOW__API__WORKERS="1",
        # Test isolation: own Redis keys, no log server port clash, nothing runs until the test says so.
        AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__GLOBAL_KEYPREFIX=redis_prefix,
        AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(free_port()),
        AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="True",
        AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC="1",
        # One interval per day (the default cadence is hourly), as the interval asserted below.
        AIRFLOW__FOREWARN__INGEST_INTERVAL="daily",
        # The Forewarn DAGs' inputs, as a deployment would give them.
        AIRFLOW_VAR_FOREWARN_SOURCE=str(source),
        AIRFLOW_CONN_FOREWARN_WAREHOUSE=json.dumps(
            {"conn_type": "generic", "extra": {"sqlalchemy_url": warehouse_url}}
        ),
        FOREWARN_MAX_BAD_ROW_SHARE="0.9",
    )
    return env


def _wait_for_dags(cluster: AirflowCluster, dag_ids: tuple[str, ...]) -> None:
    """Wait until the api-server answers and the dag-processor has stored ``dag_ids``; fail on import errors."""

    def parsed() -> bool:
        cluster.check_alive()
        errors = (cluster.api_or_none("/api/v2/importErrors") or {}).get("import_errors")
        if errors:
            raise AssertionError(f"DAG import errors: {errors}")
        return all(cluster.api_or_none(f"/api/v2/dags/{dag_id}") for dag_id in dag_ids)

    wait_for(parsed, 90, f"the api-server to answer and the dag-processor to parse {dag_ids}")


def _run_state(cluster: AirflowCluster, dag_id: str, run_id: str) -> str | None:
    cluster.check_alive()
    state = cluster.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")["state"]
    if state == "failed":
        raise AssertionError(f"{dag_id} run {run_id} failed (task logs below)")
    return state if state == "success" else None


def _celery_outcomes(metadata: Engine, run_id: str) -> list | None:
    """forewarn_ingest's task instances of ``run_id`` with their Celery result; None until all are stored."""
    with metadata.connect() as connection:
        rows = connection.execute(
            text("SELECT ti.task_id, ti.state, ti.queue, ti.external_executor_id, c.status AS celery_status "
                 "FROM task_instance ti LEFT JOIN celery_taskmeta c ON c.task_id = ti.external_executor_id "
                 "WHERE ti.dag_id = 'forewarn_ingest' AND ti.run_id = :run_id ORDER BY ti.task_id"),
            {"run_id": run_id},
        ).all()
    return rows if rows and all(r.celery_status in {"SUCCESS", "FAILURE"} for r in rows) else None


def _redis_keys(prefix: str) -> list[bytes]:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        return list(client.scan_iter(match=f"{prefix}*"))
    finally:
        client.close()


@pytest.mark.timeout(300)
def test_ingest_dag_runs_on_celery_workers_with_postgres_metadata(source: Path, tmp_path: Path) -> None:
    if not POSTGRES_URL or not REDIS_URL:
        pytest.skip("the CeleryExecutor test needs FOREWARN_TEST_POSTGRES_URL and FOREWARN_TEST_REDIS_URL "
                    "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test and redis://127.0.0.1:6379/0)")
    home = tmp_path / "airflow-home"
    home.mkdir()
    api_port = free_port()
    with (
        throwaway_database(POSTGRES_URL, "fw_airflow") as metadata_url,
        throwaway_database(POSTGRES_URL, "fw_warehouse") as warehouse_url,
        redis_key_prefix(REDIS_URL) as redis_prefix,
        AirflowCluster(home, _cluster_env(home, metadata_url, warehouse_url, redis_prefix, api_port, source),
                       api_port) as cluster,
    ):
        # Assertions stay inside this block: on any failure the cluster prints every log's tail.
        cluster.run("db", "migrate", timeout_s=120)
        cluster.start("api-server", "api-server")
        cluster.start("scheduler", "scheduler")
        cluster.start("dag-processor", "dag-processor")
        cluster.start("celery-worker", "celery", "worker", "--concurrency", "2", "--skip-serve-logs",
                      "--celery-hostname", f"forewarn-test-{api_port}@%h", "--without-gossip", "--without-mingle")
        _wait_for_dags(cluster, ("forewarn_ingest", "forewarn_detect"))

        # Trigger while paused, then unpause: run_after = the logical date puts this run ahead of the
        # scheduled run the scheduler creates for the latest interval once the DAG is unpaused
        # (max_active_runs=1, queued runs start in run_after order).
        run_id = cluster.api("POST", "/api/v2/dags/forewarn_ingest/dagRuns",
                             {"logical_date": LOGICAL_DATE, "run_after": LOGICAL_DATE})["dag_run_id"]
        for dag_id in ("forewarn_detect", "forewarn_ingest"):
            cluster.api("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})
        wait_for(lambda: _run_state(cluster, "forewarn_ingest", run_id), RUN_TIMEOUT_S,
                 "the forewarn_ingest run to succeed", interval_s=2)

        # The interval's rows reached the PostgreSQL warehouse; the bad customer is quarantined.
        warehouse = create_engine(warehouse_url, poolclass=NullPool)
        with warehouse.connect() as connection:
            tickets = connection.execute(text("SELECT ticket_id, body_redacted FROM tickets")).all()
            events = connection.execute(text("SELECT event_id FROM events ORDER BY event_id")).scalars().all()
            quarantined = connection.execute(text("SELECT table_name, rule FROM quarantine")).all()
        assert [t.ticket_id for t in tickets] == ["T1"]
        assert "+44" not in tickets[0].body_redacted
        assert events == ["E1", "E2"]
        assert quarantined == [("customers", "malformed_email")]

        # Every task went through Celery: the scheduler recorded a Celery task id for it, our worker
        # received and finished that task, and its result is in the PostgreSQL result backend. (The
        # scheduler hears of success before the worker process has stored its result: wait for it.)
        metadata = create_engine(metadata_url, poolclass=NullPool)
        tasks = wait_for(lambda: _celery_outcomes(metadata, run_id), 30, "the Celery results of the run's tasks")
        worker_log = (home / "celery-worker.log").read_text(errors="replace")
        assert [(t.task_id, t.state) for t in tasks] == [
            ("ingest", "success"), ("publish", "success"), ("pull_zendesk", "success"), ("validate", "success")
        ]
        for task in tasks:
            assert task.queue == "default"
            assert task.celery_status == "SUCCESS", task.task_id
            assert f"[{task.external_executor_id}] succeeded" in worker_log, f"{task.task_id}: not in worker log"
        assert _redis_keys(redis_prefix), f"no Redis keys under {redis_prefix!r}: the broker was not this Redis"

        # publish's asset event scheduled forewarn_detect.
        def detect_run() -> dict | None:
            cluster.check_alive()
            runs = cluster.api("GET", "/api/v2/dags/forewarn_detect/dagRuns")["dag_runs"]
            return runs[0] if runs else None

        detect = wait_for(detect_run, 30, "the forewarn_ingested asset event to schedule forewarn_detect")
        upstream = cluster.api(
            "GET", f"/api/v2/dags/forewarn_detect/dagRuns/{detect['dag_run_id']}/upstreamAssetEvents"
        )["asset_events"]
        assert detect["run_type"] == "asset_triggered"
        assert [(e["source_dag_id"], e["source_run_id"]) for e in upstream] == [("forewarn_ingest", run_id)]
        # ...carrying the interval end, which detect works as of (not the time the event arrived).
        assert [e["extra"]["as_of"] for e in upstream] == ["2026-01-03T00:00:00"]
