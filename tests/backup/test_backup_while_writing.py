"""`survey backup` while the app writes, restored into a fresh database: the copy is one
consistent moment, its counts are the manifest's, and every row in it is the source's row."""

from __future__ import annotations

import os
import stat
import threading
import time

import pytest
from sqlalchemy import MetaData, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from survey.answering.models import Answer, Response, Status
from survey.audit.models import AuditEntry, HistoryPermit
from survey.campaigns.services import create_campaign
from survey.db import unit_of_work
from survey.extensions import db
from survey.questionnaires.models import QuestionnaireVersion
from tests.backup.helpers import (
    cli_app,
    empty_database,
    engine_for,
    kind_of,
    manifest_of,
    rows_by_key,
    run_cli,
)

QUESTIONS = ("q1", "q2", "q3")


class Writer(threading.Thread):
    """Submits responses through the app's models, one transaction each: a response, its
    three answers and an audit entry naming it. A copy of any one moment holds whole
    transactions only."""

    def __init__(self, app, campaign_id: int, version_id: int):
        super().__init__(daemon=True)
        self.app, self.campaign_id, self.version_id = app, campaign_id, version_id
        self.committed = 0
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with self.app.app_context():
                while not self.stop.is_set():
                    with unit_of_work():
                        response = Response(
                            campaign_id=self.campaign_id,
                            questionnaire_version_id=self.version_id,
                            status=Status.SUBMITTED,
                            answers=[
                                Answer(question=q, value={"n": i}) for i, q in enumerate(QUESTIONS)
                            ],
                        )
                        db.session.add(response)
                        db.session.flush()
                        db.session.add(
                            AuditEntry(
                                action="backup_test", object_type="response", object_id=response.id
                            )
                        )
                    self.committed += 1
        except BaseException as error:  # noqa: BLE001 - reported by the test
            self.error = error

    def wait_for(self, count: int, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while self.committed < count:
            assert self.error is None, self.error
            assert time.monotonic() < deadline, f"the writer committed only {self.committed}"
            time.sleep(0.005)


def test_backup_while_writing_restores_one_consistent_moment(app, database_url, tmp_path, request):
    with app.app_context(), unit_of_work():
        campaign = create_campaign("heltid-arlig", "anonymous", "Backup")
        version_id = db.session.scalars(
            select(QuestionnaireVersion.id).where(
                QuestionnaireVersion.questionnaire_id == "heltid-arlig"
            )
        ).first()
    writer = Writer(app, campaign.id, version_id)
    writer.start()
    out = tmp_path / "backup.tar"
    try:
        with cli_app(database_url) as owner_app:  # the app writes as its role, backup as owner
            writer.wait_for(20)
            before = writer.committed
            result = owner_app.test_cli_runner().invoke(args=["backup", "--out", str(out)])
            during = writer.committed - before
        writer.wait_for(writer.committed + 20)  # the source goes on growing after the copy
    finally:
        writer.stop.set()
        writer.join()
    assert writer.error is None, writer.error
    assert result.exit_code == 0, result.output
    assert during > 0, "nothing was written while the backup ran"
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    manifest = manifest_of(out)
    assert result.output.strip() == (
        f"{out}: {out.stat().st_size} bytes, revision {manifest['revision']}, "
        f"{sum(manifest['tables'].values())} rows in {len(manifest['tables'])} tables"
    )
    assert manifest["database"] == kind_of(database_url)

    target = empty_database(request, kind_of(database_url), tmp_path)
    role = request.getfixturevalue("app_role") if kind_of(target) == "postgresql" else None
    # On PostgreSQL the restore gives APP_DATABASE_ROLE its rights again, as `db upgrade` does.
    config = {"APP_DATABASE_ROLE": role[0]} if role else {}
    restored = run_cli(target, "restore", str(out), **config)
    assert restored.exit_code == 0, restored.output
    assert "counts as in the manifest" in restored.output
    if kind_of(target) == "sqlite":  # the restored file holds personal data, as the backup
        assert stat.S_IMODE(os.stat(make_url(target).database).st_mode) == 0o600
    if role:
        assert f"Role {role[0]} (APP_DATABASE_ROLE) has its rights again." in restored.output
        as_app = make_url(target).set(username=role[0], password=role[1])
        app_engine = engine_for(as_app.render_as_string(hide_password=False))
        try:
            with app_engine.connect() as connection:
                assert connection.scalar(select(func.count()).select_from(Response.__table__))
                with pytest.raises(ProgrammingError, match="permission denied"):
                    connection.execute(select(func.count()).select_from(HistoryPermit.__table__))
        finally:
            app_engine.dispose()

    source_engine, target_engine = engine_for(database_url), engine_for(target)
    try:
        schema = MetaData()
        schema.reflect(target_engine)
        assert set(schema.tables) == set(manifest["tables"])
        with source_engine.connect() as source, target_engine.connect() as copy:
            for name, table in schema.tables.items():
                copied = rows_by_key(copy, table)
                assert len(copied) == manifest["tables"][name], name
                original = rows_by_key(source, table)
                assert {key: original.get(key) for key in copied} == copied, name
            responses = copy.scalar(select(func.count()).select_from(Response.__table__))
            source_responses = source.scalar(select(func.count()).select_from(Response.__table__))
            answers_per_response = (
                copy.execute(select(func.count(Answer.id)).group_by(Answer.response_id))
                .scalars()
                .all()
            )
            audited = copy.scalar(select(func.count()).where(AuditEntry.action == "backup_test"))
            if kind_of(target) == "sqlite":
                assert copy.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    finally:
        source_engine.dispose()
        target_engine.dispose()
    # Whole transactions only: every response with its three answers and its audit entry.
    assert before <= responses < source_responses
    assert answers_per_response == [len(QUESTIONS)] * responses
    assert audited == responses
