"""Drafts of the interview guide and of the employee's wishes, and saving them as revisions.

A draft starts from the current revision (or, for a first conversation, from the roster) and
remembers which revision that was. Saving it on top of a newer revision raises Conflict and
keeps the draft, so the person can see both versions and choose; nothing is overwritten."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from survey import engine
from survey.accounts.models import Person
from survey.conversations.models import Draft, DraftKind
from survey.db import today
from survey.extensions import db
from survey.living import services as living
from survey.living.models import LivingDocument, Revision, Source
from survey.questionnaires.services import definition_of, latest_version, version_of

GUIDE_ID = "kartleggingssamtale"

# The pages of the guide the employee keeps current themselves: what they would like and on
# which conditions. The position they have, the leader's assessment and the notes are the
# project leader's.
WISH_PAGES = (
    "onske",
    "onsket_stilling",
    "helger",
    "langvakter",
    "andre_steder",
    "turnus_fagbrev",
    "oppstart",
)


class GuideMissing(Exception):
    """The interview guide has not been loaded into the database."""


@dataclasses.dataclass(frozen=True)
class Guide:
    version: int
    questionnaire: engine.Questionnaire
    pages: tuple[str, ...]  # the pages this kind of draft may edit, in order

    def relevant_pages(self, answers: Mapping[str, Any]) -> list[engine.Page]:
        return [
            page
            for page in engine.relevant_pages(self.questionnaire, answers, today())
            if page.name in self.pages
        ]

    def next_page(self, answers: Mapping[str, Any], current: str) -> engine.Page | None:
        names = [page.name for page in self.relevant_pages(answers)]
        order = [page.name for page in self.questionnaire.pages]
        later = [name for name in names if order.index(name) > order.index(current)]
        return self.questionnaire.page(later[0]) if later else None

    def previous_page(self, answers: Mapping[str, Any], current: str) -> engine.Page | None:
        names = [page.name for page in self.relevant_pages(answers)]
        order = [page.name for page in self.questionnaire.pages]
        earlier = [name for name in names if order.index(name) < order.index(current)]
        return self.questionnaire.page(earlier[-1]) if earlier else None

    def progress(self, answers: Mapping[str, Any], current: str) -> engine.Progress:
        return engine.progress(self.questionnaire, answers, current, today(), among=self.pages)

    def missing_required(self, answers: Mapping[str, Any]) -> list[engine.Question]:
        editable = {
            question.name
            for page in self.questionnaire.pages
            if page.name in self.pages
            for question in page.questions
        }
        return [
            question
            for question in engine.missing_required(self.questionnaire, answers, today())
            if question.name in editable
        ]


def guide(kind: DraftKind, version: int | None = None) -> Guide:
    found = latest_version(GUIDE_ID) if version is None else version_of(GUIDE_ID, version)
    if found is None:
        raise GuideMissing(GUIDE_ID)
    questionnaire = definition_of(found)
    names = tuple(page.name for page in questionnaire.pages)
    if kind is DraftKind.WISHES:
        names = tuple(name for name in names if name in WISH_PAGES)
    return Guide(found.version, questionnaire, names)


def deserialized(questionnaire: engine.Questionnaire, data: Mapping[str, Any]) -> dict[str, Any]:
    """Stored (JSON) values as the engine's values; fields the guide does not ask are left out."""
    values = {}
    for name, stored in data.items():
        try:
            question = questionnaire.question(name)
        except KeyError:
            continue
        value = engine.deserialize(question, stored)
        if value is not None:
            values[name] = value
    return values


def serialized(questionnaire: engine.Questionnaire, values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: engine.serialize(questionnaire.question(name), value)
        for name, value in values.items()
        if value is not None
    }


def roster_prefill(person: Person) -> dict[str, Any]:
    """What the roster knows, under the prefill names the guide asks for: the main
    position's unit, yrkesgruppe and form, and the positions added up (the same reading
    as the roster invitations: `survey.roster.services`)."""
    from survey.roster.services import roster_prefill as from_roster

    return from_roster(person)


