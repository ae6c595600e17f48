"""Initial warehouse: every table of the SPEC, so BI tools can rely on them from day one.

All timestamps are UTC and stored without offset (``timestamp without time zone``), the same on
SQLite and PostgreSQL, so comparisons and bind parameters behave alike on both. JSON documents
(evidence, extra columns, key terms) are stored as text for portability.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.String(64)
TS = sa.DateTime()


def upgrade() -> None:
    _inputs()
    _quality()
    _findings()
    _outreach()


def _inputs() -> None:
    op.create_table(
        "customers",
        sa.Column("customer_id", ID, primary_key=True),
        sa.Column("email", sa.String(320)),
        sa.Column("name", sa.Text),
        sa.Column("locale", sa.String(35)),
        sa.Column("plan", sa.String(64)),
        sa.Column("mrr", sa.Float),
        sa.Column("email_opt_in", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", TS),
        sa.Column("extra", sa.Text, comment="JSON object of columns beyond the contract"),
        sa.Column("source", sa.Text),
        sa.Column("loaded_at", TS, nullable=False),
    )
    op.create_table(
        "tickets",
        sa.Column("ticket_id", ID, primary_key=True),
        sa.Column("customer_id", ID, nullable=False, index=True),
        sa.Column("created_at", TS, nullable=False, index=True),
        sa.Column("subject", sa.Text),
        sa.Column("body", sa.Text, comment="raw body: PII; later stages read body_redacted"),
        sa.Column("subject_redacted", sa.Text),
        sa.Column("body_redacted", sa.Text),
        sa.Column("channel", sa.String(64)),
        sa.Column("status", sa.String(64)),
        sa.Column("tags", sa.Text),
        sa.Column("csat", sa.Integer),
        sa.Column("extra", sa.Text),
        sa.Column("source", sa.Text),
        sa.Column("loaded_at", TS, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("event_id", ID, primary_key=True),
        sa.Column("customer_id", ID, nullable=False, index=True),
        sa.Column("occurred_at", TS, nullable=False, index=True),
        sa.Column("occurred_hour", TS, nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("feature", sa.String(128)),
        sa.Column("app_version", sa.String(64)),
        sa.Column("platform", sa.String(64)),
        sa.Column("error_code", sa.String(128)),
        sa.Column("message", sa.Text),
        sa.Column("signature_id", sa.String(32), comment="null for events that are not errors or crashes"),
        sa.Column("extra", sa.Text),
        sa.Column("source", sa.Text),
        sa.Column("loaded_at", TS, nullable=False),
    )
    op.create_index("ix_events_signature_hour", "events", ["signature_id", "occurred_hour"])
    # No (hour, platform, version) index: the aggregates scan events once per rebuild, and each extra
    # index costs the load of 10 million events a day more than it saves.
    op.create_table(
        "signatures",
        sa.Column("signature_id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(128)),
        sa.Column("error_code", sa.String(128)),
        sa.Column("feature", sa.String(128)),
        sa.Column("platform", sa.String(64)),
        sa.Column("message_pattern", sa.Text),
        sa.Column("first_seen_at", TS),
        sa.Column("last_seen_at", TS),
    )
    op.create_table(
        "event_hourly",
        sa.Column("hour", TS, primary_key=True),
        sa.Column("signature_id", sa.String(32), primary_key=True),
        sa.Column("platform", sa.String(64), primary_key=True),
        sa.Column("app_version", sa.String(64), primary_key=True),
        sa.Column("event_count", sa.Integer, nullable=False),
        sa.Column("customer_count", sa.Integer, nullable=False),
    )
    op.create_table(
        "version_activity_daily",
        sa.Column("day", TS, primary_key=True),
        sa.Column("platform", sa.String(64), primary_key=True),
        sa.Column("app_version", sa.String(64), primary_key=True),
        sa.Column("active_customers", sa.Integer, nullable=False),
        sa.Column("error_events", sa.Integer, nullable=False),
        sa.Column("erroring_customers", sa.Integer, nullable=False),
    )
    op.create_table(
        "customer_signature_exposure",
        sa.Column("customer_id", ID, primary_key=True),
        sa.Column("signature_id", sa.String(32), primary_key=True, index=True),
        sa.Column("first_exposed_at", TS, nullable=False),
        sa.Column("last_exposed_at", TS, nullable=False),
        sa.Column("event_count", sa.Integer, nullable=False),
    )
    op.create_table(
        "workarounds",
        sa.Column("workaround_id", ID, primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("applies_to", sa.Text, comment="JSON object: error_codes, features, platforms, app_versions, keywords"),
        sa.Column("body_markdown", sa.Text, nullable=False),
        sa.Column("source_path", sa.Text),
        sa.Column("content_hash", sa.String(64)),
        sa.Column("loaded_at", TS, nullable=False),
    )


def _quality() -> None:
    op.create_table(
        "quarantine",
        sa.Column("quarantine_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("table_name", sa.String(64), nullable=False),
        sa.Column("source", sa.Text, nullable=False, comment="file path or source table the row came from"),
        sa.Column("row_number", sa.Integer, nullable=False, comment="1-based data row in the source (header excluded)"),
        sa.Column("rule", sa.String(128), nullable=False),
        sa.Column("detail", sa.Text),
        sa.Column("raw", sa.Text, nullable=False, comment="the row as read, JSON"),
        sa.Column("interval_start", TS),
        sa.Column("interval_end", TS),
        sa.Column("loaded_at", TS, nullable=False),
        sa.UniqueConstraint("table_name", "source", "row_number", "rule", name="uq_quarantine_row_rule"),
    )
    op.create_table(
        "ingest_runs",
        sa.Column("run_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("table_name", sa.String(64), nullable=False),
        sa.Column("interval_start", TS),
        sa.Column("interval_end", TS),
        sa.Column("rows_read", sa.Integer, nullable=False),
        sa.Column("rows_in_interval", sa.Integer, nullable=False),
        sa.Column("rows_loaded", sa.Integer, nullable=False),
        sa.Column("rows_quarantined", sa.Integer, nullable=False),
        sa.Column("max_timestamp", TS),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS),
        sa.Column("status", sa.String(16), nullable=False),
    )


def _findings() -> None:
    op.create_table(
        "pain_points",
        sa.Column("pain_point_id", ID, primary_key=True),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, comment="active, merged, split, dormant"),
        sa.Column("first_seen_at", TS),
        sa.Column("last_seen_at", TS),
        sa.Column("ticket_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("customer_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("mrr_at_risk", sa.Float),
        sa.Column("key_terms", sa.Text, comment="JSON list"),
        sa.Column("representatives", sa.Text, comment="JSON list of {ticket_id, text} with redacted text"),
        sa.Column("trend", sa.Text, comment="JSON list of [day, tickets]"),
        sa.Column("state", sa.Text, comment="JSON detector state (centroid) for stable ids"),
        sa.Column("as_of", TS),
    )
    op.create_table(
        "pain_point_history",
        sa.Column("history_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("pain_point_id", ID, nullable=False, index=True),
        sa.Column("event", sa.String(16), nullable=False, comment="created, split, merge"),
        sa.Column("parent_ids", sa.Text, comment="JSON list"),
        sa.Column("as_of", TS, nullable=False),
        sa.Column("detail", sa.Text),
    )
    op.create_table(
        "ticket_pain_points",
        sa.Column("ticket_id", ID, primary_key=True),
        sa.Column("pain_point_id", ID, nullable=False, index=True),
        sa.Column("score", sa.Float),
        sa.Column("as_of", TS),
    )
    op.create_table(
        "incidents",
        sa.Column("incident_id", ID, primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("signature_id", sa.String(32)),
        sa.Column("name", sa.String(128)),
        sa.Column("error_code", sa.String(128)),
        sa.Column("feature", sa.String(128)),
        sa.Column("platform", sa.String(64)),
        sa.Column("app_version", sa.String(64)),
        sa.Column("message_pattern", sa.Text),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("detected_at", TS, nullable=False),
        sa.Column("customer_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("event_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("mrr_at_risk", sa.Float),
        sa.Column("severity", sa.Float),
        sa.Column("evidence", sa.Text, comment="JSON"),
        sa.Column("status", sa.String(16), nullable=False, server_default="open"),
    )
    op.create_table(
        "incident_customers",
        sa.Column("incident_id", ID, primary_key=True),
        sa.Column("customer_id", ID, primary_key=True, index=True),
        sa.Column("first_exposed_at", TS, nullable=False),
        sa.Column("event_count", sa.Integer, nullable=False),
    )
    op.create_table(
        "pain_point_incidents",
        sa.Column("pain_point_id", ID, primary_key=True),
        sa.Column("incident_id", ID, primary_key=True),
        sa.Column("lift", sa.Float),
        sa.Column("p_value", sa.Float, comment="one-sided Fisher exact test"),
        sa.Column("q_value", sa.Float, comment="Benjamini-Hochberg adjusted over all pairs tested"),
        sa.Column("exposed_authors", sa.Integer),
        sa.Column("expected_exposed_authors", sa.Float),
        sa.Column("authors", sa.Integer),
        sa.Column("exposed_customers", sa.Integer),
        sa.Column("text_match", sa.Float),
        sa.Column("strength", sa.Float),
        sa.Column("as_of", TS),
    )
    op.create_table(
        "detector_state",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("as_of", TS, primary_key=True, comment="a rerun for an as-of reads the newest state before it"),
        sa.Column("state", sa.Text, nullable=False, comment="JSON, e.g. the pain-point registry behind stable ids"),
    )


def _outreach() -> None:
    op.create_table(
        "campaigns",
        sa.Column("campaign_id", ID, primary_key=True),
        sa.Column("incident_id", ID),
        sa.Column("pain_point_id", ID),
        sa.Column("workaround_id", ID),
        sa.Column(
            "status",
            sa.String(32),
            nullable=False,
            comment="needs_workaround, pending_approval, approved, sending, sent, rejected, cancelled, expired",
        ),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("approved_at", TS),
        sa.Column("approved_by", sa.String(128)),
        sa.Column("decided_reason", sa.Text),
        sa.Column("audience_size", sa.Integer, nullable=False, server_default="0"),
        sa.Column("holdout_size", sa.Integer, nullable=False, server_default="0"),
        sa.Column("send_cap", sa.Integer),
        sa.Column("severity", sa.Float),
        sa.Column("evidence", sa.Text, comment="JSON"),
        sa.Column("preview_subject", sa.Text),
        sa.Column("preview_text", sa.Text),
        sa.Column("preview_html", sa.Text),
    )
    op.create_table(
        "outreach_messages",
        sa.Column("message_id", ID, primary_key=True, comment="idempotency key: hash of (campaign_id, customer_id)"),
        sa.Column("campaign_id", ID, nullable=False, index=True),
        sa.Column("customer_id", ID, nullable=False, index=True),
        sa.Column("is_holdout", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, comment="queued, sending, sent, failed, unknown, held_out"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("claimed_at", TS),
        sa.Column("sent_at", TS),
        sa.Column("provider_message_id", sa.String(128)),
        sa.Column("last_error", sa.Text),
        sa.Column("context", sa.Text, comment="JSON: the customer's platform, app_version, feature, first exposure"),
        sa.UniqueConstraint("campaign_id", "customer_id", name="uq_outreach_campaign_customer"),
    )
    # Claims page through a campaign's queued rows by id.
    op.create_index("ix_outreach_campaign_status_message", "outreach_messages", ["campaign_id", "status", "message_id"])
    op.create_table(
        "suppressions",
        sa.Column("customer_id", ID, primary_key=True),
        sa.Column("reason", sa.String(32), primary_key=True),
        sa.Column("email", sa.String(320)),
        sa.Column("source", sa.Text),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_suppressions_email_lower", "suppressions", [sa.text("lower(email)")])
    op.create_table(
        "email_events",
        sa.Column("sg_event_id", sa.String(128), primary_key=True),
        sa.Column("message_id", ID, index=True),
        sa.Column("campaign_id", ID),
        sa.Column("customer_id", ID),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("occurred_at", TS, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("raw", sa.Text, comment="the event as received, JSON (unknown fields kept)"),
        sa.Column("received_at", TS, nullable=False),
    )
    op.create_table(
        "campaign_outcomes",
        sa.Column("campaign_id", ID, primary_key=True),
        sa.Column("measured_at", TS, nullable=False),
        sa.Column("window_days", sa.Integer, nullable=False),
        sa.Column("treated", sa.Integer, nullable=False),
        sa.Column("holdout", sa.Integer, nullable=False),
        sa.Column("treated_tickets", sa.Integer),
        sa.Column("holdout_tickets", sa.Integer),
        sa.Column("treated_ticket_rate", sa.Float),
        sa.Column("holdout_ticket_rate", sa.Float),
        sa.Column("ci_low", sa.Float, comment="95% CI of holdout rate minus treated rate"),
        sa.Column("ci_high", sa.Float),
        sa.Column("deflected_tickets", sa.Float),
        sa.Column("deflected_ci_low", sa.Float),
        sa.Column("deflected_ci_high", sa.Float),
        sa.Column("treated_csat", sa.Float),
        sa.Column("holdout_csat", sa.Float),
        sa.Column("csat_ci_low", sa.Float),
        sa.Column("csat_ci_high", sa.Float),
    )


def downgrade() -> None:
    for table in (
        "campaign_outcomes", "email_events", "suppressions", "outreach_messages", "campaigns",
        "detector_state", "pain_point_incidents", "incident_customers", "incidents", "ticket_pain_points",
        "pain_point_history", "pain_points", "ingest_runs", "quarantine", "workarounds",
        "customer_signature_exposure", "version_activity_daily", "event_hourly", "signatures",
        "events", "tickets", "customers",
    ):
        op.drop_table(table)
