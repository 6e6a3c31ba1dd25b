"""Vacancies, committee members, candidates and decisions. Plain arguments, no request access;
the caller commits (one commit per request or command)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select

from survey.accounts.models import Person, Role, RoleAssignment, Unit
from survey.audit.services import Action, record
from survey.committee import candidates as logic
from survey.committee.models import (
    CaseStatus,
    CommitteeDecision,
    Outcome,
    Vacancy,
    VacancyShare,
    YrkesgruppeEquivalence,
)
from survey.db import today as local_today
from survey.db import utcnow
from survey.extensions import db
from survey.living.models import Confirmation, ConfirmationKind, LivingDocument, Revision
from survey.living.relevance import counted
from survey.problems import Problem, ProblemError
from survey.roster.models import Ansettelsesform, Position

logger = logging.getLogger(__name__)
SHIFT_TYPES = ("dag", "kveld", "natt")
# Outcomes the committee must give a reason for.
REASON_REQUIRED = frozenset({Outcome.DECLINED, Outcome.NOT_CONSIDERED})


class CommitteeError(ProblemError):
    """A user error: `problem` says what, in `survey.problems`' words. Nothing was saved."""

    def __init__(self, code: str, /, **params: Any):
        super().__init__(Problem(code, params))


# --- vacancies --------------------------------------------------------------------------------


def parse_percent(value: Any) -> Decimal:
    """A percent 0 < p ≤ 100 with at most two decimals («62,5» or «62.5»)."""
    try:
        number = Decimal(str(value).strip().replace(",", ".").removesuffix("%").strip())
    except (InvalidOperation, ValueError):
        raise CommitteeError("percent_invalid") from None
    if not number.is_finite() or number <= 0 or number > 100 or number != round(number, 2):
        raise CommitteeError("percent_invalid")
    return number


def create_vacancy(
    *,
    unit: Unit,
    yrkesgruppe: str,
    percent: Any,
    title: str | None = None,
    shares: Sequence[Any] = (),
    divisible: bool = True,
    permanent: bool = True,
    weekends_per_year: int | None = None,
    long_shifts: bool = False,
    shift_types: Iterable[str] = (),
    other_units: bool = False,
    start_date: dt.date | None = None,
    order: Sequence[str] | str | None = None,
    members: Iterable[Person] = (),
    actor: Person | None = None,
) -> Vacancy:
    yrkesgruppe = (yrkesgruppe or "").strip()
    if not yrkesgruppe:
        raise CommitteeError("yrkesgruppe_required")
    total = parse_percent(percent)
    share_values = [parse_percent(share) for share in shares] or [total]
    if sum(share_values) != total:
        raise CommitteeError("shares_must_add_up", total=total)
    shifts = list(dict.fromkeys(shift_types))
    if any(shift not in SHIFT_TYPES for shift in shifts):
        raise CommitteeError("shift_type_invalid")
    if weekends_per_year is not None and not 0 <= weekends_per_year <= 52:
        raise CommitteeError("weekends_invalid")
    try:
        criteria = list(logic.parse_order(order))
    except ValueError:
        raise CommitteeError("order_invalid") from None
    vacancy = Vacancy(
        title=(title or "").strip()[:200]
        or f"{yrkesgruppe.capitalize()} {_percent_text(total)} – {unit.name}",
        unit=unit,
        yrkesgruppe=yrkesgruppe,
        percent=total,
        permanent=permanent,
        weekends_per_year=weekends_per_year or None,
        long_shifts=long_shifts,
        shift_types=shifts,
        other_units=other_units,
        start_date=start_date,
        order_criteria=criteria,
        created_by=actor.id if actor else None,
    )
    vacancy.shares = [
        VacancyShare(number=number, percent=value, divisible=divisible)
        for number, value in enumerate(share_values, start=1)
    ]
    db.session.add(vacancy)
    db.session.flush()
    record(
        Action.CHANGE,
        actor_id=actor.id if actor else None,
        object_type="vacancy",
        object_id=vacancy.id,
        detail={
            "event": "created",
            "unit": unit.code,
            "yrkesgruppe": yrkesgruppe,
            "percent": str(total),
            "shares": [str(value) for value in share_values],
        },
    )
    for member in members:
        add_member(vacancy, member, actor=actor)
    return vacancy


