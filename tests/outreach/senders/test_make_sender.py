"""Choosing a sender by name, with clear errors for a wrong name or option."""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach.senders import EmailSender, SenderConfigError, make_sender
from outreach.senders.outbox import OutboxSender
from outreach.senders.sendgrid_api import SendGridSender
from outreach.senders.smtp import SmtpSender


def test_outbox_is_the_default_under_forewarn_home(monkeypatch, tmp_path):
    monkeypatch.setenv("FOREWARN_HOME", str(tmp_path))
    sender = make_sender()
    assert isinstance(sender, OutboxSender) and isinstance(sender, EmailSender)
    assert Path(sender.directory) == tmp_path / "outbox"


def test_each_kind_builds_its_sender():
    assert isinstance(make_sender("sendgrid", api_key="k", timeout_seconds=3), SendGridSender)
    assert isinstance(make_sender("SMTP", host="127.0.0.1", port=2525), SmtpSender)


def test_unknown_kind_or_option_or_missing_key_is_a_clear_error():
    with pytest.raises(SenderConfigError, match="unknown sender kind 'mailgun'"):
        make_sender("mailgun")
    with pytest.raises(SenderConfigError, match="bad option for the smtp sender"):
        make_sender("smtp", hots="x")
    with pytest.raises(SenderConfigError, match="SENDGRID_API_KEY"):
        make_sender("sendgrid", api_key="")
