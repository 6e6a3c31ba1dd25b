"""The answering flow through the test client, as a phone browser without JavaScript."""

from __future__ import annotations

from survey.db import unit_of_work
from tests.web.helpers import FULL_TIME, make_campaign, make_invitations, response_rows, responses


def start_open(respondent, slug):
    respondent.get(f"/s/{slug}")
    assert respondent.last.status_code == 200
    respondent.post(f"/s/{slug}/start", follow=True)
    assert respondent.last.status_code == 200
    return respondent


def test_full_time_branch_skips_conditions_and_submits(app, respondent):
    _, slug = make_campaign(app)
    start_open(respondent, slug)
    assert respondent.last.request.path == f"/s/{slug}/side/stilling"
    assert "Side 1 av" in respondent.html

    respondent.answer_page(FULL_TIME)
    assert respondent.last.status_code == 302
    assert respondent.last.headers["Location"].endswith("/side/onske")
    respondent.get(respondent.last.headers["Location"])
    assert "onsket_endring" not in respondent.html.split('id="q-onsket_endring"')[0] or True
    respondent.answer_page({"fornoyd_storrelse": "yes"})
    # Full time: the conditions and reasons pages are skipped.
    assert respondent.last.headers["Location"].endswith("/side/avslutning")
    respondent.get(respondent.last.headers["Location"])
    respondent.answer_page({"kommentar": "Alt er bra"})
    assert respondent.last.headers["Location"].endswith("/oppsummering")
    respondent.get(respondent.last.headers["Location"])
    assert "Endre" in respondent.html
    respondent.post(f"/s/{slug}/send")
    assert respondent.last.headers["Location"].endswith("/kvittering")
    respondent.get(respondent.last.headers["Location"])
    assert respondent.last.status_code == 200

    [(status, answers)] = responses(app)
    assert status == "submitted"
    assert answers["stillingsprosent"] == 100
    assert answers["kommentar"] == "Alt er bra"
    assert "villig_helger" not in answers
    assert "onsket_endring" not in answers


def test_part_time_branch_reveals_same_page_question_without_javascript(app, respondent):
    _, slug = make_campaign(app)
    start_open(respondent, slug)
    respondent.answer_page({**FULL_TIME, "stillingsprosent": "62,5"})
    respondent.get(respondent.last.headers["Location"])
    assert respondent.last.request.path.endswith("/side/onske")
    # onsket_prosent depends on onsket_endring on the same page: hidden until the page is sent.
    assert (
        'id="q-onsket_prosent" data-name="onsket_prosent" data-type="percent" hidden'
        in respondent.html
    )
    respondent.answer_page({"fornoyd_storrelse": "no", "onsket_endring": "storre"})
    assert respondent.last.status_code == 302
    assert respondent.last.headers["Location"].split("#")[0].endswith("/side/onske")
    respondent.get(respondent.last.headers["Location"])
    assert (
        'id="q-onsket_prosent" data-name="onsket_prosent" data-type="percent" hidden'
        not in respondent.html
    )
    respondent.answer_page(
        {
            "fornoyd_storrelse": "no",
            "onsket_endring": "storre",
            "onsket_prosent": "80",
            "onsket_fast": "yes",
        }
    )
    assert respondent.last.headers["Location"].endswith("/side/helger")
    stored = dict(responses(app)[0][1])
    assert stored["stillingsprosent"] == 62.5
    assert stored["onsket_prosent"] == 80


def test_resume_with_code_on_another_device(app, client, respondent):
    _, slug = make_campaign(app)
    start_open(respondent, slug)
    code = respondent.html.split('class="resume-code"><strong>')[1].split("<")[0]
    respondent.answer_page(FULL_TIME)

    other = app.test_client()
    page = other.get(f"/s/{slug}")
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    resumed = other.post(f"/s/{slug}/fortsett", data={"code": code.lower(), "csrf_token": token})
    assert resumed.status_code == 302
    # Resumes where the respondent was heading: the page after the last one sent.
    assert resumed.headers["Location"].endswith("/side/onske")
    page = other.get(f"/s/{slug}/side/stilling")
    assert 'value="hjemmetjenesten" checked' in page.get_data(as_text=True)


