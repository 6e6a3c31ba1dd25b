"""The living document keeps every save as a revision; stale saves conflict; any past state
can be reproduced."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from survey.accounts.models import Person
from survey.extensions import db
from survey.living import services
from survey.living.models import ConfirmationKind, Source
from tests.conftest import make_person


@pytest.fixture
def people(app):
    leader = make_person(app, "prosjektleder", name="Pia Prosjektleder")
    employee = make_person(app, unit="omsorg_a", password=None, name="Eva Ansatt")
    return leader, employee


def save(document, data, base, author, source=Source.CONVERSATION, **kwargs):
    return services.save_revision(
        document,
        data,
        base=base,
        author=author,
        author_role="prosjektleder",
        source=source,
        **kwargs,
    )


def test_each_save_is_a_new_revision_with_its_changes(app, people):
    leader_id, employee_id = people
    with app.app_context():
        leader, employee = db.session.get(Person, leader_id), db.session.get(Person, employee_id)
        document = services.document_for(employee)
        first = save(document, {"stillingsprosent": 50, "onsket_prosent": 80}, 0, leader)
        second = save(
            document,
            {"stillingsprosent": 50, "onsket_prosent": 100},
            1,
            employee,
            source=Source.EMPLOYEE,
        )
        db.session.commit()
        assert (first.number, second.number) == (1, 2)
        assert first.changed_fields == ["onsket_prosent", "stillingsprosent"]
        assert second.changed_fields == ["onsket_prosent"]
        assert services.current_revision(document).data["onsket_prosent"] == 100
        assert services.diff(first.data, second.data) == [
            services.FieldChange("onsket_prosent", 80, 100)
        ]
        # The first revision is unchanged: history is kept whole.
        assert first.data == {"stillingsprosent": 50, "onsket_prosent": 80}


def test_a_save_based_on_an_older_revision_conflicts_and_both_versions_survive(app, people):
    leader_id, employee_id = people
    with app.app_context():
        leader, employee = db.session.get(Person, leader_id), db.session.get(Person, employee_id)
        document = services.document_for(employee)
        save(document, {"onsket_prosent": 80}, 0, leader)
        db.session.commit()
        # Two people opened revision 1; the employee saves first.
        save(document, {"onsket_prosent": 90}, 1, employee, source=Source.EMPLOYEE)
        db.session.commit()
        with pytest.raises(services.Conflict) as conflict:
            save(document, {"onsket_prosent": 70}, 1, leader)
        assert conflict.value.current.number == 2
        assert conflict.value.current.data == {"onsket_prosent": 90}
        db.session.rollback()
        assert services.current_revision(document).data == {"onsket_prosent": 90}
        # After seeing both versions the leader saves on top of revision 2.
        save(document, {"onsket_prosent": 70}, 2, leader, note="Avklart i samtale")
        db.session.commit()
        assert [r.data["onsket_prosent"] for r in document.revisions] == [80, 90, 70]


def test_the_state_on_a_past_date_is_reproducible(app, people):
    leader_id, employee_id = people
    with app.app_context():
        leader, employee = db.session.get(Person, leader_id), db.session.get(Person, employee_id)
        document = services.document_for(employee)
        save(
            document,
            {"stillingsprosent": 40},
            0,
            leader,
            effective_on=dt.date(2013, 3, 1),
            source=Source.IMPORT,
        )
        save(
            document,
            {"stillingsprosent": 60},
            1,
            leader,
            effective_on=dt.date(2015, 6, 1),
            source=Source.IMPORT,
        )
        save(document, {"stillingsprosent": 75}, 2, leader)
        db.session.commit()
        assert services.state_on(document, dt.date(2012, 12, 31)) is None
        assert services.state_on(document, dt.date(2014, 12, 31)).data == {"stillingsprosent": 40}
        assert services.state_on(document, dt.date(2015, 12, 31)).data == {"stillingsprosent": 60}
        assert services.state_on(document, dt.date.today()).data == {"stillingsprosent": 75}


def test_confirmation_and_yearly_reconfirmation(app, people):
    leader_id, employee_id = people
    other_id = make_person(app, unit="omsorg_a", password=None)
    with app.app_context():
        leader, employee = db.session.get(Person, leader_id), db.session.get(Person, employee_id)
        other = db.session.get(Person, other_id)
        document = services.document_for(employee)
        save(document, {"onsket_prosent": 80}, 0, leader)
        other_document = services.document_for(other)
        save(other_document, {"onsket_prosent": 60}, 0, leader)
        services.record_confirmation(document, employee, 1, ConfirmationKind.CONFIRMED)
        db.session.commit()
        assert services.last_confirmed(document) is not None
        assert services.last_confirmed(other_document) is None
        assert [d.id for d in services.needing_reconfirmation()] == [other_document.id]
        next_year = dt.datetime.now(dt.UTC) + dt.timedelta(days=366)
        assert [d.id for d in services.needing_reconfirmation(next_year)] == [
            document.id,
            other_document.id,
        ]


def test_revisions_cannot_be_rewritten(app, people):
    leader_id, employee_id = people
    with app.app_context():
        leader, employee = db.session.get(Person, leader_id), db.session.get(Person, employee_id)
        save(services.document_for(employee), {"onsket_prosent": 80}, 0, leader)
        db.session.commit()
        # The trigger refuses (SQLite); on PostgreSQL the app role has no UPDATE at all.
        refused = "append-only|permission denied for table living_revision"
        with pytest.raises(Exception, match=refused):
            db.session.execute(text("UPDATE living_revision SET data = '{}'"))
            db.session.flush()
        db.session.rollback()
