"""The ingest DAG reads a source in its own layout when the Variable forewarn_source_mapping is set."""

from __future__ import annotations

from pathlib import Path

import pendulum
import pytest
from sqlalchemy import create_engine, text

WALKTHROUGH = Path(__file__).resolve().parents[1] / "fixtures" / "mapping" / "walkthrough"


@pytest.mark.integration
def test_ingest_dag_with_a_source_mapping(dagbag, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    monkeypatch.setenv("AIRFLOW_VAR_FOREWARN_SOURCE", str(WALKTHROUGH))
    monkeypatch.setenv("AIRFLOW_VAR_FOREWARN_SOURCE_MAPPING", str(WALKTHROUGH / "mapping.yaml"))
    monkeypatch.setenv(
        "AIRFLOW_CONN_FOREWARN_WAREHOUSE", f'{{"conn_type": "generic", "extra": {{"sqlalchemy_url": "{url}"}}}}'
    )
    dag = dagbag.get_dag("forewarn_ingest")
    run = dag.test(logical_date=pendulum.datetime(2026, 1, 8, tz="UTC"), run_conf={})
    assert run.state == "success"
    with create_engine(url).connect() as connection:
        days = connection.execute(text("SELECT DISTINCT substr(CAST(created_at AS TEXT), 1, 10) FROM tickets")).scalars().all()
        names = set(connection.execute(text("SELECT DISTINCT name FROM events")).scalars().all())
        customers = connection.execute(text("SELECT count(*) FROM customers")).scalar()
    assert days == ["2026-01-08"]  # the data interval [01-08, 01-09) only
    assert names <= {"error", "crash", "session_start"} and "session_start" in names
    assert customers == 401


@pytest.mark.integration
def test_a_bad_mapping_fails_the_task_without_retrying(dagbag, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    bad = tmp_path / "bad.yaml"
    bad.write_text((WALKTHROUGH / "mapping.yaml").read_text().replace("body: description", "body: descriptoin"))
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    monkeypatch.setenv("AIRFLOW_VAR_FOREWARN_SOURCE", str(WALKTHROUGH))
    monkeypatch.setenv("AIRFLOW_VAR_FOREWARN_SOURCE_MAPPING", str(bad))
    monkeypatch.setenv(
        "AIRFLOW_CONN_FOREWARN_WAREHOUSE", f'{{"conn_type": "generic", "extra": {{"sqlalchemy_url": "{url}"}}}}'
    )
    run = dagbag.get_dag("forewarn_ingest").test(logical_date=pendulum.datetime(2026, 1, 8, tz="UTC"), run_conf={})
    assert run.state == "failed"
    with create_engine(url).connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM customers")).scalar() == 0
