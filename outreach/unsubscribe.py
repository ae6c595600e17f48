"""Signed per-customer unsubscribe tokens, and the secret they are signed with.

A token is ``<customer id, urlsafe base64>.<HMAC-SHA256 over purpose and customer id, urlsafe base64>``:
the one-click endpoint learns whom to suppress from the token alone, and nobody can forge one for
another customer without the secret. The secret comes from ``FOREWARN_UNSUBSCRIBE_SECRET``; the outbox
(no real email leaves the machine) may use a generated development secret kept under ``$FOREWARN_HOME``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path
from urllib.parse import quote, urlencode

log = logging.getLogger(__name__)

SECRET_ENV = "FOREWARN_UNSUBSCRIBE_SECRET"
DEV_SECRET_FILE = "unsubscribe-dev-secret"
PURPOSE = "unsubscribe"
MIN_SECRET_CHARS = 16


class UnsubscribeSecretMissing(RuntimeError):
    """No usable signing secret: real email must not go out with unverifiable unsubscribe links."""


class InvalidToken(ValueError):
    """The token is malformed or its signature does not match."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, customer_id: str, purpose: str) -> bytes:
    # The NUL separator keeps ("ab", "c") and ("a", "bc") from signing the same bytes.
    message = f"{purpose}\x00{customer_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def make_token(customer_id: str, secret: str, purpose: str = PURPOSE) -> str:
    """The signed token for ``customer_id``; stable, so every email to them carries the same one."""
    if not secret:
        raise UnsubscribeSecretMissing("cannot sign an unsubscribe token with an empty secret")
    return f"{_b64(customer_id.encode())}.{_b64(_mac(secret, customer_id, purpose))}"


def verify_token(token: str, secret: str, purpose: str = PURPOSE) -> str:
    """The customer id inside ``token`` when its signature is valid (constant-time comparison).

    Raises:
        InvalidToken: malformed, or signed with another secret or for another purpose.
    """
    head, sep, tail = (token or "").strip().partition(".")
    if not sep or not head or not tail:
        raise InvalidToken("unsubscribe token is malformed: expected '<customer>.<signature>'")
    try:
        customer_id = _unb64(head).decode()
        signature = _unb64(tail)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidToken("unsubscribe token is not valid base64") from exc
    if not hmac.compare_digest(signature, _mac(secret, customer_id, purpose)):
        raise InvalidToken("unsubscribe token signature does not match")
    return customer_id


def unsubscribe_url(base_url: str, token: str) -> str:
    """The https link for one-click (POST) and visible (GET) unsubscribe."""
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}{urlencode({'token': token})}"


def unsubscribe_mailto(address: str, token: str) -> str:
    """The mailto: alternative of ``List-Unsubscribe`` (RFC 2369), carrying the token in the subject."""
    return f"mailto:{address}?subject={quote('unsubscribe ' + token)}"


def load_unsubscribe_secret(*, allow_dev_secret: bool, home: Path | None = None) -> str:
    """The signing secret from ``FOREWARN_UNSUBSCRIBE_SECRET``.

    Args:
        allow_dev_secret: when the variable is unset, use (or create) a random secret kept in
            ``$FOREWARN_HOME/unsubscribe-dev-secret`` with a warning; only for the outbox and local servers.
        home: the Forewarn home folder (default ``$FOREWARN_HOME`` or ``./var``).

    Raises:
        UnsubscribeSecretMissing: unset (or too short) and no development secret allowed.
    """
    secret = os.environ.get(SECRET_ENV, "").strip()
    if secret:
        if len(secret) < MIN_SECRET_CHARS:
            raise UnsubscribeSecretMissing(
                f"{SECRET_ENV} is only {len(secret)} characters: use at least {MIN_SECRET_CHARS} random "
                "characters, e.g. the output of: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        return secret
    if not allow_dev_secret:
        raise UnsubscribeSecretMissing(
            f"{SECRET_ENV} is not set: real email needs a secret to sign unsubscribe links. Set it to 32+ random "
            "characters (python -c 'import secrets; print(secrets.token_urlsafe(32))'), the same value for the "
            "senders and the webhook server."
        )
    return _dev_secret(home or Path(os.environ.get("FOREWARN_HOME") or Path.cwd() / "var"))


def _dev_secret(home: Path) -> str:
    path = home / DEV_SECRET_FILE
    if not path.is_file():
        home.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp-{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
        try:
            os.link(tmp, path)  # no-clobber: a concurrent first run keeps the secret that won
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    log.warning(
        "%s is not set: signing unsubscribe links with the development secret in %s (outbox only; set the "
        "variable before sending real email)", SECRET_ENV, path,
    )
    return path.read_text().strip()
