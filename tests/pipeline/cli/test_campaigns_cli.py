"""The human gate and the outreach/measure commands from a terminal, on a SQLite warehouse."""

from __future__ import annotations

import email
import email.policy
import json
import socket
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import ClassVar

import pytest
from sqlalchemy import Engine, text

from pipeline.cli import main
from tests.outreach.senders.test_smtp_sender import smtp_server  # noqa: F401 - the local SMTP server fixture
from tests.outreach.test_audience import T0, World

AS_OF = T0.isoformat()


@pytest.fixture
def world(sqlite_warehouse: Engine, monkeypatch: pytest.MonkeyPatch) -> World:
    """Incident inc1 (40 exposed, 3 wrote in) with a workaround; inc2 with none."""
    monkeypatch.setenv("FOREWARN_DATABASE_URL", str(sqlite_warehouse.url))
    w = World(sqlite_warehouse)
    w.incident()
    w.incident("inc2", signature_id="sig2", error_code="E_EXPORT", feature="export", severity=0.2, name="Export fails")
    w.pain_point()
    w.workaround()
    for i in range(40):
        w.customer(f"c{i:02d}")
        w.exposed(f"c{i:02d}", event={"app_version": "5.2.1"})
        w.exposed(f"c{i:02d}", incident_id="inc2")
    for i in range(3):
        w.ticket(f"t{i}", f"c{i:02d}", at=T0 - timedelta(hours=1), pain_point_id="pp1", subject="Sync stuck")
    return w


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _built(world: World, capsys: pytest.CaptureFixture[str]) -> str:
    code, out, err = _run(capsys, "outreach", "--as-of", AS_OF, "--no-send")
    assert code == 0, err
    return out


