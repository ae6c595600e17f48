"""Tell a person: Airflow notifiers that deliver the library's notices by email and a chat webhook.

The text comes from ``pipeline.notices`` (pure); these classes only find the notices in the task's
context and deliver them. Channels are Connections, so addresses and webhook URLs (secrets) stay out
of code and logs:

- ``forewarn_notify_smtp``: an SMTP connection (host, port, login, password); extra ``to`` (one address
  or a list) and ``from_email``; the SMTP provider's ``disable_tls`` / ``disable_ssl`` extras apply.
- ``forewarn_notify_slack``: a Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat): the
  URL in extra ``webhook_url`` or as the host. The notice is POSTed as JSON ``{"text": ...}``.

A missing Connection means no notification on that channel, logged once per process. A failed delivery
is logged (connection id and error class, never the address or URL) and never fails the task: the
approval and the detection matter more than the message about them.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from html import escape
from typing import Any

from airflow.sdk.bases.notifier import BaseNotifier

log = logging.getLogger(__name__)

SMTP_CONN_ID = "forewarn_notify_smtp"
WEBHOOK_CONN_ID = "forewarn_notify_slack"
WEBHOOK_TIMEOUT_S = 10
_missing_reported: set[str] = set()


class OwnerNotifier(BaseNotifier):
    """Deliver the notices a subclass finds in the context to every configured channel."""

    template_fields = ()

    def __init__(self, *, smtp_conn_id: str = SMTP_CONN_ID, webhook_conn_id: str = WEBHOOK_CONN_ID) -> None:
        super().__init__()
        self.smtp_conn_id = smtp_conn_id
        self.webhook_conn_id = webhook_conn_id

    def notices(self, context: Any) -> list[Any]:
        """The ``pipeline.notices.Notice`` objects to deliver for this context."""
        raise NotImplementedError

    def notify(self, context: Any) -> None:
        notices = self.notices(context)
        if not notices:
            return
        for conn_id, deliver in ((self.smtp_conn_id, _send_email), (self.webhook_conn_id, _post_webhook)):
            connection = _connection(conn_id)
            if connection is None:
                continue
            for notice in notices:
                try:
                    deliver(connection, notice, context)
                except Exception as exc:  # best-effort side channel: the task's own work has succeeded
                    log.error("notification through %s failed: %s", conn_id, type(exc).__name__)
                else:
                    log.info("notified through %s: %s", conn_id, notice.subject[:40])


class IncidentOpenedNotifier(OwnerNotifier):
    """On detect's success: one notice per incident the run opened (from the task's return value)."""

    def notices(self, context: Any) -> list[Any]:
        from pipeline.notices import incident_notice

        ti = context["ti"]
        result = ti.xcom_pull(task_ids=ti.task_id) or {}
        link = _ui_url(f"/dags/{ti.dag_id}/runs/{ti.run_id}")
        return [incident_notice(incident, link) for incident in result.get("opened_incidents") or []]


class ApprovalNotifier(OwnerNotifier):
    """In an approval task, once its request is written: the campaign's notice with the Required-action link."""

    def __init__(self, *, requests_task_id: str = "build_campaigns", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.requests_task_id = requests_task_id

    def notices(self, context: Any) -> list[Any]:
        from airflow.providers.standard.operators.hitl import HITLOperator

        from pipeline.notices import approval_notice

        ti = context["ti"]
        requests = ti.xcom_pull(task_ids=self.requests_task_id) or []
        if not 0 <= ti.map_index < len(requests):
            return []
        try:
            link = HITLOperator.generate_link_to_ui_from_context(context=context)
        except ValueError:  # no [api] base_url configured: the notice says where to look instead
            link = None
        return [approval_notice(requests[ti.map_index], link)]


def _connection(conn_id: str) -> Any:
    from airflow.exceptions import AirflowNotFoundException
    from airflow.sdk import Connection

    try:
        return Connection.get(conn_id)
    except AirflowNotFoundException:
        if conn_id not in _missing_reported:
            _missing_reported.add(conn_id)
            log.info("no Connection %s: notifications on that channel are off", conn_id)
        return None


def _send_email(connection: Any, notice: Any, context: Any) -> None:
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    extra = connection.extra_dejson or {}
    if not extra.get("to"):
        raise ValueError(f"Connection {connection.conn_id} has no extra 'to': add the owner's address there")
    html = "".join(f"<p>{escape(line)}</p>" for line in notice.text.splitlines())
    if notice.link:
        html += f'<p><a href="{escape(notice.link, quote=True)}">Open in Airflow</a></p>'
    # notify(), not __call__: the text may quote a pain point's label, which must not be run as a template.
    SmtpNotifier(
        to=extra["to"], from_email=extra.get("from_email"), subject=notice.subject, html_content=html,
        smtp_conn_id=connection.conn_id,
    ).notify(context)


def _post_webhook(connection: Any, notice: Any, context: Any) -> None:
    url = (connection.extra_dejson or {}).get("webhook_url") or connection.host or ""
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"Connection {connection.conn_id} needs the webhook URL in extra 'webhook_url' or as host")
    body = json.dumps({"text": f"*{notice.subject}*\n{notice.text}"}).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_S) as response:  # noqa: S310 - URL from a Connection
        response.read()


def _ui_url(path: str) -> str | None:
    from airflow.configuration import conf

    base = conf.get("api", "base_url", fallback=None)
    return base.rstrip("/") + path if base else None
