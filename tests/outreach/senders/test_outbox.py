"""The outbox writes real emails a mail client opens, one file per message, never overwriting one."""

from __future__ import annotations

import dataclasses
import logging
from email import policy
from email.parser import BytesParser

from outreach.senders import make_sender
from outreach.senders.outbox import OutboxSender


def _parse(path):
    with open(path, "rb") as handle:
        return BytesParser(policy=policy.default).parse(handle)


def test_outbox_file_is_a_multipart_email_with_both_parts_and_rfc_8058_headers(tmp_path, rendered):
    result = OutboxSender(tmp_path).send(rendered)
    path = tmp_path / f"{rendered.message_id}.eml"
    assert result.provider_message_id == path.name and path.is_file()
    email = _parse(path)
    assert email.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in email.iter_parts()] == ["text/plain", "text/html"]
    assert email["Subject"] == rendered.subject  # non-ASCII survives encoding
    assert email["To"].addresses[0].addr_spec == "zoe@example.com"
    assert email["To"].addresses[0].display_name == "Zoë Müller"
    assert email["List-Unsubscribe"] == rendered.headers["List-Unsubscribe"]
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email["Message-ID"] == f"<{rendered.message_id}@forewarn.example>"
    assert email["Date"].datetime is not None
    assert email["Reply-To"] == rendered.reply_to
    assert email.get_body(("plain",)).get_content() .strip() == rendered.text.strip()
    assert "Hallo Zoë" in email.get_body(("html",)).get_content()
    assert email["Content-Language"] == "de"  # the one language of the whole message
    assert not [p for p in tmp_path.iterdir() if p.suffix != ".eml"]  # no temporary files left


def test_a_second_send_of_the_same_message_is_visible_not_overwritten(tmp_path, rendered, caplog):
    sender = make_sender("outbox", directory=tmp_path)
    sender.send(rendered)
    first = (tmp_path / f"{rendered.message_id}.eml").read_bytes()
    with caplog.at_level(logging.ERROR):
        sender.send(rendered)
    assert (tmp_path / f"{rendered.message_id}.eml").read_bytes() == first
    assert (tmp_path / f"{rendered.message_id}~2.eml").is_file()
    assert "duplicate" in caplog.text and "zoe@example.com" not in caplog.text


def test_an_internationalised_address_is_written_as_utf8_not_mangled(tmp_path, rendered):
    from dataclasses import replace

    OutboxSender(tmp_path).send(replace(rendered, to_email="zoë@example.com"))
    data = (tmp_path / f"{rendered.message_id}.eml").read_bytes()
    assert "<zoë@example.com>".encode() in data and b"=?utf-8?q?zo" not in data


def test_a_long_subject_with_a_dash_reads_back_exactly_without_a_double_space(tmp_path, rendered):
    # The email package folded such a subject just before the dash's encoded word and kept the space on
    # both lines: mail clients showed "5.14.0  – here's a workaround".
    subject = "Sorry about the problem with the calendar in Acme Projects 5.14.0 – here's a workaround"
    message = dataclasses.replace(rendered, subject=subject)
    OutboxSender(tmp_path).send(message)
    raw = (tmp_path / f"{message.message_id}.eml").read_bytes()
    assert b"\r\n " in raw.split(b"\r\n\r\n", 1)[0]  # the header is long enough to be folded
    assert _parse(tmp_path / f"{message.message_id}.eml")["Subject"] == subject
