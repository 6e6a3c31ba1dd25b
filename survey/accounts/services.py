"""People, roles, passwords, lock-out and one-time links. No request access here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Iterable

from sqlalchemy import delete, select, update

from survey.accounts import passwords
from survey.accounts.models import LoginToken, Person, Role, RoleAssignment, TokenPurpose, Unit
from survey.db import aware, utcnow
from survey.extensions import db

logger = logging.getLogger(__name__)


class AccountError(ValueError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> Person | None:
    if not email or len(email) > 320:
        return None
    return db.session.scalars(select(Person).where(Person.email == normalise_email(email))).first()


def find_unit(code_or_name: str) -> Unit | None:
    return db.session.scalars(
        select(Unit).where((Unit.code == code_or_name) | (Unit.name == code_or_name))
    ).first()


def descendant_unit_ids(unit_ids: Iterable[int | None]) -> set[int]:
    """The units and every unit below them (one query for the whole tree)."""
    children: dict[int | None, list[int]] = {}
    for unit_id, parent_id in db.session.execute(select(Unit.id, Unit.parent_id)):
        children.setdefault(parent_id, []).append(unit_id)
    found: set[int] = set()
    stack = [u for u in unit_ids if u is not None]
    while stack:
        unit_id = stack.pop()
        if unit_id in found:
            continue
        found.add(unit_id)
        stack.extend(children.get(unit_id, []))
    return found


def create_person(
    email: str | None,
    name: str | None = None,
    *,
    unit: Unit | None = None,
    ansattnummer: str | None = None,
) -> Person:
    if email is not None:
        email = normalise_email(email)
        if "@" not in email or len(email) > 320:
            raise AccountError("invalid_email")
        if find_by_email(email) is not None:
            raise AccountError("email_taken")
    person = Person(email=email, name=name or (email or ""), unit=unit, ansattnummer=ansattnummer)
    db.session.add(person)
    db.session.flush()
    return person


def role_set(person: Person) -> set[Role]:
    """The roles a person holds; everyone with an account is also an ansatt (own data)."""
    return {assignment.role for assignment in person.roles} | {Role.ANSATT}


def grant_role(person: Person, role: Role, unit: Unit | None = None) -> RoleAssignment | None:
    if role is Role.ENHETSLEDER and unit is None:
        raise AccountError("unit_required")
    unit_id = unit.id if unit is not None and role is Role.ENHETSLEDER else None
    for existing in person.roles:
        if existing.role is role and existing.unit_id == unit_id and existing.case_id is None:
            return None
    assignment = RoleAssignment(person=person, role=role, unit_id=unit_id)
    db.session.add(assignment)
    db.session.flush()
    return assignment


def revoke_role(person: Person, assignment_id: int) -> RoleAssignment | None:
    for assignment in person.roles:
        if assignment.id == assignment_id:
            person.roles.remove(assignment)
            db.session.flush()
            return assignment
    return None


def set_password(person: Person, password: str) -> None:
    passwords.check_password(password)  # raises PasswordRejected
    person.password_hash = passwords.hash_password(password)
    person.failed_logins = 0
    person.locked_until = None


# --- logging in with a password ------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class LockoutPolicy:
    free_attempts: int = 5  # failures before the first lock
    base_seconds: int = 60  # the first lock; each further failure doubles it
    max_seconds: int = 24 * 3600

    def lock_for(self, failures: int) -> dt.timedelta | None:
        if failures <= self.free_attempts:
            return None
        doublings = min(failures - self.free_attempts - 1, 20)
        return dt.timedelta(seconds=min(self.base_seconds * 2**doublings, self.max_seconds))


@dataclasses.dataclass(frozen=True)
class LoginResult:
    person: Person | None
    status: str  # "ok", "invalid", "locked"
    locked_until: dt.datetime | None = None


def authenticate(
    email: str, password: str, *, policy: LockoutPolicy, now: dt.datetime | None = None
) -> LoginResult:
    """Check a password. A locked account is refused without looking at the password, so a
    guesser learns nothing while it is locked; each failure past the free attempts locks it
    for twice as long as the last time."""
    now = now or utcnow()
    person = find_by_email(email)
    if person is None:
        passwords.verify_password(None, password)
        return LoginResult(None, "invalid")
    locked_until = aware(person.locked_until)
    if locked_until is not None and locked_until > now:
        return LoginResult(person, "locked", locked_until)
    if not passwords.verify_password(person.password_hash, password):
        # Counted in the database, so simultaneous guesses each count.
        failures = db.session.execute(
            update(Person)
            .where(Person.id == person.id)
            .values(failed_logins=Person.failed_logins + 1)
            .returning(Person.failed_logins)
            .execution_options(synchronize_session=False)
        ).scalar_one()
        lock = policy.lock_for(failures)
        person.failed_logins = failures
        person.locked_until = now + lock if lock else None
        if lock:
            return LoginResult(person, "locked", person.locked_until)
        return LoginResult(person, "invalid")
    if passwords.needs_rehash(person.password_hash):
        person.password_hash = passwords.hash_password(password)
    person.failed_logins = 0
    person.locked_until = None
    person.last_login_at = now
    return LoginResult(person, "ok")


def log_out_everywhere(person: Person) -> None:
    """End every session, and withdraw login links not yet used: a lost phone may hold one."""
    person.session_epoch += 1
    revoke_tokens(person, TokenPurpose.LOGIN)


def revoke_tokens(person: Person, purpose: TokenPurpose) -> None:
    db.session.execute(
        delete(LoginToken).where(
            LoginToken.person_id == person.id,
            LoginToken.purpose == purpose,
            LoginToken.used_at.is_(None),
        )
    )


# --- one-time links ----------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(person: Person, purpose: TokenPurpose, lifetime: dt.timedelta) -> str:
    """A new one-time token (128 bits). Only its hash is stored."""
    token = secrets.token_urlsafe(16)
    db.session.add(
        LoginToken(
            # LoginToken has no `person` relationship, only the column.
            person_id=person.id,
            token_hash=_token_hash(token),
            purpose=purpose,
            expires_at=utcnow() + lifetime,
        )
    )
    db.session.flush()
    logger.info("%s link issued for person %s", purpose.value, person.id)
    return token


def peek_token(
    token: str, purpose: TokenPurpose, now: dt.datetime | None = None
) -> LoginToken | None:
    """The valid, unused token, without using it (to show a confirmation page)."""
    if not token or len(token) > 100:
        return None
    row = db.session.scalars(
        select(LoginToken).where(
            LoginToken.token_hash == _token_hash(token), LoginToken.purpose == purpose
        )
    ).first()
    now = now or utcnow()
    if row is None or row.used_at is not None or aware(row.expires_at) <= now:
        return None
    return row


def redeem_token(
    token: str, purpose: TokenPurpose, now: dt.datetime | None = None
) -> Person | None:
    """Use a token once. Two simultaneous uses: exactly one wins (conditional update)."""
    row = peek_token(token, purpose, now)
    if row is None:
        return None
    claimed = db.session.execute(
        update(LoginToken)
        .where(LoginToken.id == row.id, LoginToken.used_at.is_(None))
        .values(used_at=now or utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return None
    return db.session.get(Person, row.person_id)
