"""questionnaire_upload: questionnaire files uploaded on the web, waiting to be activated

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 16:40:00

An administrator or project leader uploads a YAML or XLSForm file at /skjema; once it passes
the same checks as `survey questionnaires check`, its YAML text waits here for the preview.
Activating it stores it as a questionnaire version and sets `activated_at` (once: a second
submit finds it set).
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "questionnaire_upload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=500), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["person.id"],
            ondelete="SET NULL",
            name=op.f("fk_questionnaire_upload_uploaded_by_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_upload")),
    )
    op.create_index(
        "ix_questionnaire_upload_questionnaire_id", "questionnaire_upload", ["questionnaire_id"]
    )
    op.create_index("ix_questionnaire_upload_uploaded_by", "questionnaire_upload", ["uploaded_by"])


def downgrade() -> None:
    op.drop_index("ix_questionnaire_upload_uploaded_by", table_name="questionnaire_upload")
    op.drop_index("ix_questionnaire_upload_questionnaire_id", table_name="questionnaire_upload")
    op.drop_table("questionnaire_upload")
