"""A multi-select is a set of choices: the same choices in another order are no change, in the
saved revision, the history, the «Endringer» inbox and a mappings import."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from survey.accounts.models import Person
from survey.extensions import db
from survey.living import services
from survey.living.models import Revision, Source
from tests.conftest import login_as, make_person

SHIFTS = "Hvilke vakter kan hen ta i en større stilling?"
WISH = "Hvor stor stilling ønsker hen?"


def _save(app, person_id, data, base, source):
    with app.app_context():
        person = db.session.get(Person, person_id)
        revision = services.save_revision(
            services.document_for(person),
            data,
            base=base,
            author=person,
            author_role="ansatt" if source is Source.EMPLOYEE else "prosjektleder",
            source=source,
        )
        db.session.commit()
        return revision.id, list(revision.changed_fields)


@pytest.fixture
def employee(app):
    person_id = make_person(app, unit="omsorg_a", name="Eva Ansatt")
    _save(
        app,
        person_id,
        {"stillingsprosent": 50, "onsket_prosent": 80, "andre_vakter": ["kveld", "dag"]},
        0,
        Source.CONVERSATION,
    )
    return person_id


def test_the_same_choices_in_another_order_are_no_change(app, employee):
    _id, changed = _save(
        app,
        employee,
        {"stillingsprosent": 50, "onsket_prosent": 90, "andre_vakter": ["dag", "kveld"]},
        1,
        Source.EMPLOYEE,
    )
    assert changed == ["onsket_prosent"]
    assert services.changed_fields({"a": ["x", "y"]}, {"a": ["y", "x"]}) == []
    assert services.changed_fields({"a": ["x", "y"]}, {"a": ["x"]}) == ["a"]


def test_inbox_and_history_do_not_show_a_reordered_multiselect(app, client, employee):
    _save(
        app,
        employee,
        {"stillingsprosent": 50, "onsket_prosent": 90, "andre_vakter": ["dag", "kveld"]},
        1,
        Source.EMPLOYEE,
    )
    project_leader = make_person(app, "prosjektleder", name="Pia Prosjekt")
    login_as(client, app, project_leader)
    inbox = client.get("/levende/endringer").get_data(as_text=True)
    assert f"Endret ønskene sine (versjon 2): {WISH}" in inbox
    assert SHIFTS not in inbox
    history = client.get(f"/personer/{employee}/historikk").get_data(as_text=True)
    newest = history[history.index("Versjon 2") : history.index("Versjon 1")]
    assert WISH in newest and SHIFTS not in newest


def test_the_inbox_recomputes_what_older_revisions_stored_as_changed(app, client, employee):
    """Revisions are append-only: one saved before the fix keeps the order as a change in
    changed_fields; the inbox does not repeat it."""
    with app.app_context():
        first = db.session.scalars(select(Revision)).one()
        db.session.add(
            Revision(
                document_id=first.document_id,
                number=2,
                effective_on=first.effective_on,
                author_id=employee,
                author_role="ansatt",
                source=Source.EMPLOYEE,
                data={
                    "stillingsprosent": 50,
                    "onsket_prosent": 90,
                    "andre_vakter": ["dag", "kveld"],
                },
                changed_fields=["andre_vakter", "onsket_prosent"],
            )
        )
        db.session.commit()
    login_as(client, app, make_person(app, "prosjektleder", name="Pia Prosjekt"))
    inbox = client.get("/levende/endringer").get_data(as_text=True)
    assert f"Endret ønskene sine (versjon 2): {WISH}" in inbox
    assert SHIFTS not in inbox


def test_an_employee_save_with_only_a_new_order_says_nothing_changed(app, client, employee):
    _save(
        app,
        employee,
        {"stillingsprosent": 50, "onsket_prosent": 80, "andre_vakter": ["dag", "kveld"]},
        1,
        Source.EMPLOYEE,
    )
    project_leader = make_person(app, "prosjektleder", name="Pia Prosjekt")
    login_as(client, app, project_leader)
    inbox = client.get("/levende/endringer").get_data(as_text=True)
    assert "Lagret ønskene sine på nytt uten å endre noe (versjon 2)." in inbox
    assert SHIFTS not in inbox


def test_a_mappings_import_with_the_same_shifts_in_another_order_saves_nothing(
    app, runner, tmp_path
):
    """The record says «kveld, dag» (as a conversation saved it); the file says «dag kveld»,
    which the import reads in the list's order."""
    person_id = make_person(app, password=None, name="Åse")
    with app.app_context():
        person = db.session.get(Person, person_id)
        person.ansattnummer = "2001"
        services.save_revision(
            services.document_for(person),
            {"vakter_na": ["kveld", "dag"]},
            base=0,
            author=None,
            author_role="prosjektleder",
            source=Source.CONVERSATION,
            effective_on=dt.date(2014, 12, 31),
        )
        db.session.commit()
    path = tmp_path / "2015.csv"
    path.write_text("ansattnummer;vakter_na\n2001;dag kveld\n", encoding="utf-8")
    result = runner.invoke(args=["mappings", "import", str(path), "--as-of", "2015-12-31"])
    assert result.exit_code == 0, result.output
    assert "1 unchanged" in result.stdout
    assert "vakter_na" not in result.stdout
    with app.app_context():
        assert db.session.query(Revision).count() == 1
