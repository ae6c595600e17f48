"""Run every Forewarn DAG through Airflow, day by day, on a simulated world (``forewarn demo``).

Each DAG runs with ``dag.test()``: the real scheduler-less executor of Airflow 3, with the metadata
database, XCom, assets, retries and mapped human-in-the-loop tasks, in this one process. The library
does the work; this script only chooses the dates. Progress lines start with ``demo:``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pendulum


def _say(message: str) -> None:
    print(f"demo: {message}", flush=True)


def _run(dag, label: str, **kwargs) -> dict:  # noqa: ANN001
    started = time.perf_counter()
    run = dag.test(**kwargs)
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    _say(f"  {label}: {run.state} in {time.perf_counter() - started:.1f} s")
    if str(run.state) != "success":
        raise SystemExit(f"demo: {label} ended {run.state}: {states}; see the Airflow log")
    return states


def _leave_paused(dag_ids: list[str]) -> None:
    """Pause the DAGs and drop the asset events their runs queued: the demo ran every interval itself.

    Left unpaused, the scheduler of ``make airflow-ui`` ran them again on this state: an asset-triggered
    detect as of the demo's first day rewrote 19 of its 26 pain points, an ingest of today failed on the
    unset ``forewarn_source`` and a report of today showed no incident. Paused, the UI shows what the
    demo did; ``airflow dags unpause`` (README, "Airflow") starts a live run on one's own data.
    """
    from airflow.models.asset import AssetDagRunQueue
    from airflow.models.dag import DagModel
    from airflow.utils.session import create_session
    from sqlalchemy import delete, update

    with create_session() as session:
        session.execute(update(DagModel).where(DagModel.dag_id.in_(dag_ids)).values(is_paused=True))
        session.execute(delete(AssetDagRunQueue).where(AssetDagRunQueue.target_dag_id.in_(dag_ids)))
    _say(f"  paused {len(dag_ids)} DAGs, no asset event left queued: make airflow-ui shows this state, runs nothing")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--history-until", type=date.fromisoformat, required=True)
    parser.add_argument("--last-day", type=date.fromisoformat, required=True)
    parser.add_argument("--events-dir", type=Path, required=True)
    parser.add_argument("--log-file", type=Path, required=True)
    parser.add_argument("--world", type=Path, help="The simulated world; with --email-effect > 0 ingest reads --view.")
    parser.add_argument("--view", type=Path, help="The world as its customers write it, given the emails sent.")
    parser.add_argument("--email-effect", type=float, default=0.0)
    args = parser.parse_args(argv)

    args.log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(args.log_file)
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)

    # The demo replays whole days, one ingest interval per day, whatever the deployment's cadence.
    os.environ["AIRFLOW__FOREWARN__INGEST_INTERVAL"] = "daily"
    from airflow.dag_processing.dagbag import DagBag

    from pipeline.simulate.email_events import simulate_email_events
    from pipeline.warehouse import make_engine

    bag = DagBag(str(Path(__file__).resolve().parents[1]))
    if bag.import_errors:
        raise SystemExit(f"demo: DAG import errors: {bag.import_errors}")
    dags = {dag_id: bag.get_dag(dag_id) for dag_id in bag.dag_ids}
    engine = make_engine(os.environ["FOREWARN_DATABASE_URL"])
    reaction = None
    if args.email_effect > 0 and args.world and args.view:
        from pipeline.backtest.deflection import EmailReaction, write_reactive_view
        from pipeline.backtest.truth import read_truth
        from pipeline.warehouse import migrate

        migrate(engine)  # the view reads the emails sent so far, before the first DAG has created the tables
        reaction = EmailReaction.from_truth(read_truth(args.world / "truth"), args.email_effect)

    day = args.history_until
    first = True
    while day <= args.last_day:
        as_of = datetime(day.year, day.month, day.day)
        stamp = pendulum.datetime(day.year, day.month, day.day, tz="UTC")
        conf = {"as_of": as_of.isoformat()}
        _say(f"day {day.isoformat()}" + (" (first run: loads all history before it)" if first else ""))
        if reaction is not None:  # the world reacts to the emails sent so far (library: pipeline.backtest.deflection)
            unwritten = write_reactive_view(args.world, args.view, engine, reaction)
            _say(f"  tickets not written after an email so far: {unwritten}")
        # The ingest run of the day before: it loads [day - 1, day), everything detect needs as of the day.
        _run(dags["forewarn_ingest"], "forewarn_ingest", logical_date=stamp.subtract(days=1),
             run_conf={"load_history": first})
        _run(dags["forewarn_detect"], "forewarn_detect", run_conf=conf)
        _run(dags["forewarn_outreach"], "forewarn_outreach", run_conf=conf)
        written = simulate_email_events(engine, args.events_dir / f"events-{day.isoformat()}.json")
        _say(f"  SendGrid-style events for everything sent so far: {written}")
        _run(dags["forewarn_measure"], "forewarn_measure", run_conf=conf)
        first = False
        day += timedelta(days=1)
    final = {"as_of": datetime(args.last_day.year, args.last_day.month, args.last_day.day).isoformat()}
    _run(dags["forewarn_report"], "forewarn_report", run_conf=final)
    _leave_paused(list(dags))
    print("result: " + json.dumps({"as_of": final["as_of"]}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
