"""Writing and searching the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import delete, insert, select, text

from survey.audit.models import AuditEntry, HistoryPermit
from survey.db import utcnow
from survey.extensions import db


class Action:
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGIN_LOCKED = "login_locked"
    LOGOUT_EVERYWHERE = "logout_everywhere"
    PASSWORD_RESET = "password_reset"
    READ = "read"  # someone other than the owner read a person's identified data
    CHANGE = "change"
    EXPORT = "export"
    DOWNLOAD = "download"
    ROLE_GRANTED = "role_granted"
    ROLE_REVOKED = "role_revoked"
    PERSON_CREATED = "person_created"
    LOGIN_LINK_CREATED = "login_link_created"
    ERASE = "erase"
    RETENTION = "retention"  # `survey maintenance` removed expired personal data


def record(
    action: str,
    *,
    actor_id: int | None = None,
    subject_id: int | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        action=action,
        actor_id=actor_id,
        subject_id=subject_id,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        detail=detail or {},
    )
    db.session.add(entry)
    return entry


def search(
    *,
    person_id: int | None = None,
    actor_id: int | None = None,
    action: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int = 200,
) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if person_id is not None:
        query = query.where(AuditEntry.subject_id == person_id)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if action:
        query = query.where(AuditEntry.action == action)
    if since is not None:
        query = query.where(AuditEntry.at >= dt.datetime.combine(since, dt.time(), dt.UTC))
    if until is not None:
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC)
        query = query.where(AuditEntry.at < end)
    return list(db.session.scalars(query))


def readers_of(person_id: int) -> list[AuditEntry]:
    """Who other than the person has read or exported their data."""
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.subject_id == person_id,
                AuditEntry.action.in_([Action.READ, Action.EXPORT, Action.DOWNLOAD]),
                (AuditEntry.actor_id != person_id) | AuditEntry.actor_id.is_(None),
            )
            .order_by(AuditEntry.at.desc())
        )
    )


@contextmanager
def history_permit(
    kind: str, *, audit_before: dt.datetime | None = None, person_id: int | None = None
) -> Iterator[None]:
    """Let the statements inside delete the history that `kind` allows (see HistoryPermit and
    migration 0009). The permit is written and removed in the caller's transaction: it is
    never committed, and a failure inside rolls it back with everything else."""
    permit_id = db.session.execute(
        insert(HistoryPermit)
        .values(kind=kind, audit_before=audit_before, person_id=person_id)
        .returning(HistoryPermit.id)
    ).scalar_one()
    yield
    db.session.execute(delete(HistoryPermit).where(HistoryPermit.id == permit_id))


# The shortest retention the purge accepts: on PostgreSQL the function the app role calls
# refuses less (migration 0011 says why), and SQLite refuses the same.
PURGE_FLOOR_DAYS = 30


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def purge(retention_days: int) -> int:
    """Delete audit entries older than `retention_days`. On PostgreSQL the app role has no
    DELETE on audit_entry: the owner's function heltid_purge_audit (migration 0011) does it."""
    if retention_days < PURGE_FLOOR_DAYS:
        raise ValueError(f"audit entries are kept at least {PURGE_FLOOR_DAYS} days")
    if _postgresql():
        return db.session.execute(
            text("SELECT heltid_purge_audit(:days)"), {"days": retention_days}
        ).scalar_one()
    cutoff = utcnow() - dt.timedelta(days=retention_days)
    with history_permit("audit_purge", audit_before=cutoff):
        deleted = db.session.execute(delete(AuditEntry).where(AuditEntry.at < cutoff)).rowcount
    return deleted


def erase_history(person_id: int) -> None:
    """Delete the person's report facts and living documents (their revisions cascade) and
    clear them as author of revisions in others' documents: the one deletion of history
    besides the audit purge (migration 0009). On PostgreSQL the owner's function
    heltid_erase_history (migration 0011) runs the same statements: the app role may not
    write a permit."""
    if _postgresql():
        db.session.execute(text("SELECT heltid_erase_history(:person)"), {"person": person_id})
        return
    with history_permit("erasure", person_id=person_id):
        for statement in (
            "DELETE FROM reporting_revision_facts WHERE person_id = :person",
            "DELETE FROM living_document WHERE person_id = :person",
            "UPDATE living_revision SET author_id = NULL WHERE author_id = :person",
        ):
            db.session.execute(text(statement), {"person": person_id})
