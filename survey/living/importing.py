"""Historical mappings from spreadsheets: one dated revision per person, all or nothing.

The columns are `ansattnummer` and the field names of the kartleggingssamtale questionnaire;
each cell is read by its question's type. `plan_mappings` checks every row and returns every
error plus the revisions it would save (the preview, and `--dry-run`); `apply_mappings` saves
them. The caller commits."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from survey import engine
from survey.accounts.models import Person
from survey.extensions import db
from survey.living.models import LivingDocument, Source
from survey.living.services import (
    current_revision,
    document_for,
    same_value,
    save_revision,
    state_on,
)
from survey.problems import Problem
from survey.roster.importing import ROSTER_SYNONYMS
from survey.roster.reading import RowReader, Sheet, cell_text, map_columns

logger = logging.getLogger(__name__)
QUESTIONNAIRE_ID = "kartleggingssamtale"
KEY = "ansattnummer"
_SELECTION_SEPARATORS = re.compile(r"[;,\s]+")
_YES_NO = {"ja": "yes", "j": "yes", "yes": "yes", "nei": "no", "n": "no", "no": "no"}


@dataclasses.dataclass
class PersonMapping:
    line: int
    ansattnummer: str
    person: Person
    values: dict[str, Any]  # the file's non-empty values, as stored (JSON)
    new_document: bool = False
    data: dict[str, Any] = dataclasses.field(default_factory=dict)  # the revision to save
    changes: dict[str, tuple[Any, Any]] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class MappingsReport:
    as_of: dt.date
    created: list[PersonMapping] = dataclasses.field(default_factory=list)
    revised: list[PersonMapping] = dataclasses.field(default_factory=list)
    unchanged: list[str] = dataclasses.field(default_factory=list)
    ignored_columns: list[str] = dataclasses.field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        if self.ignored_columns:
            out.append(f"ignored columns: {', '.join(self.ignored_columns)}")
        for label, people in (("new document", self.created), ("new revision", self.revised)):
            for mapping in people:
                out.append(f"{label} {mapping.ansattnummer} {mapping.person.name}:")
                for field, (old, new) in mapping.changes.items():
                    out.append(f"  {field}: {_show(old)} -> {_show(new)}")
        out.append(
            f"{len(self.created)} new document(s), {len(self.revised)} new revision(s), "
            f"{len(self.unchanged)} unchanged, in force from {self.as_of.isoformat()}"
        )
        return out


@dataclasses.dataclass
class MappingsPlan:
    errors: list[Problem]
    mappings: list[PersonMapping]
    report: MappingsReport
    questionnaire_version: int | None

    @property
    def ok(self) -> bool:
        return not self.errors


def _show(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "(none)"
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def mapping_questions(definition: engine.Questionnaire) -> dict[str, engine.Question]:
    """The questions that hold a value, by field name, in the order of the questionnaire."""
    return {
        question.name: question
        for page in definition.pages
        for question in page.questions
        if question.has_value
    }


def _problem(question: engine.Question, text: str, error: engine.FieldError) -> Problem:
    """The engine's reason for refusing an answer, said of a cell."""
    params = error.params
    if error.code == "unknown_choice":
        choices = ", ".join(question.choice_values)
        return Problem("not_a_choice", {"value": repr(params.get("value")), "choices": choices})
    if error.code == "out_of_range":
        low, high = params.get("min"), params.get("max")
        if low is None:
            return Problem("above_maximum", {"value": text, "max": _show(high)})
        if high is None:
            return Problem("below_minimum", {"value": text, "min": _show(low)})
        return Problem("not_between", {"value": text, "min": _show(low), "max": _show(high)})
    if error.code == "too_long":
        return Problem("too_long", {"count": params.get("max")})
    code = {
        "invalid_integer": "not_a_whole_number",
        "invalid_number": "not_a_number",
        "invalid_date": "not_a_date",
        "too_many_values": "one_value_only",
    }.get(error.code, "not_a_valid_value")
    return Problem(code, {"value": repr(text)})


def parse_cell(question: engine.Question, raw: Any) -> tuple[Any, Problem | None]:
    """A cell as the stored (JSON) value of `question`, or the problem that refuses it."""
    if isinstance(raw, dt.datetime | dt.date) and question.type == "date":
        day = raw.date() if isinstance(raw, dt.datetime) else raw
        return day.isoformat(), None
    text = cell_text(raw)
    if question.type == "select_multiple":
        parts = [part for part in _SELECTION_SEPARATORS.split(text) if part]
    elif question.type == "yes_no":
        parts = [_YES_NO.get(text.lower(), text)]
    elif question.type in ("select_one", "likert") and text not in question.choice_values:
        folded = {value.lower(): value for value in question.choice_values}
        parts = [folded.get(text.lower(), text)]
    else:
        parts = [text]
    value, error = engine.parse_input(question, parts)
    if error is None:
        error = engine.check_range(question, value)
    if error is not None:
        return None, _problem(question, text, error)
    return engine.serialize(question, value), None


