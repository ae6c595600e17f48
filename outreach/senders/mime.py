"""A RenderedMessage as an RFC 5322 email (multipart/alternative, plain text then HTML)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from outreach.model import RenderedMessage


def message_id_header(message: RenderedMessage) -> str:
    """A stable Message-ID: the same ledger message always gets the same one, so duplicates show."""
    domain = message.from_email.rpartition("@")[2] or "forewarn.invalid"
    return f"<{message.message_id}@{domain}>"


def to_email_message(message: RenderedMessage, *, date: datetime | None = None) -> EmailMessage:
    """Build the MIME message; header values are folded and encoded by the email package.

    Raises:
        ValueError: a header value contains a line break (header injection).
    """
    email = EmailMessage()
    email["From"] = _address(message.from_name, message.from_email)
    email["To"] = _address(message.to_name or "", message.to_email)
    email["Reply-To"] = message.reply_to
    email["Subject"] = message.subject
    email["Date"] = format_datetime(date or datetime.now(UTC))
    email["Message-ID"] = message_id_header(message)
    for name, value in message.headers.items():
        email[name] = value
    email["X-Forewarn-Message-Id"] = message.custom_args.get("message_id", message.message_id)
    if "campaign_id" in message.custom_args:
        email["X-Forewarn-Campaign-Id"] = message.custom_args["campaign_id"]
    email.set_content(message.text, subtype="plain", charset="utf-8")
    email.add_alternative(message.html, subtype="html", charset="utf-8")
    # After the parts exist: making the message multipart moves every Content-* header into the first part.
    email["Content-Language"] = message.locale
    return email


def _address(display_name: str, email: str) -> Address:
    # Split by hand: Address(addr_spec=...) refuses internationalised (RFC 6531) mailbox names.
    local, at, domain = email.strip().rpartition("@")
    if not at or not local or not domain:
        raise ValueError(f"not an email address (no local part and domain): {len(email)} characters")
    return Address(display_name=display_name, username=local, domain=domain)
