"""The living document as people read it: labels and values in their language, and its
classification under the definitions of ufrivillig deltid (`survey.classification`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from survey import engine
from survey.accounts.models import Person, Role
from survey.accounts.presenting import ROLE_LABELS
from survey.answering.presenting import display_value
from survey.classification import (
    FULL_TIME,
    INVOLUNTARY,
    NOT_ENOUGH_DATA,
    STATUSES,
    VOLUNTARY,
    HeltidThreshold,
    classify,
    classify_many,
    load_definitions,
)
from survey.classification.wording import groups_text, threshold_text
from survey.db import utcnow
from survey.engine.definition import WRITTEN_AUDIENCE
from survey.extensions import db
from survey.living import services
from survey.living.models import (
    Confirmation,
    ConfirmationKind,
    Handled,
    LivingDocument,
    Revision,
    Source,
)
from survey.living.relevance import counted

QUESTIONNAIRE_ID = "kartleggingssamtale"

SOURCE_LABELS = {
    Source.CONVERSATION: _l("Mapping conversation"),
    Source.EMPLOYEE: _l("Changed by the employee"),
    Source.IMPORT: _l("Imported from earlier mapping"),
    Source.CORRECTION: _l("Correction asked for by the employee"),
    Source.CAMPAIGN: _l("The employee's answers to the annual survey"),
}


def _role_label(value: str) -> str:
    try:
        return str(ROLE_LABELS[Role(value)])
    except (ValueError, KeyError):
        return value


def existing_document(person: Person) -> LivingDocument | None:
    """The person's document, without creating one (pages only read)."""
    return db.session.scalars(
        select(LivingDocument).where(LivingDocument.person_id == person.id)
    ).first()


def _questions() -> dict[str, engine.Question]:
    from survey.questionnaires.services import definition_of, latest_version

    version = latest_version(QUESTIONNAIRE_ID)
    if version is None:
        return {}
    return {question.name: question for question in definition_of(version).questions}


def label(
    questions: dict[str, engine.Question], name: str, lang: str, audience: str = WRITTEN_AUDIENCE
) -> str:
    question = questions.get(name)
    return question.label_for(audience).get(lang) if question is not None else name


def display(
    questions: dict[str, engine.Question],
    name: str,
    data: Any,
    lang: str,
    audience: str = WRITTEN_AUDIENCE,
) -> str:
    """A stored value as people read it."""
    if data is None:
        return ""
    question = questions.get(name)
    if question is None:
        return str(data)
    value = engine.deserialize(question, data)
    if value is None:
        return str(data)
    statement = question.statement_for(audience, str(value))
    if statement is not None:
        return statement.get(lang)
    return display_value(question, value, lang, audience)


def questions() -> dict[str, engine.Question]:
    """The interview guide's questions by name (the latest version)."""
    return _questions()


def state_items(
    data: dict[str, Any], lang: str, audience: str = WRITTEN_AUDIENCE
) -> list[dict[str, str]]:
    """The fields of a revision as label/value pairs, in the questionnaire's order; for the
    employee in their wording, the leader's assessments as statements of what was recorded."""
    questions = _questions()
    order = {name: index for index, name in enumerate(questions)}
    names = sorted(data, key=lambda name: (order.get(name, len(order)), name))
    items = []
    for name in names:
        value = display(questions, name, data[name], lang, audience)
        if value != "":
            text = label(questions, name, lang, audience)
            items.append({"name": name, "label": text, "value": value})
    return items


def current_view(
    person: Person, lang: str, audience: str = WRITTEN_AUDIENCE
) -> dict[str, Any] | None:
    """The current revision, when confirmed, and whether it is time to confirm again; the
    person's own view (`audience` EMPLOYEE_AUDIENCE) speaks to them as «du»."""
    document = existing_document(person)
    revision = services.current_revision(document) if document is not None else None
    if revision is None:
        return None
    confirmed_at = services.last_confirmed(document)
    stale = True
    if confirmed_at is not None:
        aware = (
            confirmed_at if confirmed_at.tzinfo else confirmed_at.replace(tzinfo=utcnow().tzinfo)
        )
        stale = utcnow() - aware > services.RECONFIRM_AFTER
    return {
        "number": revision.number,
        "effective_on": revision.effective_on,
        "data": dict(revision.data or {}),
        "items": state_items(revision.data, lang, audience),
        "confirmed_at": confirmed_at,
        "needs_confirmation": stale,
    }


