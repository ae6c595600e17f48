"""One shared DagBag for the DAG tests, on a freshly migrated Airflow metadata database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DAGS_DIR = REPO_ROOT / "dags"
if str(DAGS_DIR) not in sys.path:
    sys.path.insert(0, str(DAGS_DIR))


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """Migrate the test session's Airflow metadata database (SQLite in a temp AIRFLOW_HOME)."""
    home = Path(os.environ["AIRFLOW_HOME"])
    airflow = Path(sys.executable).parent / "airflow"
    result = subprocess.run([str(airflow), "db", "migrate"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return home


@pytest.fixture(scope="session")
def dagbag(airflow_db: Path):  # noqa: ANN201 - airflow types imported lazily
    from airflow.dag_processing.dagbag import DagBag

    # These tests replay whole days; the hourly default is checked by the cadence test, which parses
    # the ingest DAG under each setting itself.
    os.environ["AIRFLOW__FOREWARN__INGEST_INTERVAL"] = "daily"
    started = time.perf_counter()
    bag = DagBag(str(DAGS_DIR))
    bag.parse_seconds = time.perf_counter() - started  # type: ignore[attr-defined]
    return bag
