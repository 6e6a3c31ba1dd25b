"""The living document's pages: staff read it and its history, the employee confirms it or
asks for a correction."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.accounts.models import Person
from survey.audit.models import AuditEntry
from survey.extensions import db
from survey.living import services
from survey.living.models import Confirmation, ConfirmationKind, Source
from tests.conftest import Respondent, login_as, make_person


def _save(app, person_id, author_id, data, base):
    with app.app_context():
        person, author = db.session.get(Person, person_id), db.session.get(Person, author_id)
        document = services.document_for(person)
        services.save_revision(
            document,
            data,
            base=base,
            author=author,
            author_role="prosjektleder",
            source=Source.CONVERSATION,
        )
        db.session.commit()


@pytest.fixture
def setup(app):
    leader = make_person(app, "enhetsleder", unit="omsorg_a", name="Lise Leder")
    other_leader = make_person(app, "enhetsleder", unit="hjemme", name="Annen Leder")
    employee = make_person(app, unit="omsorg_a", name="Eva Ansatt")
    _save(app, employee, leader, {"stillingsprosent": 50, "onsket_endring": "storre"}, 0)
    _save(app, employee, leader, {"stillingsprosent": 75, "onsket_endring": "storre"}, 1)
    return leader, other_leader, employee


def _confirmations(app):
    with app.app_context():
        return db.session.scalars(select(Confirmation).order_by(Confirmation.id)).all()


def _audit(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_the_unit_leader_sees_the_current_record_only(app, client, setup):
    leader, _other, employee = setup
    login_as(client, app, leader)
    page = client.get(f"/personer/{employee}").get_data(as_text=True)
    assert "Levende dokument" in page
    assert "Ikke bekreftet" in page
    assert "75 %" in page and "Større stilling" in page
    assert f"/personer/{employee}/historikk" not in page
    assert f"/samtaler/{employee}" not in page
    assert client.get(f"/personer/{employee}/historikk").status_code == 403
    assert [(e.subject_id, e.object_type) for e in _audit(app, "read")] == [(employee, "person")]


def test_the_project_leader_sees_the_history_with_diffs(app, client, setup):
    _leader, _other, employee = setup
    project_leader = make_person(app, "prosjektleder", name="Pia Prosjekt")
    login_as(client, app, project_leader)
    page = client.get(f"/personer/{employee}").get_data(as_text=True)
    assert f"/personer/{employee}/historikk" in page
    response = client.get(f"/personer/{employee}/historikk")
    assert response.status_code == 200
    history = response.get_data(as_text=True)
    assert "Før:</span> 50 %" in history and "Nå:</span> 75 %" in history
    assert history.index("Versjon 2") < history.index("Versjon 1")
    reads = _audit(app, "read")
    assert {(e.subject_id, e.object_type) for e in reads} == {
        (employee, "person"),
        (employee, "living_document"),
    }


def test_another_units_leader_gets_404(app, client, setup):
    _leader, other_leader, employee = setup
    login_as(client, app, other_leader)
    assert client.get(f"/personer/{employee}").status_code == 404
    assert client.get(f"/personer/{employee}/historikk").status_code == 403


def test_employee_sees_and_confirms_own_document(app, client, setup):
    _leader, _other, employee = setup
    login_as(client, app, employee)
    browser = Respondent(client)
    page = browser.get("/meg/").get_data(as_text=True)
    assert "75 %" in page and "Ikke bekreftet" in page
    assert 'name="revision" value="2"' in page
    response = browser.post("/meg/bekreft", {"revision": "2"})
    assert response.status_code == 302
    rows = _confirmations(app)
    assert [(r.revision_number, r.kind, r.person_id) for r in rows] == [
        (2, ConfirmationKind.CONFIRMED, employee)
    ]
    page = browser.get("/meg/").get_data(as_text=True)
    assert "Sist bekreftet" in page and "Ikke bekreftet" not in page
    changes = _audit(app, "change")
    assert [(e.subject_id, e.detail["kind"]) for e in changes] == [(employee, "confirmed")]


def test_a_stale_revision_is_not_confirmed(app, client, setup):
    _leader, _other, employee = setup
    login_as(client, app, employee)
    browser = Respondent(client)
    browser.get("/meg/")
    response = browser.post("/meg/bekreft", {"revision": "1"}, follow=True)
    assert "Dokumentet er endret siden du så det" in response.get_data(as_text=True)
    assert _confirmations(app) == []
    assert _audit(app, "change") == []


def test_a_correction_request_needs_a_comment(app, client, setup):
    _leader, _other, employee = setup
    login_as(client, app, employee)
    browser = Respondent(client)
    browser.get("/meg/")
    response = browser.post("/meg/korriger", {"revision": "2", "comment": "  "})
    assert response.status_code == 400
    response = browser.post("/meg/korriger", {"revision": "2", "comment": "x" * 2001})
    assert response.status_code == 400
    assert _confirmations(app) == []
    response = browser.post("/meg/korriger", {"revision": "2", "comment": "Jeg har 80 %"})
    assert response.status_code == 302
    rows = _confirmations(app)
    assert [(r.kind, r.comment) for r in rows] == [
        (ConfirmationKind.CORRECTION_REQUESTED, "Jeg har 80 %")
    ]
    changes = _audit(app, "change")
    assert [e.detail["kind"] for e in changes] == ["correction_requested"]


def test_an_employee_without_a_document_sees_no_buttons(app, client):
    employee = make_person(app, unit="omsorg_a")
    login_as(client, app, employee)
    page = client.get("/meg/").get_data(as_text=True)
    assert "/meg/bekreft" not in page
    assert client.post("/meg/bekreft", data={"revision": "1"}).status_code in (302, 400)
    assert _confirmations(app) == []
