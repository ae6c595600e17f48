"""Airflow glue for the Zendesk pull: the provider hook's authenticated session, handed to the library.

Imported inside the task only. The Connection ``forewarn_zendesk`` is an ordinary Zendesk connection of
``apache-airflow-providers-zendesk`` (host ``<subdomain>.zendesk.com``, login, API token); its extra may
carry ``base_url`` to reach Zendesk through a proxy (the tests use it to reach a local server).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

ZENDESK_CONN_ID = "forewarn_zendesk"


def pull_interval(landing: str, start: datetime | None, end: datetime | None) -> dict[str, object]:
    """Land the interval's ticket pages under ``landing`` and return a small summary for XCom."""
    from airflow.providers.zendesk.hooks.zendesk import ZendeskHook

    from forewarn_tasks.runtime import warehouse_engine
    from pipeline.pull import ZendeskPullSettings, pull_tickets

    hook = ZendeskHook(zendesk_conn_id=ZENDESK_CONN_ID)
    connection = hook.get_connection(ZENDESK_CONN_ID)
    base_url = (connection.extra_dejson or {}).get("base_url") or f"https://{(connection.host or '').strip('/')}"
    # Zenpy keeps one authenticated requests.Session for all its endpoints; the export uses it as is.
    session = hook.get_conn().tickets.session
    report = pull_tickets(session, warehouse_engine(), Path(landing), start, end, ZendeskPullSettings(base_url))
    return {"folder": str(report.folder), "pages": report.pages, "tickets": report.tickets,
            "resumed": report.resumed, "already_complete": report.already_complete}
