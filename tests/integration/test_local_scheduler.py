"""The scheduler path, not the demo's: Airflow's own scheduler (LocalExecutor, SQLite metadata, every
component a subprocess) runs forewarn_ingest for a PAST interval (`airflow dags trigger -l`) and then a
backfill of two more intervals (`airflow backfill create`); each ingest run publishes its interval end on
the forewarn_ingested asset event, and the asset-triggered forewarn_detect must work as of exactly those
times and leave the warehouse as the same ingest/detect calls with those as-ofs do (what `forewarn ingest`
and `forewarn detect --as-of` run). Both at the `daily` cadence the README's example is written for and at
the default `hourly` one, there over a source with deliberately dirty rows: a file's rows without a readable
time are quarantined by every bounded load, and each hour's validate must still pass on the hour's own rows
(stop 42 found every hour failing on them under the scheduler).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from airflow_cluster import AirflowCluster, free_port, wait_for
from sqlalchemy import Engine, create_engine, text

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO_ROOT = Path(__file__).resolve().parents[2]
FOREWARN = Path(sys.executable).parent / "forewarn"
@dataclass(frozen=True)
class Cadence:
    """One ingest cadence and the intervals the test drives at it."""

    name: str  # AIRFLOW__FOREWARN__INGEST_INTERVAL
    cron: str  # as the DAG's timetable summary shows it
    past_interval: str  # logical date of the triggered past interval (its start)
    backfill: tuple[str, str]  # --from-date, --to-date: the two intervals after it
    as_ofs: tuple[datetime, ...]  # the three interval ends detect must work as of
    dirty: bool  # the world keeps its deliberately dirty rows


# A world whose new-signature incident (first error 2026-02-08 10:57) is found as of 2026-02-10: the
# past interval [02-09, 02-10) (logical date = interval start, as Airflow's), then a backfill of two more.
DAILY = Cadence("daily", "0 0 * * *", "2026-02-09T00:00:00+00:00", ("2026-02-10", "2026-02-11"),
                (datetime(2026, 2, 10), datetime(2026, 2, 11), datetime(2026, 2, 12)), dirty=False)
# The default: the hour [02-09 22:00, 23:00) with all history before it, then 23:00 and midnight.
HOURLY = Cadence("hourly", "0 * * * *", "2026-02-09T22:00:00+00:00",
                 ("2026-02-09T23:00:00+00:00", "2026-02-10T00:00:00+00:00"),
                 (datetime(2026, 2, 9, 23), datetime(2026, 2, 10), datetime(2026, 2, 10, 1)), dirty=True)


def _simulate(out: Path, *, dirty: bool) -> Path:
    subprocess.run(
        [str(FOREWARN), "simulate", "--out", str(out), "--customers", "400", "--days", "16", "--seed", "7",
         "--start", "2026-02-01", *([] if dirty else ["--no-dirty"])],
        check=True, capture_output=True, timeout=300,
    )
    return out


def _env(home: Path, warehouse_url: str, api_port: int, cadence: Cadence) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "AIRFLOW_CONN_", "AIRFLOW_VAR_"))}
    api_url = f"http://127.0.0.1:{api_port}"
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW_CONFIG=str(REPO_ROOT / "airflow.cfg"),  # the embedded default: SQLite metadata, LocalExecutor
        FOREWARN_REPO=str(REPO_ROOT),
        FOREWARN_HOME=str(home / "forewarn"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT / "dags"), str(REPO_ROOT), env.get("PYTHONPATH")])),
        AIRFLOW__API_AUTH__JWT_SECRET=os.environ["AIRFLOW__API_AUTH__JWT_SECRET"],
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"{api_url}/execution/",
        AIRFLOW__API__BASE_URL=api_url,
        AIRFLOW__API__HOST="127.0.0.1",
        AIRFLOW__API__PORT=str(api_port),
        AIRFLOW__API__WORKERS="1",
        AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(free_port()),
        AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="True",
        AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC="1",
        AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="5",
        # The cadence setting reaches the dag-processor's parse.
        AIRFLOW__FOREWARN__INGEST_INTERVAL=cadence.name,
        AIRFLOW_VAR_FOREWARN_EMBEDDER="tfidf",  # MiniLM is exercised by the pain-point tests
        AIRFLOW_CONN_FOREWARN_WAREHOUSE=json.dumps({"conn_type": "generic", "extra": {"sqlalchemy_url": warehouse_url}}),
    )
    return env


def _runs(cluster: AirflowCluster, dag_id: str) -> list[dict]:
    cluster.check_alive()
    return cluster.api("GET", f"/api/v2/dags/{dag_id}/dagRuns?order_by=run_after")["dag_runs"]


def _detected_as_ofs(cluster: AirflowCluster, expected: int) -> list[str] | None:
    """Every as-of the finished detect runs worked through, once all queued asset events are consumed."""
    runs = _runs(cluster, "forewarn_detect")
    if any(r["state"] == "failed" for r in runs):
        raise AssertionError("a forewarn_detect run failed (task logs below)")
    if not runs or any(r["state"] != "success" for r in runs):
        return None
    as_ofs = []
    for run in runs:
        entry = cluster.api(
            "GET", f"/api/v2/dags/forewarn_detect/dagRuns/{run['dag_run_id']}/taskInstances/detect/xcomEntries/return_value"
        )
        as_ofs += json.loads(entry["value"])["as_ofs"] if isinstance(entry["value"], str) else entry["value"]["as_ofs"]
    return as_ofs if len(as_ofs) >= expected else None


def _cli_warehouse(world: Path, url: str, as_ofs: tuple[datetime, ...]) -> Engine:
    """The same intervals through the library calls `forewarn ingest` and `forewarn detect --as-of` make."""
    from pipeline.detect import DetectSettings, detect
    from pipeline.detect.lookback import with_first_run_lookback
    from pipeline.ingest import Interval, ingest
    from pipeline.warehouse import make_engine, migrate

    engine = make_engine(url)
    migrate(engine)
    start = None
    for as_of in as_ofs:
        ingest(engine, str(world), Interval(start, as_of))
        detect(engine, as_of, with_first_run_lookback(engine, as_of, DetectSettings(embedder="tfidf")))
        start = as_of
    return engine


def _findings(engine: Engine) -> dict[str, list]:
    def rows(sql: str) -> list[tuple[str, ...]]:
        # as text: the two engines may hand SQLite timestamps back as strings or as datetimes
        return [tuple(str(value) for value in row) for row in connection.execute(text(sql))]

    with engine.connect() as connection:
        return {
            "incidents": rows("SELECT incident_id, kind, error_code, started_at, detected_at, customer_count "
                              "FROM incidents ORDER BY incident_id"),
            "pain_points": rows("SELECT pain_point_id, ticket_count FROM pain_points ORDER BY pain_point_id"),
            "tickets": rows("SELECT ticket_id, pain_point_id FROM ticket_pain_points ORDER BY ticket_id, pain_point_id"),
            "loaded": rows("SELECT (SELECT COUNT(*) FROM tickets), (SELECT COUNT(*) FROM events)"),
        }


@pytest.mark.timeout(900)
@pytest.mark.parametrize("cadence", [DAILY, HOURLY], ids=lambda c: c.name)
def test_past_interval_and_backfill_detect_as_of_their_intervals_like_the_cli(cadence: Cadence, tmp_path: Path) -> None:
    world, as_ofs_wanted = _simulate(tmp_path / "world", dirty=cadence.dirty), cadence.as_ofs
    home = tmp_path / "airflow-home"
    home.mkdir()
    api_port = free_port()
    warehouse_url = f"sqlite:///{tmp_path / 'airflow-warehouse.db'}"
    with AirflowCluster(home, _env(home, warehouse_url, api_port, cadence), api_port) as cluster:
        cluster.run("db", "migrate", timeout_s=300)
        cluster.start("api-server", "api-server")
        cluster.start("scheduler", "scheduler")
        cluster.start("dag-processor", "dag-processor")
        wait_for(lambda: cluster.check_alive() or all(
            cluster.api_or_none(f"/api/v2/dags/{d}") for d in ("forewarn_ingest", "forewarn_detect")
        ), 180, "the api-server to answer and the dag-processor to parse the DAGs", interval_s=2)
        assert cadence.cron in cluster.api("GET", "/api/v2/dags/forewarn_ingest")["timetable_summary"]

        # Unpausing ingest makes the scheduler start its latest interval at once (catchup is off). That
        # run must not publish an as-of of its own: with no source set yet it cannot, and it is marked
        # failed; only then is the source set and detect listening.
        cluster.api("PATCH", "/api/v2/dags/forewarn_ingest", {"is_paused": False})
        [stray] = wait_for(lambda: _runs(cluster, "forewarn_ingest"), 120, "the scheduler's latest-interval run")
        cluster.api("PATCH", f"/api/v2/dags/forewarn_ingest/dagRuns/{stray['dag_run_id']}", {"state": "failed"})
        cluster.run("variables", "set", "forewarn_source", str(world))
        cluster.api("PATCH", "/api/v2/dags/forewarn_detect", {"is_paused": False})

        # The steps: a past interval (with the history before it), then a backfill.
        cluster.run("dags", "trigger", "forewarn_ingest", "-l", cadence.past_interval, "-c", '{"load_history": true}')
        first = wait_for(lambda: _detected_as_ofs(cluster, 1), 300, "detect as of the past interval", interval_s=3)
        assert first == [as_ofs_wanted[0].isoformat()], "detect must work as of the past interval's end, not now"
        # One interval at a time, oldest first (a backfill otherwise runs several at once, out of order).
        cluster.run("backfill", "create", "--dag-id", "forewarn_ingest", "--from-date", cadence.backfill[0],
                    "--to-date", cadence.backfill[1], "--max-active-runs", "1")
        as_ofs = wait_for(lambda: _detected_as_ofs(cluster, len(as_ofs_wanted)), 420,
                          "detect as of the backfilled intervals", interval_s=3)
        # An as-of of the wall clock's interval (an hour that turned during the test) is not the test's.
        assert sorted(a for a in as_ofs if a <= as_ofs_wanted[-1].isoformat()) == [a.isoformat() for a in as_ofs_wanted]

        detect_runs = _runs(cluster, "forewarn_detect")
        assert {r["run_type"] for r in detect_runs} == {"asset_triggered"}
        upstream = cluster.api(
            "GET", f"/api/v2/dags/forewarn_detect/dagRuns/{detect_runs[0]['dag_run_id']}/upstreamAssetEvents"
        )["asset_events"]
        assert [e["extra"].get("as_of") for e in upstream] == [as_ofs_wanted[0].isoformat()]
        if cadence.dirty:
            _assert_validate_judged_each_interval_by_its_own_rows(cluster)

        airflow_found = _findings(create_engine(warehouse_url))
        cli_found = _findings(_cli_warehouse(world, f"sqlite:///{tmp_path / 'cli-warehouse.db'}", as_ofs_wanted))
        assert [i[1] for i in airflow_found["incidents"]] and "new_signature" in [i[1] for i in airflow_found["incidents"]]
        assert airflow_found == cli_found


def _assert_validate_judged_each_interval_by_its_own_rows(cluster: AirflowCluster) -> None:
    """Every successful ingest run's validate saw the file's untimed rows quarantined and left them out."""
    # The test's own runs: the past interval (manual) and the backfill. An hourly DAG left unpaused also gets
    # a run of the wall clock's latest interval when the hour turns during the test (CI at 18:59 did).
    runs = [r for r in _runs(cluster, "forewarn_ingest") if r["state"] == "success" and r["run_type"] != "scheduled"]
    assert len(runs) == 3, [(r["dag_run_id"], r["state"]) for r in _runs(cluster, "forewarn_ingest")]
    for run in runs:
        entry = cluster.api(
            "GET", f"/api/v2/dags/forewarn_ingest/dagRuns/{run['dag_run_id']}/taskInstances/validate/xcomEntries/return_value"
        )
        checked = json.loads(entry["value"]) if isinstance(entry["value"], str) else entry["value"]
        events = checked["events"]
        assert events["untimed_quarantined"] > 0, (run["dag_run_id"], events)
        assert events["judged_quarantined"] <= 0.2 * max(events["judged"], 1), (run["dag_run_id"], events)


def _waiting_approvals(cluster: AirflowCluster) -> list[dict] | None:
    """The approval tasks waiting for a person, once forewarn_outreach asked (None before)."""
    if any(r["state"] == "failed" for r in _runs(cluster, "forewarn_outreach")):
        raise AssertionError("a forewarn_outreach run failed (task logs below)")
    found = cluster.api_or_none("/api/v2/dags/forewarn_outreach/dagRuns/~/hitlDetails?response_received=false")
    return (found or {}).get("hitl_details") or None


def _outreach_finished(cluster: AirflowCluster) -> list[dict] | None:
    runs = _runs(cluster, "forewarn_outreach")
    if any(r["state"] == "failed" for r in runs):
        raise AssertionError("a forewarn_outreach run failed (task logs below)")
    return runs if runs and all(r["state"] == "success" for r in runs) else None


@pytest.mark.timeout(900)
def test_a_decision_from_the_terminal_answers_the_waiting_approval_task_and_the_run_sends(tmp_path: Path) -> None:
    """Under the scheduler, forewarn_outreach waits in one approval task per campaign. A person who decides
    with `forewarn campaigns approve` / `reject` instead of in Airflow's UI: the task gets the same answer
    through the REST API and the run records and sends at once (it waited up to its 48 h timeout before,
    sending nothing, while the affected customers went on writing in)."""
    world, cadence = _simulate(tmp_path / "world", dirty=False), DAILY
    home = tmp_path / "airflow-home"
    home.mkdir()
    api_port = free_port()
    warehouse_url = f"sqlite:///{tmp_path / 'airflow-warehouse.db'}"
    env = _env(home, warehouse_url, api_port, cadence)
    with AirflowCluster(home, env, api_port) as cluster:
        cluster.run("db", "migrate", timeout_s=300)
        cluster.start("api-server", "api-server")
        cluster.start("scheduler", "scheduler")
        cluster.start("dag-processor", "dag-processor")
        dags = ("forewarn_ingest", "forewarn_detect", "forewarn_outreach")
        wait_for(lambda: cluster.check_alive() or all(cluster.api_or_none(f"/api/v2/dags/{d}") for d in dags),
                 180, "the api-server to answer and the dag-processor to parse the DAGs", interval_s=2)
        cluster.api("PATCH", "/api/v2/dags/forewarn_ingest", {"is_paused": False})
        [stray] = wait_for(lambda: _runs(cluster, "forewarn_ingest"), 120, "the scheduler's latest-interval run")
        cluster.api("PATCH", f"/api/v2/dags/forewarn_ingest/dagRuns/{stray['dag_run_id']}", {"state": "failed"})
        cluster.run("variables", "set", "forewarn_source", str(world))
        cluster.run("variables", "set", "forewarn_workarounds", str(world / "workarounds"))
        for dag_id in dags[1:]:
            cluster.api("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})
        cluster.run("dags", "trigger", "forewarn_ingest", "-l", cadence.past_interval, "-c", '{"load_history": true}')

        waiting = wait_for(lambda: _waiting_approvals(cluster), 480, "an approval task waiting for a person", interval_s=3)
        # Answered at once, within the seconds the scheduler may take to file the task's pause: an answer that
        # reaches Airflow (3.3.2) before that makes it mark the resumed task up_for_retry (CI on a loaded
        # machine, stop 45). The retry finds the decision in the warehouse and does not ask again.
        campaigns = sorted(d["task_instance"]["rendered_map_index"] for d in waiting)
        cli_env = {**env, "FOREWARN_DATABASE_URL": warehouse_url, "FOREWARN_AIRFLOW_API_URL": cluster.api_url}
        decided = {campaigns[0]: "approve", **dict.fromkeys(campaigns[1:], "reject")}
        for answered, (campaign_id, decision) in enumerate(decided.items(), start=1):
            said = subprocess.run([str(FOREWARN), "campaigns", decision, campaign_id, "--by", "pm"], env=cli_env,
                                  capture_output=True, text=True, timeout=120, check=False)
            assert said.returncode == 0, said.stderr
            assert "answered the waiting approval task in Airflow" in said.stdout, said.stdout + said.stderr
            # The run sends once every campaign it asked about is decided, and the terminal says which still wait.
            if answered < len(decided):
                assert "other waiting campaign(s) are decided too: " in said.stdout, said.stdout
                assert campaigns[answered] in said.stdout.splitlines()[-1]
            else:
                assert "the run goes on" in said.stdout, said.stdout

        # Within the first retry's delay (2 min) and its run, whichever way the race went.
        wait_for(lambda: _outreach_finished(cluster), 300, "forewarn_outreach to record and send", interval_s=3)
        answered = cluster.api("GET", "/api/v2/dags/forewarn_outreach/dagRuns/~/hitlDetails")["hitl_details"]
        chosen = {d["task_instance"]["rendered_map_index"]: d["chosen_options"] for d in answered}
        # A task Airflow retried after the answer did not ask again, so it has no question of its own here.
        assert chosen.items() <= {c: ["Approve" if d == "approve" else "Reject"] for c, d in decided.items()}.items()
        assert not _waiting_approvals(cluster)
        with create_engine(warehouse_url).connect() as connection:
            status = dict(connection.execute(text("SELECT campaign_id, status FROM campaigns")).all())
            sent = connection.execute(
                text("SELECT COUNT(*) FROM outreach_messages WHERE campaign_id = :c AND status = 'sent'"),
                {"c": campaigns[0]},
            ).scalar_one()
            approved_by = connection.execute(
                text("SELECT approved_by FROM campaigns WHERE campaign_id = :c"), {"c": campaigns[0]}
            ).scalar_one()
        assert status[campaigns[0]] == "sent" and sent > 0 and approved_by == "pm"  # the first decision stands
        assert all(status[c] == "rejected" for c in campaigns[1:])
