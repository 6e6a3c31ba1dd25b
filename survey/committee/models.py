"""A vacancy is the committee's case: the position or shares to fill, the working-time pattern
they come with, and who sits in the committee for it (RoleAssignment with role utvalgsmedlem
and `case_id` = the vacancy's id). Decisions about candidates are kept as a history: the
newest per candidate is the current one."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import Person, Unit
from survey.db import Base, JsonData, string_enum, utcnow


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Outcome(enum.StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    NOT_CONSIDERED = "not_considered"


class Vacancy(Base):
    """A vacant position or stillingsandeler in one unit: the committee's case."""

    __tablename__ = "vacancy"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    yrkesgruppe: Mapped[str] = mapped_column(String(100))
    # The whole vacancy; the shares below add up to it.
    percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    permanent: Mapped[bool] = mapped_column(default=True)
    # The working-time pattern; None or empty: the vacancy asks nothing of the kind.
    weekends_per_year: Mapped[int | None]
    long_shifts: Mapped[bool] = mapped_column(default=False)
    shift_types: Mapped[list[str]] = mapped_column(JsonData, default=list)
    other_units: Mapped[bool] = mapped_column(default=False)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    # The order of candidates within the § 14-3 groups (see survey.committee.candidates).
    order_criteria: Mapped[list[str]] = mapped_column(JsonData, default=list)
    status: Mapped[CaseStatus] = mapped_column(string_enum(CaseStatus), default=CaseStatus.OPEN)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    unit: Mapped[Unit] = relationship()
    shares: Mapped[list[VacancyShare]] = relationship(
        back_populates="vacancy",
        order_by="VacancyShare.number",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class VacancyShare(Base):
    """One vacant stillingsandel of a vacancy (a whole position is one share)."""

    __tablename__ = "vacancy_share"
    __table_args__ = (UniqueConstraint("vacancy_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancy.id", ondelete="CASCADE"))
    number: Mapped[int]  # 1, 2, … within the vacancy
    percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    # False: the share goes whole to one candidate or stays vacant.
    divisible: Mapped[bool] = mapped_column(default=True)

    vacancy: Mapped[Vacancy] = relationship(back_populates="shares")


class CommitteeDecision(Base):
    """What the committee decided about one candidate, with the reason. Linked to the
    candidate's living document, where it stays as context (a decline is worth knowing at the
    next conversation); the employee's answers themselves are never changed by it."""

    __tablename__ = "committee_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(
        ForeignKey("vacancy.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("living_document.id", ondelete="SET NULL"), index=True
    )
    outcome: Mapped[Outcome] = mapped_column(string_enum(Outcome))
    percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))  # offered or accepted
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    vacancy: Mapped[Vacancy] = relationship()
    person: Mapped[Person] = relationship(foreign_keys=[person_id])


class YrkesgruppeEquivalence(Base):
    """People of `qualifying` count as qualified for vacancies that ask for `required` (set
    by an admin: e.g. a spesialsykepleier for a sykepleier position)."""

    __tablename__ = "yrkesgruppe_equivalence"
    __table_args__ = (UniqueConstraint("required", "qualifying"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    required: Mapped[str] = mapped_column(String(100))
    qualifying: Mapped[str] = mapped_column(String(100))


def as_plain(value: Any) -> Any:
    """Numeric columns as floats (for dataclasses, JSON and templates)."""
    return float(value) if isinstance(value, Decimal) else value