def find_draft(document: LivingDocument, author: Person, kind: DraftKind) -> Draft | None:
    return db.session.scalars(
        select(Draft).where(
            Draft.document_id == document.id, Draft.author_id == author.id, Draft.kind == kind
        )
    ).first()


def open_draft(person: Person, author: Person, kind: DraftKind) -> Draft:
    """The author's draft for this person's document, started from the current revision."""
    document = living.document_for(person)
    draft = find_draft(document, author, kind)
    if draft is not None:
        return draft
    current = living.current_revision(document)
    found = guide(kind)
    if current is not None:
        answers = serialized(
            found.questionnaire, deserialized(found.questionnaire, current.data or {})
        )
    else:
        answers = serialized(
            found.questionnaire,
            engine.prefill_values(found.questionnaire, roster_prefill(person)),
        )
    draft = Draft(
        document_id=document.id,
        author_id=author.id,
        kind=kind,
        base_revision=current.number if current else 0,
        questionnaire_version=found.version,
        answers=answers,
    )
    try:
        with db.session.begin_nested():
            db.session.add(draft)
    except IntegrityError:  # a double click started it twice
        draft = find_draft(document, author, kind)
        assert draft is not None
    return draft


def draft_answers(draft: Draft, found: Guide) -> dict[str, Any]:
    return deserialized(found.questionnaire, draft.answers or {})


def store_page(
    draft: Draft,
    found: Guide,
    page: engine.Page,
    values: Mapping[str, Any],
    answers: Mapping[str, Any],
    resume_at: str | None,
) -> dict[str, Any]:
    """Keep a page's answers in the draft. Empty answers to relevant questions are removed;
    answers that are not relevant now are kept until the draft is saved."""
    merged = {**answers, **{k: v for k, v in values.items() if v is not None}}
    relevant = {
        q.name for q in engine.relevant_questions(found.questionnaire, page, merged, today())
    }
    for name, value in values.items():
        if value is None and name in relevant:
            merged.pop(name, None)
    draft.answers = serialized(found.questionnaire, merged)
    draft.last_page = resume_at or page.name
    return merged


def record_data(draft: Draft, found: Guide, base: Revision | None) -> dict[str, Any]:
    """The document as the draft would save it: the guide's relevant answers, over any fields
    of the base revision the guide does not ask (kept from historical imports)."""
    answers = draft_answers(draft, found)
    final = engine.final_answers(found.questionnaire, answers, today())
    kept = {}
    if base is not None:
        asked = {question.name for question in found.questionnaire.questions}
        kept = {name: value for name, value in (base.data or {}).items() if name not in asked}
    return {**kept, **serialized(found.questionnaire, final)}


def save_draft(
    draft: Draft,
    found: Guide,
    author: Person,
    author_role: str,
    *,
    on_top_of: int | None = None,
) -> Revision:
    """Save the draft as the next revision and delete it. Raises living.Conflict (draft kept)
    when another revision was saved since the draft started, unless `on_top_of` names the
    current revision: the author has seen both versions and chosen theirs."""
    document = db.session.get(LivingDocument, draft.document_id)
    base_number = draft.base_revision if on_top_of is None else on_top_of
    current = living.current_revision(document)
    data = record_data(draft, found, current)
    source = Source.CONVERSATION if draft.kind is DraftKind.CONVERSATION else Source.EMPLOYEE
    revision = living.save_revision(
        document,
        data,
        base=base_number,
        author=author,
        author_role=author_role,
        source=source,
        questionnaire_id=GUIDE_ID,
        questionnaire_version=found.version,
    )
    db.session.delete(draft)
    return revision


def discard(draft: Draft) -> None:
    db.session.delete(draft)


@dataclasses.dataclass(frozen=True)
class Comparison:
    """A draft against the revision saved since it started, field by field."""

    current: Revision
    fields: Sequence[living.FieldChange]  # old = saved revision, new = the draft


def compare(draft: Draft, found: Guide) -> Comparison | None:
    """None when no revision was saved since the draft started (no conflict)."""
    document = db.session.get(LivingDocument, draft.document_id)
    current = living.current_revision(document)
    if current is None or current.number == draft.base_revision:
        return None
    mine = record_data(draft, found, current)
    return Comparison(current, living.diff(current.data or {}, mine))
