from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import Person, Unit
from survey.db import Base, string_enum


class Ansettelsesform(enum.StrEnum):
    FAST = "fast"
    MIDLERTIDIG = "midlertidig"


class Kjonn(enum.StrEnum):
    KVINNE = "k"
    MANN = "m"
    ANNET = "annet"


class Position(Base):
    """One position (stilling) an employee holds; an employee's positions add up."""

    __tablename__ = "position"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    # A unit with people in it cannot be deleted by accident.
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    yrkesgruppe: Mapped[str | None] = mapped_column(String(100))
    stillingsprosent: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    ansettelsesform: Mapped[Ansettelsesform] = mapped_column(string_enum(Ansettelsesform))
    startdato: Mapped[dt.date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship()
    unit: Mapped[Unit] = relationship()


class EmployeeDetails(Base):
    """Roster data about a person used only for breakdowns in aggregate reports."""

    __tablename__ = "employee_details"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), unique=True)
    kjonn: Mapped[Kjonn | None] = mapped_column(string_enum(Kjonn))
    fodselsar: Mapped[int | None]

    person: Mapped[Person] = relationship()
