"""Managing a case's committee members and the yrkesgruppe equivalences on the web: only HR
and project leaders, audited, and reflected in who can open a case and who is a candidate."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.committee.conftest import user as _user
from tests.conftest import make_person


@pytest.fixture
def committee(committee, app):
    """The two cases of conftest's `committee`, and a project leader who manages them."""
    committee["leader"] = make_person(app, "prosjektleder", name="Pia Prosjekt")
    return committee


def _member_ids(app, case_id) -> set[int]:
    from survey.committee import services
    from survey.committee.models import Vacancy
    from survey.extensions import db

    with app.app_context():
        return {p.id for p in services.members(db.session.get(Vacancy, case_id))}


def _role_events(app, case_id) -> list[tuple[str, int | None, int | None]]:
    from survey.audit.models import AuditEntry
    from survey.audit.services import Action
    from survey.extensions import db

    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.object_type == "vacancy",
                AuditEntry.object_id == str(case_id),
                AuditEntry.action.in_([Action.ROLE_GRANTED, Action.ROLE_REVOKED]),
            )
            .order_by(AuditEntry.id)
        ).all()
        return [(e.action, e.actor_id, e.subject_id) for e in entries]


def test_adding_and_removing_a_member(app, client, committee):
    from survey.audit.services import Action

    case, ola, leader_id = committee["vacancy"], committee["ola"], committee["leader"]
    leader = _user(app, client, leader_id)
    leader.get(f"/utvalg/{case}")
    assert 'name="email"' in leader.html  # the member form is there for a project leader
    assert "/medlemmer/fjern" not in leader.html  # one member: nothing to remove
    before = _role_events(app, case)

    leader.post(f"/utvalg/{case}/medlemmer", {"email": " OLA@kommune.no "})
    assert leader.last.status_code == 302
    assert leader.last.headers["Location"].endswith(f"/utvalg/{case}#members")
    assert _member_ids(app, case) == {committee["mona"], ola}
    leader.get(f"/utvalg/{case}")
    assert "Ola Annen" in leader.html and "alert-error" not in leader.html

    # The new member opens the case.
    seated = _user(app, app.test_client(), ola)
    assert seated.get(f"/utvalg/{case}").status_code == 200
    assert 'name="email"' not in seated.html  # members do not manage the committee

    leader.post(f"/utvalg/{case}/medlemmer/fjern", {"person_id": ola})
    assert leader.last.status_code == 302
    assert _member_ids(app, case) == {committee["mona"]}
    leader.get(f"/utvalg/{case}")
    assert "alert-error" not in leader.html
    # Ola still sits in his other case, so this one is simply not there for him any more.
    assert seated.get(f"/utvalg/{case}").status_code == 404
    assert seated.get(f"/utvalg/{committee['other']}").status_code == 200

    assert _role_events(app, case)[len(before) :] == [
        (Action.ROLE_GRANTED, leader_id, ola),
        (Action.ROLE_REVOKED, leader_id, ola),
    ]


def test_a_removed_member_without_other_cases_loses_the_committee(app, client, committee):
    case, mona = committee["vacancy"], committee["mona"]
    admin = _user(app, client, make_person(app, "admin"))
    admin.get(f"/utvalg/{case}")
    admin.post(f"/utvalg/{case}/medlemmer", {"email": "anna@kommune.no"})
    admin.get(f"/utvalg/{case}")
    admin.post(f"/utvalg/{case}/medlemmer/fjern", {"person_id": mona})
    assert _member_ids(app, case) == {committee["Anna"]}
    # Mona held no other committee role: the committee pages are closed to her altogether.
    removed = _user(app, app.test_client(), mona)
    assert removed.get(f"/utvalg/{case}").status_code == 403
    assert removed.get("/utvalg/").status_code == 403


def test_the_last_member_stays(app, client, committee):
    case, mona = committee["vacancy"], committee["mona"]
    leader = _user(app, client, committee["leader"])
    leader.get(f"/utvalg/{case}")
    assert f'name="person_id" value="{mona}"' not in leader.html  # no button to press
    before = _role_events(app, case)
    leader.post(f"/utvalg/{case}/medlemmer/fjern", {"person_id": mona})
    assert leader.last.status_code == 302
    leader.get(f"/utvalg/{case}")
    assert "alert-error" in leader.html and "minst ett utvalgsmedlem" in leader.html
    assert _member_ids(app, case) == {mona}
    assert _role_events(app, case) == before


@pytest.mark.parametrize(
    "email, message",
    [
        ("nobody@kommune.no", "nobody@kommune.no"),
        ("", "e-postadressen til det nye medlemmet"),
        ("mona@kommune.no", "er allerede medlem av dette utvalget"),
    ],
)
def test_adding_a_member_refuses_bad_input(app, client, committee, email, message):
    case = committee["vacancy"]
    leader = _user(app, client, committee["leader"])
    leader.get(f"/utvalg/{case}")
    before = _role_events(app, case)
    leader.post(f"/utvalg/{case}/medlemmer", {"email": email})
    assert leader.last.status_code == 302
    leader.get(f"/utvalg/{case}")
    assert "alert-error" in leader.html and message in leader.html
    assert _member_ids(app, case) == {committee["mona"]}
    assert _role_events(app, case) == before


