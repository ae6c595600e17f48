"""The real SendGrid client against a local server that checks SendGrid's v3 request shape."""

from __future__ import annotations

import logging
import socket
import time

import pytest

from outreach.senders import (
    DeliveryUnknownError,
    PermanentSendError,
    SenderConfigError,
    TransientSendError,
)
from outreach.senders.local_sendgrid import validate_mail_send
from outreach.senders.sendgrid_api import SendGridSender, _retry_after, sendgrid_payload
from tests.outreach.senders.conftest import API_KEY


@pytest.fixture(params=[True, False], ids=["keep-alive", "connection-per-request"])
def keep_alive(request) -> bool:
    return request.param


def sender_for(server, keep_alive: bool, **kwargs) -> SendGridSender:
    return SendGridSender(API_KEY, host=server.url, timeout_seconds=kwargs.pop("timeout_seconds", 2.0),
                          keep_alive=keep_alive, **kwargs)


def test_accepted_message_returns_sendgrids_message_id_and_the_request_has_the_v3_shape(sendgrid_server, rendered, keep_alive):
    result = sender_for(sendgrid_server, keep_alive).send(rendered)
    (payload,) = sendgrid_server.received
    assert result.provider_message_id == payload["_x_message_id"]
    assert payload["personalizations"] == [{
        "to": [{"email": "zoe@example.com", "name": "Zoë Müller"}],
        "custom_args": {"message_id": "0a1b2c3d4e5f", "campaign_id": "camp-7", "customer_id": "cust-9"},
    }]
    assert payload["from"] == {"email": rendered.from_email, "name": rendered.from_name}
    assert payload["reply_to"] == {"email": rendered.reply_to}
    assert payload["subject"] == rendered.subject
    assert [c["type"] for c in payload["content"]] == ["text/plain", "text/html"]
    assert payload["content"][0]["value"] == rendered.text
    assert payload["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert payload["headers"]["List-Unsubscribe"] == rendered.headers["List-Unsubscribe"]
    assert payload["custom_args"]["message_id"] == "0a1b2c3d4e5f"
    assert payload["categories"] == ["forewarn-outreach"]


def test_local_server_rejects_what_sendgrid_rejects(rendered):
    payload = sendgrid_payload(rendered)
    assert validate_mail_send(payload) == []
    broken = {**payload, "content": list(reversed(payload["content"])), "headers": {"From": "x"}}
    fields = {e["field"] for e in validate_mail_send(broken)}
    assert {"content.0.type", "headers.From"} <= fields
    assert validate_mail_send({**payload, "personalizations": []})[0]["field"] == "personalizations"


def test_rate_limit_is_transient_and_honours_the_reset_header(sendgrid_server, rendered, keep_alive):
    sendgrid_server.script("429")
    with pytest.raises(TransientSendError) as caught:
        sender_for(sendgrid_server, keep_alive).send(rendered)
    assert not isinstance(caught.value, DeliveryUnknownError)
    assert 0 <= caught.value.retry_after_seconds <= 1.0
    assert sendgrid_server.received == []


def test_server_error_is_transient_and_nothing_was_accepted(sendgrid_server, rendered, keep_alive):
    sendgrid_server.script("500")
    with pytest.raises(TransientSendError) as caught:
        sender_for(sendgrid_server, keep_alive).send(rendered)
    assert not isinstance(caught.value, DeliveryUnknownError)
    assert sendgrid_server.received == []


def test_bad_request_is_permanent_with_sendgrids_own_words_and_never_the_key(sendgrid_server, rendered, keep_alive):
    sendgrid_server.script("400")
    with pytest.raises(PermanentSendError) as caught:
        sender_for(sendgrid_server, keep_alive).send(rendered)
    assert "does not match a verified Sender Identity" in str(caught.value)
    assert "(400)" in str(caught.value)
    assert API_KEY not in str(caught.value) and "zoe@example.com" not in str(caught.value)


def test_a_hung_request_times_out_as_maybe_sent(sendgrid_server, rendered, keep_alive):
    sendgrid_server.script("hang")
    started = time.monotonic()
    with pytest.raises(DeliveryUnknownError, match="may have been accepted"):
        sender_for(sendgrid_server, keep_alive, timeout_seconds=0.3).send(rendered)
    assert time.monotonic() - started < 2.0
    assert len(sendgrid_server.received) == 1  # it did arrive: resending would duplicate it


def test_a_connection_cut_after_the_request_is_maybe_sent(sendgrid_server, rendered, keep_alive):
    sendgrid_server.script("drop")
    with pytest.raises(DeliveryUnknownError):
        sender_for(sendgrid_server, keep_alive).send(rendered)


def test_nobody_listening_is_transient_not_unknown(rendered, keep_alive):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TransientSendError) as caught:
        SendGridSender(API_KEY, host=f"http://127.0.0.1:{port}", timeout_seconds=1,
                       keep_alive=keep_alive).send(rendered)
    assert not isinstance(caught.value, DeliveryUnknownError)


def test_a_wrong_key_is_a_configuration_error_not_a_failed_message(sendgrid_server, rendered, keep_alive):
    with pytest.raises(SenderConfigError, match="401"):
        SendGridSender("SG.wrong", host=sendgrid_server.url, keep_alive=keep_alive).send(rendered)


def test_the_api_key_never_reaches_the_logs_even_at_debug(sendgrid_server, rendered, caplog, keep_alive):
    with caplog.at_level(logging.DEBUG):
        sender = sender_for(sendgrid_server, keep_alive)
        sender.send(rendered)
    assert API_KEY not in caplog.text and API_KEY not in repr(sender)


def test_retry_after_reads_seconds_dates_and_reset_epochs():
    assert _retry_after({"Retry-After": "7"}) == 7.0
    assert 58 <= _retry_after({"X-RateLimit-Reset": str(time.time() + 60)}) <= 60
    assert _retry_after({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0  # in the past
    assert _retry_after({}) is None


def test_keep_alive_reuses_one_connection_and_survives_a_server_side_close(sendgrid_server, rendered):
    sender = sender_for(sendgrid_server, True)
    for _ in range(5):
        sender.send(rendered)
    assert sendgrid_server.connections == 1
    sendgrid_server.script("202-then-close")
    sender.send(rendered)
    sendgrid_server.wait_idle()  # the server's thread closes the socket a moment after its reply
    # The pooled connection is now closed by the server: the sender must notice before reusing it,
    # not send into a dead socket and report "maybe sent".
    sender.send(rendered)
    assert sendgrid_server.connections == 2 and len(sendgrid_server.received) == 7


def test_without_keep_alive_every_message_opens_a_connection(sendgrid_server, rendered):
    sender = sender_for(sendgrid_server, False)
    for _ in range(3):
        sender.send(rendered)
    assert sendgrid_server.connections == 3
