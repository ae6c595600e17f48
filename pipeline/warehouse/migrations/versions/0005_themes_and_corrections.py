"""Themes over pain points, and the corrections product managers make to pain points.

``themes`` is the coarse level (a handful to a few dozen groups of pain points) with ids kept
across runs like pain points; ``theme_history`` records their created/split/merged events, and
``pain_points.theme_id`` places each pain point. ``pain_point_corrections`` keeps every rename,
merge, split, mute and pin with who made it and when; every later detect run re-applies them.
``pain_points.muted`` / ``pinned`` show the current effect of mute and pin to BI tools.

Revision ID: 0005
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0006"
branch_labels = None
depends_on = None

ID = sa.String(64)
TS = sa.DateTime()


def upgrade() -> None:
    op.create_table(
        "themes",
        sa.Column("theme_id", ID, primary_key=True),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, comment="active, merged, dormant"),
        sa.Column("first_seen_at", TS),
        sa.Column("last_seen_at", TS),
        sa.Column("pain_point_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("ticket_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("customer_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("as_of", TS),
    )
    op.create_table(
        "theme_history",
        sa.Column("history_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("theme_id", ID, nullable=False, index=True),
        sa.Column("event", sa.String(16), nullable=False, comment="created, split, merged"),
        sa.Column("parent_ids", sa.Text, comment="JSON list"),
        sa.Column("as_of", TS, nullable=False),
    )
    with op.batch_alter_table("pain_points") as batch:
        batch.add_column(sa.Column("theme_id", ID, nullable=True))
        batch.add_column(sa.Column("muted", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("pinned", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.create_index("ix_pain_points_theme_id", ["theme_id"])
    op.create_table(
        "pain_point_corrections",
        sa.Column("correction_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("pain_point_id", ID, nullable=False, index=True),
        sa.Column("action", sa.String(16), nullable=False, comment="rename, merge, split, mute, pin"),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("label", sa.Text, comment="rename: the new label"),
        sa.Column("other_ids", sa.Text, comment="merge: JSON list of the ids merged into pain_point_id"),
        sa.Column("phrase", sa.Text, comment="split: tickets holding this phrase form the new pain point"),
        sa.Column("ticket_ids", sa.Text, comment="split: JSON list of example tickets; merge: tickets merged"),
        sa.Column("new_pain_point_id", ID, comment="split: the id of the part split off"),
        sa.Column(
            "snapshot_ticket_ids",
            sa.Text,
            comment="JSON list of the pain point's tickets when corrected: a replay finds it by them",
        ),
    )


def downgrade() -> None:
    op.drop_table("pain_point_corrections")
    with op.batch_alter_table("pain_points") as batch:
        batch.drop_index("ix_pain_points_theme_id")
        batch.drop_column("pinned")
        batch.drop_column("muted")
        batch.drop_column("theme_id")
    op.drop_table("theme_history")
    op.drop_table("themes")
