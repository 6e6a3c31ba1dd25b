from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.db import Base, string_enum, utcnow


class Role(enum.StrEnum):
    ADMIN = "admin"  # HR/personal: settings, roster, users
    PROSJEKTLEDER = "prosjektleder"  # mapping conversations, all living documents
    ENHETSLEDER = "enhetsleder"  # only the units they lead, including sub-units
    UTVALGSMEDLEM = "utvalgsmedlem"  # only the committee cases they sit in
    TILLITSVALGT = "tillitsvalgt"  # aggregate results only
    VERNEOMBUD = "verneombud"  # aggregate results only
    ANSATT = "ansatt"  # own data only; everyone with a login has it


class Unit(Base):
    """An organisational unit: sektor › enhet › avdeling/tjenestested."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent")


class Person(Base):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), unique=True)  # stored lower-case
    ansattnummer: Mapped[str | None] = mapped_column(String(50), unique=True)
    # A Norwegian or foreign mobile number in E.164 (+4791234567), from the roster's `mobil`.
    mobile: Mapped[str | None] = mapped_column(String(20))
    # Set by a roster import that no longer lists the person; cleared when they are back.
    left_roster_on: Mapped[dt.date | None]
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("unit.id", ondelete="SET NULL"), index=True
    )
    # Argon2id; None for employees who log in with one-time links or OpenID Connect only.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Raised by «log out everywhere»: sessions carry the epoch they were made in.
    session_epoch: Mapped[int] = mapped_column(default=0)
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    unit: Mapped[Unit | None] = relationship()
    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )


class RoleAssignment(Base):
    """A role a person holds; the unit (or committee case) is part of the role."""

    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("person_id", "role", "unit_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(string_enum(Role))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    # Committee cases arrive with the ansettelsesutvalg; until then always None.
    case_id: Mapped[int | None]

    person: Mapped[Person] = relationship(back_populates="roles")
    unit: Mapped[Unit | None] = relationship()


class TokenPurpose(enum.StrEnum):
    LOGIN = "login"  # passwordless one-time login link for employees
    PASSWORD_RESET = "password_reset"


class LoginToken(Base):
    """A one-time link. Only the sha256 of its 128-bit token is stored."""

    __tablename__ = "login_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[TokenPurpose] = mapped_column(string_enum(TokenPurpose))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
