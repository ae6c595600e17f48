"""Tell a person: the owner's notices arrive by SMTP (local aiosmtpd) and by a Slack-style webhook (local
HTTP server) when an Airflow task opens an incident or a campaign waits in an approval task."""

from __future__ import annotations

import email
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pendulum
import pytest
from aiosmtpd.controller import Controller

DAGS_DIR = Path(__file__).resolve().parents[2] / "dags"
OWNER = "owner@example.com"
INCIDENT = {
    "incident_id": "inc-3f2a", "kind": "new_signature", "name": "E2001", "error_code": "E2001",
    "feature": "upload", "platform": "ios", "app_version": "5.5.0", "started_at": "2026-02-20T14:00:00",
    "detected_at": "2026-02-21T00:00:00", "customer_count": 41, "event_count": 380, "mrr_at_risk": 2009.0,
    "severity": 64.6, "pain_point_label": "cannot upload files",
}
REQUEST = {
    "campaign_id": "cmp-inc-3f2a", "subject": "Email 33 customers about 'cannot upload files'? severity 65",
    "body": "**cannot upload files**", "issue": "cannot upload files", "customers": 33, "severity": 64.6,
    "left_out": ["41 already wrote in", "4 held out to measure the effect"], "incident_id": "inc-3f2a",
    "workaround": "Upload from the web app",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted"


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    monkeypatch.setenv("AIRFLOW_CONN_FOREWARN_NOTIFY_SMTP", json.dumps({
        "conn_type": "smtp", "host": "127.0.0.1", "port": controller.port,
        "extra": {"to": OWNER, "from_email": "forewarn@example.com", "disable_tls": True, "disable_ssl": True,
                  "retry_limit": 0},
    }))
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict]]:
    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers["Content-Length"])
            received.append({"path": self.path, "type": self.headers["Content-Type"],
                             "json": json.loads(self.rfile.read(length))})
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/services/T000/B000/secret"
    monkeypatch.setenv("AIRFLOW_CONN_FOREWARN_NOTIFY_SLACK", json.dumps({"conn_type": "http", "extra": {"webhook_url": url}}))
    try:
        yield received
    finally:
        server.shutdown()
        server.server_close()


def _serialized(dag):  # noqa: ANN001, ANN202
    """Store a DAG defined in this file in the metadata DB, as the dag-processor would, so dag.test() runs it."""
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.dagbag import DagBag, sync_bag_to_db

    DagBundlesManager().sync_bundles_to_db()
    bag = DagBag(dag_folder=os.devnull)
    bag.bag_dag(dag)
    sync_bag_to_db(bag, "dags-folder", None)
    return dag


def _incident_dag(dag_id: str):  # noqa: ANN202 - airflow types imported lazily
    from airflow.sdk import DAG, task
    from forewarn_tasks.notifiers import IncidentOpenedNotifier

    with DAG(dag_id, schedule=None, start_date=pendulum.datetime(2026, 1, 1, tz="UTC"), catchup=False) as dag:

        @task(task_id="detect", on_success_callback=[IncidentOpenedNotifier()])
        def detect() -> dict:
            return {"as_of": "2026-02-21T00:00:00", "opened_incidents": [INCIDENT]}

        detect()
    return _serialized(dag)


def _approval_dag(dag_id: str):  # noqa: ANN202
    from airflow.providers.standard.operators.hitl import HITLOperator
    from airflow.sdk import DAG, task
    from forewarn_tasks.notifiers import ApprovalNotifier

    with DAG(dag_id, schedule=None, start_date=pendulum.datetime(2026, 1, 1, tz="UTC"), catchup=False) as dag:

        @task
        def build_campaigns() -> list[dict]:
            return [REQUEST]

        requests = build_campaigns()
        HITLOperator.partial(
            task_id="approve", options=["Approve", "Reject"],
            subject="{{ ti.xcom_pull(task_ids='build_campaigns')[ti.map_index]['subject'] }}",
            body="{{ ti.xcom_pull(task_ids='build_campaigns')[ti.map_index]['body'] }}",
            response_timeout=timedelta(seconds=1), notifiers=[ApprovalNotifier()],
        ).expand(defaults=requests.map(lambda _request: ["Reject"]))
    return _serialized(dag)


