"""One language per email: workaround translations, and the language each message was written in.

``workarounds.language`` is the language the workaround is written in (``en`` for rows loaded before),
``workarounds.translations`` a JSON object ``{locale: {"title", "steps", "problem"}}`` (``problem`` says
why a translation cannot be used, e.g. a missing step). ``outreach_messages.language`` is the language a
sent message was written in and ``language_reason`` why (``customer's language`` or the reason it fell
back whole to the workaround's language). Rows from before this revision keep NULL: unknown.

Revision ID: 0006
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workarounds") as batch:
        batch.add_column(sa.Column("language", sa.String(16), nullable=False, server_default="en"))
        batch.add_column(sa.Column("translations", sa.Text, comment="JSON: {locale: {title, steps, problem}}"))
    with op.batch_alter_table("outreach_messages") as batch:
        batch.add_column(sa.Column("language", sa.String(16), comment="language the email was written in"))
        batch.add_column(sa.Column("language_reason", sa.Text, comment="why that language (or why it fell back)"))


def downgrade() -> None:
    with op.batch_alter_table("outreach_messages") as batch:
        batch.drop_column("language_reason")
        batch.drop_column("language")
    with op.batch_alter_table("workarounds") as batch:
        batch.drop_column("translations")
        batch.drop_column("language")
