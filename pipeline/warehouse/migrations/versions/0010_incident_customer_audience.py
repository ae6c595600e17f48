"""Whether an incident's customer is in its email audience, apart from being exposed to it.

A spike's customers are everyone who hit its signatures during the burst beyond what the usual traffic
explains level by level. Emailing all of them cost precision on small bursts over noisy signatures (the
one-time visitors are 38-49% usual traffic there), yet dropping them from the incident cost its recall and
its link to the pain point its customers wrote about. So they stay exposed (counted, linked, reported) and
``in_audience`` says which of them an email may go to. Rows from before this revision are in the audience,
as they were emailed then.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incident_customers") as batch:
        batch.add_column(sa.Column("in_audience", sa.Boolean, nullable=False, server_default=sa.true(),
                                   comment="false: exposed, but within what usual traffic explains; not emailed"))


def downgrade() -> None:
    with op.batch_alter_table("incident_customers") as batch:
        batch.drop_column("in_audience")
