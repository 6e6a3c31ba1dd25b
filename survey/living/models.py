from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.db import Base, JsonData, string_enum, utcnow


class Source(enum.StrEnum):
    CONVERSATION = "conversation"  # the project leader's mapping conversation
    EMPLOYEE = "employee"  # the employee updating their wishes
    IMPORT = "import"  # historical mappings from spreadsheets
    CORRECTION = "correction"  # a correction the employee asked for
    CAMPAIGN = "campaign"  # the employee's answers to an identified annual survey


class ConfirmationKind(enum.StrEnum):
    CONFIRMED = "confirmed"  # «Jeg bekrefter at dette stemmer»
    CORRECTION_REQUESTED = "correction_requested"


class LivingDocument(Base):
    __tablename__ = "living_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    revisions: Mapped[list[Revision]] = relationship(
        back_populates="document",
        order_by="Revision.number",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class Revision(Base):
    """One saved state of a living document. Never updated: a change is a new revision, so
    the state on any past date can be reproduced (triggers refuse UPDATE)."""

    __tablename__ = "living_revision"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("living_document.id", ondelete="CASCADE"), index=True
    )
    # 1, 2, 3 … per document; the unique constraint makes two saves on the same base collide.
    number: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The day the state took effect: the save day, or the date of a historical mapping.
    effective_on: Mapped[dt.date] = mapped_column(index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    author_role: Mapped[str] = mapped_column(String(20))
    source: Mapped[Source] = mapped_column(string_enum(Source, 30))
    questionnaire_id: Mapped[str | None] = mapped_column(String(100))
    questionnaire_version: Mapped[int | None]
    data: Mapped[dict[str, Any]] = mapped_column(JsonData)
    changed_fields: Mapped[list[str]] = mapped_column(JsonData, default=list)
    note: Mapped[str | None] = mapped_column(Text)

    document: Mapped[LivingDocument] = relationship(back_populates="revisions")


class Confirmation(Base):
    """The employee's answer to a revision: confirmed, or a correction asked for."""

    __tablename__ = "living_confirmation"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("living_document.id", ondelete="CASCADE"), index=True
    )
    revision_number: Mapped[int]
    kind: Mapped[ConfirmationKind] = mapped_column(string_enum(ConfirmationKind, 30))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    comment: Mapped[str | None] = mapped_column(Text)


class Handled(Base):
    """An item of the project leaders' «Endringer» inbox marked as dealt with: an employee's
    own revision, or a correction the employee asked for."""

    __tablename__ = "living_handled"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("living_revision.id", ondelete="CASCADE"), unique=True
    )
    confirmation_id: Mapped[int | None] = mapped_column(
        ForeignKey("living_confirmation.id", ondelete="CASCADE"), unique=True
    )
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    handled_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
