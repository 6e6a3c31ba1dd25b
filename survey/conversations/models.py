from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey.db import Base, JsonData, string_enum, utcnow


class DraftKind(enum.StrEnum):
    CONVERSATION = "conversation"  # the project leader runs the whole interview guide
    WISHES = "wishes"  # the employee updates their wishes from «Min side»


class Draft(Base):
    """Answers being edited, before they become a revision. `base_revision` is the revision
    the editing started from: saving on top of a newer one is a conflict, never an overwrite."""

    __tablename__ = "living_draft"
    __table_args__ = (UniqueConstraint("document_id", "author_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("living_document.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    kind: Mapped[DraftKind] = mapped_column(string_enum(DraftKind))
    base_revision: Mapped[int]
    questionnaire_version: Mapped[int]
    answers: Mapped[dict[str, Any]] = mapped_column(JsonData, default=dict)
    last_page: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
