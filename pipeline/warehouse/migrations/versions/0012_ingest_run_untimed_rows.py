"""How many of a load's quarantined rows had no readable time, so the interval gate can leave them out.

A bounded (hourly) load reads a whole file and files its rows without a readable timestamp in every
interval (once in ``quarantine``, which is keyed by row). The table gate of the load left them out of
its bad-row share; the interval gate, reading ``ingest_runs``, did not: an hour of 84 events failed on
the same 33 untimed rows every hour of an Airflow backfill. Rows written before this column are 0.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ingest_runs") as batch:
        batch.add_column(sa.Column("rows_untimed_quarantined", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("ingest_runs") as batch:
        batch.drop_column("rows_untimed_quarantined")
