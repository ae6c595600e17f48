"""The embedded default sender: one ``.eml`` file per message in a folder, no account needed."""

from __future__ import annotations

import logging
import os
import re
import uuid
from pathlib import Path

from outreach.model import RenderedMessage
from outreach.senders.base import PermanentSendError, SendResult
from outreach.senders.mime import SMTP_POLICY, SMTPUTF8_POLICY, to_email_message

log = logging.getLogger(__name__)

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


class OutboxSender:
    """Write each message to ``<directory>/<message_id>.eml`` atomically (temporary file, fsync, link).

    The file name comes from the ledger's message id, so a second send of the same message can never
    overwrite the first silently: it lands beside it as ``<message_id>~2.eml`` with an error in the log.
    """

    max_concurrency = 1

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def send(self, message: RenderedMessage) -> SendResult:
        try:
            email = to_email_message(message)
        except ValueError as exc:
            raise PermanentSendError(f"message {message.message_id} cannot be written as email: {exc}") from exc
        # A non-ASCII mailbox name (RFC 6531) only exists in UTF-8 headers; otherwise plain 7-bit headers.
        ascii_only = message.to_email.isascii() and message.from_email.isascii()
        data = email.as_bytes(policy=SMTP_POLICY if ascii_only else SMTPUTF8_POLICY)
        stem = _SAFE_NAME.sub("_", message.message_id)
        tmp = self.directory / f".{stem}.{uuid.uuid4().hex}.tmp"
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            path = self._link_unique(tmp, stem)
        finally:
            tmp.unlink(missing_ok=True)
        return SendResult(provider_message_id=path.name)

    def _link_unique(self, tmp: Path, stem: str) -> Path:
        # os.link never replaces an existing file, unlike rename: a duplicate stays visible.
        for attempt in range(1, 1000):
            path = self.directory / (f"{stem}.eml" if attempt == 1 else f"{stem}~{attempt}.eml")
            try:
                os.link(tmp, path)
            except FileExistsError:
                continue
            if attempt > 1:
                log.error("outbox: message %s written again as %s (a duplicate send)", stem, path.name)
            return path
        raise PermanentSendError(f"outbox: too many copies of message {stem} in {self.directory}")
