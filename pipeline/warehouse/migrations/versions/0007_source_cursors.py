"""Where a pulling source stopped: one row per stream and data interval, so a pull resumes after a crash.

``cursor`` is the API's own cursor (Zendesk's ``after_cursor``) after the last page landed; ``pages``
how many pages of the interval have landed; ``end_of_stream`` that the interval is complete.

Revision ID: 0007
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_cursors",
        sa.Column("stream", sa.String(64), primary_key=True),
        sa.Column("interval_start", sa.DateTime, primary_key=True),
        sa.Column("cursor", sa.Text, nullable=True),
        sa.Column("pages", sa.Integer, nullable=False),
        sa.Column("end_of_stream", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("source_cursors")
