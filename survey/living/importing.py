"""Historical mappings from spreadsheets: one dated revision per person, all or nothing.

The columns are `ansattnummer` and the field names of the kartleggingssamtale questionnaire;
each cell is read by its question's type. `plan_mappings` checks every row and returns every
error plus the revisions it would save (the preview, and `--dry-run`); `apply_mappings` saves
them. The caller commits."""

from __future__ import annotations

import dataclasses
import datetime as dt
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
from survey.roster.importing import ROSTER_SYNONYMS
from survey.roster.reading import FileError, Sheet, cell_text, map_columns

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
    errors: list[FileError]
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


def _message(question: engine.Question, text: str, error: engine.FieldError) -> str:
    params = error.params
    if error.code == "unknown_choice":
        choices = ", ".join(question.choice_values)
        return f"{params.get('value')!r} is not one of {choices}"
    if error.code == "invalid_integer":
        return f"{text!r} is not a whole number"
    if error.code == "invalid_number":
        return f"{text!r} is not a number"
    if error.code == "invalid_date":
        return f"{text!r} is not a date (use dd.mm.yyyy or yyyy-mm-dd)"
    if error.code == "out_of_range":
        low, high = params.get("min"), params.get("max")
        bounds = f"between {_show(low)} and {_show(high)}"
        if low is None:
            bounds = f"at most {_show(high)}"
        elif high is None:
            bounds = f"at least {_show(low)}"
        return f"{text} is not {bounds}"
    if error.code == "too_long":
        return f"longer than {params.get('max')} characters"
    if error.code == "too_many_values":
        return "only one value is allowed"
    return error.code


def parse_cell(question: engine.Question, raw: Any) -> tuple[Any, str | None]:
    """A cell as the stored (JSON) value of `question`, or the message that refuses it."""
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
        return None, _message(question, text, error)
    return engine.serialize(question, value), None


def plan_mappings(
    sheet: Sheet, as_of: dt.date, *, mapping: Mapping[str, str] | None = None
) -> MappingsPlan:
    from survey.questionnaires.services import definition_of, latest_version

    version = latest_version(QUESTIONNAIRE_ID)
    if version is None:
        message = (
            f"questionnaire {QUESTIONNAIRE_ID} is not loaded; run `survey questionnaires load`"
        )
        error = FileError(sheet.file, 0, "file", message)
        return MappingsPlan([error], [], MappingsReport(as_of), None)
    questions = mapping_questions(definition_of(version))
    questions.pop(KEY, None)
    synonyms = {KEY: ROSTER_SYNONYMS[KEY]}
    columns = map_columns(sheet, [KEY, *questions], [KEY], synonyms, explicit=mapping)
    errors = list(columns.errors)

    def error(line: int, field: str, message: str) -> None:
        errors.append(FileError(sheet.file, line, columns.header_of(sheet, field), message))

    def raw(values: list[Any], field: str) -> Any:
        position = columns.index.get(field)
        if position is None or position >= len(values):
            return None
        value = values[position]
        return None if isinstance(value, str) and not value.strip() else value

    rows: list[tuple[int, str, dict[str, Any]]] = []
    lines: dict[str, int] = {}
    for line, values in sheet.rows:
        number = cell_text(raw(values, KEY))
        parsed: dict[str, Any] = {}
        for field, question in questions.items():
            cell = raw(values, field)
            if cell is None:
                continue
            value, message = parse_cell(question, cell)
            if message is not None:
                error(line, field, message)
            elif value is not None:
                parsed[field] = value
        if not number:
            if KEY in columns.index:
                error(line, KEY, "missing value")
            continue
        if number in lines:
            error(line, KEY, f"{number} is already on line {lines[number]}")
            continue
        lines[number] = line
        rows.append((line, number, parsed))

    people = {
        person.ansattnummer: person
        for person in db.session.scalars(select(Person).where(Person.ansattnummer.in_(lines)))
    }
    mappings = []
    for line, number, parsed in rows:
        person = people.get(number)
        if person is None:
            error(line, KEY, f"no person with ansattnummer {number} in the roster")
        else:
            mappings.append(PersonMapping(line, number, person, parsed))
    if not sheet.rows:
        errors.append(FileError(sheet.file, sheet.header_line, "file", "no rows after the header"))
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
    return plan.report