def _percent_text(value: Decimal | float) -> str:
    return f"{float(value):g} %".replace(".", ",")


def add_member(vacancy: Vacancy, person: Person, *, actor: Person | None = None) -> bool:
    """Seat `person` in the committee for this case (the utvalgsmedlem role for it)."""
    if any(a.role is Role.UTVALGSMEDLEM and a.case_id == vacancy.id for a in person.roles):
        return False
    db.session.add(RoleAssignment(person=person, role=Role.UTVALGSMEDLEM, case_id=vacancy.id))
    db.session.flush()
    record(
        Action.ROLE_GRANTED,
        actor_id=actor.id if actor else None,
        subject_id=person.id,
        object_type="vacancy",
        object_id=vacancy.id,
        detail={"role": Role.UTVALGSMEDLEM.value, "case_id": vacancy.id},
    )
    return True


def remove_member(vacancy: Vacancy, person: Person, *, actor: Person | None = None) -> bool:
    """Take `person` out of the committee for this case. The last member stays: a case
    without members is one nobody but HR and the project leaders can open."""
    assignments = [
        a for a in person.roles if a.role is Role.UTVALGSMEDLEM and a.case_id == vacancy.id
    ]
    if not assignments:
        return False
    if len(members(vacancy)) <= 1:
        raise CommitteeError("last_member")
    for assignment in assignments:
        person.roles.remove(assignment)
        db.session.delete(assignment)
    db.session.flush()
    record(
        Action.ROLE_REVOKED,
        actor_id=actor.id if actor else None,
        subject_id=person.id,
        object_type="vacancy",
        object_id=vacancy.id,
        detail={"role": Role.UTVALGSMEDLEM.value, "case_id": vacancy.id},
    )
    return True


def members(vacancy: Vacancy) -> list[Person]:
    return list(
        db.session.scalars(
            select(Person)
            .join(RoleAssignment, RoleAssignment.person_id == Person.id)
            .where(RoleAssignment.role == Role.UTVALGSMEDLEM, RoleAssignment.case_id == vacancy.id)
            .order_by(Person.name)
        )
    )


def case_ids_of(person: Person) -> set[int]:
    return {
        a.case_id for a in person.roles if a.role is Role.UTVALGSMEDLEM and a.case_id is not None
    }


def vacancies(case_ids: set[int] | None = None) -> list[Vacancy]:
    """Open cases first, newest first; only `case_ids` unless None."""
    query = select(Vacancy).order_by(Vacancy.status, Vacancy.created_at.desc(), Vacancy.id.desc())
    if case_ids is not None:
        query = query.where(Vacancy.id.in_(case_ids or {-1}))
    return list(db.session.scalars(query))


def set_status(vacancy: Vacancy, status: CaseStatus, *, actor: Person | None) -> bool:
    if vacancy.status is status:
        return False
    vacancy.status = status
    vacancy.closed_at = utcnow() if status is CaseStatus.CLOSED else None
    record(
        Action.CHANGE,
        actor_id=actor.id if actor else None,
        object_type="vacancy",
        object_id=vacancy.id,
        detail={"event": "closed" if status is CaseStatus.CLOSED else "reopened"},
    )
    logger.info("committee case %s %s", vacancy.id, status.value)
    return True


# --- yrkesgruppe equivalences -----------------------------------------------------------------


def equivalent_groups(yrkesgruppe: str) -> frozenset[str]:
    return frozenset(
        db.session.scalars(
            select(YrkesgruppeEquivalence.qualifying).where(
                YrkesgruppeEquivalence.required == yrkesgruppe
            )
        )
    )


def add_equivalence(required: str, qualifying: str, *, actor: Person | None = None) -> bool:
    required, qualifying = required.strip(), qualifying.strip()
    if not required or not qualifying or required == qualifying:
        raise CommitteeError("equivalence_invalid")
    if qualifying in equivalent_groups(required):
        return False
    db.session.add(YrkesgruppeEquivalence(required=required, qualifying=qualifying))
    record(
        Action.CHANGE,
        actor_id=actor.id if actor else None,
        object_type="yrkesgruppe_equivalence",
        detail={"event": "added", "required": required, "qualifying": qualifying},
    )
    db.session.flush()
    return True