def history_view(document: LivingDocument | None, lang: str) -> list[dict[str, Any]]:
    """Every revision, newest first, each with its changes against the one before."""
    if document is None:
        return []
    revisions: list[Revision] = list(
        db.session.scalars(
            select(Revision).where(Revision.document_id == document.id).order_by(Revision.number)
        )
    )
    questions = _questions()
    author_ids = {revision.author_id for revision in revisions if revision.author_id}
    authors = (
        dict(
            db.session.execute(
                select(Person.id, Person.name).where(Person.id.in_(author_ids))
            ).all()
        )
        if author_ids
        else {}
    )
    order = {name: index for index, name in enumerate(questions)}
    result = []
    previous: dict[str, Any] = {}
    for revision in revisions:
        changes = [
            {
                "label": label(questions, change.field, lang),
                "old": display(questions, change.field, change.old, lang),
                "new": display(questions, change.field, change.new, lang),
            }
            for change in sorted(
                services.diff(previous, revision.data),
                key=lambda change: (order.get(change.field, len(order)), change.field),
            )
        ]
        result.append(
            {
                "number": revision.number,
                "effective_on": revision.effective_on,
                "author_role": _role_label(revision.author_role),
                "author": authors.get(revision.author_id),
                "created_at": revision.created_at,
                "source": str(SOURCE_LABELS.get(revision.source, revision.source.value)),
                "note": revision.note,
                "changes": changes,
            }
        )
        previous = revision.data
    result.reverse()
    return result


def reconfirmation_rows(unit_ids: set[int] | None) -> list[dict[str, Any]]:
    """Documents not confirmed in the last 12 months, oldest confirmation first; with
    `unit_ids`, only people registered in those units. A fixed number of queries, however
    many documents."""
    documents = services.needing_reconfirmation()
    people = {
        person.id: person
        for person in db.session.scalars(
            select(Person).where(Person.id.in_([d.person_id for d in documents]))
        )
    }
    documents = [
        d for d in documents if unit_ids is None or people[d.person_id].unit_id in unit_ids
    ]
    if not documents:
        return []
    ids = [document.id for document in documents]
    latest = (
        select(Revision.document_id, func.max(Revision.number).label("number"))
        .where(Revision.document_id.in_(ids))
        .group_by(Revision.document_id)
        .subquery()
    )
    current = {
        revision.document_id: revision
        for revision in db.session.scalars(
            select(Revision).join(
                latest,
                (Revision.document_id == latest.c.document_id)
                & (Revision.number == latest.c.number),
            )
        )
    }
    confirmed = dict(
        db.session.execute(
            select(Confirmation.document_id, func.max(Confirmation.at))
            .where(
                Confirmation.document_id.in_(ids),
                Confirmation.kind == ConfirmationKind.CONFIRMED,
            )
            .group_by(Confirmation.document_id)
        ).all()
    )
    rows = []
    for document in documents:
        revision = current.get(document.id)
        rows.append(
            {
                "person": people[document.person_id],
                "confirmed_at": confirmed.get(document.id),
                "number": revision.number if revision else None,
                "effective_on": revision.effective_on if revision else None,
            }
        )
    rows.sort(key=lambda row: (row["confirmed_at"] is not None, str(row["confirmed_at"] or "")))
    return rows


# --- classifications of living documents, in plain words on a record, side by side on a page

STATUS_LABELS = {
    FULL_TIME: _l("Full time"),
    VOLUNTARY: _l("Voluntary part time"),
    INVOLUNTARY: _l("Involuntary part time"),
    NOT_ENOUGH_DATA: _l("Not enough data"),
}

