from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.db import Base, JsonData, string_enum, today, utcnow


class Mode(enum.StrEnum):
    """How answers relate to the person who gave them."""

    ANONYMOUS = "anonymous"  # no link at all; a personal invitation is only marked used
    CONFIDENTIAL = "confidential"  # identity kept apart from the answers, shown to nobody
    IDENTIFIED = "identified"  # answers belong to the person (living documents)


class Channel(enum.StrEnum):
    """How a message reaches a person: e-mail when the roster has an address, else SMS when it
    has a mobile number, else a printed letter."""

    EMAIL = "email"
    SMS = "sms"
    LETTER = "letter"


class Campaign(Base):
    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The open link's key; random so campaigns cannot be enumerated.
    slug: Mapped[str] = mapped_column(String(32), unique=True)
    questionnaire_id: Mapped[str] = mapped_column(String(100), index=True)
    # The bokmål title; nynorsk and English beside it. A missing title falls back to the
    # questionnaire's own title in that language.
    title: Mapped[str | None] = mapped_column(String(200))
    title_nn: Mapped[str | None] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    mode: Mapped[Mode] = mapped_column(string_enum(Mode))
    is_open: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The answering period, both days included; None = no limit on that side. Outside it the
    # links show a page saying so and refuse answers.
    opens_on: Mapped[dt.date | None]
    closes_on: Mapped[dt.date | None]
    # Days before `closes_on` on which those who have not submitted are reminded, e.g. [7, 3].
    reminder_days: Mapped[list[int]] = mapped_column(JsonData, default=list)
    # The language invitations and reminders are written in (nb or nn; en for tests and guests).
    language: Mapped[str] = mapped_column(String(2), default="nb")
    # Texts edited for this campaign, over the defaults: {language: {text key: text}}.
    texts: Mapped[dict[str, dict[str, str]]] = mapped_column(JsonData, default=dict)

    invitations: Mapped[list[Invitation]] = relationship(back_populates="campaign")

    @property
    def accepts_open_link(self) -> bool:
        # Without an invitation there is nobody to link answers to.
        return self.mode is Mode.ANONYMOUS

    def accepts_answers_on(self, day: dt.date) -> bool:
        """Open, and `day` within the answering period."""
        if not self.is_open:
            return False
        if self.opens_on is not None and day < self.opens_on:
            return False
        return self.closes_on is None or day <= self.closes_on

    def title_in(self, lang: str) -> str | None:
        """The title in `lang` (nb, nn or en); None when it has none in that language, and
        then the questionnaire's title in that language is shown, never the bokmål one."""
        return {"nn": self.title_nn, "en": self.title_en}.get(lang, self.title)


class Invitation(Base):
    """A one-time personal link. Only a hash of its token is stored."""

    __tablename__ = "invitation"
    # One invitation per person and campaign: inviting the roster again adds only newcomers.
    __table_args__ = (UniqueConstraint("campaign_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Values known in advance (enhet, yrkesgruppe, stillingsprosent) to pre-fill questions.
    prefill: Mapped[dict[str, Any]] = mapped_column(JsonData, default=dict)
    # Set for confidential and identified campaigns sent to known people. Erasing the person
    # keeps the invitation (response rates stay right) but not the link.
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    created_on: Mapped[dt.date] = mapped_column(default=today)
    # A day, never a time: in anonymous campaigns a finer time could be matched to a response.
    used_on: Mapped[dt.date | None]
    # Roster invitations: a random salt from which `campaigns.services.invitation_token`
    # derives the link again (with SECRET_KEY) for reminders and letters. None for links
    # printed once by `campaign invite --count`.
    token_salt: Mapped[str | None] = mapped_column(String(32))
    # Where the person was on the roster when invited (response rates per unit/yrkesgruppe).
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("unit.id", ondelete="SET NULL"), index=True
    )
    yrkesgruppe: Mapped[str | None] = mapped_column(String(100))
    # The channel of the last message sent for this invitation.
    channel: Mapped[Channel | None] = mapped_column(string_enum(Channel))
    # Days only, like used_on: first visit of the link, first page saved (a draft exists).
    opened_on: Mapped[dt.date | None]
    started_on: Mapped[dt.date | None]
    # The person was no longer on the roster when it was invited again: kept, not deleted.
    left_on: Mapped[dt.date | None]
    last_reminded_on: Mapped[dt.date | None]
    reminders_sent: Mapped[int] = mapped_column(default=0)

    campaign: Mapped[Campaign] = relationship(back_populates="invitations")
