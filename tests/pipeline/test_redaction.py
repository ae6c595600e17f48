"""PII redaction: what is removed from ticket text, and what must survive for pain-point detection."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.redaction import redact, redact_text


@pytest.mark.parametrize(
    ("text", "secret", "placeholder"),
    [
        ("Write to jane.doe+billing@example.co.uk today", "jane.doe", "[email]"),
        ("Mail me: JOHN_SMITH@Mail.Example.com.", "JOHN_SMITH", "[email]"),
        ("Call +44 20 7946 0958 please", "7946", "[phone]"),
        ("my number is (555) 123-4567", "123-4567", "[phone]"),
        ("or 555.123.4567 after six", "555.123", "[phone]"),
        ("ring 0049 30 1234567", "1234567", "[phone]"),
        ("card 4111 1111 1111 1111 was charged", "4111", "[card number]"),
        ("card 5500-0000-0000-0004 declined", "5500", "[card number]"),
        ("card 4111111111111111 declined", "4111111111111111", "[card number]"),
        ("IBAN DE89 3704 0044 0532 0130 00 for the refund", "3704", "[iban]"),
        ("IBAN GB29NWBK60161331926819 please", "NWBK", "[iban]"),
        ("reset via https://app.example.com/reset?token=abc123XYZ now", "abc123XYZ", "[url]"),
        ("see www.example.com/share?sid=s3cr3t", "s3cr3t", "[url]"),
        ("<p>Hi <b>team</b>, I'm <a href='mailto:x@y.io'>x@y.io</a></p>", "x@y.io", "[email]"),
        ("encoded jane&#64;example.com address", "jane", "[email]"),
    ],
)
def test_personal_data_is_replaced(text: str, secret: str, placeholder: str) -> None:
    redacted = redact_text(text)
    assert secret not in redacted and placeholder in redacted


def test_html_is_reduced_to_text_and_scripts_dropped() -> None:
    redacted = redact_text("<div><script>steal('x')</script><style>p{}</style><p>Export &amp; import</p><br/>fail</div>")
    assert redacted == "Export & import fail"


@pytest.mark.parametrize(
    "text",
    [
        "Since 2026-01-05 the export fails",
        "on 05.01.2026 and 12/01/2026 it crashed at 10:22:33",
        "timestamp 2026-01-05T10:22:33Z in the log",
        "version 5.13.0, build 5.13.0.1234, Chrome 116.0.5845.96, macOS 10.15.7",
        "error E-CRASH-SQLITE, code 0x80070005, HTTP 500, E1042, ERR_TIMEOUT",
        "order 123456789 and ticket T000123",
        "between 2026-01-05 - 2026-01-07 on 5.13.0",
    ],
)
def test_dates_versions_and_error_codes_are_left_alone(text: str) -> None:
    assert redact_text(text) == text


def test_a_phone_next_to_a_date_is_redacted_and_the_date_kept() -> None:
    assert redact_text("2026-01-05 555-123-4567") == "2026-01-05 [phone]"


def test_series_keep_their_index_and_missing_values() -> None:
    values = pd.Series(["mail a@b.io", None, "fine"], index=[7, 8, 9], dtype="str")
    redacted = redact(values)
    assert redacted.index.tolist() == [7, 8, 9]
    assert redacted.iloc[0] == "mail [email]" and redacted.iloc[1] is None and redacted.iloc[2] == "fine"


def test_whitespace_is_tidied_but_paragraphs_kept() -> None:
    assert redact_text("Hello  \t there\n\n\n\nsecond   paragraph ") == "Hello there\n\nsecond paragraph"
