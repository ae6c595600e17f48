"""forewarn_ingest's pull_zendesk task through the Zendesk provider's hook, against a local server of the
export's documented shape (needs apache-airflow-providers-zendesk, pinned in requirements.txt)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pendulum
import pytest
from sqlalchemy import create_engine, text

pytest.importorskip("airflow.providers.zendesk", reason="apache-airflow-providers-zendesk is not installed")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pipeline" / "pull"))
from zendesk_server import ExportState, zendesk_server  # noqa: E402


@pytest.mark.integration
def test_pull_zendesk_lands_the_interval_through_the_provider_hook(dagbag, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    tickets = [{"id": 1, "created_at": "2026-01-08T10:00:00Z", "updated_at": "2026-01-08T10:00:00Z", "requester_id": 5,
                "subject": "s", "description": "d", "status": "open"}]
    state = ExportState(tickets=tickets, users=[{"id": 5, "email": "a@example.com"}])
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    source = tmp_path / "source"
    source.mkdir()
    monkeypatch.setenv("AIRFLOW_VAR_FOREWARN_SOURCE", str(source))
    monkeypatch.setenv("AIRFLOW_VAR_FOREWARN_ZENDESK_LANDING", str(tmp_path / "landing"))
    monkeypatch.setenv("AIRFLOW_CONN_FOREWARN_WAREHOUSE", json.dumps({"conn_type": "generic", "extra": {"sqlalchemy_url": url}}))
    with zendesk_server(state) as base_url:
        monkeypatch.setenv("AIRFLOW_CONN_FOREWARN_ZENDESK", json.dumps({
            "conn_type": "zendesk", "host": "example.zendesk.com", "login": "agent@example.com",
            "password": "not-a-real-token", "extra": {"use_token": True, "base_url": base_url},
        }))
        dagbag.get_dag("forewarn_ingest").test(logical_date=pendulum.datetime(2026, 1, 8, tz="UTC"), run_conf={})
    page = json.loads((tmp_path / "landing" / "20260108T0000" / "tickets-0001.json").read_text())
    assert [t["id"] for t in page["tickets"]] == [1]
    assert state.authorization[0].startswith("Basic ")
    with create_engine(url).connect() as connection:
        assert connection.execute(text("SELECT end_of_stream FROM source_cursors")).scalar() in (1, True)
