"""Warehouse rows for the send-ledger tests, inserted with plain SQL (no campaign builder needed).

Imported by the delivery, webhook and chaos tests as ``tests.outreach.test_delivery_support``; it holds
no tests itself.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, text

NOW = datetime(2026, 3, 10, 9, 0, 0)
SECRET = "test-unsubscribe-secret-0123456789"
STEPS = "1. Open **Reports** and choose *Export*.\n2. Pick a date range of one week or less.\n3. Repeat."
# The seeded workaround's translations, as loading stores them (see outreach.workaround_lint).
TRANSLATIONS = json.dumps({
    "de": {"title": "In kleineren Teilen exportieren", "steps": "1. Öffnen Sie **Berichte**.\n2. Wählen Sie eine Woche.\n3. Wiederholen Sie das."},
    "fr": {"title": "Exporter par petits lots", "steps": "1. Ouvrez **Rapports**.\n2. Choisissez une semaine.\n3. Recommencez."},
    "es": {"title": "Exportar en partes más pequeñas", "steps": "1. Abra **Informes**.\n2. Elija una semana.\n3. Repita."},
}, ensure_ascii=False)
PROFILE_YAML = """\
product: Acme
team: The Acme support team
locales:
  en: {features: {export: exports}}
  de: {team: Ihr Acme-Team, features: {export: der Export}}
  fr: {team: L'équipe Acme, features: {export: l'export}}
  es: {team: El equipo de Acme, features: {export: la exportación}}
"""


def write_profile(folder: Path) -> Path:
    """A product profile naming the seeded campaign's feature in every shipped language."""
    path = folder / "profile.yaml"
    path.write_text(PROFILE_YAML, encoding="utf-8")
    return path


def message_id_for(campaign_id: str, customer_id: str) -> str:
    """The ledger's idempotency key for (campaign, customer)."""
    return hashlib.sha256(f"{campaign_id}\x00{customer_id}".encode()).hexdigest()[:32]


def seed_campaign(
    engine: Engine,
    campaign_id: str = "camp-1",
    *,
    customers: int = 10,
    holdout: int = 0,
    status: str = "approved",
    send_cap: int | None = None,
    workaround_status: str = "approved",
    locales: tuple[str | None, ...] = ("en", "de", "fr", "es", "pt-BR", None),
) -> list[str]:
    """A campaign with ``customers`` queued messages (+ ``holdout`` held out); returns the queued message ids."""
    workaround_id = f"wa-{campaign_id}"
    people = [
        {
            "customer_id": f"{campaign_id}-cust-{i:05d}",
            "email": f"person{i:05d}.{campaign_id}@example.com",
            "name": f"Person{i} Example",
            "locale": locales[i % len(locales)],
            "email_opt_in": True,
            "loaded_at": NOW,
        }
        for i in range(customers + holdout)
    ]
    messages = []
    for i, person in enumerate(people):
        is_holdout = i >= customers
        messages.append({
            "message_id": message_id_for(campaign_id, person["customer_id"]),
            "campaign_id": campaign_id,
            "customer_id": person["customer_id"],
            "is_holdout": is_holdout,
            "status": "held_out" if is_holdout else "queued",
            "created_at": NOW,
            "context": json.dumps({
                "platform": "Android", "app_version": "5.2.0", "feature": "export",
                "error_code": "E_EXPORT_409", "first_exposed_at": "2026-03-03T14:00:00",
            }),
        })
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO workarounds (workaround_id, title, status, applies_to, body_markdown, translations, loaded_at) "
            "VALUES (:workaround_id, :title, :status, '{}', :body, :translations, :loaded_at)"
        ), {"workaround_id": workaround_id, "title": "Export in smaller batches", "status": workaround_status,
            "body": STEPS, "translations": TRANSLATIONS, "loaded_at": NOW})
        conn.execute(text(
            "INSERT INTO campaigns (campaign_id, workaround_id, status, created_at, approved_at, send_cap, "
            "audience_size, holdout_size) VALUES (:campaign_id, :workaround_id, :status, :now, :now, :send_cap, "
            ":audience, :holdout)"
        ), {"campaign_id": campaign_id, "workaround_id": workaround_id, "status": status, "now": NOW,
            "send_cap": send_cap, "audience": customers, "holdout": holdout})
        if people:
            conn.execute(text(
                "INSERT INTO customers (customer_id, email, name, locale, email_opt_in, loaded_at) "
                "VALUES (:customer_id, :email, :name, :locale, :email_opt_in, :loaded_at)"
            ), people)
            conn.execute(text(
                "INSERT INTO outreach_messages (message_id, campaign_id, customer_id, is_holdout, status, "
                "created_at, context) VALUES (:message_id, :campaign_id, :customer_id, :is_holdout, :status, "
                ":created_at, :context)"
            ), messages)
    return [m["message_id"] for m in messages if not m["is_holdout"]]


