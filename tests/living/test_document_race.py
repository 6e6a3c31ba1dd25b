"""A living document created by someone else between our look-up and our insert: only the
failed insert is undone (a savepoint), never the revisions the transaction already holds."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import event, func, insert, select

from survey.accounts.models import Person
from survey.extensions import db
from survey.living import services
from survey.living.importing import apply_mappings, plan_mappings
from survey.living.models import LivingDocument, Revision, Source
from survey.roster.reading import read_file
from tests.conftest import make_person


def _people(app, *numbers):
    ids = [make_person(app, password=None, name=f"Person {number}") for number in numbers]
    with app.app_context():
        for number, person_id in zip(numbers, ids, strict=True):
            db.session.get(Person, person_id).ansattnummer = number
        db.session.commit()
    return ids


def _is_empty_lookup_of(state, person_id: int) -> bool:
    return (
        state.is_select
        and [mapper.class_ for mapper in state.all_mappers] == [LivingDocument]
        and list(state.statement.compile().params.values()) == [person_id]
    )


def _revisions(app):
    with app.app_context():
        rows = db.session.execute(
            select(Person.ansattnummer, Revision.number, Revision.data)
            .join(LivingDocument, LivingDocument.person_id == Person.id)
            .join(Revision, Revision.document_id == LivingDocument.id)
            .order_by(Person.ansattnummer, Revision.number)
        ).all()
        return [(number, revision, data) for number, revision, data in rows]


def test_a_flushed_revision_survives_a_document_created_meanwhile(app):
    """In one transaction: Anna's revision is flushed, then Bo's document turns up between
    document_for's look-up and its insert (staged by inserting it right after the look-up
    found nothing). Before the savepoint, the whole transaction was rolled back: Anna's
    revision was lost (and the look-up then found no document at all)."""
    anna_id, bo_id = _people(app, "3001", "3002")
    with app.app_context():
        anna, bo = db.session.get(Person, anna_id), db.session.get(Person, bo_id)
        services.save_revision(
            services.document_for(anna),
            {"stillingsprosent": 50},
            base=0,
            author=None,
            author_role="import",
            source=Source.IMPORT,
        )
        staged = []

        def other_request_creates_it(state):
            if staged or not _is_empty_lookup_of(state, bo_id):
                return None
            result = state.invoke_statement().freeze()
            if result().all():
                return result()
            state.session.connection().execute(insert(LivingDocument).values(person_id=bo_id))
            staged.append(True)
            return result()

        event.listen(db.session, "do_orm_execute", other_request_creates_it)
        try:
            document = services.document_for(bo)
        finally:
            event.remove(db.session, "do_orm_execute", other_request_creates_it)
        assert staged, "the race was not staged"
        assert document.person_id == bo_id
        services.save_revision(
            document, {"stillingsprosent": 40}, base=0, author=None,
            author_role="import", source=Source.IMPORT,
        )  # fmt: skip
        db.session.commit()
    assert _revisions(app) == [
        ("3001", 1, {"stillingsprosent": 50}),
        ("3002", 1, {"stillingsprosent": 40}),
    ]


def _plan(app, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return plan_mappings(read_file(path), dt.date(2015, 12, 31))


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_concurrent_imports_keep_every_revision(app, tmp_path):
    """Two all-or-nothing imports run at the same time on PostgreSQL, both creating the
    document of Cato, who is in both files. Each has first saved someone only it knows
    (Anna, Bo). The loser of the race for Cato's document waits on the unique index, then
    finds the winner's document: every revision of both imports is kept."""
    _people(app, "3001", "3002", "3003")
    files = {
        "a.csv": "ansattnummer;stillingsprosent\n3001;50\n3003;60\n",
        "b.csv": "ansattnummer;stillingsprosent\n3002;40\n3003;70\n",
    }
    with app.app_context():
        cato_id = db.session.scalar(select(Person.id).where(Person.ansattnummer == "3003"))
    both_looked = threading.Barrier(2, timeout=20)
    outcome: dict[str, str] = {}

    def wait_until_both_looked(state):
        if not _is_empty_lookup_of(state, cato_id):
            return None
        result = state.invoke_statement().freeze()
        if not result().all() and threading.current_thread().name in files:
            both_looked.wait()  # both found no document for Cato; now both insert one
        return result()

    def run_import(name: str) -> None:
        try:
            with app.app_context():
                plan = _plan(app, tmp_path, name, files[name])
                assert not plan.errors, plan.errors
                apply_mappings(plan, note=name)
                db.session.commit()
                outcome[name] = "ok"
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcome[name] = repr(error)

    with app.app_context():
        event.listen(db.session, "do_orm_execute", wait_until_both_looked)
    try:
        threads = [threading.Thread(target=run_import, args=(n,), name=n) for n in files]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        with app.app_context():
            event.remove(db.session, "do_orm_execute", wait_until_both_looked)
    assert outcome == {"a.csv": "ok", "b.csv": "ok"}
    found = _revisions(app)
    assert [(number, revision) for number, revision, _data in found] == [
        ("3001", 1),
        ("3002", 1),
        ("3003", 1),
        ("3003", 2),
    ]
    assert {data["stillingsprosent"] for number, _r, data in found if number == "3003"} == {
        60,
        70,
    }
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LivingDocument)) == 3
