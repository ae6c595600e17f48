"""The receiver: only SendGrid-signed events get in (real ECDSA keys), and one-click unsubscribe works."""

from __future__ import annotations

import base64
import json
import re
import urllib.error
import urllib.request
from datetime import datetime

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import text

from outreach.delivery import send_campaign
from outreach.messages import render_message
from outreach.model import MessageContext, OutreachSettings, WorkaroundText
from outreach.senders.outbox import OutboxSender
from outreach.webhook_server import WebhookConfigError, WebhookServer
from tests.outreach.test_delivery_support import NOW, SECRET, customer_of, seed_campaign

SIGNATURE = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP = "X-Twilio-Email-Event-Webhook-Timestamp"


def key_pair() -> tuple[ec.EllipticCurvePrivateKey, str]:
    """A P-256 key and its public half as SendGrid shows it (base64 DER, no PEM armour)."""
    private = ec.generate_private_key(ec.SECP256R1())
    der = private.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, base64.b64encode(der).decode()


def sign(private: ec.EllipticCurvePrivateKey, body: bytes, timestamp: str) -> str:
    return base64.b64encode(private.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))).decode()


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def stored_events(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM email_events")).scalar_one()


@pytest.fixture
def signed_server(warehouse):
    private, public = key_pair()
    with WebhookServer(warehouse, public_key=public, unsubscribe_secret=SECRET, clock=lambda: NOW) as server:
        yield server, private


def test_a_correctly_signed_post_is_stored(signed_server, warehouse):
    server, private = signed_server
    ids = seed_campaign(warehouse, customers=1)
    body = json.dumps([{"email": "a@example.com", "timestamp": 1773133200, "event": "spamreport",
                        "sg_event_id": "e1", "message_id": ids[0], "customer_id": "c-1"}]).encode()
    timestamp = "1773133200"
    status, answer = post(server.url + "/sendgrid/events", body,
                          {SIGNATURE: sign(private, body, timestamp), TIMESTAMP: timestamp,
                           "Content-Type": "application/json"})
    assert status == 200 and json.loads(answer)["inserted"] == 1
    assert stored_events(warehouse) == 1


@pytest.mark.parametrize("attack", ["tampered_body", "other_key", "no_headers", "garbage_signature",
                                    "other_timestamp"])
def test_a_bad_or_missing_signature_is_refused_with_403_and_stores_nothing(signed_server, warehouse, attack):
    server, private = signed_server
    body = json.dumps([{"email": "a@example.com", "timestamp": 1773133200, "event": "unsubscribe",
                        "sg_event_id": "e1", "customer_id": "victim"}]).encode()
    timestamp = "1773133200"
    headers = {SIGNATURE: sign(private, body, timestamp), TIMESTAMP: timestamp}
    if attack == "tampered_body":
        body = body.replace(b"victim", b"other")
    elif attack == "other_key":
        headers[SIGNATURE] = sign(key_pair()[0], body, timestamp)
    elif attack == "no_headers":
        headers = {}
    elif attack == "garbage_signature":
        headers[SIGNATURE] = "not base64!!"
    else:
        headers[TIMESTAMP] = "1773133201"
    status, _ = post(server.url + "/sendgrid/events", body, headers)
    assert status == 403
    assert stored_events(warehouse) == 0
    with warehouse.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM suppressions")).scalar_one() == 0


def test_no_verification_key_refuses_to_start_unless_unsigned_is_allowed(warehouse):
    with pytest.raises(WebhookConfigError, match="SENDGRID_WEBHOOK_PUBLIC_KEY"):
        WebhookServer(warehouse, public_key=None, unsubscribe_secret=SECRET)
    with pytest.raises(WebhookConfigError, match="not a valid public key"):
        WebhookServer(warehouse, public_key="bm90IGEga2V5", unsubscribe_secret=SECRET)
    with WebhookServer(warehouse, public_key=None, unsubscribe_secret=SECRET, allow_unsigned=True) as server:
        status, _ = post(server.url + "/sendgrid/events", b'[{"event": "open", "timestamp": 1773133200}]')
        assert status == 200


def test_one_click_unsubscribe_from_the_emails_own_header_suppresses_the_customer(signed_server, warehouse,
                                                                                 tmp_path):
    server, _ = signed_server
    ids = seed_campaign(warehouse, customers=3)
    customer_id, email = customer_of(warehouse, ids[0])
    settings = OutreachSettings(unsubscribe_base_url=server.url + "/unsubscribe")
    message = render_message(MessageContext(
        message_id=ids[0], campaign_id="camp-1", customer_id=customer_id, email=email, name=None, locale="en",
        issue_summary="", workaround=WorkaroundText("w", "t", "1. x"), first_exposed_at=datetime(2026, 3, 3),
    ), settings, SECRET)
    link = re.search(r"<(http[^>]+)>", message.headers["List-Unsubscribe"]).group(1)

    # A mail provider's link scanner GETs the link: that changes nothing.
    status, page = get(link)
    assert status == 200 and b'method="post"' in page
    with warehouse.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM suppressions")).scalar_one() == 0

    # RFC 8058: the mailbox provider POSTs List-Unsubscribe=One-Click to the same URL.
    status, _ = post(link, b"List-Unsubscribe=One-Click", {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200
    with warehouse.connect() as conn:
        row = conn.execute(text("SELECT customer_id, reason, email, source FROM suppressions")).one()
    assert (row.customer_id, row.reason, row.email, row.source) == (customer_id, "unsubscribe", email, "one_click")

    summary = send_campaign(warehouse, "camp-1", OutboxSender(tmp_path), settings, SECRET, now=NOW)
    assert summary.sent == 2 and summary.skipped_by_reason == {"suppressed": 1}


def test_a_forged_unsubscribe_token_is_refused(signed_server, warehouse):
    server, _ = signed_server
    seed_campaign(warehouse, customers=1)
    status, _ = post(server.url + "/unsubscribe?token=Y3VzdA.forged", b"List-Unsubscribe=One-Click")
    assert status == 400
    assert get(server.url + "/unsubscribe?token=nope")[0] == 400
    with warehouse.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM suppressions")).scalar_one() == 0
    assert get(server.url + "/healthz") == (200, b"ok")


def test_forewarn_events_serve_listens_and_refuses_to_run_without_a_key(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "FOREWARN_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}", "FOREWARN_HOME": str(tmp_path),
           "FOREWARN_UNSUBSCRIBE_SECRET": SECRET, "SENDGRID_WEBHOOK_PUBLIC_KEY": key_pair()[1],
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    command = [sys.executable, "-c", "import sys; from pipeline.cli import main; sys.exit(main(sys.argv[1:]))",
               "events", "serve", "--port", "0"]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        url = re.search(r"listening on (http://\S+)", line).group(1)
        assert get(url + "/healthz") == (200, b"ok")
        assert post(url + "/sendgrid/events", b"[]")[0] == 403
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    env.pop("SENDGRID_WEBHOOK_PUBLIC_KEY")
    refused = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2
    assert refused.stderr.startswith("forewarn: error:") and "SENDGRID_WEBHOOK_PUBLIC_KEY" in refused.stderr
