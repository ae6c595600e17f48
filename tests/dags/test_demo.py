"""The demo path end to end: simulate, every DAG through Airflow, then report, outbox and warehouse agree."""

from __future__ import annotations

import email
import os
import subprocess
import sys
from email import policy
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

FOREWARN = Path(sys.executable).parent / "forewarn"


def _demo(home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.update(
        FOREWARN_HOME=str(home),
        AIRFLOW_HOME=str(home / "airflow"),
        AIRFLOW_VAR_FOREWARN_EMBEDDER="tfidf",  # MiniLM is exercised by the pain-point tests; keep this fast
    )
    env.pop("FOREWARN_DATABASE_URL", None)
    command = [str(FOREWARN), "demo", "--customers", "500", "--days", "18", "--replay-days", "3"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=1500)


@pytest.mark.slow
@pytest.mark.integration
def test_demo_runs_every_dag_and_report_outbox_and_warehouse_agree(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = _demo(home)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    for dag_id in ("forewarn_ingest", "forewarn_detect", "forewarn_outreach", "forewarn_measure", "forewarn_report"):
        assert f"{dag_id}: success" in first.stdout
    reports = sorted((home / "reports").glob("*.html"))
    assert reports, "the demo must write the report"
    emails = sorted((home / "outbox").glob("*.eml"))
    engine = create_engine(f"sqlite:///{home / 'warehouse.db'}")
    with engine.connect() as connection:
        sent = connection.execute(text("SELECT message_id FROM outreach_messages WHERE status = 'sent'")).scalars().all()
        holdout = connection.execute(
            text("SELECT campaign_id, COUNT(*) FROM outreach_messages WHERE is_holdout GROUP BY campaign_id")
        ).all()
        holdout_sizes = dict(
            connection.execute(text("SELECT campaign_id, holdout_size FROM campaigns WHERE holdout_size > 0")).all()
        )
        to_opted_out = connection.execute(
            text(
                "SELECT COUNT(*) FROM outreach_messages m JOIN customers c USING (customer_id) "
                "WHERE m.status = 'sent' AND NOT c.email_opt_in"
            )
        ).scalar()
        # Suppression rows are stamped when the event was received (the demo's clock); compare with the
        # time of the bounce/complaint/unsubscribe event itself.
        suppressed_before_send = connection.execute(
            text(
                "SELECT COUNT(*) FROM outreach_messages m JOIN email_events e ON e.customer_id = m.customer_id "
                "WHERE m.status = 'sent' AND e.occurred_at < m.sent_at AND e.event IN "
                "('bounce', 'dropped', 'spamreport', 'unsubscribe', 'group_unsubscribe')"
            )
        ).scalar()
    assert len(sent) > 0, "the simulated incidents must lead to sent emails"
    assert sorted(p.stem for p in emails) == sorted(sent), "one .eml per sent message, nothing else"
    assert dict(holdout) == holdout_sizes
    assert to_opted_out == 0
    assert suppressed_before_send == 0
    report = reports[-1].read_text()
    assert "Campaigns" in report and "<svg" in report
    message = email.message_from_bytes(emails[0].read_bytes(), policy=policy.default)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    _assert_one_language_per_email(engine, emails)
    # The demo ran every interval itself: the scheduler of `make airflow-ui` must find nothing to run on it.
    with create_engine(f"sqlite:///{home / 'airflow' / 'airflow.db'}").connect() as connection:
        paused = dict(connection.execute(text("SELECT dag_id, is_paused FROM dag WHERE dag_id LIKE 'forewarn%'")).all())
        queued = connection.execute(text("SELECT COUNT(*) FROM asset_dag_run_queue")).scalar()
    assert len(paused) == 5 and all(paused.values()), paused
    assert queued == 0

    # A second demo reuses everything and sends nothing twice.
    second = _demo(home)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert "reusing the simulated world" in second.stdout
    assert sorted(p.stem for p in (home / "outbox").glob("*.eml")) == sorted(p.stem for p in emails)
    with engine.connect() as connection:
        again = connection.execute(text("SELECT COUNT(*) FROM outreach_messages WHERE status = 'sent'")).scalar()
    assert again == len(sent)


def _assert_one_language_per_email(engine, emails: list[Path]) -> None:  # noqa: ANN001 - an Engine
    """Every demo email reads in one language, the customer's whenever its workaround is translated (issue 16)."""
    from outreach.email_review import review_email

    with engine.connect() as connection:
        languages = dict(connection.execute(text(
            "SELECT m.message_id, m.language FROM outreach_messages m WHERE m.status = 'sent'")).all())
        wrong = connection.execute(text(
            "SELECT COUNT(*) FROM outreach_messages m JOIN customers c USING (customer_id) "
            "WHERE m.status = 'sent' AND c.locale IN ('en', 'de', 'fr', 'es') AND m.language <> c.locale"
        )).scalar()
    assert wrong == 0, "every demo workaround is translated: each customer reads their own language"
    for path in emails:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        language = languages[path.stem]
        assert message["Content-Language"] == language
        review = review_email(str(message["Subject"]), message.get_body(("plain",)).get_content(),
                              message.get_body(("html",)).get_content(), language)
        assert review.problems == (), (path.name, review.problems)
