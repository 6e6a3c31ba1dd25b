"""Uploaded questionnaires: checking a file, keeping it until it is activated, and activating
it as a questionnaire version. The services flush; the request commits (docs/unit-of-work.md)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from sqlalchemy import exists, func, select, update

from survey import engine
from survey.answering.models import Response
from survey.audit.services import Action, record
from survey.campaigns.models import Campaign
from survey.db import utcnow
from survey.extensions import db
from survey.questionnaires.models import QuestionnaireUpload, QuestionnaireVersion
from survey.questionnaires.services import SyncResult, latest_version, sync_definition


@dataclasses.dataclass(frozen=True)
class Plan:
    """What activating a definition will do: the same decision as `sync_definition`."""

    action: str  # "added", "new version", "updated", "unchanged"
    version: int  # the version it becomes (or stays)
    latest: int | None  # the latest stored version now


def plan_activation(definition: engine.Questionnaire) -> Plan:
    latest = latest_version(definition.id)
    if latest is None:
        return Plan("added", definition.version, None)
    if latest.fingerprint == definition.fingerprint:
        return Plan("unchanged", latest.version, latest.version)
    answered = db.session.scalar(
        select(exists().where(Response.questionnaire_version_id == latest.id))
    )
    if not answered:
        return Plan("updated", max(latest.version, definition.version), latest.version)
    return Plan("new version", max(definition.version, latest.version + 1), latest.version)


def store_upload(
    definition: engine.Questionnaire, filename: str, person_id: int | None
) -> QuestionnaireUpload:
    """Keep a checked definition until it is activated (its YAML text: an XLSForm is stored
    as converted)."""
    upload = QuestionnaireUpload(
        questionnaire_id=definition.id,
        filename=filename,
        source=definition.source,
        fingerprint=definition.fingerprint,
        uploaded_by=person_id,
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def upload_by_id(upload_id: int) -> QuestionnaireUpload | None:
    return db.session.get(QuestionnaireUpload, upload_id)


def definition_of_upload(upload: QuestionnaireUpload) -> engine.Questionnaire:
    return engine.load_text(upload.source, upload.filename)


def pending_uploads(limit: int = 20) -> list[QuestionnaireUpload]:
    """Uploads not activated yet, newest first."""
    return list(
        db.session.scalars(
            select(QuestionnaireUpload)
            .where(QuestionnaireUpload.activated_at.is_(None))
            .order_by(QuestionnaireUpload.uploaded_at.desc(), QuestionnaireUpload.id.desc())
            .limit(limit)
        )
    )


def activate(upload_id: int, person_id: int | None) -> SyncResult | None:
    """Store the upload as a questionnaire version and mark it activated, audit-logged.

    None when it was activated already: the conditional UPDATE claims the upload, so a double
    submit (or two people at once) stores it once; the second finds nothing to claim."""
    claimed = db.session.execute(
        update(QuestionnaireUpload)
        .where(QuestionnaireUpload.id == upload_id, QuestionnaireUpload.activated_at.is_(None))
        .values(activated_at=utcnow())
    )
    if claimed.rowcount != 1:
        return None
    upload = db.session.get(QuestionnaireUpload, upload_id)
    result = sync_definition(definition_of_upload(upload))
    db.session.flush()
    record(
        Action.CHANGE,
        actor_id=person_id,
        object_type="questionnaire",
        object_id=result.questionnaire_id,
        detail={
            "version": result.version,
            "action": result.action,
            "file": upload.filename,
            "upload": upload.id,
            "via": "web",
        },
    )
    return result


@dataclasses.dataclass(frozen=True)
class Stored:
    """A questionnaire's row in the list: its latest version and how many surveys use it."""

    questionnaire_id: str
    definition: engine.Questionnaire
    version: int
    loaded_at: dt.datetime
    campaigns: int


def stored_questionnaires() -> list[Stored]:
    from survey.questionnaires.services import definition_of

    newest = (
        select(
            QuestionnaireVersion.questionnaire_id, func.max(QuestionnaireVersion.version).label("v")
        )
        .group_by(QuestionnaireVersion.questionnaire_id)
        .subquery()
    )
    versions = db.session.scalars(
        select(QuestionnaireVersion).join(
            newest,
            (QuestionnaireVersion.questionnaire_id == newest.c.questionnaire_id)
            & (QuestionnaireVersion.version == newest.c.v),
        )
    ).all()
    counts = dict(
        db.session.execute(
            select(Campaign.questionnaire_id, func.count(Campaign.id)).group_by(
                Campaign.questionnaire_id
            )
        ).all()
    )
    return [
        Stored(
            version.questionnaire_id,
            definition_of(version),
            version.version,
            version.loaded_at,
            counts.get(version.questionnaire_id, 0),
        )
        for version in sorted(versions, key=lambda v: v.questionnaire_id)
    ]


def shipped_ids(directory: str | Path) -> set[str]:
    """The ids of the definition files shipped in QUESTIONNAIRE_DIR: loading them again
    (`survey questionnaires load`, which `survey serve` runs) stores the file's text."""
    ids: set[str] = set()
    try:
        paths = engine.loader.definition_files(directory)
    except OSError:  # no such folder: nothing is shipped
        return ids
    for path in paths:
        for line in path.read_text(encoding="utf-8-sig").splitlines():
            if line.startswith("id:"):
                ids.add(line.partition(":")[2].strip().strip("'\""))
                break
    return ids
