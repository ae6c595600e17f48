"""Benchmark: one campaign of 100,000 recipients through the SendGrid path to a local SendGrid stand-in.

Targets: >= 500 messages/s rendered, sent and recorded; zero duplicates; peak RSS <= 1 GB.
The stand-in runs in its own process (as SendGrid would be elsewhere); the sender uses the real
``sendgrid`` client. Seeding the warehouse is not timed.

    .venv/bin/python benchmarks/send_campaign.py [--recipients 100000] [--concurrency 8] [--batch-size 500]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, text

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from outreach.delivery import send_campaign  # noqa: E402
from outreach.model import OutreachSettings  # noqa: E402
from outreach.senders.sendgrid_api import SendGridSender  # noqa: E402
from pipeline.warehouse import make_engine, migrate  # noqa: E402

NOW = datetime(2026, 3, 10, 9, 0, 0)
API_KEY = "SG.benchmark-key"
SECRET = "benchmark-unsubscribe-secret-0123456789"
CAMPAIGN = "bench-campaign"
STEPS = ("1. Open **Reports** and choose *Export*.\n2. Pick a date range of one week or less.\n"
         "3. Export, then repeat for the next week.\n\nStill stuck? Reply and we'll do it with you.")


def seed(engine: Engine, recipients: int) -> None:
    """Customers, an approved workaround, an approved campaign and its queued messages, in bulk."""
    locales = ("en", "de", "fr", "es", "pt-BR", None)
    context = json.dumps({"platform": "Android", "app_version": "5.2.0", "feature": "export",
                          "error_code": "E_EXPORT_409", "first_exposed_at": "2026-03-03T14:00:00"})
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM outreach_messages WHERE campaign_id = :c"), {"c": CAMPAIGN})
        conn.execute(text("DELETE FROM campaigns WHERE campaign_id = :c"), {"c": CAMPAIGN})
        conn.execute(text("DELETE FROM workarounds WHERE workaround_id = 'bench-wa'"))
        conn.execute(text("DELETE FROM customers WHERE customer_id LIKE 'bench-%'"))
        conn.execute(text("INSERT INTO workarounds (workaround_id, title, status, applies_to, body_markdown, "
                          "loaded_at) VALUES ('bench-wa', 'Export in smaller batches', 'approved', '{}', :b, :t)"),
                     {"b": STEPS, "t": NOW})
        conn.execute(text("INSERT INTO campaigns (campaign_id, workaround_id, status, created_at, approved_at, "
                          "send_cap, audience_size) VALUES (:c, 'bench-wa', 'approved', :t, :t, :n, :n)"),
                     {"c": CAMPAIGN, "t": NOW, "n": recipients})
        for start in range(0, recipients, 10_000):
            chunk = range(start, min(recipients, start + 10_000))
            conn.execute(text("INSERT INTO customers (customer_id, email, name, locale, email_opt_in, loaded_at) "
                              "VALUES (:id, :email, :name, :locale, :opt, :t)"),
                         [{"id": f"bench-{i:06d}", "email": f"customer{i:06d}@example.com",
                           "name": f"Customer{i} Example", "locale": locales[i % 6], "opt": True, "t": NOW}
                          for i in chunk])
            conn.execute(text("INSERT INTO outreach_messages (message_id, campaign_id, customer_id, is_holdout, "
                              "status, created_at, context) VALUES (:m, :c, :id, :h, 'queued', :t, :ctx)"),
                         [{"m": f"bench-msg-{i:06d}", "c": CAMPAIGN, "id": f"bench-{i:06d}", "h": False, "t": NOW,
                           "ctx": context} for i in chunk])


def start_stand_in() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "outreach.senders.local_sendgrid", "--api-key", API_KEY],
                            cwd=REPO, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    if not line.startswith("listening on "):
        proc.kill()
        raise SystemExit(f"the local SendGrid stand-in did not start: {line!r}")
    return proc, line.removeprefix("listening on ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file in a temp folder")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(args.database_url or f"sqlite:///{tmp}/bench.db")
        migrate(engine)
        started = time.perf_counter()
        seed(engine, args.recipients)
        print(f"seeded {args.recipients} queued messages in {time.perf_counter() - started:.1f}s "
              f"({engine.dialect.name})")
        server, url = start_stand_in()
        try:
            sender = SendGridSender(API_KEY, host=url, timeout_seconds=30, max_concurrency=args.concurrency)
            started = time.perf_counter()
            summary = send_campaign(engine, CAMPAIGN, sender, OutreachSettings(), SECRET, now=NOW,
                                    batch_size=args.batch_size, concurrency=args.concurrency)
            elapsed = time.perf_counter() - started
            with urllib.request.urlopen(f"{url}/_local/stats", timeout=30) as response:
                stats = json.loads(response.read())
        finally:
            server.terminate()
            server.wait(timeout=30)
        with engine.connect() as conn:
            final = Counter(dict(conn.execute(text(
                "SELECT status, COUNT(*) FROM outreach_messages WHERE campaign_id = :c GROUP BY status"),
                {"c": CAMPAIGN}).all()))
        peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        engine.dispose()

    rate = summary.sent / elapsed if elapsed else 0.0
    print(f"sent {summary.sent} in {elapsed:.1f}s = {rate:.0f} messages/s "
          f"(concurrency {args.concurrency}, batch {args.batch_size}, {summary.batches} batches)")
    print(f"ledger: {dict(final)}; campaign {summary.campaign_status}")
    print(f"stand-in: {stats['requests']} requests, {stats['unique']} unique messages, "
          f"{stats['duplicates']} duplicates")
    print(f"peak RSS of the sending process: {peak_rss_mb:.0f} MB")
    ok = (rate >= 500 and stats["duplicates"] == 0 and final.get("sent") == args.recipients
          and stats["unique"] == args.recipients and peak_rss_mb <= 1024)
    print("targets (>= 500/s, 0 duplicates, all sent, <= 1 GB):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
