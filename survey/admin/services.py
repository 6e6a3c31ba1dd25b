"""What the administration pages change, each step with its audit entry. No request access
here, and no commits: the view commits once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from survey.accounts import services as accounts
from survey.accounts.models import Person, Role, RoleAssignment, TokenPurpose, Unit
from survey.accounts.services import AccountError
from survey.audit.services import Action, record
from survey.extensions import db


def units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).order_by(Unit.name)))


def unit_by_id(unit_id: str | int | None) -> Unit | None:
    if unit_id in (None, ""):
        return None
    try:
        return db.session.get(Unit, int(unit_id))
    except (TypeError, ValueError):
        return None


def find_people(search: str = "", limit: int = 200) -> list[Person]:
    query = (
        select(Person)
        .options(selectinload(Person.roles).selectinload(RoleAssignment.unit))
        .order_by(Person.name, Person.id)
        .limit(limit)
    )
    if search:
        pattern = f"%{search}%"
        query = query.where(or_(Person.name.ilike(pattern), Person.email.ilike(pattern)))
    return list(db.session.scalars(query))


def _role_detail(role: Role, unit: Unit | None) -> dict[str, Any]:
    # Unit codes, not names of people: the audit log outlives an erasure.
    return {"role": role.value, "unit": unit.code if unit is not None else None}


def grant(person: Person, role: Role, unit: Unit | None, actor_id: int) -> RoleAssignment | None:
    """Grant a role; None when the person already holds it. Everyone with an account is an
    ansatt already, so that role is never stored."""
    if role is Role.ANSATT:
        return None
    assignment = accounts.grant_role(person, role, unit)  # raises AccountError("unit_required")
    if assignment is not None:
        record(
            Action.ROLE_GRANTED,
            actor_id=actor_id,
            subject_id=person.id,
            object_type="role_assignment",
            object_id=assignment.id,
            detail=_role_detail(role, assignment.unit),
        )
    return assignment


def create_user(
    email: str, name: str, role: Role, unit: Unit | None, actor_id: int
) -> tuple[Person, RoleAssignment | None]:
    if role is Role.ENHETSLEDER and unit is None:
        raise AccountError("unit_required")  # before anything is written
    person = accounts.create_person(email, name, unit=unit)  # raises AccountError
    record(
        Action.PERSON_CREATED,
        actor_id=actor_id,
        subject_id=person.id,
        object_type="person",
        object_id=person.id,
        detail={"unit": unit.code if unit is not None else None},
    )
    return person, grant(person, role, unit, actor_id)


def revoke(person: Person, assignment_id: int, actor_id: int) -> RoleAssignment | None:
    """Revoke one role; None when the person holds no such assignment. An administrator may
    not remove their own admin role: there would be nobody left who could give it back."""
    assignment = next((a for a in person.roles if a.id == assignment_id), None)
    if assignment is None:
        return None
    if assignment.role is Role.ADMIN and person.id == actor_id:
        raise AccountError("own_admin_role")
    detail = _role_detail(assignment.role, assignment.unit)
    accounts.revoke_role(person, assignment_id)
    record(
        Action.ROLE_REVOKED,
        actor_id=actor_id,
        subject_id=person.id,
        object_type="role_assignment",
        object_id=assignment_id,
        detail=detail,
    )
    return assignment


def issue_login_link(
    person: Person, lifetime: dt.timedelta, actor_id: int, *, by_email: bool = False
) -> str:
    """A one-time login token for the person; only its hash is stored. `by_email` records
    that the administrator asked for it to be e-mailed too."""
    token = accounts.issue_token(person, TokenPurpose.LOGIN, lifetime)
    record(
        Action.LOGIN_LINK_CREATED,
        actor_id=actor_id,
        subject_id=person.id,
        object_type="person",
        object_id=person.id,
        detail={"days": lifetime.days, "by_email": by_email},
    )
    return token