# In tables with a column per definition.
SHORT_STATUS_LABELS = {
    FULL_TIME: _l("Full time"),
    VOLUNTARY: _l("Voluntary"),
    INVOLUNTARY: _l("Involuntary"),
    NOT_ENOUGH_DATA: _l("No data"),
}

OUTCOME_LABELS = {
    "met": _l("met"),
    "failed": _l("not met"),
    "missing": _l("no answer"),
}


def record_view(data: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """One record under the active profile, criterion by criterion, and under the others."""
    data = counted(data)
    found = load_definitions()
    threshold = found.default_heltid_threshold
    active = found.active_profile
    result = classify(data, active, heltid_threshold=threshold)
    excluded = [group.names.get(lang) for group in found.population.left_out_groups(data)]
    return {
        "profile": active.names.get(lang),
        "threshold": threshold_text(threshold),
        "status": result.status,
        "status_label": str(STATUS_LABELS[result.status]),
        "criteria": [
            {
                "label": criterion.label.get(lang),
                "outcome": criterion.outcome,
                "outcome_label": str(OUTCOME_LABELS[criterion.outcome]),
            }
            for criterion in result.criteria
        ],
        "excluded": excluded,
        "others": [
            {
                "profile": profile.names.get(lang),
                "status_label": str(
                    STATUS_LABELS[classify(data, profile, heltid_threshold=threshold).status]
                ),
            }
            for profile in found.profiles
            if profile.id != active.id
        ],
    }


def side_by_side(
    people: Sequence[tuple[Any, Mapping[str, Any]]], threshold: HeltidThreshold, lang: str
) -> dict[str, Any]:
    """Every person under every profile, and the counts per profile over the same population
    (the population rule, `Definitions.population`, applied as in `survey classify`)."""
    found = load_definitions()
    population = found.population
    people = [(person, counted(data)) for person, data in people]
    rows = []
    for person, data in people:
        excluded = [group.names.get(lang) for group in population.left_out_groups(data)]
        rows.append(
            {
                "person": person,
                "stillingsprosent": data.get("stillingsprosent"),
                "excluded": excluded,
                "statuses": [
                    classify(data, profile, heltid_threshold=threshold).status
                    for profile in found.profiles
                ],
            }
        )
    records = [data for _person, data in people]
    table = classify_many(records, found.profiles, threshold, exclude=population.left_out)
    in_groups = population.group_counts(records)
    return {
        "profiles": [
            {"id": p.id, "name": p.names.get(lang), "active": p.id == found.active_profile_id}
            for p in found.profiles
        ],
        "rows": rows,
        "totals": [
            {"profile": row.profile.names.get(lang), "counts": [row[s] for s in STATUSES]}
            for row in table.rows
        ],
        "statuses": [(status, str(STATUS_LABELS[status])) for status in STATUSES],
        "n": table.n,
        "in_scope": len(records),
        "left_out_total": table.excluded_total,
        "left_out": groups_text(population.left_out, table.excluded, lang),
        "counted_groups": groups_text(population.counted, in_groups, lang),
        "threshold": str(threshold),
        "threshold_text": threshold_text(threshold),
        "thresholds": [(str(choice), threshold_text(choice)) for choice in found.heltid_thresholds],
    }


def inbox_count() -> int:
    """How many items wait in the project leaders' «Endringer» inbox (survey.living.inbox):
    the employees' own revisions and their correction requests not marked as handled."""
    revisions = db.session.scalar(
        select(func.count())
        .select_from(Revision)
        .outerjoin(Handled, Handled.revision_id == Revision.id)
        .where(Revision.source == Source.EMPLOYEE, Handled.id.is_(None))
    )
    corrections = db.session.scalar(
        select(func.count())
        .select_from(Confirmation)
        .outerjoin(Handled, Handled.confirmation_id == Confirmation.id)
        .where(Confirmation.kind == ConfirmationKind.CORRECTION_REQUESTED, Handled.id.is_(None))
    )
    return int(revisions or 0) + int(corrections or 0)
