"""Send through any SMTP server with the standard library (one connection, reused between messages)."""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
import threading

from outreach.model import RenderedMessage
from outreach.senders.base import (
    DeliveryUnknownError,
    PermanentSendError,
    SenderConfigError,
    SendResult,
    TransientSendError,
)
from outreach.senders.mime import message_id_header, to_email_message

log = logging.getLogger(__name__)

_ADDRESS = re.compile(r"<?[^\s<>@]+@[^\s<>@]+>?")


class SmtpSender:
    """An EmailSender over SMTP.

    Args:
        host, port: the server (587 with ``starttls=True`` is the usual submission port).
        username, password: for AUTH; both or neither.
        starttls: upgrade the connection with STARTTLS (certificate verified) before AUTH.
        timeout_seconds: per socket operation.
        use_ssl: implicit TLS from the first byte (port 465) instead of STARTTLS.
    """

    max_concurrency = 1  # one SMTP conversation at a time on the shared connection

    def __init__(
        self,
        host: str = "localhost",
        port: int = 25,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout_seconds: float = 30.0,
        use_ssl: bool = False,
    ) -> None:
        if bool(username) != bool(password):
            raise SenderConfigError("SMTP needs both a username and a password, or neither")
        self.host, self.port = host, int(port)
        self._username, self._password = username, password
        self.starttls, self.use_ssl = bool(starttls), bool(use_ssl)
        self.timeout_seconds = float(timeout_seconds)
        self._lock = threading.Lock()
        self._conn: smtplib.SMTP | None = None

    def __repr__(self) -> str:  # never show the password
        return f"SmtpSender(host={self.host!r}, port={self.port}, starttls={self.starttls})"

    def send(self, message: RenderedMessage) -> SendResult:
        try:
            email = to_email_message(message)
        except ValueError as exc:
            raise PermanentSendError(f"message {message.message_id} cannot be written as email: {exc}") from exc
        with self._lock:
            conn = self._connection()
            try:
                conn.send_message(email)
            except smtplib.SMTPRecipientsRefused as exc:
                self._reset()
                code, reply = next(iter(exc.recipients.values()))
                raise _by_code(code, reply, message.message_id) from None
            except smtplib.SMTPSenderRefused as exc:
                self._reset()
                if 400 <= exc.smtp_code < 500:
                    raise TransientSendError(f"SMTP server deferred the sender ({exc.smtp_code})") from None
                raise SenderConfigError(f"SMTP server refused the From address ({exc.smtp_code}): "
                                        f"{_text(exc.smtp_error)}") from None
            except smtplib.SMTPResponseException as exc:  # includes SMTPDataError
                self._reset()
                raise _by_code(exc.smtp_code, exc.smtp_error, message.message_id) from None
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                # Cut off mid-conversation (possibly after the final dot): we cannot know.
                self._reset()
                raise DeliveryUnknownError(
                    f"SMTP connection to {self.host}:{self.port} lost while sending message "
                    f"{message.message_id} ({type(exc).__name__}); it may have been accepted"
                ) from None
        return SendResult(provider_message_id=message_id_header(message))

    def close(self) -> None:
        """Say QUIT and close the connection, if one is open."""
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.quit()
                except (smtplib.SMTPException, OSError):
                    pass  # closing anyway
                self._reset()

    def _connection(self) -> smtplib.SMTP:
        if self._conn is not None:
            try:
                if self._conn.noop()[0] == 250:
                    return self._conn
            except (smtplib.SMTPException, OSError):
                pass  # stale connection: open a new one below
            self._reset()
        self._conn = self._connect()
        return self._conn

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        conn: smtplib.SMTP | None = None
        try:
            if self.use_ssl:
                conn = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout_seconds, context=context)
            else:
                conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout_seconds)
            conn.ehlo()
            if self.starttls:
                conn.starttls(context=context)
                conn.ehlo()
            if self._username:
                conn.login(self._username, self._password or "")
            return conn
        except smtplib.SMTPAuthenticationError as exc:
            _quietly_close(conn)
            raise SenderConfigError(f"SMTP login to {self.host}:{self.port} refused ({exc.smtp_code})") from None
        except smtplib.SMTPNotSupportedError as exc:
            _quietly_close(conn)
            raise SenderConfigError(f"SMTP server {self.host}:{self.port} does not support {exc}") from None
        except ssl.SSLCertVerificationError as exc:
            _quietly_close(conn)
            raise SenderConfigError(f"TLS certificate of {self.host} not trusted: {exc.verify_message}") from None
        except (smtplib.SMTPException, OSError) as exc:
            _quietly_close(conn)
            # Nothing was handed over yet: safe to retry.
            raise TransientSendError(f"cannot reach SMTP server {self.host}:{self.port}: {exc}") from None

    def _reset(self) -> None:
        _quietly_close(self._conn)
        self._conn = None


def _by_code(code: int, reply: bytes | str, message_id: str) -> Exception:
    if 400 <= code < 500:
        return TransientSendError(f"SMTP server deferred message {message_id} ({code}): {_text(reply)}")
    return PermanentSendError(f"SMTP server refused message {message_id} ({code}): {_text(reply)}")


def _text(reply: bytes | str) -> str:
    """A server reply for errors and logs, with any email address in it (servers quote them) hidden."""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return _ADDRESS.sub("<address>", text)[:300]


def _quietly_close(conn: smtplib.SMTP | None) -> None:
    if conn is not None:
        try:
            conn.close()
        except OSError:
            pass  # already gone
