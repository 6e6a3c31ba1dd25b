"""response.channel: how an answer came in, 'web' or 'paper' (typed in from a paper form)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 16:25:00

A project leader types in a paper questionnaire through the answering pages; the response is
marked 'paper' so the campaign page can count them apart. Existing responses are 'web'.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("response") as batch:
        batch.add_column(
            sa.Column("channel", sa.String(length=10), nullable=False, server_default="web")
        )


def downgrade() -> None:
    with op.batch_alter_table("response") as batch:
        batch.drop_column("channel")
