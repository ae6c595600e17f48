"""Per customer and app version: first activity, first error and error count, kept as an aggregate.

Release-regression detection read this by grouping every event in the warehouse on every run; at the
SPEC's volume an hourly run then scanned weeks of events to learn what the last hour changed. Kept
like ``customer_signature_exposure``, a refresh adds only the new events. The event aggregates'
watermark is cleared so the next refresh rebuilds them all, this one included, from the events.

Revision ID: 0008
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_version_activity",
        sa.Column("platform", sa.String(64), primary_key=True),
        sa.Column("app_version", sa.String(64), primary_key=True),
        sa.Column("customer_id", sa.String(64), primary_key=True),
        sa.Column("first_active_at", sa.DateTime(), nullable=False),
        sa.Column("first_error_at", sa.DateTime(), nullable=True),
        sa.Column("error_events", sa.Integer, nullable=False),
    )
    op.execute("DELETE FROM aggregate_watermarks WHERE name = 'events'")


def downgrade() -> None:
    op.drop_table("customer_version_activity")
