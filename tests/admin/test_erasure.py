"""Erasing a person: nothing identifying is left anywhere, yet the results stay the same."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from tests.admin.conftest import audit_entries
from tests.conftest import Respondent, every_row, make_person
from tests.web.helpers import FULL_TIME, make_campaign, make_invitations

NAME = "Zelda Quistgaard"
EMAIL = "zelda.quistgaard@kommune.no"


def _answer_personal_link(app, token, slug, *, comment, job="Assistent"):
    """Answer the whole questionnaire through a personal link, as the employee would."""
    respondent = Respondent(app.test_client())
    respondent.get(f"/i/{token}")
    respondent.post(f"/i/{token}", follow=True)
    assert respondent.last.request.path == f"/s/{slug}/side/stilling"
    position = {**FULL_TIME, "yrkesgruppe": "annet", "yrkesgruppe_annet": job}
    respondent.answer_page(position)
    # «Annet» reveals its free-text question on the same page first (as without JavaScript).
    assert "/side/stilling#" in respondent.last.headers["Location"]
    respondent.get(respondent.last.headers["Location"])
    respondent.answer_page(position)
    assert respondent.last.headers["Location"].endswith("/side/onske")
    respondent.get(respondent.last.headers["Location"])
    respondent.answer_page({"fornoyd_storrelse": "yes"})
    respondent.get(respondent.last.headers["Location"])
    respondent.answer_page({"kommentar": comment})
    respondent.get(respondent.last.headers["Location"])
    respondent.post(f"/s/{slug}/send")
    assert respondent.last.headers["Location"].endswith("/kvittering")


def _link_invitations_to(app, campaign_id, person_id):
    from survey.campaigns.models import Invitation
    from survey.extensions import db

    with app.app_context():
        for invitation in db.session.scalars(
            select(Invitation).where(Invitation.campaign_id == campaign_id)
        ):
            invitation.person_id = person_id
        db.session.commit()


def _answer_counts(app):
    from survey.answering.models import Answer
    from survey.extensions import db

    with app.app_context():
        return dict(
            db.session.execute(
                select(Answer.question, func.count()).group_by(Answer.question)
            ).all()
        )


def _response_count(app):
    from survey.answering.models import Response
    from survey.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response))


def _all_rows_text(database_url) -> str:
    """Every row of every table, as text, to search for what must be gone."""
    return "\n".join(
        json.dumps([str(value) for value in row], ensure_ascii=False)
        for _table, row in every_row(database_url)
    ).lower()


@pytest.fixture
def employee(app, admin_id):
    """An employee with an account, a role, a login link and answers in three campaigns,
    next to a colleague who answered the same identified campaign."""
    person_id = make_person(app, "tillitsvalgt", email=EMAIL, name=NAME, unit="sykehjemmet")
    colleague_id = make_person(app, email="kollega@kommune.no", name="Kari Kollega")

    identified_id, identified_slug = make_campaign(app, mode="identified")
    [own, colleagues] = make_invitations(
        app,
        identified_id,
        2,
        [{"stillingsprosent": 40, "navn": NAME}, {"stillingsprosent": 80}],
    )
    confidential_id, confidential_slug = make_campaign(app, mode="confidential")
    [confidential] = make_invitations(app, confidential_id, 1, [{"navn": NAME}])
    _link_invitations_to(app, confidential_id, person_id)

    from survey.campaigns.models import Invitation
    from survey.campaigns.services import find_invitation
    from survey.extensions import db

    with app.app_context():
        find_invitation(own).person_id = person_id
        find_invitation(colleagues).person_id = colleague_id
        db.session.commit()
        own_invitation_id = db.session.scalars(
            select(Invitation.id).where(Invitation.person_id == person_id)
        ).first()
    assert own_invitation_id is not None

    _answer_personal_link(
        app, own, identified_slug, comment=f"Hilsen {NAME}", job=f"Assistent, {NAME}"
    )
    _answer_personal_link(app, colleagues, identified_slug, comment="Hilsen Kari")
    _answer_personal_link(app, confidential, confidential_slug, comment="Konfidensielt")

    with app.app_context():
        import datetime as dt

        from survey.accounts.models import Person, TokenPurpose
        from survey.accounts.services import issue_token

        issue_token(db.session.get(Person, person_id), TokenPurpose.LOGIN, dt.timedelta(days=1))
        db.session.commit()
    return person_id


def _erase(admin, person_id, confirmation):
    admin.get(f"/admin/brukere/{person_id}")
    assert admin.last.status_code == 200
    return admin.post(f"/admin/brukere/{person_id}/slett", {"confirmation": confirmation})


def _exists(app, person_id):
    from survey.accounts.models import Person
    from survey.extensions import db

    with app.app_context():
        return db.session.get(Person, person_id) is not None


def test_wrong_confirmation_erases_nothing(app, admin, employee, database_url):
    before_rows = _all_rows_text(database_url)
    _erase(admin, employee, "someone.else@kommune.no")
    assert admin.last.status_code == 422
    assert 'id="confirmation-error"' in admin.html
    assert _exists(app, employee)
    _erase(admin, employee, "")
    assert admin.last.status_code == 422
    assert _all_rows_text(database_url) == before_rows
    assert audit_entries(app, "erase") == []


def test_erasure_leaves_no_trace_of_the_person_but_keeps_the_counts(
    app, admin, admin_id, employee, database_url
):
    before = _all_rows_text(database_url)
    assert NAME.lower() in before and EMAIL in before  # the search below would find them
    counts_before = _answer_counts(app)
    responses_before = _response_count(app)
    # The admin reads the person's answers: an audit entry about them.
    assert admin.get(f"/personer/{employee}").status_code == 200

    _erase(admin, employee, f"  {EMAIL.upper()} ")
    assert admin.last.status_code == 302
    assert admin.last.headers["Location"].endswith("/admin/brukere")
    assert not _exists(app, employee)

    after = _all_rows_text(database_url)
    assert NAME.lower() not in after
    assert EMAIL not in after
    assert "zelda" not in after and "quistgaard" not in after

    # Closed answers are all still counted; only free text is gone.
    counts_after = _answer_counts(app)
    assert _response_count(app) == responses_before
    free_text = {"kommentar", "yrkesgruppe_annet"}
    assert {q: n for q, n in counts_after.items() if q not in free_text} == {
        q: n for q, n in counts_before.items() if q not in free_text
    }
    assert counts_after["kommentar"] == counts_before["kommentar"] - 1  # the colleague's stays
    assert counts_after["stillingsprosent"] == 3

    from survey.answering.models import ConfidentialParticipation, Response
    from survey.campaigns.models import Invitation
    from survey.extensions import db

    with app.app_context():
        linked = db.session.scalars(select(Response.invitation_id)).all()
        assert sum(1 for i in linked if i is not None) == 1  # only the colleague's
        assert db.session.scalar(select(func.count()).select_from(ConfidentialParticipation)) == 0
        invitations = db.session.scalars(select(Invitation)).all()
        assert len(invitations) == 3  # response rates stay right
        assert all(inv.used_on is not None for inv in invitations)
        assert [inv.prefill for inv in invitations if inv.person_id is None] == [{}, {}]

    [entry] = audit_entries(app, "erase")
    assert entry["subject_id"] == employee
    assert entry["actor_id"] == admin_id
    assert entry["detail"]["identified_responses_anonymised"] == 1
    assert entry["detail"]["free_text_answers_deleted"] == 2
    assert entry["detail"]["confidential_participations_deleted"] == 1
    assert entry["detail"]["invitations_unlinked"] == 2
    assert entry["detail"]["login_links_deleted"] == 1
    assert entry["detail"]["roles_deleted"] == 1
    # The earlier entry about reading the person's data is kept, by number only.
    assert [e["subject_id"] for e in audit_entries(app, "read")] == [employee]

    # The audit log names the person by number now.
    admin.get(f"/admin/logg?person={employee}")
    assert f"#{employee}" in admin.html
    assert f'href="/admin/brukere/{employee}"' not in admin.html
    assert admin.get(f"/admin/brukere/{employee}").status_code == 404


def test_admin_cannot_erase_themselves(app, admin, admin_id):
    from tests.admin.conftest import ADMIN_EMAIL

    admin.get(f"/admin/brukere/{admin_id}")
    assert f'action="/admin/brukere/{admin_id}/slett"' not in admin.html
    admin.post(f"/admin/brukere/{admin_id}/slett", {"confirmation": ADMIN_EMAIL})
    assert admin.last.status_code == 409
    assert _exists(app, admin_id)
    assert audit_entries(app, "erase") == []


def test_erase_service_counts_what_it_did(app, admin_id):
    """The service on its own, for a person with nothing but an account."""
    from survey.accounts.models import Person
    from survey.admin.erasure import erase_person
    from survey.extensions import db

    person_id = make_person(app, "prosjektleder", email="tom@kommune.no")
    with app.app_context():
        counts = erase_person(db.session.get(Person, person_id), actor_id=admin_id)
        db.session.commit()
        assert db.session.get(Person, person_id) is None
    assert counts == {
        "identified_responses_anonymised": 0,
        "free_text_answers_deleted": 0,
        "confidential_participations_deleted": 0,
        "invitations_unlinked": 0,
        "roles_deleted": 1,
        "login_links_deleted": 0,
        "report_facts_kept_anonymous": 0,
    }
    [entry] = audit_entries(app, "erase")
    assert entry["detail"] == counts