@pytest.mark.integration
def test_an_opened_incident_reaches_the_owner_by_email_and_webhook(
    airflow_db, inbox: Inbox, webhook: list[dict], caplog: pytest.LogCaptureFixture  # noqa: ANN001
) -> None:
    caplog.set_level(logging.INFO)
    run = _incident_dag("notify_incident_test").test()
    assert str(run.state) == "success"

    [(recipients, message)] = inbox.messages
    assert recipients == [OWNER]
    assert message["Subject"] == "Incident opened: 'cannot upload files', 41 customers, severity 65"
    html = message.get_body(("html",)).get_content()
    assert "New signature (E2001, upload, ios, 5.5.0)." in html
    assert "Started: 2026-02-20T14:00:00; detected: 2026-02-21T00:00:00." in html
    assert "/dags/notify_incident_test/runs/" in html

    [post] = webhook
    assert post["path"] == "/services/T000/B000/secret" and post["type"] == "application/json"
    text = post["json"]["text"]
    assert text.startswith("*Incident opened: 'cannot upload files', 41 customers, severity 65*\n")
    assert "Customers affected: 41; error events: 380." in text
    # The test's own SMTP server (aiosmtpd, logger "mail.log") logs the recipient; Forewarn's loggers never may.
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    assert ours and OWNER not in ours and "secret" not in ours


@pytest.mark.integration
def test_a_waiting_campaign_notifies_with_the_link_to_its_required_action(
    airflow_db, inbox: Inbox, webhook: list[dict]  # noqa: ANN001
) -> None:
    # dag.test() keeps an approval task waiting until a person answers, so the run goes in a child
    # process that is stopped once the notices have arrived (they are sent before the task parks).
    script = (
        f"import sys; sys.path[:0] = [{str(Path(__file__).parent)!r}]; "
        "import test_notifiers; test_notifiers._approval_dag('notify_approval_test').test()"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(DAGS_DIR), str(DAGS_DIR.parent), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not (inbox.messages and webhook) and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        child.kill()
        child.wait()

    [(recipients, message)] = inbox.messages
    assert recipients == [OWNER]
    assert message["Subject"] == REQUEST["subject"]
    [post] = webhook
    text = post["json"]["text"]
    assert "Left out: 41 already wrote in; 4 held out to measure the effect." in text
    link = next(line for line in text.splitlines() if line.startswith("Approve or reject: "))
    assert link.split(": ", 1)[1].startswith("http://localhost:8080/dags/notify_approval_test/runs/")
    assert "/tasks/approve/required_actions?map_index=0" in link
    assert "required_actions?map_index=0" in message.get_body(("html",)).get_content()


@pytest.mark.integration
def test_without_connections_nothing_is_sent_and_the_task_still_succeeds(
    airflow_db, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_FOREWARN_NOTIFY_SMTP", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_FOREWARN_NOTIFY_SLACK", raising=False)
    run = _incident_dag("notify_nowhere_test").test()
    assert str(run.state) == "success"


@pytest.mark.integration
def test_a_webhook_that_answers_500_does_not_fail_the_task(
    airflow_db, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_FOREWARN_NOTIFY_SMTP", raising=False)

    class Broken(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.send_response(500)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Broken)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("AIRFLOW_CONN_FOREWARN_NOTIFY_SLACK", json.dumps(
        {"conn_type": "http", "host": f"http://127.0.0.1:{server.server_address[1]}/hook"}))
    try:
        run = _incident_dag("notify_broken_test").test()
    finally:
        server.shutdown()
        server.server_close()
    assert str(run.state) == "success"