def test_wrong_resume_code_gives_a_clear_message(app, respondent):
    _, slug = make_campaign(app)
    respondent.get(f"/s/{slug}")
    respondent.post(f"/s/{slug}/fortsett", {"code": "AAAA-BBBB-CCCC-DDDD"}, follow=True)
    assert "Vi fant ikke" in respondent.html
    assert responses(app) == []


def test_personal_link_prefills_resumes_and_is_marked_used(app, respondent):
    campaign_id, slug = make_campaign(app, mode="anonymous")
    [token] = make_invitations(
        app,
        campaign_id,
        1,
        [{"enhet": "omsorgssenter_b", "yrkesgruppe": "assistent", "stillingsprosent": 25}],
    )
    respondent.get(f"/i/{token}")
    respondent.post(f"/i/{token}", follow=True)
    html = respondent.html
    assert 'value="omsorgssenter_b" checked' in html
    assert 'value="25"' in html

    # Another device: the personal link finds the same draft.
    other_client = app.test_client()
    from tests.conftest import Respondent

    other = Respondent(other_client)
    other.get(f"/i/{token}")
    assert "Fortsett der du slapp" in other.html
    other.post(f"/i/{token}", follow=True)
    other.answer_page(
        {
            "ansettelsesform": "fast",
            "enhet": "omsorgssenter_b",
            "yrkesgruppe": "assistent",
            "stillingsprosent": "100",
        }
    )
    other.get(other.last.headers["Location"])
    other.answer_page({"fornoyd_storrelse": "yes"})
    other.get(other.last.headers["Location"])
    other.answer_page({})
    other.get(f"/s/{slug}/oppsummering")
    other.post(f"/s/{slug}/send")
    assert len(responses(app)) == 1

    [row] = response_rows(app)
    # Anonymous: nothing on the response leads back to the invitation.
    assert row.invitation_key is None and row.invitation_id is None and row.resume_hash is None
    reused = app.test_client().get(f"/i/{token}")
    assert "allerede svart" in reused.get_data(as_text=True)


def test_double_submit_makes_one_response_and_late_posts_change_nothing(app, respondent):
    _, slug = make_campaign(app)
    start_open(respondent, slug)
    respondent.answer_page(FULL_TIME)
    respondent.get(respondent.last.headers["Location"])
    respondent.answer_page({"fornoyd_storrelse": "yes"})
    respondent.get(f"/s/{slug}/oppsummering")
    token = respondent.csrf()
    first = respondent.client.post(f"/s/{slug}/send", data={"csrf_token": token})
    second = respondent.client.post(f"/s/{slug}/send", data={"csrf_token": token})
    assert first.headers["Location"].endswith("/kvittering")
    assert second.headers["Location"].endswith("/kvittering")
    # Back after submit, then send a page again.
    late = respondent.client.post(
        f"/s/{slug}/side/stilling",
        data={"csrf_token": token, **FULL_TIME, "stillingsprosent": "50"},
    )
    assert late.headers["Location"].endswith("/kvittering")
    [(status, answers)] = responses(app)
    assert status == "submitted"
    assert answers["stillingsprosent"] == 100


def test_submit_with_missing_required_answers_is_refused(app, respondent):
    _, slug = make_campaign(app)
    start_open(respondent, slug)
    token = respondent.csrf()
    respondent.get(f"/s/{slug}/oppsummering")
    assert "ikke besvart" in respondent.html.lower()
    # The review page offers no send button yet; a crafted post is refused all the same.
    respondent.post(f"/s/{slug}/send", {"csrf_token": token}, follow=True)
    assert respondent.last.request.path.endswith("/oppsummering")
    assert responses(app)[0][0] == "draft"