def remove_equivalence(equivalence_id: int, *, actor: Person | None = None) -> bool:
    equivalence = db.session.get(YrkesgruppeEquivalence, equivalence_id)
    if equivalence is None:
        return False
    record(
        Action.CHANGE,
        actor_id=actor.id if actor else None,
        object_type="yrkesgruppe_equivalence",
        object_id=equivalence.id,
        detail={
            "event": "removed",
            "required": equivalence.required,
            "qualifying": equivalence.qualifying,
        },
    )
    db.session.delete(equivalence)
    db.session.flush()
    return True


def equivalences() -> list[YrkesgruppeEquivalence]:
    return list(
        db.session.scalars(
            select(YrkesgruppeEquivalence).order_by(
                YrkesgruppeEquivalence.required, YrkesgruppeEquivalence.qualifying
            )
        )
    )


# --- candidates -------------------------------------------------------------------------------


def terms_for(vacancy: Vacancy) -> logic.Terms:
    return logic.Terms(
        unit_id=vacancy.unit_id,
        yrkesgruppe=vacancy.yrkesgruppe,
        percent=float(vacancy.percent),
        permanent=vacancy.permanent,
        weekends_per_year=vacancy.weekends_per_year,
        long_shifts=vacancy.long_shifts,
        shift_types=tuple(vacancy.shift_types or ()),
        other_units=vacancy.other_units,
        start_date=vacancy.start_date,
        equivalent_groups=equivalent_groups(vacancy.yrkesgruppe),
        order=tuple(vacancy.order_criteria or ()),
    )


def _unit_relation(
    person_unit: int | None, vacancy_unit: int, parents: dict[int, int | None]
) -> str | None:
    if person_unit is None:
        return None
    if person_unit == vacancy_unit:
        return logic.SAME_UNIT
    mine, theirs = parents.get(person_unit), parents.get(vacancy_unit)
    if (mine is not None and mine in (theirs, vacancy_unit)) or theirs == person_unit:
        return logic.SAME_ENHET
    return logic.OTHER_UNIT


def _classification_status(data: dict[str, Any]) -> str:
    from survey.classification import classify, load_definitions

    found = load_definitions()
    return classify(
        data, found.active_profile, heltid_threshold=found.default_heltid_threshold
    ).status


def _as_date(moment: dt.datetime | None) -> dt.date | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite returns naive UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.date()


def person_records(vacancy: Vacancy) -> list[logic.PersonRecord]:
    """Everyone with a living document, as the candidate logic reads them."""
    latest = (
        select(Revision.document_id, func.max(Revision.number).label("number"))
        .group_by(Revision.document_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Person, LivingDocument.id, Revision.data)
        .join(LivingDocument, LivingDocument.person_id == Person.id)
        .join(latest, latest.c.document_id == LivingDocument.id)
        .join(
            Revision,
            (Revision.document_id == latest.c.document_id) & (Revision.number == latest.c.number),
        )
    ).all()
    confirmed = dict(
        db.session.execute(
            select(Confirmation.document_id, func.max(Confirmation.at))
            .where(Confirmation.kind == ConfirmationKind.CONFIRMED)
            .group_by(Confirmation.document_id)
        ).all()
    )
    positions: dict[int, list[Position]] = {}
    for position in db.session.scalars(select(Position)):
        positions.setdefault(position.person_id, []).append(position)
    parents = dict(db.session.execute(select(Unit.id, Unit.parent_id)).all())
    history = past_decisions(exclude_vacancy=vacancy.id)
    records = []
    for person, document_id, stored in rows:
        data = counted(stored)  # only answers that apply under the current ones
        held = positions.get(person.id, [])
        starts = [p.startdato for p in held if p.startdato is not None]
        largest = max(held, key=lambda p: p.stillingsprosent, default=None)
        records.append(
            logic.PersonRecord(
                person_id=person.id,
                name=person.name,
                unit_name=person.unit.name if person.unit else "",
                unit_relation=_unit_relation(person.unit_id, vacancy.unit_id, parents),
                data=data,
                status=_classification_status(data),
                employed_since=min(starts, default=None),
                last_confirmed=_as_date(confirmed.get(document_id)),
                roster_percent=float(sum(p.stillingsprosent for p in held)) if held else None,
                roster_permanent=(
                    any(p.ansettelsesform is Ansettelsesform.FAST for p in held) if held else None
                ),
                roster_yrkesgruppe=largest.yrkesgruppe if largest else None,
                history=tuple(history.get(person.id, ())),
            )
        )
    return records


