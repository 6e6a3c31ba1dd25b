"""campaign: a title per language (nynorsk and English beside the bokmål title)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 20:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaign") as batch:
        batch.add_column(sa.Column("title_nn", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("title_en", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("campaign") as batch:
        batch.drop_column("title_en")
        batch.drop_column("title_nn")
