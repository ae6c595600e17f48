"""A RenderedMessage as an RFC 5322 email (multipart/alternative, plain text then HTML)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime

from outreach.model import RenderedMessage


class _SubjectPolicy(EmailPolicy):
    """The email package's policy, with a non-ASCII subject written as encoded words only.

    Its own folder may break a long subject just before an encoded word and keep the space on both
    lines ("... 5.14.0 " CRLF " =?utf-8?b?4oCT?= here's ..."): a reader then sees two spaces before the
    dash. Encoded words next to each other join without the space between them, so a subject written
    wholly as encoded words reads back exactly as written. With ``utf8`` (RFC 6531) no word is encoded
    and the folder is right.
    """

    def fold(self, name: str, value: str) -> str:
        return self._encoded_subject(name, value) or super().fold(name, value)

    def fold_binary(self, name: str, value: str) -> bytes:
        folded = self._encoded_subject(name, value)
        return folded.encode("ascii") if folded else super().fold_binary(name, value)

    def _encoded_subject(self, name: str, value: str) -> str | None:
        text = str(value)
        if name.lower() != "subject" or self.utf8 or text.isascii():
            return None
        return f"{name}: {Header(text, 'utf-8', header_name=name).encode(linesep=self.linesep)}{self.linesep}"


EMAIL_POLICY = _SubjectPolicy()
"""The policy every Forewarn email is built with (``policy.default`` but for the subject, above)."""
SMTP_POLICY = EMAIL_POLICY.clone(linesep="\r\n")
"""``EMAIL_POLICY`` with the CRLF line ends files and SMTP want."""
SMTPUTF8_POLICY = SMTP_POLICY.clone(utf8=True)
"""``SMTP_POLICY`` with UTF-8 headers, for an internationalised (RFC 6531) address."""


def message_id_header(message: RenderedMessage) -> str:
    """A stable Message-ID: the same ledger message always gets the same one, so duplicates show."""
    domain = message.from_email.rpartition("@")[2] or "forewarn.invalid"
    return f"<{message.message_id}@{domain}>"


def to_email_message(message: RenderedMessage, *, date: datetime | None = None) -> EmailMessage:
    """Build the MIME message; header values are folded and encoded by the email package.

    Raises:
        ValueError: a header value contains a line break (header injection).
    """
    email = EmailMessage(policy=EMAIL_POLICY)
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