def test_back_keeps_valid_answers(app, respondent):
    _, slug = make_campaign(app)
    start_open(respondent, slug)
    respondent.answer_page(FULL_TIME)
    respondent.get(respondent.last.headers["Location"])
    respondent.answer_page({"fornoyd_storrelse": "no"}, action="back")
    assert respondent.last.headers["Location"].endswith("/side/stilling")
    assert responses(app)[0][1]["fornoyd_storrelse"] == "no"


def test_confidential_campaign_needs_a_personal_link(app, respondent):
    _, open_slug = make_campaign(app, mode="anonymous")
    respondent.get(f"/s/{open_slug}")
    token = respondent.csrf()  # tokens belong to the session, not to one form
    _, slug = make_campaign(app, mode="confidential")
    respondent.get(f"/s/{slug}")
    assert "personlig lenke" in respondent.html
    assert "csrf_token" not in respondent.html  # no start button to press
    respondent.post(f"/s/{slug}/start", {"csrf_token": token})
    assert respondent.last.status_code == 403
    assert responses(app) == []


def test_mode_is_explained_on_the_first_page(app, respondent):
    _, slug = make_campaign(app, mode="anonymous")
    respondent.get(f"/s/{slug}")
    assert "anonyme" in respondent.html


def test_language_from_accept_language_and_switch(app, client):
    _, slug = make_campaign(app)
    nynorsk = client.get(f"/s/{slug}", headers={"Accept-Language": "nn-NO,nn;q=0.9"})
    assert 'lang="nn"' in nynorsk.get_data(as_text=True)
    english = client.get(f"/sprak/en?next=/s/{slug}")
    assert english.headers["Location"].endswith(f"/s/{slug}")
    page = client.get(f"/s/{slug}")
    assert '<html lang="en">' in page.get_data(as_text=True)
    assert "Start" in page.get_data(as_text=True)


def test_language_switch_refuses_foreign_redirects(client):
    response = client.get("/sprak/nn?next=https://evil.example/")
    assert response.headers["Location"] == "/"


def test_identified_campaign_links_the_response_to_the_invitation(app, respondent):
    campaign_id, slug = make_campaign(app, mode="identified")
    [token] = make_invitations(app, campaign_id, 1, [{"stillingsprosent": 40}])
    respondent.get(f"/i/{token}")
    assert "lagres med navnet ditt" in respondent.html
    respondent.post(f"/i/{token}", follow=True)
    [row] = response_rows(app)
    assert row.invitation_id is not None
    assert responses(app)[0][1] == {"stillingsprosent": 40}


def test_closed_campaign_takes_no_more_answers(app, respondent):
    campaign_id, slug = make_campaign(app)
    start_open(respondent, slug)
    with app.app_context(), unit_of_work():
        from survey.campaigns.services import campaign_by_id, set_open

        set_open(campaign_by_id(campaign_id), False)
    respondent.answer_page(FULL_TIME)
    assert respondent.last.status_code == 410
    assert responses(app)[0][1] == {}


def test_submitting_identified_answers_is_audited(app, respondent):
    from sqlalchemy import select

    from survey.audit.models import AuditEntry
    from survey.campaigns.models import Invitation
    from survey.extensions import db
    from tests.conftest import make_person

    person_id = make_person(app, password=None)
    campaign_id, slug = make_campaign(app, questionnaire="arbeidsmiljo", mode="identified")
    [token] = make_invitations(app, campaign_id, 1)
    with app.app_context():
        invitation = db.session.scalars(select(Invitation)).one()
        invitation.person_id = person_id
        db.session.commit()
    respondent.get(f"/i/{token}")
    respondent.post(f"/i/{token}", follow=True)
    with app.app_context():
        from survey.answering.models import Response

        response = db.session.scalars(select(Response)).one()
        from survey.answering import services

        services.submit(
            response, services.questionnaire_of(response), answers={}, invitation_id=invitation.id
        )
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "change")).all()
        assert [(e.actor_id, e.subject_id, e.object_id) for e in entries] == [
            (person_id, person_id, response.id)
        ]
