"""Changing an id in a URL never reaches someone else's data."""

from __future__ import annotations

from sqlalchemy import select

from survey.accounts.models import Unit
from survey.audit.models import AuditEntry
from survey.extensions import db
from tests.conftest import login_as, make_person


def _sub_unit(app, parent_code: str, code: str) -> None:
    with app.app_context():
        parent = db.session.scalars(select(Unit).where(Unit.code == parent_code)).one()
        db.session.add(Unit(code=code, name=code, parent=parent))
        db.session.commit()


def test_employee_cannot_reach_another_persons_data(app, client):
    me = make_person(app, unit="a", password=None, name="Kari Ansatt")
    other = make_person(app, unit="a", password=None, name="Ola Kollega")
    login_as(client, app, me)
    assert client.get(f"/personer/{other}").status_code == 403
    assert client.get(f"/personer/{me}").status_code == 403  # staff pages, not for employees
    mine = client.get("/meg/data.json").get_json()
    assert mine["person"]["id"] == me
    page = client.get("/meg/").get_data(as_text=True)
    assert "Ola Kollega" not in page
    # Query strings and ids appended to personal URLs are ignored, not obeyed.
    assert client.get(f"/meg/data.json?person_id={other}").get_json()["person"]["id"] == me


def test_unit_leader_sees_own_units_and_sub_units_only(app, client):
    leader = make_person(app, "enhetsleder", unit="omsorg_a")
    _sub_unit(app, "omsorg_a", "omsorg_a_natt")
    in_unit = make_person(app, unit="omsorg_a", password=None, name="I Enheten")
    in_sub_unit = make_person(app, unit="omsorg_a_natt", password=None, name="I Underenheten")
    elsewhere = make_person(app, unit="hjemme", password=None, name="Annen Enhet")
    login_as(client, app, leader)
    assert client.get(f"/personer/{in_unit}").status_code == 200
    assert client.get(f"/personer/{in_sub_unit}").status_code == 200
    assert client.get(f"/personer/{elsewhere}").status_code == 404
    assert client.get("/personer/999999").status_code == 404
    listing = client.get("/personer/").get_data(as_text=True)
    assert "I Enheten" in listing and "I Underenheten" in listing
    assert "Annen Enhet" not in listing
    with app.app_context():
        reads = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "read")).all()
        assert sorted(entry.subject_id for entry in reads) == sorted([in_unit, in_sub_unit])


def test_committee_member_without_a_case_sees_no_one(app, client):
    member = make_person(app, "utvalgsmedlem", unit="a")
    employee = make_person(app, unit="a", password=None)
    login_as(client, app, member)
    assert client.get(f"/personer/{employee}").status_code == 403
    assert client.get("/personer/").status_code == 403


def test_union_representative_sees_aggregates_only(app, client):
    representative = make_person(app, "tillitsvalgt")
    employee = make_person(app, unit="a", password=None)
    login_as(client, app, representative)
    assert client.get("/resultater/").status_code == 200
    assert client.get(f"/personer/{employee}").status_code == 403
    assert client.get("/admin/brukere").status_code == 403
