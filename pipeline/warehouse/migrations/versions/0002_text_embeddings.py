"""Text embeddings kept between runs, so a daily detect run embeds only new tickets.

Keyed by the embedder's name and a SHA-256 of the (redacted) text: the table never holds ticket
text, and vectors of two models never mix. ``stored_at`` is the as-of of the run that embedded the
text; rows older than the ticket window are pruned, as no ticket in the window can need them.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "text_embeddings",
        sa.Column("embedder", sa.String(128), primary_key=True),
        sa.Column("text_sha256", sa.String(64), primary_key=True),
        sa.Column("dim", sa.Integer, nullable=False),
        sa.Column("vector", sa.LargeBinary, nullable=False, comment="float32, little-endian"),
        sa.Column("stored_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_text_embeddings_stored_at", "text_embeddings", ["stored_at"])


def downgrade() -> None:
    op.drop_index("ix_text_embeddings_stored_at", table_name="text_embeddings")
    op.drop_table("text_embeddings")
