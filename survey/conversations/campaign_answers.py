"""The answers of an identified campaign become a revision of the employee's living document
(issue 12, item 5), through the same services as the interview guide.

`init_app` installs `record` into `answering.services.after_identified_submit`: it runs in the
transaction that submits the response. It lives here, not in answering, because conversations
imports answering (its pages are drawn by answering.presenting) and living imports answering,
so answering calling either would be a cycle (docs/architecture.md, «No cycles»).

Anonymous and confidential campaigns never get here: `answering.services.submit` calls the
handlers for identified responses with a person only.

Which fields
- the questions the campaign's questionnaire shares by name with the interview guide (its
  latest version), when the guide's question would accept the answer as typed in (same kind
  of value, a choice the guide has, within its range). An answer the guide cannot hold is not
  recorded: the stored value stays;
- `onsker_samtale` (does the employee want a conversation with the project leader), which the
  guide does not ask: stored beside the guide's fields, like fields of historical imports,
  so later conversations keep it.

How they go over the current revision
- a shared question the respondent saw and answered: the answer replaces the stored value;
- a shared question the respondent saw and left empty (only optional ones: the reasons for
  part time, the comment): the stored value stays. The survey does not show what is stored,
  so an empty answer means «not answered», not «delete»; the reasons include health, which a
  person may not want to give again;
- a shared question the survey did not show, because the answers made it irrelevant (the
  wished position of someone who no longer wants a larger one, the reasons for part time of
  someone now full time): removed, as the guide removes answers that no longer apply;
- fields the survey does not ask (the project leader's assessment, notes, agreed measures):
  kept;
- last, the guide's own relevance, exactly as a saved conversation (`services.record_data`):
  what the guide would not show given the new answers is dropped (the leader's assessment of
  someone who no longer wants more), and fields the guide does not ask are kept.
A revision is saved also when nothing changed: the employee stated it anew that day (the
receipt says there were no changes), and it is recorded as confirmed by them: answering the
annual survey with one's name is the year's re-confirmation of the record.

A conflict: a revision newer than the one current when the draft was made (the project leader
saved a conversation meanwhile) is never overwritten. The campaign's version (its answers
over the revision the draft started from) goes into the employee's «Mine ønsker» draft
(DraftKind.WISHES) based on that older revision, and «Min side» shows the conflict page where
the employee chooses, as when two people edit at once. An unsaved wishes draft of the employee
is replaced: the campaign's answers are the newer statement. `onsker_samtale` cannot travel in
that draft (the guide does not ask it); it is lost in a conflict, where the project leader has
just held or recorded a conversation anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask
from sqlalchemy import select

from survey import engine
from survey.accounts.models import Person, Role
from survey.answering import services as answering
from survey.conversations import services
from survey.conversations.models import DraftKind
from survey.db import today
from survey.extensions import db
from survey.living import services as living
from survey.living.models import ConfirmationKind, LivingDocument, Revision, Source

logger = logging.getLogger(__name__)

# Asked by the annual survey, not by the guide; kept in the document beside the guide's fields.
OWN_FIELDS = ("onsker_samtale",)


def init_app(app: Flask) -> None:
    answering.after_identified_submit(record)


def record(submission: answering.IdentifiedSubmission) -> dict[str, Any] | None:
    """Save the submitted answers as the person's next revision, or park them in the
    person's wishes draft on a conflict. Plain data for the receipt: {"kind": "saved",
    "document": id, "revision": number} or {"kind": "conflict"}; None when nothing was done."""
    person = db.session.get(Person, submission.person_id)
    if person is None:
        return None
    try:
        found = services.guide(DraftKind.CONVERSATION)
    except services.GuideMissing:
        logger.warning(
            "response %s: no interview guide, answers not recorded", submission.response_id
        )
        return None
    document = living.document_for(person)
    current = living.current_revision(document)
    current_number = current.number if current is not None else 0
    base_number = current_number if submission.base_revision is None else submission.base_revision
    base = current if base_number == current_number else _revision(document, base_number)
    data = merged_data(
        submission.questionnaire,
        submission.answers,
        found.questionnaire,
        (base.data or {}) if base is not None else {},
    )
    if base_number == current_number:
        try:
            revision = living.save_revision(
                document,
                data,
                base=base_number,
                author=person,
                author_role=Role.ANSATT.value,
                source=Source.CAMPAIGN,
                questionnaire_id=submission.questionnaire_id,
                questionnaire_version=submission.questionnaire_version,
                note=submission.campaign_title,
            )
        except living.Conflict:  # saved by someone else this very moment
            pass
        else:
            # The employee has just stated their record: that is the year's confirmation
            # (docs/domain.md § Yearly cycle), so the record is not «to be confirmed again».
            living.record_confirmation(
                document, person, revision.number, ConfirmationKind.CONFIRMED
            )
            logger.info(
                "response %s recorded as revision %d of living document %s",
                submission.response_id,
                revision.number,
                document.id,
            )
            return {"kind": "saved", "document": document.id, "revision": revision.number}
    _park_in_wishes_draft(person, found, data, base_number)
    logger.info(
        "response %s: living document %s changed since revision %d; answers put in a draft",
        submission.response_id,
        document.id,
        base_number,
    )
    return {"kind": "conflict"}


def _revision(document: LivingDocument, number: int) -> Revision | None:
    return db.session.scalars(
        select(Revision).where(Revision.document_id == document.id, Revision.number == number)
    ).first()


def _park_in_wishes_draft(
    person: Person, found: services.Guide, data: Mapping[str, Any], base_number: int
) -> None:
    draft = services.open_draft(person, person, DraftKind.WISHES)
    draft.answers = services.serialized(
        found.questionnaire, services.deserialized(found.questionnaire, data)
    )
    draft.base_revision = base_number
    draft.questionnaire_version = found.version
    draft.last_page = None
    db.session.flush()


def fitted(question: engine.Question, data: Any) -> Any:
    """The stored (JSON) answer `data` as `question` would accept it typed in, or None."""
    if data is None:
        return None
    if isinstance(data, list):
        raw = [str(item) for item in data]
    elif isinstance(data, float) and data.is_integer():
        raw = [str(int(data))]
    else:
        raw = [str(data)]
    value, error = engine.parse_input(question, raw)
    if error is not None or value is None or engine.check_range(question, value) is not None:
        return None
    return value


def shown_questions(questionnaire: engine.Questionnaire, answers: Mapping[str, Any]) -> set[str]:
    """The questions the respondent saw with these answers."""
    day = today()
    return {
        question.name
        for page in engine.relevant_pages(questionnaire, answers, day)
        for question in engine.relevant_questions(questionnaire, page, answers, day)
    }


def merged_data(
    survey: engine.Questionnaire,
    answers: Mapping[str, Any],
    guide: engine.Questionnaire,
    stored: Mapping[str, Any],
) -> dict[str, Any]:
    """The document's data after the survey's final `answers` (engine values) go over the
    `stored` data (JSON), by the rules in the module's docstring."""
    shown = shown_questions(survey, answers)
    asked_by_survey = {q.name for q in survey.questions if q.has_value}
    shared = asked_by_survey & {q.name for q in guide.questions if q.has_value}
    values = services.deserialized(guide, stored)
    for name in sorted(shared):
        if name in answers:
            value = fitted(
                guide.question(name), engine.serialize(survey.question(name), answers[name])
            )
            if value is not None:
                values[name] = value
        elif name not in shown:
            values.pop(name, None)
    final = engine.final_answers(guide, values, today())
    asked_by_guide = {question.name for question in guide.questions}
    data = {name: value for name, value in stored.items() if name not in asked_by_guide}
    data.update(services.serialized(guide, final))
    for name in OWN_FIELDS:
        if name not in asked_by_survey:
            continue
        if name in answers:
            data[name] = engine.serialize(survey.question(name), answers[name])
        elif name not in shown:
            data.pop(name, None)
    return data
