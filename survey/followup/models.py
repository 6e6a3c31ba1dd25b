from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from survey.db import Base, string_enum, utcnow


class FollowUpStatus(enum.StrEnum):
    NOT_CONTACTED = "not_contacted"
    BOOKED = "booked"  # a conversation is booked for `booked_for`
    HELD = "held"
    NOT_RELEVANT = "not_relevant"  # no longer relevant (wish changed, left, got the position)


class FollowUp(Base):
    """Where the follow-up of one person stands. Who is on the list comes from their living
    document and their survey answers; a person without a row is «not contacted»."""

    __tablename__ = "follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), unique=True)
    status: Mapped[FollowUpStatus] = mapped_column(
        string_enum(FollowUpStatus, 30), default=FollowUpStatus.NOT_CONTACTED
    )
    booked_for: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    place: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
