"""Distinct customers a day per platform, app version and error signature, kept as an aggregate.

The per-signature release test (a new crash on one build read against that signature's own rate on the
previous build) grouped the raw error events from the judged releases' baselines on, on every run: weeks
of events once a regression is stored, 0.26 s more a late run of the 30-day backtest. Kept like
``version_activity_daily``, an hourly refresh recounts only the hour's day. The event aggregates'
watermark is cleared so the next refresh rebuilds them all, this one included, from the events.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signature_version_daily",
        sa.Column("day", sa.DateTime(), primary_key=True),
        sa.Column("platform", sa.String(64), primary_key=True),
        sa.Column("app_version", sa.String(64), primary_key=True),
        sa.Column("signature_id", sa.String(32), primary_key=True),
        sa.Column("erroring_customers", sa.Integer, nullable=False),
    )
    op.execute("DELETE FROM aggregate_watermarks WHERE name = 'events'")


def downgrade() -> None:
    op.drop_table("signature_version_daily")
