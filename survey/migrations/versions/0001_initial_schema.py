"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 14:21:14.606957
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=32), nullable=False),
        sa.Column("questionnaire_id", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column(
            "mode",
            sa.Enum(
                "anonymous", "confidential", "identified", name="mode", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign")),
        sa.UniqueConstraint("slug", name=op.f("uq_campaign_slug")),
    )
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaign_questionnaire_id"), ["questionnaire_id"], unique=False
        )

    op.create_table(
        "questionnaire_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=500), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_version")),
        sa.UniqueConstraint(
            "questionnaire_id", "version", name=op.f("uq_questionnaire_version_questionnaire_id")
        ),
    )
    with op.batch_alter_table("questionnaire_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_questionnaire_version_questionnaire_id"),
            ["questionnaire_id"],
            unique=False,
        )

    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "prefill",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("person_ref", sa.String(length=100), nullable=True),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("used_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_invitation_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitation_token_hash")),
    )
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invitation_campaign_id"), ["campaign_id"], unique=False
        )

    op.create_table(
        "response",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_version_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "submitted", name="status", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("resume_hash", sa.String(length=64), nullable=True),
        sa.Column("invitation_key", sa.String(length=64), nullable=True),
        sa.Column("invitation_id", sa.Integer(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("updated_on", sa.Date(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("last_page", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_response_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitation.id"],
            name=op.f("fk_response_invitation_id_invitation"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["questionnaire_version_id"],
            ["questionnaire_version.id"],
            name=op.f("fk_response_questionnaire_version_id_questionnaire_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response")),
        sa.UniqueConstraint("invitation_key", name=op.f("uq_response_invitation_key")),
        sa.UniqueConstraint("resume_hash", name=op.f("uq_response_resume_hash")),
    )
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_response_campaign_id"), ["campaign_id"], unique=False)

    op.create_table(
        "answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.String(length=36), nullable=False),
        sa.Column("question", sa.String(length=100), nullable=False),
        sa.Column(
            "value",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
            name=op.f("fk_answer_response_id_response"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer")),
        sa.UniqueConstraint("response_id", "question", name=op.f("uq_answer_response_id")),
    )
    op.create_table(
        "confidential_participation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitation.id"],
            name=op.f("fk_confidential_participation_invitation_id_invitation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
            name=op.f("fk_confidential_participation_response_id_response"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_confidential_participation")),
        sa.UniqueConstraint(
            "invitation_id", name=op.f("uq_confidential_participation_invitation_id")
        ),
        sa.UniqueConstraint("response_id", name=op.f("uq_confidential_participation_response_id")),
    )


def downgrade() -> None:
    op.drop_table("confidential_participation")
    op.drop_table("answer")
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_response_campaign_id"))

    op.drop_table("response")
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitation_campaign_id"))

    op.drop_table("invitation")
    with op.batch_alter_table("questionnaire_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questionnaire_version_questionnaire_id"))

    op.drop_table("questionnaire_version")
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_questionnaire_id"))

    op.drop_table("campaign")
