"""Unsubscribe tokens only the right customer's link can carry, and a secret that is never guessed or logged."""

from __future__ import annotations

import logging
import stat

import pytest

from outreach.unsubscribe import (
    SECRET_ENV,
    InvalidToken,
    UnsubscribeSecretMissing,
    load_unsubscribe_secret,
    make_token,
    unsubscribe_url,
    verify_token,
)

SECRET = "unsubscribe-test-secret-0123456789"


def test_token_round_trips_to_the_customer_and_is_url_safe():
    token = make_token("cust/42 ü", SECRET)
    assert verify_token(token, SECRET) == "cust/42 ü"
    assert make_token("cust/42 ü", SECRET) == token  # stable: every email to them carries the same link
    assert all(ch.isalnum() or ch in "-_." for ch in token)
    assert unsubscribe_url("https://x.example/u", token).endswith(f"?token={token}")


@pytest.mark.parametrize("tamper", ["other-customer", "other-secret", "other-purpose", "garbage", "empty"])
def test_forged_or_damaged_tokens_are_refused(tamper):
    token = make_token("cust-1", SECRET)
    if tamper == "other-customer":
        # Someone swaps in another customer id but keeps the signature.
        token = make_token("cust-2", SECRET).split(".")[0] + "." + token.split(".")[1]
    elif tamper == "other-secret":
        token = make_token("cust-1", "another-secret-0123456789abcdef")
    elif tamper == "other-purpose":
        token = make_token("cust-1", SECRET, purpose="login")
    elif tamper == "garbage":
        token = "%%%.***"
    else:
        token = ""
    with pytest.raises(InvalidToken):
        verify_token(token, SECRET)


def test_secret_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv(SECRET_ENV, "  a-long-enough-secret-from-env-123  ")
    assert load_unsubscribe_secret(allow_dev_secret=False) == "a-long-enough-secret-from-env-123"


def test_real_sending_without_a_secret_fails_with_a_message_that_says_what_to_set(monkeypatch):
    monkeypatch.delenv(SECRET_ENV, raising=False)
    with pytest.raises(UnsubscribeSecretMissing, match=SECRET_ENV):
        load_unsubscribe_secret(allow_dev_secret=False)


def test_too_short_secret_is_refused(monkeypatch):
    monkeypatch.setenv(SECRET_ENV, "short")
    with pytest.raises(UnsubscribeSecretMissing, match="at least 16"):
        load_unsubscribe_secret(allow_dev_secret=True)


def test_outbox_dev_secret_is_generated_once_kept_private_and_never_logged(monkeypatch, tmp_path, caplog):
    monkeypatch.delenv(SECRET_ENV, raising=False)
    with caplog.at_level(logging.WARNING):
        first = load_unsubscribe_secret(allow_dev_secret=True, home=tmp_path)
        second = load_unsubscribe_secret(allow_dev_secret=True, home=tmp_path)
    assert first == second and len(first) >= 32
    path = tmp_path / "unsubscribe-dev-secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert SECRET_ENV in caplog.text and first not in caplog.text
