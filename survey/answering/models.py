from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.db import Base, JsonData, string_enum, today


class Status(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


def _new_id() -> str:
    return str(uuid.uuid4())


class Response(Base):
    """One respondent's answers to one campaign.

    Timestamps are days, and there is no IP address, session or invitation column: in an
    anonymous campaign nothing here points to a person."""

    __tablename__ = "response"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_new_id)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"))
    status: Mapped[Status] = mapped_column(
        string_enum(Status),
        default=Status.DRAFT,
    )
    # sha256 of the resume code shown to an open-link respondent; cleared on submit.
    resume_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # HMAC of the invitation token, so a personal link finds its draft again without the
    # database holding anything that leads from the invitation row to this one.
    invitation_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Identified campaigns only.
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitation.id", ondelete="SET NULL")
    )
    # Identified campaigns: the living-document revision current when the draft was made;
    # a newer one at submission is a conflict (survey.answering.living_update).
    base_revision: Mapped[int | None]
    started_on: Mapped[dt.date] = mapped_column(default=today)
    updated_on: Mapped[dt.date] = mapped_column(default=today, onupdate=today)
    submitted_on: Mapped[dt.date | None]
    # Where to take a returning respondent.
    last_page: Mapped[str | None] = mapped_column(String(100))
    # 'web', or 'paper' for a paper form a project leader typed in (migration 0013).
    channel: Mapped[str] = mapped_column(String(10), default="web", server_default="web")

    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )
    questionnaire_version = relationship("QuestionnaireVersion")
    campaign = relationship("Campaign")


class Answer(Base):
    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("response_id", "question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[str] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(String(100))
    value: Mapped[Any] = mapped_column(JsonData)

    response: Mapped[Response] = relationship(back_populates="answers")


class ConfidentialParticipation(Base):
    """Who answered a confidential campaign, kept apart from what they answered.

    Used to resume and to count participation; no view shows it next to answers."""

    __tablename__ = "confidential_participation"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitation.id", ondelete="CASCADE"), unique=True
    )
    response_id: Mapped[str] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), unique=True
    )
