"""DAG integrity: every DAG imports cleanly, is well-formed, and does no work at parse time."""

from __future__ import annotations

import ast
import subprocess
import sys
import time
from pathlib import Path

import pendulum
import pytest

DAGS_DIR = Path(__file__).resolve().parents[2] / "dags"
DAG_FILES = sorted(p for p in DAGS_DIR.glob("forewarn_*.py"))
HEAVY_MODULES = {"pandas", "sklearn", "sendgrid", "great_expectations", "numpy", "scipy", "pipeline", "detectors", "outreach"}


def test_there_are_dag_files() -> None:
    assert "forewarn_ingest" in [p.stem for p in DAG_FILES]


def test_no_import_errors(dagbag) -> None:  # noqa: ANN001
    assert dagbag.import_errors == {}, dagbag.import_errors
    print(f"\nDagBag parse of {len(DAG_FILES)} files: {dagbag.parse_seconds:.2f} s")


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.stem)
def test_dag_id_matches_file_and_has_tags_retries_owner_doc(dagbag, path: Path) -> None:  # noqa: ANN001
    dag = dagbag.get_dag(path.stem)
    assert dag is not None, f"{path.name} must define a DAG whose dag_id is the file stem"
    assert "forewarn" in dag.tags
    assert dag.doc_md and dag.doc_md.strip().startswith("###"), "the module docstring is the DAG's doc_md"
    for task in dag.tasks:
        assert task.retries >= 1, f"{dag.dag_id}.{task.task_id} has no retries"
        assert task.owner == "forewarn"


def test_the_approval_task_offers_the_words_the_terminal_answers_with(dagbag) -> None:  # noqa: ANN001
    """`forewarn campaigns approve` answers the waiting task through the API with these exact options, and
    record_decisions reads them; the DAG file keeps its own copy (no library import while parsing)."""
    from pipeline.airflow_approvals import APPROVAL_TASK_ID, APPROVE, OUTREACH_DAG_ID, REJECT

    task = dagbag.get_dag(OUTREACH_DAG_ID).get_task(APPROVAL_TASK_ID)
    assert list(task.partial_kwargs["options"]) == [APPROVE, REJECT]


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.stem)
def test_no_heavy_import_at_module_level(path: Path) -> None:
    tree = ast.parse(path.read_text())
    top_level = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
    names = {alias.name.split(".")[0] for node in top_level if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module.split(".")[0] for node in top_level if isinstance(node, ast.ImportFrom) and node.module}
    assert not names & HEAVY_MODULES, f"{path.name} imports {names & HEAVY_MODULES} at parse time"


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.stem)
def test_parse_opens_no_connection_and_loads_no_heavy_module(path: Path, tmp_path: Path) -> None:
    """Parse the file in a fresh interpreter; fail if it opens a DB connection or imports heavy libraries."""
    probe = f"""
import sys, time
sys.path.insert(0, {str(DAGS_DIR)!r})
import sqlalchemy.engine.base as base
opened = []
original = base.Connection.__init__
def spy(self, *a, **k):
    opened.append(repr(getattr(a[0], "url", a[0]) if a else "?"))
    return original(self, *a, **k)
base.Connection.__init__ = spy
import airflow.sdk  # the framework itself may open its own metadata DB; measure our file only
before = set(sys.modules)
opened.clear()
started = time.perf_counter()
import importlib.util
spec = importlib.util.spec_from_file_location("dagfile", {str(path)!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
elapsed = time.perf_counter() - started
heavy = sorted({{m.split('.')[0] for m in set(sys.modules) - before}} & set({sorted(HEAVY_MODULES)!r}))
print("PARSE", round(elapsed, 3), "CONNECTIONS", opened, "HEAVY", heavy)
"""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("PARSE"))
    print(f"\n{path.name}: {line} (wall {time.perf_counter() - started:.1f} s incl. interpreter start)")
    assert "CONNECTIONS []" in line
    assert "HEAVY []" in line


@pytest.mark.parametrize(
    ("setting", "interval_hours"), [(None, 1), ("hourly", 1), ("daily", 24), ("*/30 * * * *", 0.5)]
)
def test_ingest_schedule_follows_the_cadence_setting(
    airflow_db, setting: str | None, interval_hours: float, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:
    """Hourly unless ``[forewarn] ingest_interval`` says otherwise; measure and report stay daily."""
    from airflow.dag_processing.dagbag import DagBag
    from airflow.serialization.encoders import coerce_to_core_timetable

    if setting is None:
        monkeypatch.delenv("AIRFLOW__FOREWARN__INGEST_INTERVAL", raising=False)
    else:
        monkeypatch.setenv("AIRFLOW__FOREWARN__INGEST_INTERVAL", setting)
    bag = DagBag(str(DAGS_DIR))
    assert bag.import_errors == {}
    ingest = bag.get_dag("forewarn_ingest")
    after = pendulum.datetime(2026, 2, 21, tz="UTC")  # a boundary of every cadence tested
    interval = coerce_to_core_timetable(ingest.timetable).infer_manual_data_interval(run_after=after)
    assert interval.end == after
    assert (interval.end - interval.start).total_seconds() == interval_hours * 3600
    for daily in ("forewarn_measure", "forewarn_report"):
        timetable = coerce_to_core_timetable(bag.get_dag(daily).timetable)
        daily_interval = timetable.infer_manual_data_interval(run_after=after)
        assert (daily_interval.end - daily_interval.start).total_seconds() == 24 * 3600, f"{daily} must stay daily"


def test_a_bad_cadence_setting_is_one_clear_import_error(airflow_db, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv("AIRFLOW__FOREWARN__INGEST_INTERVAL", "fortnightly")
    bag = DagBag(str(DAGS_DIR / "forewarn_ingest.py"))
    [error] = bag.import_errors.values()
    assert "ingest_interval (or AIRFLOW__FOREWARN__INGEST_INTERVAL) is 'fortnightly'" in error