def plan_mappings(
    sheet: Sheet, as_of: dt.date, *, mapping: Mapping[str, str] | None = None
) -> MappingsPlan:
    from survey.questionnaires.services import definition_of, latest_version

    version = latest_version(QUESTIONNAIRE_ID)
    if version is None:
        params = {"questionnaire": QUESTIONNAIRE_ID}
        error = Problem("questionnaire_not_loaded", params, sheet.file, 0, "file")
        return MappingsPlan([error], [], MappingsReport(as_of), None)
    questions = mapping_questions(definition_of(version))
    questions.pop(KEY, None)
    synonyms = {KEY: ROSTER_SYNONYMS[KEY]}
    columns = map_columns(sheet, [KEY, *questions], [KEY], synonyms, explicit=mapping)
    errors = list(columns.errors)

    rows: list[tuple[RowReader, str, dict[str, Any]]] = []
    lines: dict[str, int] = {}
    for line, values in sheet.rows:
        row = RowReader(sheet, columns, line, values, errors)
        parsed: dict[str, Any] = {}
        for field, question in questions.items():
            cell = row.raw(field)
            if cell is None:
                continue
            value, problem = parse_cell(question, cell)
            if problem is not None:
                row.add(field, problem)
            elif value is not None:
                parsed[field] = value
        number = row.text(KEY, required=True)
        if not number:
            continue
        if number in lines:
            row.error(KEY, "already_on_line", code=number, line=lines[number])
            continue
        lines[number] = line
        rows.append((row, number, parsed))

    people = {
        person.ansattnummer: person
        for person in db.session.scalars(select(Person).where(Person.ansattnummer.in_(lines)))
    }
    mappings = []
    for row, number, parsed in rows:
        person = people.get(number)
        if person is None:
            row.error(KEY, "not_in_roster", number=number)
        else:
            mappings.append(PersonMapping(row.line, number, person, parsed))
    if not sheet.rows:
        errors.append(Problem("no_rows", {}, sheet.file, sheet.header_line, "file"))
    errors.sort(key=lambda item: item.line)

    report = MappingsReport(as_of, ignored_columns=columns.ignored)
    if not errors:
        _diff(mappings, report)
    return MappingsPlan(errors, mappings, report, version.version)


def _diff(mappings: list[PersonMapping], report: MappingsReport) -> None:
    """Each person's revision: the state in force on as_of, with the file's values on top
    (a blank cell keeps the previous value)."""
    person_ids = [mapping.person.id for mapping in mappings]
    documents = {
        document.person_id: document
        for document in db.session.scalars(
            select(LivingDocument).where(LivingDocument.person_id.in_(person_ids))
        )
    }
    for mapping in mappings:
        document = documents.get(mapping.person.id)
        mapping.new_document = document is None or current_revision(document) is None
        previous = state_on(document, report.as_of) if document is not None else None
        old = dict(previous.data or {}) if previous is not None else {}
        mapping.data = {**old, **mapping.values}
        mapping.changes = {
            field: (old.get(field), value)
            for field, value in mapping.values.items()
            if not same_value(old.get(field), value)
        }
        if not mapping.changes:
            report.unchanged.append(mapping.ansattnummer)
        elif mapping.new_document:
            report.created.append(mapping)
        else:
            report.revised.append(mapping)


def apply_mappings(plan: MappingsPlan, note: str | None = None) -> MappingsReport:
    """Save a plan without errors as revisions in force from as_of; flushes, the caller
    commits."""
    if plan.errors:
        raise ValueError("mappings with errors cannot be applied")
    for mapping in [*plan.report.created, *plan.report.revised]:
        document = document_for(mapping.person)
        current = current_revision(document)
        save_revision(
            document,
            mapping.data,
            base=current.number if current else 0,
            author=None,
            author_role="import",
            source=Source.IMPORT,
            questionnaire_id=QUESTIONNAIRE_ID,
            questionnaire_version=plan.questionnaire_version,
            effective_on=plan.report.as_of,
            note=note,
        )
    db.session.flush()
    logger.info(
        "living-document import: %d new documents, %d new revisions, %d unchanged",
        len(plan.report.created),
        len(plan.report.revised),
        len(plan.report.unchanged),
    )
    return plan.report
