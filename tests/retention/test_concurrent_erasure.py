"""Two erasures at the same moment (an administrator's and the nightly one) both keep their
person's report facts: the second takes the same new ids, waits for the first to commit,
fails on them, and takes the next ones (survey.admin.erasure.keep_report_facts)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from survey.db import unit_of_work
from tests.reports.synthetic import create_municipality


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_erasures_at_once_both_keep_the_facts(app):
    from survey.accounts.models import Person
    from survey.admin.erasure import erase_person
    from survey.extensions import db
    from survey.reporting.facts import FACTS

    with app.app_context():
        create_municipality(2, 1, (2023, 2024, 2025))
        first, second = db.session.scalars(select(Person.id).order_by(Person.id)).all()

    first_inserted, first_may_commit = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def erase(person_id: int, *, hold: bool) -> None:
        try:
            with app.app_context(), unit_of_work():
                erase_person(db.session.get(Person, person_id), actor_id=None)
                if hold:  # the copies are written, not yet committed
                    first_inserted.set()
                    assert first_may_commit.wait(30)
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)
            first_inserted.set()

    one = threading.Thread(target=erase, args=(first,), kwargs={"hold": True})
    one.start()
    assert first_inserted.wait(30)
    two = threading.Thread(target=erase, args=(second,), kwargs={"hold": False})
    two.start()
    two.join(1.0)
    assert two.is_alive()  # waiting for the first erasure's uncommitted ids
    first_may_commit.set()
    one.join(30)
    two.join(30)
    assert not errors, errors

    f = FACTS.c
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Person)) == 0
        ids = db.session.execute(select(f.revision_id, f.document_id, f.person_id)).all()
    assert len(ids) == 6 and all(r < 0 and d < 0 and p is None for r, d, p in ids)
    assert len({d for _r, d, _p in ids}) == 2
