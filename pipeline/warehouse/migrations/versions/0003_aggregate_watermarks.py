"""How far the event aggregates reach, so a daily detect run adds only the new events.

One row per aggregate set: ``covered_until`` is the as-of they were last refreshed to (they hold
exactly the events before it) and ``ingest_run_id`` the last events load they include. An ingest run
after that one whose interval starts before ``covered_until`` brought late events into aggregated
time, and the next refresh rebuilds instead of appending.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "aggregate_watermarks",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("covered_until", sa.DateTime, nullable=False),
        sa.Column("ingest_run_id", sa.Integer, nullable=False, comment="0 when no ingest run was recorded"),
        sa.Column("refreshed_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("aggregate_watermarks")
