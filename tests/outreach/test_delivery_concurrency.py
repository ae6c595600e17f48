"""Two send runs on the same campaign at once (threads, then processes) never send a message twice."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter

from outreach.delivery import RetryPolicy, send_campaign
from outreach.model import OutreachSettings
from outreach.senders.local_sendgrid import LocalSendGrid
from outreach.senders.sendgrid_api import SendGridSender
from tests.outreach.test_delivery_support import NOW, SECRET, SEND_WORKER, seed_campaign, statuses, worker_env

KEY = "SG.concurrency-key"


def test_concurrent_threads_claim_disjoint_messages(warehouse):
    ids = seed_campaign(warehouse, customers=150)
    summaries, errors = [], []

    def run() -> None:
        try:
            sender = SendGridSender(KEY, host=server.url, timeout_seconds=5, max_concurrency=3)
            summaries.append(send_campaign(warehouse, "camp-1", sender, OutreachSettings(), SECRET, now=NOW,
                                           batch_size=10, retry=RetryPolicy(base_delay_seconds=0.01)))
        except Exception as exc:  # surfaced below; a thread cannot raise into the test
            errors.append(exc)

    with LocalSendGrid(api_key=KEY, latency_seconds=0.002) as server:
        threads = [threading.Thread(target=run) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert not errors
    assert server.message_ids() == Counter({mid: 1 for mid in ids})
    assert sum(s.sent for s in summaries) == 150
    assert sum(1 for s in summaries if s.sent) >= 2  # they really ran side by side
    assert set(statuses(warehouse, "camp-1").values()) == {"sent"}


def test_concurrent_processes_never_double_send(warehouse):
    ids = seed_campaign(warehouse, customers=120)
    with LocalSendGrid(api_key=KEY, latency_seconds=0.005) as server:
        env = worker_env(warehouse, server.url, KEY, WORKER_BATCH="10", WORKER_CONCURRENCY="3", WORKER_WAIT_GO="1")
        procs = [subprocess.Popen([sys.executable, "-c", SEND_WORKER, "camp-1"], env=env, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        for proc in procs:
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()[-2000:]
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outputs = [proc.communicate(timeout=120) for proc in procs]
    assert [p.returncode for p in procs] == [0, 0], [err[-2000:] for _, err in outputs]
    sent = [int(out.split("done ")[1].split()[0]) for out, _ in outputs]
    assert sum(sent) == 120 and min(sent) > 0  # both really sent, side by side
    assert server.message_ids() == Counter({mid: 1 for mid in ids})
    assert set(statuses(warehouse, "camp-1").values()) == {"sent"}
