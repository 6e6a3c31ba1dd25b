"""HR creates people and gives and removes roles; every change lands in the audit log."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.admin.conftest import audit_entries
from tests.conftest import login_as, make_person


def _person(app, email):
    from survey.accounts.models import Person
    from survey.extensions import db

    with app.app_context():
        person = db.session.scalars(select(Person).where(Person.email == email)).first()
        if person is None:
            return None
        return {
            "id": person.id,
            "name": person.name,
            "roles": sorted((a.role.value, a.unit.code if a.unit else None) for a in person.roles),
        }


def _unit_id(app, code):
    from survey.accounts.models import Unit
    from survey.extensions import db

    with app.app_context():
        unit = db.session.scalars(select(Unit).where(Unit.code == code)).first()
        if unit is None:
            unit = Unit(code=code, name=code.title())
            db.session.add(unit)
            db.session.commit()
        return unit.id


def _person_count(app):
    from survey.accounts.models import Person
    from survey.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Person))


def test_only_administrators_reach_the_admin_pages(app, client):
    leader = make_person(app, "prosjektleder")
    login_as(client, app, leader)
    assert client.get("/admin/brukere").status_code == 403
    assert client.get("/admin/logg").status_code == 403


def test_create_user_with_a_unit_role(app, admin, admin_id):
    unit_id = _unit_id(app, "sykehjemmet")
    admin.get("/admin/brukere/ny")
    assert admin.last.status_code == 200
    assert "Sykehjemmet" in admin.html  # the unit is offered

    admin.post(
        "/admin/brukere/ny",
        {
            "name": "Lise Leder",
            "email": " Lise.Leder@Kommune.no ",
            "role": "enhetsleder",
            "unit": str(unit_id),
        },
    )
    created = _person(app, "lise.leder@kommune.no")
    assert created is not None, "the e-mail address is stored in lower case"
    assert admin.last.status_code == 302
    assert admin.last.headers["Location"].endswith(f"/admin/brukere/{created['id']}")
    assert created["roles"] == [("enhetsleder", "sykehjemmet")]

    entries = audit_entries(app)
    assert [e["action"] for e in entries] == ["person_created", "role_granted"]
    assert all(e["actor_id"] == admin_id and e["subject_id"] == created["id"] for e in entries)
    assert entries[1]["detail"] == {"role": "enhetsleder", "unit": "sykehjemmet"}

    admin.get(admin.last.headers["Location"])
    assert "Lise Leder" in admin.html
    assert "lise.leder@kommune.no" in admin.html


def test_create_user_with_a_taken_email_changes_nothing(app, admin):
    make_person(app, email="ola@kommune.no", name="Ola")
    before = _person_count(app)
    admin.get("/admin/brukere/ny")
    admin.post(
        "/admin/brukere/ny",
        {"name": "Ola Igjen", "email": "OLA@kommune.no", "role": "ansatt", "unit": ""},
    )
    assert admin.last.status_code == 422
    assert 'id="email-error"' in admin.html
    assert 'value="OLA@kommune.no"' in admin.html  # what was typed is kept
    assert _person_count(app) == before
    assert _person(app, "ola@kommune.no")["name"] == "Ola"
    assert audit_entries(app) == []


def test_unit_leader_without_a_unit_is_refused(app, admin):
    before = _person_count(app)
    admin.get("/admin/brukere/ny")
    admin.post(
        "/admin/brukere/ny",
        {"name": "Uten Enhet", "email": "uten@kommune.no", "role": "enhetsleder", "unit": ""},
    )
    assert admin.last.status_code == 422
    assert 'id="unit-error"' in admin.html
    assert _person_count(app) == before
    assert audit_entries(app) == []


def test_invalid_form_shows_errors_and_creates_nobody(app, admin):
    admin.get("/admin/brukere/ny")
    admin.post("/admin/brukere/ny", {"name": "", "email": "not-an-address", "role": "ansatt"})
    assert admin.last.status_code == 422
    assert 'id="name-error"' in admin.html
    assert 'id="email-error"' in admin.html
    assert _person(app, "not-an-address") is None


def test_employee_role_is_implicit_and_not_stored(app, admin):
    admin.get("/admin/brukere/ny")
    admin.post(
        "/admin/brukere/ny",
        {"name": "Anne Ansatt", "email": "anne@kommune.no", "role": "ansatt", "unit": ""},
    )
    assert admin.last.status_code == 302
    assert _person(app, "anne@kommune.no")["roles"] == []
    assert [e["action"] for e in audit_entries(app)] == ["person_created"]


def test_grant_and_revoke_role_are_audited(app, admin, admin_id):
    person_id = make_person(app, email="per@kommune.no", name="Per")
    admin.get(f"/admin/brukere/{person_id}")
    admin.post(f"/admin/brukere/{person_id}/roller", {"role": "prosjektleder", "unit": ""})
    assert admin.last.status_code == 302
    assert _person(app, "per@kommune.no")["roles"] == [("prosjektleder", None)]
    [granted] = audit_entries(app, "role_granted")
    assert granted["actor_id"] == admin_id
    assert granted["subject_id"] == person_id
    assert granted["detail"] == {"role": "prosjektleder", "unit": None}

    admin.get(f"/admin/brukere/{person_id}")
    assert "Per" in admin.html
    assignment_id = int(granted["object_id"])
    revoke_url = f"/admin/brukere/{person_id}/roller/{assignment_id}/fjern"
    assert f'action="{revoke_url}"' in admin.html
    admin.post(revoke_url)
    assert admin.last.status_code == 302
    assert _person(app, "per@kommune.no")["roles"] == []
    [revoked] = audit_entries(app, "role_revoked")
    assert revoked["actor_id"] == admin_id
    assert revoked["subject_id"] == person_id
    assert revoked["detail"] == {"role": "prosjektleder", "unit": None}

    # The same button again: the assignment is gone.
    admin.get(f"/admin/brukere/{person_id}")
    admin.post(revoke_url)
    assert admin.last.status_code == 404


def test_grant_unit_leader_needs_a_unit(app, admin):
    person_id = make_person(app, email="kim@kommune.no")
    admin.get(f"/admin/brukere/{person_id}")
    admin.post(f"/admin/brukere/{person_id}/roller", {"role": "enhetsleder", "unit": ""})
    assert admin.last.status_code == 422
    assert 'id="unit-error"' in admin.html
    assert _person(app, "kim@kommune.no")["roles"] == []
    assert audit_entries(app, "role_granted") == []

    unit_id = _unit_id(app, "hjemmetjenesten")
    admin.post(f"/admin/brukere/{person_id}/roller", {"role": "enhetsleder", "unit": str(unit_id)})
    assert admin.last.status_code == 302
    assert _person(app, "kim@kommune.no")["roles"] == [("enhetsleder", "hjemmetjenesten")]


def test_admin_cannot_remove_their_own_admin_role(app, admin, admin_id):
    from tests.admin.conftest import ADMIN_EMAIL

    with app.app_context():
        from survey.accounts.models import Person
        from survey.extensions import db

        [assignment_id] = [a.id for a in db.session.get(Person, admin_id).roles]
    admin.get(f"/admin/brukere/{admin_id}")
    admin.post(f"/admin/brukere/{admin_id}/roller/{assignment_id}/fjern")
    assert admin.last.status_code == 409
    assert "alert-error" in admin.html
    assert _person(app, ADMIN_EMAIL)["roles"] == [("admin", None)]
    assert audit_entries(app, "role_revoked") == []
    # Still an administrator.
    assert admin.get("/admin/brukere").status_code == 200


def test_admin_may_remove_another_admins_role(app, admin):
    other = make_person(app, "admin", email="other.hr@kommune.no")
    with app.app_context():
        from survey.accounts.models import Person
        from survey.extensions import db

        [assignment_id] = [a.id for a in db.session.get(Person, other).roles]
    admin.get(f"/admin/brukere/{other}")
    admin.post(f"/admin/brukere/{other}/roller/{assignment_id}/fjern")
    assert admin.last.status_code == 302
    assert _person(app, "other.hr@kommune.no")["roles"] == []


def test_user_list_shows_roles_and_searches(app, admin):
    unit_id = _unit_id(app, "legevakten")
    assert unit_id
    make_person(app, "enhetsleder", email="berit@kommune.no", name="Berit Bakke", unit="legevakten")
    make_person(app, email="knut@kommune.no", name="Knut Knutsen")
    admin.get("/admin/brukere")
    assert "Berit Bakke" in admin.html
    assert "Knut Knutsen" in admin.html
    assert "(Legevakten)" in admin.html  # the unit of the unit-leader role
    assert 'href="/admin/brukere/ny"' in admin.html

    admin.get("/admin/brukere?q=BERIT@")
    assert "Berit Bakke" in admin.html
    assert "Knut Knutsen" not in admin.html
    admin.get("/admin/brukere?q=knutsen")
    assert "Knut Knutsen" in admin.html
    assert "Berit Bakke" not in admin.html


def test_unknown_person_is_404(admin):
    assert admin.get("/admin/brukere/999999").status_code == 404


def test_role_forms_do_not_preselect_administrator(app, admin):
    admin.get("/admin/brukere/ny")
    assert '<option selected value="ansatt">' in admin.html
    person_id = make_person(app, email="vera@kommune.no")
    admin.get(f"/admin/brukere/{person_id}")
    assert '<option selected value="admin">' not in admin.html
    admin.post(f"/admin/brukere/{person_id}/roller", {"role": "", "unit": ""})
    assert admin.last.status_code == 422
    assert 'id="role-error"' in admin.html
    assert _person(app, "vera@kommune.no")["roles"] == []
