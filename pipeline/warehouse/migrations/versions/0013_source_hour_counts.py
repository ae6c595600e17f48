"""How many rows each hour of a source held when a load last read it, so a later load finds late arrivals.

A bounded load keeps the rows whose time falls in its interval. A row that reaches the source after its
hour was loaded (a phone that was offline, an event pipeline that syncs late) was counted outside every
later interval and never loaded unless a person reloaded its hour. Each load now records, per table and
hour it covered, how many rows the source held for that hour; a later load that finds more rows in one of
those hours (within the late window) loads that hour's rows again, which adds only the new ones.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_hour_counts",
        # The digest of the source's name (a path or a URL, which may be long); the name itself is in
        # ingest_runs.
        sa.Column("source_digest", sa.String(64), primary_key=True),
        sa.Column("table_name", sa.String(64), primary_key=True),
        sa.Column("hour", sa.DateTime, primary_key=True),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("counted_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("source_hour_counts")