def test_removing_someone_who_is_no_member(app, client, committee):
    case = committee["vacancy"]
    leader = _user(app, client, committee["leader"])
    leader.get(f"/utvalg/{case}")
    token = leader.csrf()
    for person_id in (committee["ola"], "999999", "12345678901234567890", "x"):
        leader.post(
            f"/utvalg/{case}/medlemmer/fjern", {"person_id": person_id, "csrf_token": token}
        )
        assert leader.last.status_code == 302
    leader.get(f"/utvalg/{case}")
    assert "ikke medlem av dette utvalget" in leader.html
    assert _member_ids(app, case) == {committee["mona"]}


def test_members_and_unknown_cases(app, client, committee):
    case = committee["vacancy"]
    mona = _user(app, client, committee["mona"])
    mona.get(f"/utvalg/{case}")
    token = mona.csrf()
    assert "/medlemmer" not in mona.html and "/likestillinger" not in mona.html
    for path, data in (
        (f"/utvalg/{case}/medlemmer", {"email": "ola@kommune.no"}),
        (f"/utvalg/{case}/medlemmer/fjern", {"person_id": committee["mona"]}),
        ("/utvalg/likestillinger", {"required": "helsefagarbeider", "qualifying": "assistent"}),
        ("/utvalg/likestillinger/fjern", {"equivalence_id": "1"}),
    ):
        assert mona.post(path, {**data, "csrf_token": token}).status_code == 403
    assert mona.get("/utvalg/likestillinger").status_code == 403
    assert mona.get("/utvalg/").status_code == 200
    assert "/utvalg/likestillinger" not in mona.html
    assert _member_ids(app, case) == {committee["mona"]}

    leader = _user(app, app.test_client(), committee["leader"])
    leader.get(f"/utvalg/{case}")
    assert leader.post("/utvalg/999999/medlemmer", {"email": "ola@kommune.no"}).status_code == 404


def _candidate_names(app, case_id) -> list[str]:
    from survey.committee import services
    from survey.committee.models import Vacancy
    from survey.extensions import db

    with app.app_context():
        return [c.name for c in services.candidates_for(db.session.get(Vacancy, case_id))]


def test_equivalences_on_the_web(app, client, committee):
    from survey.audit.models import AuditEntry
    from survey.committee.models import YrkesgruppeEquivalence
    from survey.extensions import db

    case = committee["vacancy"]
    leader = _user(app, client, committee["leader"])
    leader.get("/utvalg/")
    assert 'href="/utvalg/likestillinger"' in leader.html
    assert leader.get("/utvalg/likestillinger").status_code == 200
    assert "Vernepleier" in leader.html  # the fixture's vernepleier → helsefagarbeider
    assert "David" in _candidate_names(app, case)
    with app.app_context():
        existing = db.session.scalars(select(YrkesgruppeEquivalence)).one()
        existing_id = existing.id

    leader.post("/utvalg/likestillinger/fjern", {"equivalence_id": existing_id})
    assert leader.last.status_code == 302
    leader.get("/utvalg/likestillinger")
    assert "alert-error" not in leader.html
    assert "David" not in _candidate_names(app, case)
    leader.get(f"/utvalg/{case}")
    assert "David" not in leader.html

    leader.get("/utvalg/likestillinger")
    leader.post(
        "/utvalg/likestillinger", {"required": "helsefagarbeider", "qualifying": "vernepleier"}
    )
    assert leader.last.status_code == 302
    assert "David" in _candidate_names(app, case)
    leader.get(f"/utvalg/{case}")
    assert "David" in leader.html
    # Adding it again changes nothing.
    leader.get("/utvalg/likestillinger")
    leader.post(
        "/utvalg/likestillinger", {"required": "helsefagarbeider", "qualifying": "vernepleier"}
    )
    assert leader.last.status_code == 302

    with app.app_context():
        rows = db.session.scalars(select(YrkesgruppeEquivalence)).all()
        assert [(r.required, r.qualifying) for r in rows] == [("helsefagarbeider", "vernepleier")]
        trail = db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_type == "yrkesgruppe_equivalence")
            .order_by(AuditEntry.id)
        ).all()
        assert [(e.actor_id, e.detail["event"]) for e in trail] == [
            (None, "added"),  # the fixture's, from services
            (committee["leader"], "removed"),
            (committee["leader"], "added"),
        ]


@pytest.mark.parametrize(
    "form",
    [
        {"required": "helsefagarbeider", "qualifying": "helsefagarbeider"},
        {"required": "helsefagarbeider", "qualifying": ""},
        {"required": "helsefagarbeider", "qualifying": "no-such-group"},
    ],
)
def test_equivalences_refuse_bad_input(app, client, committee, form):
    from survey.committee.models import YrkesgruppeEquivalence
    from survey.extensions import db

    leader = _user(app, client, committee["leader"])
    leader.get("/utvalg/likestillinger")
    leader.post("/utvalg/likestillinger", form)
    assert leader.last.status_code == 422
    assert "alert-error" in leader.html
    with app.app_context():
        assert len(db.session.scalars(select(YrkesgruppeEquivalence)).all()) == 1


def test_removing_an_unknown_equivalence(app, client, committee):
    leader = _user(app, client, committee["leader"])
    leader.get("/utvalg/likestillinger")
    leader.post("/utvalg/likestillinger/fjern", {"equivalence_id": "999999"})
    assert leader.last.status_code == 302
    leader.get("/utvalg/likestillinger")
    assert "alert-error" in leader.html