def candidates_for(vacancy: Vacancy, today: dt.date | None = None) -> list[logic.Candidate]:
    return logic.candidate_list(terms_for(vacancy), person_records(vacancy), today or local_today())


# --- decisions --------------------------------------------------------------------------------


def decisions(vacancy: Vacancy) -> list[CommitteeDecision]:
    return list(
        db.session.scalars(
            select(CommitteeDecision)
            .where(CommitteeDecision.vacancy_id == vacancy.id)
            .order_by(CommitteeDecision.decided_at, CommitteeDecision.id)
        )
    )


def current_decisions(vacancy: Vacancy) -> dict[int, CommitteeDecision]:
    """The newest decision per candidate."""
    current: dict[int, CommitteeDecision] = {}
    for decision in decisions(vacancy):
        current[decision.person_id] = decision
    return current


def past_decisions(*, exclude_vacancy: int | None = None) -> dict[int, list[logic.PastDecision]]:
    """Every person's decisions in other cases, oldest first: the context a committee needs
    («declined an offer last spring»)."""
    query = (
        select(CommitteeDecision, Vacancy.title)
        .join(Vacancy, Vacancy.id == CommitteeDecision.vacancy_id)
        .order_by(CommitteeDecision.decided_at, CommitteeDecision.id)
    )
    if exclude_vacancy is not None:
        query = query.where(CommitteeDecision.vacancy_id != exclude_vacancy)
    found: dict[int, list[logic.PastDecision]] = {}
    for decision, title in db.session.execute(query):
        found.setdefault(decision.person_id, []).append(
            logic.PastDecision(
                vacancy_id=decision.vacancy_id,
                title=title,
                outcome=decision.outcome.value,
                decided_on=_as_date(decision.decided_at) or local_today(),
                reason=decision.reason,
            )
        )
    return found


def decisions_for_person(person_id: int) -> list[logic.PastDecision]:
    """The committee's decisions about one person, oldest first (their living document's
    context, shown with the document)."""
    return past_decisions().get(person_id, [])


def record_decision(
    vacancy: Vacancy,
    person_id: int,
    outcome: Outcome | str,
    *,
    reason: str = "",
    percent: Any = None,
    actor: Person | None,
    candidate_ids: set[int] | None = None,
) -> CommitteeDecision:
    """A decision about one candidate (or someone the case already has a decision about)."""
    if vacancy.status is CaseStatus.CLOSED:
        raise CommitteeError("case_closed")
    try:
        outcome = Outcome(outcome)
    except ValueError:
        raise CommitteeError("outcome_invalid") from None
    if candidate_ids is None:
        candidate_ids = {candidate.person_id for candidate in candidates_for(vacancy)}
    if person_id not in candidate_ids and person_id not in current_decisions(vacancy):
        raise CommitteeError("not_a_candidate")
    reason = (reason or "").strip()[:2000]
    if outcome in REASON_REQUIRED and not reason:
        raise CommitteeError("reason_required")
    amount = None
    if percent not in (None, ""):
        amount = parse_percent(percent)
        if amount > vacancy.percent:
            raise CommitteeError("percent_above_vacancy")
    document_id = db.session.scalar(
        select(LivingDocument.id).where(LivingDocument.person_id == person_id)
    )
    decision = CommitteeDecision(
        vacancy_id=vacancy.id,
        person_id=person_id,
        document_id=document_id,
        outcome=outcome,
        percent=amount,
        reason=reason,
        decided_by=actor.id if actor else None,
    )
    db.session.add(decision)
    db.session.flush()
    record(
        Action.CHANGE,
        actor_id=actor.id if actor else None,
        subject_id=person_id,
        object_type="committee_decision",
        object_id=decision.id,
        detail={
            "vacancy_id": vacancy.id,
            "outcome": outcome.value,
            "percent": None if amount is None else str(amount),
        },
    )
    logger.info("committee case %s: decision %s (%s)", vacancy.id, decision.id, outcome.value)
    return decision
