"""History cannot be deleted: the database refuses DELETE on the audit log and on living
document revisions, except the retention purge of expired entries and an erasure (0009)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from tests.conftest import make_person


@pytest.fixture
def app(owner_app):
    """As the owner: the triggers guard history even against the role that may DELETE
    (tests/privileges checks that the app role may not even try)."""
    return owner_app


def _count(table: str) -> int:
    from survey.extensions import db

    return db.session.scalar(text(f"SELECT count(*) FROM {table}"))


def _document_with_revisions(person_id: int, author_id: int | None = None) -> None:
    from survey.accounts.models import Person
    from survey.extensions import db
    from survey.living.models import Source
    from survey.living.services import document_for, save_revision

    person = db.session.get(Person, person_id)
    author = db.session.get(Person, author_id) if author_id else person
    document = document_for(person)
    save_revision(
        document,
        {"stillingsprosent": 50},
        base=0,
        author=author,
        author_role="prosjektleder",
        source=Source.CONVERSATION,
    )
    save_revision(
        document,
        {"stillingsprosent": 60},
        base=1,
        author=author,
        author_role="prosjektleder",
        source=Source.CONVERSATION,
    )
    db.session.commit()


def _audit_entry(at: dt.datetime) -> None:
    from survey.audit.models import AuditEntry
    from survey.extensions import db

    db.session.add(AuditEntry(at=at, action="read", actor_id=1, subject_id=2))
    db.session.commit()


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM audit_entry",
        "DELETE FROM audit_entry WHERE id = (SELECT min(id) FROM audit_entry)",
    ],
)
def test_raw_delete_of_audit_entries_fails(app, statement):
    from survey.extensions import db

    with app.app_context():
        _audit_entry(dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
        _audit_entry(dt.datetime.now(dt.UTC))
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
        assert _count("audit_entry") == 2


def test_raw_delete_of_living_revisions_fails(app):
    from survey.extensions import db

    person_id = make_person(app, "ansatt", email="kari@kommune.no")
    with app.app_context():
        _document_with_revisions(person_id)
        for statement in (
            "DELETE FROM living_revision",
            "DELETE FROM living_revision WHERE number = 2",
            "DELETE FROM living_document",
        ):
            with pytest.raises(DatabaseError, match="append-only"):
                db.session.execute(text(statement))
            db.session.rollback()
        assert _count("living_revision") == 2


def test_purge_deletes_expired_entries_only(app, runner):
    from survey.audit.services import purge
    from survey.db import unit_of_work
    from survey.extensions import db

    now = dt.datetime.now(dt.UTC)
    with app.app_context():
        _audit_entry(now - dt.timedelta(days=800))
        _audit_entry(now - dt.timedelta(days=10))
        with unit_of_work():  # as the `audit purge` command runs it
            assert purge(365) == 1
        assert _count("audit_entry") == 1
        # The permit went with the purge's transaction: a raw DELETE still fails.
        assert _count("history_permit") == 0
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text("DELETE FROM audit_entry"))
        db.session.rollback()
        _audit_entry(now - dt.timedelta(days=900))
    result = runner.invoke(args=["audit", "purge"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 entries" in result.output
    with app.app_context():
        assert _count("audit_entry") == 1


def test_a_permit_for_the_purge_cannot_delete_a_recent_entry(app):
    """The trigger checks every row's age against the permit, not the purge's WHERE."""
    from survey.audit.models import AuditEntry
    from survey.audit.services import history_permit
    from survey.extensions import db

    now = dt.datetime.now(dt.UTC)
    with app.app_context():
        _audit_entry(now - dt.timedelta(days=800))
        _audit_entry(now)
        cutoff = now - dt.timedelta(days=365)
        with (
            pytest.raises(DatabaseError, match="append-only"),
            history_permit("audit_purge", audit_before=cutoff),
        ):
            db.session.execute(AuditEntry.__table__.delete())
        db.session.rollback()
        assert _count("audit_entry") == 2


def test_erasure_deletes_the_living_document_and_keeps_others_history(app):
    from survey.accounts.models import Person
    from survey.admin.erasure import erase_person
    from survey.extensions import db
    from survey.living.models import LivingDocument

    admin_id = make_person(app, "admin", email="hanne@kommune.no")
    leader_id = make_person(app, "prosjektleder", email="pia@kommune.no")
    employee_id = make_person(app, "ansatt", email="kari@kommune.no")
    colleague_id = make_person(app, "ansatt", email="ola@kommune.no")
    with app.app_context():
        _document_with_revisions(employee_id, author_id=leader_id)
        _document_with_revisions(colleague_id, author_id=leader_id)
        erase_person(db.session.get(Person, employee_id), actor_id=admin_id)
        db.session.commit()
        assert db.session.get(Person, employee_id) is None
        assert _count("living_revision") == 2
        assert db.session.scalar(select(func.count()).select_from(LivingDocument)) == 1
        assert _count("history_permit") == 0
        # Erasing the project leader who wrote the colleague's revisions keeps them.
        erase_person(db.session.get(Person, leader_id), actor_id=admin_id)
        db.session.commit()
        assert _count("living_revision") == 2


def test_revisions_still_refuse_updates_even_during_an_erasure(app):
    from survey.audit.services import history_permit
    from survey.extensions import db

    leader_id = make_person(app, "prosjektleder", email="pia@kommune.no")
    employee_id = make_person(app, "ansatt", email="kari@kommune.no")
    with app.app_context():
        _document_with_revisions(employee_id, author_id=leader_id)
        for statement in (
            "UPDATE living_revision SET note = 'endret'",
            "UPDATE living_revision SET author_id = NULL, note = 'endret'",
        ):
            with (
                pytest.raises(DatabaseError, match="append-only"),
                history_permit("erasure", person_id=leader_id),
            ):
                db.session.execute(text(statement))
            db.session.rollback()
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text("UPDATE living_revision SET author_id = NULL"))
        db.session.rollback()
