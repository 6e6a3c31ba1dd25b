"""annual cycle: roster contact details, campaign schedule and texts, invitation tracking,
the outbox, the follow-up list

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 14:20:00
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
CHANNEL = sa.Enum("email", "sms", "letter", name="channel", native_enum=False, length=20)


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("mobile", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("left_roster_on", sa.Date(), nullable=True))

    with op.batch_alter_table("campaign") as batch:
        batch.add_column(sa.Column("opens_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("closes_on", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column("reminder_days", JSON, nullable=False, server_default=sa.text("'[]'"))
        )
        batch.add_column(
            sa.Column("language", sa.String(length=2), nullable=False, server_default="nb")
        )
        batch.add_column(sa.Column("texts", JSON, nullable=False, server_default=sa.text("'{}'")))

    with op.batch_alter_table("invitation") as batch:
        batch.add_column(sa.Column("token_salt", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("yrkesgruppe", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("channel", CHANNEL, nullable=True))
        batch.add_column(sa.Column("opened_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("started_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("left_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("last_reminded_on", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column("reminders_sent", sa.Integer(), nullable=False, server_default="0")
        )
        batch.create_foreign_key(
            "fk_invitation_unit_id_unit", "unit", ["unit_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index("ix_invitation_unit_id", ["unit_id"])
        batch.create_unique_constraint(
            "uq_invitation_campaign_id", ["campaign_id", "person_id"]
        )

    with op.batch_alter_table("response") as batch:
        batch.add_column(sa.Column("base_revision", sa.Integer(), nullable=True))

    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", CHANNEL, nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("invitation_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "invitation",
                "reminder",
                "booking",
                "reconfirmation",
                name="messagekind",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("attachments", JSON, nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "sent", "failed", name="outboxstatus", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE", name=op.f("fk_outbox_message_person_id_person")),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"], ondelete="SET NULL", name=op.f("fk_outbox_message_campaign_id_campaign")),
        sa.ForeignKeyConstraint(["invitation_id"], ["invitation.id"], ondelete="SET NULL", name=op.f("fk_outbox_message_invitation_id_invitation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
    )
    op.create_index("ix_outbox_due", "outbox_message", ["status", "next_attempt_at"])
    op.create_index("ix_outbox_message_person_id", "outbox_message", ["person_id"])
    op.create_index("ix_outbox_message_campaign_id", "outbox_message", ["campaign_id"])

    op.create_table(
        "follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "not_contacted",
                "booked",
                "held",
                "not_relevant",
                name="followupstatus",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("booked_for", sa.DateTime(timezone=True), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE", name=op.f("fk_follow_up_person_id_person")),
        sa.ForeignKeyConstraint(["updated_by"], ["person.id"], ondelete="SET NULL", name=op.f("fk_follow_up_updated_by_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up")),
        sa.UniqueConstraint("person_id", name="uq_follow_up_person_id"),
    )


def downgrade() -> None:
    op.drop_table("follow_up")
    op.drop_index("ix_outbox_message_campaign_id", table_name="outbox_message")
    op.drop_index("ix_outbox_message_person_id", table_name="outbox_message")
    op.drop_index("ix_outbox_due", table_name="outbox_message")
    op.drop_table("outbox_message")
    with op.batch_alter_table("response") as batch:
        batch.drop_column("base_revision")
    with op.batch_alter_table("invitation") as batch:
        batch.drop_constraint("uq_invitation_campaign_id", type_="unique")
        batch.drop_index("ix_invitation_unit_id")
        batch.drop_constraint("fk_invitation_unit_id_unit", type_="foreignkey")
        for column in (
            "reminders_sent",
            "last_reminded_on",
            "left_on",
            "started_on",
            "opened_on",
            "channel",
            "yrkesgruppe",
            "unit_id",
            "token_salt",
        ):
            batch.drop_column(column)
    with op.batch_alter_table("campaign") as batch:
        for column in ("texts", "language", "reminder_days", "closes_on", "opens_on"):
            batch.drop_column(column)
    with op.batch_alter_table("person") as batch:
        batch.drop_column("left_roster_on")
        batch.drop_column("mobile")
