"""Honest incident times: ``evidence_at`` beside ``detected_at``.

``detected_at`` used to hold the hour (or day) whose aggregates first crossed a detector's threshold,
which is earlier than any run could have told anyone. From this revision ``detected_at`` is the
as-of of the first run that found the incident, and ``evidence_at`` keeps when its evidence first
crossed the threshold (the end of that aggregate bucket): ``started_at <= evidence_at <= detected_at``.
Existing rows get ``evidence_at = detected_at`` (the only time they recorded).

Also ``workarounds.pre_approved_max_audience``: a workaround whose author pre-approved it for audiences up
to that many customers may be sent in the very run that finds the incident.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("evidence_at", sa.DateTime, nullable=True))
    op.execute("UPDATE incidents SET evidence_at = detected_at")
    with op.batch_alter_table("workarounds") as batch:
        batch.add_column(sa.Column("pre_approved_max_audience", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workarounds") as batch:
        batch.drop_column("pre_approved_max_audience")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("evidence_at")
