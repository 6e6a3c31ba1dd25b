"""Keeping stored questionnaire versions in step with the definition files."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sqlalchemy import exists, select

from survey import engine
from survey.answering.models import Response
from survey.db import unit_of_work
from survey.extensions import db
from survey.questionnaires.models import QuestionnaireVersion


@dataclasses.dataclass(frozen=True)
class SyncResult:
    questionnaire_id: str
    version: int
    action: str  # "added", "new version", "updated", "unchanged"


@unit_of_work()
def sync_directory(directory: str | Path) -> list[SyncResult]:
    """Store every definition in `directory` that differs from its latest stored version, as
    a job: one unit of work of its own.

    A changed definition replaces the latest version while nobody has answered it; once
    answers exist it becomes a new version, so old answers keep the definition they were
    given under. Raises engine.InvalidDefinition (all errors of all files) and stores nothing
    when any file is invalid."""
    definitions = engine.load_directory(directory)
    return [sync_definition(definition) for definition in definitions]


def sync_definition(definition: engine.Questionnaire) -> SyncResult:
    latest = latest_version(definition.id)
    if latest is None:
        db.session.add(_version_row(definition, definition.version))
        return SyncResult(definition.id, definition.version, "added")
    if latest.fingerprint == definition.fingerprint:
        return SyncResult(definition.id, latest.version, "unchanged")
    has_answers = db.session.scalar(
        select(exists().where(Response.questionnaire_version_id == latest.id))
    )
    if not has_answers:
        latest.fingerprint = definition.fingerprint
        latest.source = definition.source
        latest.filename = definition.filename
        latest.version = max(latest.version, definition.version)
        return SyncResult(definition.id, latest.version, "updated")
    version = max(definition.version, latest.version + 1)
    db.session.add(_version_row(definition, version))
    return SyncResult(definition.id, version, "new version")


def _version_row(definition: engine.Questionnaire, version: int) -> QuestionnaireVersion:
    return QuestionnaireVersion(
        questionnaire_id=definition.id,
        version=version,
        fingerprint=definition.fingerprint,
        filename=definition.filename,
        source=definition.source,
    )


def latest_version(questionnaire_id: str) -> QuestionnaireVersion | None:
    return db.session.scalars(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.questionnaire_id == questionnaire_id)
        .order_by(QuestionnaireVersion.version.desc())
        .limit(1)
    ).first()


def version_of(questionnaire_id: str, version: int) -> QuestionnaireVersion | None:
    return db.session.scalars(
        select(QuestionnaireVersion).where(
            QuestionnaireVersion.questionnaire_id == questionnaire_id,
            QuestionnaireVersion.version == version,
        )
    ).first()


_definitions: dict[tuple[int, str], engine.Questionnaire] = {}


def definition_of(version: QuestionnaireVersion) -> engine.Questionnaire:
    """The parsed definition of a stored version, parsed once per process. Keyed by the
    fingerprint too, since a version without answers may still be updated in place."""
    key = (version.id, version.fingerprint)
    definition = _definitions.get(key)
    if definition is None:
        parsed = engine.load_text(version.source, version.filename)
        # The stored version number wins over the file's when a change became a new version.
        definition = dataclasses.replace(parsed, version=version.version)
        _definitions[key] = definition
    return definition


def definition_by_id(version_id: int, fingerprint: str) -> engine.Questionnaire:
    """Like definition_of, but reads the version row only when this process hasn't parsed it."""
    definition = _definitions.get((version_id, fingerprint))
    if definition is None:
        definition = definition_of(db.session.get(QuestionnaireVersion, version_id))
    return definition
