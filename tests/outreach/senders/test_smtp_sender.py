"""SMTP with smtplib against a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import asyncio
import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from outreach.senders import DeliveryUnknownError, PermanentSendError, SenderConfigError, TransientSendError
from outreach.senders.smtp import SmtpSender


class Inbox:
    """An aiosmtpd handler that keeps what it accepts and can refuse or stall on demand."""

    def __init__(self) -> None:
        self.messages: list = []
        self.rcpt_reply: str | None = None
        self.data_reply: str | None = None
        self.stall_seconds = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.stall_seconds:
            await asyncio.sleep(self.stall_seconds)
        if self.data_reply:
            return self.data_reply
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"forewarn" and auth_data.password == b"s3cret"
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd sends the 535 itself


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(), authenticator=_authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def test_message_arrives_with_both_parts_and_unsubscribe_headers(smtp_server, rendered):
    inbox, port = smtp_server
    sender = SmtpSender("127.0.0.1", port, timeout_seconds=5)
    sender.send(rendered)
    sender.send(rendered.__class__(**{**rendered.__dict__, "message_id": "second"}))  # reuses the connection
    sender.close()
    assert len(inbox.messages) == 2
    mail_from, rcpt_tos, content = inbox.messages[0]
    assert mail_from == rendered.from_email and rcpt_tos == [rendered.to_email]
    email = message_from_bytes(content, policy=policy.default)
    assert [p.get_content_type() for p in email.iter_parts()] == ["text/plain", "text/html"]
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email["Subject"] == rendered.subject


def test_login_works_and_a_wrong_password_is_a_configuration_error(smtp_server, rendered):
    inbox, port = smtp_server
    SmtpSender("127.0.0.1", port, username="forewarn", password="s3cret").send(rendered)
    assert len(inbox.messages) == 1
    with pytest.raises(SenderConfigError, match="login"):
        SmtpSender("127.0.0.1", port, username="forewarn", password="wrong").send(rendered)


def test_refused_recipient_is_permanent_and_a_deferral_is_transient(smtp_server, rendered):
    inbox, port = smtp_server
    sender = SmtpSender("127.0.0.1", port)
    inbox.rcpt_reply = f"550 5.1.1 <{rendered.to_email}>: No such user"
    with pytest.raises(PermanentSendError, match="550") as refused:
        sender.send(rendered)
    assert rendered.to_email not in str(refused.value)  # errors end up in logs: no addresses
    inbox.rcpt_reply = None
    inbox.data_reply = "451 4.3.0 Try again later"
    with pytest.raises(TransientSendError) as caught:
        sender.send(rendered)
    assert not isinstance(caught.value, DeliveryUnknownError)
    assert inbox.messages == []


def test_no_answer_after_the_data_is_maybe_sent(smtp_server, rendered):
    inbox, port = smtp_server
    inbox.stall_seconds = 2.0
    with pytest.raises(DeliveryUnknownError):
        SmtpSender("127.0.0.1", port, timeout_seconds=0.5).send(rendered)


def test_unreachable_server_is_transient(rendered):
    with pytest.raises(TransientSendError) as caught:
        SmtpSender("127.0.0.1", _free_port(), timeout_seconds=1).send(rendered)
    assert not isinstance(caught.value, DeliveryUnknownError)


def test_a_long_subject_with_a_dash_arrives_without_a_double_space(smtp_server, rendered):
    inbox, port = smtp_server
    subject = "Sorry about the problem with the calendar in Acme Projects 5.14.0 – here's a workaround"
    sender = SmtpSender("127.0.0.1", port, timeout_seconds=5)
    sender.send(rendered.__class__(**{**rendered.__dict__, "subject": subject}))
    sender.close()
    assert message_from_bytes(inbox.messages[0][2], policy=policy.default)["Subject"] == subject
