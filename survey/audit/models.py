from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from survey.db import Base, JsonData, utcnow


class AuditEntry(Base):
    """One thing that happened. Append-only: triggers refuse UPDATE; only the retention purge
    deletes. Person ids are plain numbers, not foreign keys, so entries outlive an erasure."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    actor_id: Mapped[int | None] = mapped_column(index=True)
    subject_id: Mapped[int | None] = mapped_column(index=True)  # whose data it concerns
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JsonData, default=dict)


class HistoryPermit(Base):
    """A permission to delete history, valid only inside the transaction that writes it.

    `audit_entry` and `living_revision` refuse DELETE (migration 0009) unless a row here
    permits it: the retention purge names its cutoff, an erasure names the person. The row is
    written and removed in the same transaction (see `survey.audit.services.history_permit`),
    so no other connection ever sees it and nothing outlives the statement it was made for.
    On PostgreSQL the app role has no rights here: the owner's functions of migration 0011
    write the permit (survey/privileges.py)."""

    __tablename__ = "history_permit"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "audit_purge" or "erasure"
    audit_before: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    person_id: Mapped[int | None]
