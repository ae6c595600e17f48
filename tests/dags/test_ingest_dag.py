"""The ingest DAG end to end through Airflow (dag.test) on the embedded SQLite warehouse."""

from __future__ import annotations

from pathlib import Path

import pendulum
import pytest
from sqlalchemy import create_engine, text

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


@pytest.fixture
def source(tmp_path: Path) -> Path:
    folder = tmp_path / "source"
    folder.mkdir()
    (folder / "customers.csv").write_text(CUSTOMERS)
    (folder / "tickets.csv").write_text(TICKETS)
    (folder / "events.csv").write_text(EVENTS)
    return folder


def _run(dag, logical_date, conf=None):  # noqa: ANN001, ANN202
    return dag.test(logical_date=logical_date, run_conf=conf or {})


@pytest.mark.integration
def test_ingest_dag_loads_interval_quarantines_and_is_idempotent(
    dagbag, source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    monkeypatch.setenv("AIRFLOW_VAR_FOREWARN_SOURCE", str(source))
    monkeypatch.setenv(
        "AIRFLOW_CONN_FOREWARN_WAREHOUSE", f'{{"conn_type": "generic", "extra": {{"sqlalchemy_url": "{url}"}}}}'
    )
    monkeypatch.setenv("FOREWARN_MAX_BAD_ROW_SHARE", "0.9")
    dag = dagbag.get_dag("forewarn_ingest")

    # Logical date 2026-01-02 = interval [2026-01-02, 2026-01-03): only the first day's tickets and events.
    run = _run(dag, pendulum.datetime(2026, 1, 2, tz="UTC"))
    assert run.state == "success"
    engine = create_engine(url)
    with engine.connect() as connection:
        tickets = connection.execute(text("SELECT ticket_id, body_redacted FROM tickets")).all()
        events = connection.execute(text("SELECT event_id FROM events ORDER BY event_id")).scalars().all()
        quarantined = connection.execute(text("SELECT table_name, rule FROM quarantine")).all()
    assert [t.ticket_id for t in tickets] == ["T1"]
    assert "+44" not in tickets[0].body_redacted and "[phone]" in tickets[0].body_redacted
    assert events == ["E1", "E2"]
    assert quarantined == [("customers", "malformed_email")]

    # A rerun of the same interval changes nothing; the next interval adds only what is new.
    assert _run(dag, pendulum.datetime(2026, 1, 2, tz="UTC")).state == "success"
    assert _run(dag, pendulum.datetime(2026, 1, 3, tz="UTC")).state == "success"
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM tickets")).scalar() == 2
        assert connection.execute(text("SELECT COUNT(*) FROM events")).scalar() == 3
        assert connection.execute(text("SELECT COUNT(*) FROM quarantine")).scalar() == 1


@pytest.mark.integration
def test_ingest_dag_stops_before_publishing_when_the_gate_fails(
    dagbag, source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    monkeypatch.setenv("AIRFLOW_VAR_FOREWARN_SOURCE", str(source))
    monkeypatch.setenv(
        "AIRFLOW_CONN_FOREWARN_WAREHOUSE", f'{{"conn_type": "generic", "extra": {{"sqlalchemy_url": "{url}"}}}}'
    )
    # Half the customers are bad; with a 10% limit and no minimum the customers table must stop the run.
    monkeypatch.setenv("FOREWARN_MAX_BAD_ROW_SHARE", "0.1")
    monkeypatch.setenv("FOREWARN_GATE_MIN_ROWS", "1")
    dag = dagbag.get_dag("forewarn_ingest")
    run = _run(dag, pendulum.datetime(2026, 1, 2, tz="UTC"))
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert run.state == "failed"
    assert states["ingest"] == "failed"
    assert next(ti for ti in run.get_task_instances() if ti.task_id == "ingest").try_number == 1, "bad data is not retried"
    assert states["publish"] != "success"
    with create_engine(url).connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM customers")).scalar() == 0