def statuses(engine: Engine, campaign_id: str) -> dict[str, str]:
    """message_id -> status for every message of the campaign."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT message_id, status FROM outreach_messages WHERE campaign_id = :c"),
                            {"c": campaign_id})
        return {row.message_id: row.status for row in rows}


def campaign_status(engine: Engine, campaign_id: str) -> str:
    with engine.connect() as conn:
        return conn.execute(text("SELECT status FROM campaigns WHERE campaign_id = :c"), {"c": campaign_id}).scalar_one()


def set_campaign_status(engine: Engine, campaign_id: str, status: str) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE campaigns SET status = :s WHERE campaign_id = :c"), {"s": status, "c": campaign_id})


def customer_of(engine: Engine, message_id: str) -> tuple[str, str]:
    """(customer_id, email) of a message."""
    with engine.connect() as conn:
        row = conn.execute(text(
            "SELECT m.customer_id, c.email FROM outreach_messages m JOIN customers c ON c.customer_id = m.customer_id "
            "WHERE m.message_id = :m"), {"m": message_id}).one()
        return row.customer_id, row.email


# A send run in its own process: prints "ready" once imports and the engine are done, then sends.
SEND_WORKER = """
import os, sys
from datetime import datetime
from pathlib import Path
from sqlalchemy import create_engine
from pipeline.warehouse import make_engine
from outreach.delivery import RetryPolicy, send_campaign
from outreach.model import OutreachSettings
from outreach.senders.sendgrid_api import SendGridSender

url, schema = os.environ["WORKER_DB_URL"], os.environ.get("WORKER_DB_SCHEMA")
engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"}) if schema else make_engine(url)
sender = SendGridSender(os.environ["WORKER_API_KEY"], host=os.environ["WORKER_SENDGRID"], timeout_seconds=5,
                        max_concurrency=int(os.environ.get("WORKER_CONCURRENCY", "4")))
print("ready", flush=True)
if os.environ.get("WORKER_WAIT_GO"):
    sys.stdin.readline()  # start together with the other workers
summary = send_campaign(engine, sys.argv[1], sender, OutreachSettings(send_cap_per_campaign=10**6),
                        os.environ["WORKER_SECRET"], now=datetime.fromisoformat(os.environ["WORKER_NOW"]),
                        batch_size=int(os.environ.get("WORKER_BATCH", "20")),
                        retry=RetryPolicy(base_delay_seconds=0.01, max_delay_seconds=0.5))
print("done", summary.sent, summary.stopped_reason, flush=True)
"""


def worker_env(engine: Engine, sendgrid_url: str, api_key: str, **extra: str) -> dict[str, str]:
    """Environment for SEND_WORKER: the same warehouse (and PostgreSQL schema) and the local SendGrid."""
    import os
    from pathlib import Path

    env = dict(os.environ)
    env.update({
        "WORKER_DB_URL": engine.url.render_as_string(hide_password=False),
        "WORKER_SENDGRID": sendgrid_url, "WORKER_API_KEY": api_key, "WORKER_SECRET": SECRET,
        "WORKER_NOW": NOW.isoformat(), "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    })
    env.pop("WORKER_DB_SCHEMA", None)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            env["WORKER_DB_SCHEMA"] = conn.execute(text("SELECT current_schema()")).scalar_one()
    env.update(extra)
    return env