def test_outreach_builds_and_lists_campaigns(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    out = _built(world, capsys)
    assert "cmp-inc1" in out and "pending_approval" in out and "needs_workaround" in out

    code, out, _ = _run(capsys, "campaigns", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["campaign", "status", "treated"]
    assert {line.split()[0] for line in lines[1:]} == {"cmp-inc1", "cmp-inc2"}

    code, out, _ = _run(capsys, "campaigns", "list", "--status", "needs_workaround")
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["cmp-inc2"]


def test_show_prints_evidence_audience_workaround_and_preview(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    _built(world, capsys)
    code, out, _ = _run(capsys, "campaigns", "show", "cmp-inc1")
    assert code == 0
    assert "campaign cmp-inc1  [pending_approval]" in out
    assert "who is left out: 40 affected, 3 already wrote in" in out
    assert "lift 4.20" in out and "workaround wa-sync: Sync times out (approved)" in out
    assert "audience: 37 (" in out and "held out" in out
    assert "Subject:" in out and "Sign out" in out and "5.2.1" in out
    assert "real.example" not in out  # nobody's address on screen

    code, out, _ = _run(capsys, "campaigns", "show", "cmp-inc2")
    assert "workaround: NONE approved matches" in out and "preview: none" in out


def test_approve_cancel_and_reject_with_clear_errors(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    _built(world, capsys)
    code, out, _ = _run(capsys, "campaigns", "approve", "cmp-inc1", "--by", "ana@support")
    assert code == 0 and "approved cmp-inc1 as ana@support" in out

    code, out, _ = _run(capsys, "campaigns", "cancel", "cmp-inc1", "--reason", "fix shipped")
    assert code == 0 and "cancelled cmp-inc1" in out

    code, _, err = _run(capsys, "campaigns", "approve", "cmp-inc1")
    assert code == 2
    assert err.strip() == "forewarn: error: campaign cmp-inc1 is cancelled; it cannot be approved"

    code, _, err = _run(capsys, "campaigns", "approve", "cmp-inc2")
    assert code == 2 and "needs a workaround" in err and "Traceback" not in err
    code, out, _ = _run(capsys, "campaigns", "reject", "cmp-inc2", "--by", "ana")
    assert code == 0 and "rejected cmp-inc2" in out


def test_a_decision_airflow_cannot_be_told_of_is_recorded_with_one_warning(
    world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """FOREWARN_AIRFLOW_API_URL names an API that does not answer: the decision stands in the warehouse and
    the person is told Airflow's task still waits and where to answer it (the real API: test_local_scheduler)."""
    _built(world, capsys)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("FOREWARN_AIRFLOW_API_URL", f"http://127.0.0.1:{port}")
    code, out, err = _run(capsys, "campaigns", "approve", "cmp-inc1", "--by", "ana@support")
    assert code == 0 and "approved cmp-inc1 as ana@support" in out
    assert err.count("\n") == 1 and err.startswith("warning: recorded here, but Airflow's approval task was not answered")
    assert "did not answer" in err and "Required actions" in err
    code, out, _ = _run(capsys, "campaigns", "list", "--status", "approved")
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["cmp-inc1"]


def test_the_same_decision_again_changes_nothing_and_answers_airflow_again(
    world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Airflow's approval task may ask again after it was answered (a retry); repeating the decision from the
    terminal is how a person answers it there. It was refused as "approved already" before."""
    _built(world, capsys)
    assert _run(capsys, "campaigns", "approve", "cmp-inc1", "--by", "ana@support")[0] == 0
    with socket.socket() as probe:  # a port nothing listens on: the second call must still try Airflow
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("FOREWARN_AIRFLOW_API_URL", f"http://127.0.0.1:{port}")
    code, out, err = _run(capsys, "campaigns", "approve", "cmp-inc1", "--by", "bo@support")
    assert code == 0, err
    assert out.startswith("cmp-inc1 is approved already (approved by ana@support): nothing changed here")
    assert err.startswith("warning: recorded here, but Airflow's approval task was not answered")
    code, _, err = _run(capsys, "campaigns", "reject", "cmp-inc1")
    assert code == 2 and "it cannot be rejected" in err  # another decision is still refused


class _WaitingApprovals(BaseHTTPRequestHandler):
    """Airflow's two approval endpoints the terminal calls: the waiting tasks, and an answer to one."""

    waiting: ClassVar[dict[str, dict]] = {}

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        details = list(self.waiting.values())
        self._reply({"hitl_details": details, "total_entries": len(details)})

    def do_PATCH(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        index = int(self.path.split("/taskInstances/approve/")[1].split("/")[0])
        answered = [c for c, d in self.waiting.items() if d["task_instance"]["map_index"] == index]
        for campaign_id in answered:
            del self.waiting[campaign_id]
        self._reply({"chosen_options": ["Approve"]})

    def _reply(self, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def test_answering_one_of_two_waiting_campaigns_says_the_run_waits_for_the_other(
    world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run sends only once every approval task it asked is answered: the terminal said "the run goes on"
    after the first of two (stop 46's walk). The real API: test_local_scheduler."""
    _built(world, capsys)
    _WaitingApprovals.waiting = {
        c: {"task_instance": {"rendered_map_index": c, "dag_run_id": "run-1", "map_index": i}}
        for i, c in enumerate(["cmp-inc1", "cmp-inc2"])
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), _WaitingApprovals)
    Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("FOREWARN_AIRFLOW_API_URL", f"http://127.0.0.1:{server.server_address[1]}")
    try:
        code, out, err = _run(capsys, "campaigns", "approve", "cmp-inc1", "--by", "ana@support")
        assert code == 0, err
        assert out.splitlines()[-1] == ("answered the waiting approval task in Airflow (run-1); the run sends once "
                                        "its other waiting campaign(s) are decided too: cmp-inc2")
        code, out, err = _run(capsys, "campaigns", "reject", "cmp-inc2")
        assert code == 0, err
        assert out.splitlines()[-1] == "answered the waiting approval task in Airflow (run-1): the run goes on"
    finally:
        server.shutdown()

def test_an_expired_campaign_is_reopened_from_the_terminal_and_sent_once(
    world: World, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _built(world, capsys)
    two_days_later = (T0 + timedelta(hours=49)).isoformat()
    code, out, err = _run(capsys, "outreach", "--as-of", two_days_later, "--outbox", str(tmp_path / "out"))
    assert code == 0, err
    assert [line.split()[1] for line in out.splitlines() if line.startswith("cmp-inc1")][0] == "expired"

    code, _, err = _run(capsys, "campaigns", "approve", "cmp-inc1")
    assert code == 2 and "forewarn campaigns reopen cmp-inc1" in err and err.count("\n") == 1

    code, out, _ = _run(capsys, "campaigns", "reopen", "cmp-inc1", "--by", "ana")
    assert code == 0 and "reopened cmp-inc1" in out
    code, out, _ = _run(capsys, "campaigns", "approve", "cmp-inc1", "--by", "ana")
    assert code == 0
    promised = int(out.split(": ")[1].split()[0])  # "approved cmp-inc1 as ana: N emails will go out ..."
    for _ in range(2):  # a rerun sends nothing twice
        code, out, err = _run(capsys, "outreach", "--as-of", two_days_later, "--outbox", str(tmp_path / "out"))
        assert code == 0, err
    assert len(list((tmp_path / "out").glob("*.eml"))) == promised > 0


@pytest.mark.parametrize("action", ["show", "approve", "cancel", "reject", "reopen"])
def test_unknown_campaign_id_is_one_clear_line(world: World, capsys: pytest.CaptureFixture[str], action: str) -> None:
    code, _, err = _run(capsys, "campaigns", action, "cmp-nope")
    assert code == 2
    assert err.strip().splitlines() == [
        "forewarn: error: no campaign 'cmp-nope'; `forewarn campaigns list` shows the known ids"
    ]


def test_outreach_approve_sends_to_the_outbox_once(world: World, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    code, out, err = _run(capsys, "outreach", "--as-of", AS_OF, "--approve", "--outbox", str(outbox))
    assert code == 0, err
    treated = world.rows("SELECT COUNT(*) FROM outreach_messages WHERE campaign_id = 'cmp-inc1' AND NOT is_holdout")[0][0]
    files = sorted(outbox.rglob("*.eml"))
    assert len(files) == treated and "approved cmp-inc1 as cli:" in out
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert "@real.example" in message["To"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "sync times out" in body and "5.2.1" in body and "Sign out" in body  # the issue, their version, the steps

    code, out, err = _run(capsys, "outreach", "--as-of", AS_OF, "--approve", "--outbox", str(outbox))
    assert code == 0, err
    assert len(sorted(outbox.rglob("*.eml"))) == treated  # a rerun sends nothing twice
    assert world.rows("SELECT COUNT(*) FROM outreach_messages WHERE is_holdout AND status <> 'held_out'") == [(0,)]


def test_kill_switch_sends_nothing(world: World, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOREWARN_KILL_SWITCH", "1")
    code, out, _ = _run(capsys, "outreach", "--as-of", AS_OF, "--approve", "--outbox", str(tmp_path / "outbox"))
    assert code == 0 and "kill switch engaged" in out
    assert not list((tmp_path / "outbox").rglob("*.eml"))


def test_bad_workarounds_folder_is_a_clear_error(world: World, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "wa").mkdir()
    (tmp_path / "wa" / "x.md").write_text("---\nid: x\ntitle: X\nstatus: maybe\n---\n1. step\n")
    code, _, err = _run(capsys, "outreach", "--as-of", AS_OF, "--workarounds", str(tmp_path / "wa"))
    assert code == 2 and "x.md: field 'status' is 'maybe'" in err


def test_measure_says_not_enough_data_for_a_tiny_holdout(world: World, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _run(capsys, "outreach", "--as-of", AS_OF, "--approve", "--outbox", str(tmp_path / "outbox"))
    code, out, _ = _run(capsys, "measure", "--as-of", (T0 + timedelta(days=3)).isoformat())
    assert code == 0 and "nothing to measure yet" in out

    code, out, _ = _run(capsys, "measure", "--as-of", (T0 + timedelta(days=15)).isoformat(), "--window-days", "14")
    assert code == 0
    assert "cmp-inc1" in out and "not enough data" in out
    with world.engine.connect() as conn:
        assert conn.execute(text("SELECT ci_low FROM campaign_outcomes")).all() == [(None,)]


def test_sendgrid_without_a_key_is_a_clear_error(world: World, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SENDGRID_API_KEY", raising=False)
    code, _, err = _run(capsys, "outreach", "--as-of", AS_OF, "--approve", "--sender", "sendgrid")
    assert code == 2 and "SendGrid API key" in err and "Traceback" not in err
    assert world.rows("SELECT COUNT(*) FROM outreach_messages WHERE status = 'sent'") == [(0,)]
    # Checked before anything else: no campaign built or approved only to be left unsent.
    assert world.rows("SELECT COUNT(*) FROM campaigns") == [(0,)]


def test_smtp_from_the_command_line_names_its_server_and_sends_once(
    world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    smtp_server,  # noqa: ANN001, F811 - the local SMTP server fixture, imported above
) -> None:
    inbox, port = smtp_server
    monkeypatch.setenv("FOREWARN_UNSUBSCRIBE_SECRET", "test-secret-for-links")
    monkeypatch.delenv("FOREWARN_SMTP_HOST", raising=False)
    code, _, err = _run(capsys, "outreach", "--as-of", AS_OF, "--approve", "--sender", "smtp")
    assert code == 2 and "FOREWARN_SMTP_HOST" in err
    assert world.rows("SELECT COUNT(*) FROM campaigns") == [(0,)]

    monkeypatch.setenv("FOREWARN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("FOREWARN_SMTP_PORT", str(port))
    # STARTTLS is on unless turned off, as with the DAGs' Connection: this local server has none.
    code, _, err = _run(capsys, "outreach", "--as-of", AS_OF, "--approve", "--sender", "smtp")
    assert code == 2 and "does not support STARTTLS" in err and not inbox.messages
    monkeypatch.setenv("FOREWARN_SMTP_STARTTLS", "0")
    code, out, err = _run(capsys, "outreach", "--as-of", AS_OF, "--approve", "--sender", "smtp")
    assert code == 0, err
    sent = world.rows("SELECT COUNT(*) FROM outreach_messages WHERE status = 'sent'")[0][0]
    assert sent > 0 and len(inbox.messages) == sent
    code, _, _ = _run(capsys, "outreach", "--as-of", AS_OF, "--approve", "--sender", "smtp")
    assert code == 0 and len(inbox.messages) == sent  # a rerun sends nothing twice
