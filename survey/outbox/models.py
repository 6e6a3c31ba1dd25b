from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from survey.campaigns.models import Channel
from survey.db import Base, JsonData, string_enum, utcnow


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its turn (or for its next attempt after a failure)
    SENT = "sent"  # handed to the SMTP server or the SMS gateway
    FAILED = "failed"  # refused for good, or out of attempts; `last_error` says why


class MessageKind(enum.StrEnum):
    INVITATION = "invitation"
    REMINDER = "reminder"
    BOOKING = "booking"  # a mapping conversation booked from the follow-up list
    RECONFIRMATION = "reconfirmation"  # «Bekreft at opplysningene stemmer», with a login link


class OutboxMessage(Base):
    """One message to one recipient. Written in the same transaction as what caused it (the
    invitation, the booking), sent later by `survey outbox send`; the body, which may hold a
    personal link, is cleared once the message has gone."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(string_enum(Channel))  # email or sms
    recipient: Mapped[str] = mapped_column(String(320))  # an address, or a number in E.164
    # Erasing the person erases their messages.
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign.id", ondelete="SET NULL"), index=True
    )
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitation.id", ondelete="SET NULL")
    )
    kind: Mapped[MessageKind] = mapped_column(string_enum(MessageKind, 30))
    language: Mapped[str] = mapped_column(String(2), default="nb")
    subject: Mapped[str | None] = mapped_column(String(300))  # e-mail only
    body: Mapped[str | None] = mapped_column(Text)
    # E-mail attachments: [{"filename", "content_type", "content" (text)}], e.g. an .ics.
    attachments: Mapped[list[dict[str, Any]] | None] = mapped_column(JsonData)
    status: Mapped[OutboxStatus] = mapped_column(
        string_enum(OutboxStatus), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
