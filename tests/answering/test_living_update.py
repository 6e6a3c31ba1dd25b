"""Answers to an identified campaign become a revision of the employee's living document;
anonymous and confidential answers never touch living documents."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey import engine
from survey.accounts.models import Person
from survey.answering.models import Response
from survey.conversations.campaign_answers import merged_data
from survey.conversations.models import Draft, DraftKind
from survey.db import unit_of_work
from survey.extensions import db
from survey.living import services as living
from survey.living.models import LivingDocument, Revision, Source
from survey.questionnaires.services import latest_version
from tests.answering.helpers import (
    FULL_TIME,
    WANTS_MORE,
    WANTS_NOTHING_MORE,
    answer_all,
    answer_pages,
    invitation_row,
    invite,
    make_campaign,
    start,
)
from tests.conftest import ROOT, login_as, make_person

# A mapping conversation's record: 60 %, wants 80 %, with the project leader's fields.
CONVERSATION = {
    "enhet": "hjemmetjenesten",
    "yrkesgruppe": "helsefagarbeider",
    "ansettelsesform": "fast",
    "stillingsprosent": 60,
    "fornoyd_storrelse": "no",
    "onsket_endring": "storre",
    "onsket_prosent": 80,
    "onsket_fast": "yes",
    "villig_helger": "hinkehelg",
    "villig_langvakter": "yes",
    "langvakt_hyppighet": "hver_6",
    "villig_andre_enheter": "nei",
    "andre_vakter": ["dag"],
    "ubundet_tid": "no",
    "oppstart_uker": 8,
    "onske_skriftlig": "yes",
    "forsokt_flere_timer": "no",
    "kvalifisert": "yes",
    "arsaker_deltid": ["omsorg"],
    "kommentar": "Vil helst jobbe dag",
    "notater": "Snakket om kombijobbing",
    "gammelt_felt": "fra regnearket",  # a historical import's field the guide does not ask
}


def save_conversation(app, person_id, data=None, base=0) -> int:
    with app.app_context(), unit_of_work():
        person = db.session.get(Person, person_id)
        revision = living.save_revision(
            living.document_for(person),
            data or CONVERSATION,
            base=base,
            author=person,
            author_role="prosjektleder",
            source=Source.CONVERSATION,
            questionnaire_id="kartleggingssamtale",
        )
        return revision.number


def revisions(app, person_id) -> list[Revision]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(Revision)
                .join(LivingDocument, LivingDocument.id == Revision.document_id)
                .where(LivingDocument.person_id == person_id)
                .order_by(Revision.number)
            )
        )
        for row in rows:
            db.session.expunge(row)
        return rows


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_identified_answers_become_the_first_revision(app, respondent):
    person_id = make_person(app, password=None)
    campaign_id, slug = make_campaign(app, "identified", title="Kartlegging 2027")
    token = invite(app, campaign_id, person_id)

    receipt = answer_all(respondent, token, slug, WANTS_MORE)

    [revision] = revisions(app, person_id)
    assert revision.number == 1
    assert revision.source is Source.CAMPAIGN
    assert (revision.author_id, revision.author_role) == (person_id, "ansatt")
    assert revision.questionnaire_id == "heltid-arlig"
    with app.app_context():
        stored_version = latest_version("heltid-arlig").version
        [response] = db.session.scalars(select(Response)).all()
        assert response.base_revision == 0
    assert revision.questionnaire_version == stored_version
    assert revision.note == "Kartlegging 2027"
    data = revision.data
    assert data["stillingsprosent"] == 50
    assert data["onsket_endring"] == "storre" and data["onsket_prosent"] == 80
    assert data["andre_vakter"] == ["dag", "kveld"]
    assert data["arsaker_deltid"] == ["ikke_tilbudt"]
    assert data["onsker_samtale"] == "yes"
    assert "kvalifisert" not in data  # the project leader's, not asked here
    assert set(revision.changed_fields) == set(data)

    # The receipt says what was recorded, in the words of the questions just answered.
    assert "Dette har vi registrert om deg" in receipt
    assert "Hvor stor er stillingen din?" in receipt and "50 %" in receipt
    assert "Vil du ha en samtale med prosjektleder om stillingen din?" in receipt
    assert 'href="/meg/"' in receipt or 'href="/meg"' in receipt
    # In the order the questions were asked: the position before the wish.
    assert receipt.index("Hvor stor er stillingen din?") < receipt.index("Hva ønsker du deg?")
    assert receipt.index("Hva ønsker du deg?") < receipt.index("Vil du ha en samtale")

    # Answering with one's name is the year's confirmation of the record.
    with app.app_context():
        from survey.living.models import Confirmation, ConfirmationKind

        [confirmation] = db.session.scalars(select(Confirmation)).all()
        assert confirmation.kind is ConfirmationKind.CONFIRMED
        assert (confirmation.person_id, confirmation.revision_number) == (person_id, 1)

    row = invitation_row(app, campaign_id)
    assert row.used_on is not None and row.started_on is not None and row.opened_on is not None


def test_answers_go_over_the_current_revision_and_the_guide_drops_what_no_longer_applies(
    app, respondent
):
    person_id = make_person(app, password=None)
    save_conversation(app, person_id)
    campaign_id, slug = make_campaign(app, "identified")
    token = invite(app, campaign_id, person_id)

    # Now full time: nothing about a larger position applies any more.
    receipt = answer_all(respondent, token, slug, WANTS_NOTHING_MORE)

    first, second = revisions(app, person_id)
    assert second.number == 2 and second.source is Source.CAMPAIGN
    data = second.data
    assert data["stillingsprosent"] == 100 and data["fornoyd_storrelse"] == "yes"
    assert data["onsker_samtale"] == "no"
    for gone in ("onsket_endring", "onsket_prosent", "villig_helger", "kvalifisert"):
        assert gone not in data, gone
    assert "arsaker_deltid" not in data  # not asked of someone full time: no longer applies
    # Left empty although asked, and not asked at all: kept.
    assert data["kommentar"] == "Vil helst jobbe dag"
    assert data["notater"] == "Snakket om kombijobbing"
    assert data["gammelt_felt"] == "fra regnearket"
    assert "(fjernet)" in receipt
    assert "Hvor stor stilling ønsker du?" in receipt


def test_the_same_answers_again_are_a_revision_without_changes(app, respondent):
    person_id = make_person(app, password=None)
    first_campaign, first_slug = make_campaign(app, "identified")
    answer_all(respondent, invite(app, first_campaign, person_id), first_slug, WANTS_NOTHING_MORE)
    second_campaign, second_slug = make_campaign(app, "identified")
    from tests.conftest import Respondent

    again = Respondent(app.test_client())
    receipt = answer_all(
        again, invite(app, second_campaign, person_id), second_slug, WANTS_NOTHING_MORE
    )

    first, second = revisions(app, person_id)
    assert second.data == first.data and second.changed_fields == []
    assert "Ingenting er endret fra det vi hadde registrert før." in receipt


def test_a_newer_revision_is_not_overwritten_the_answers_wait_in_a_draft(app, client, respondent):
    person_id = make_person(app)
    save_conversation(app, person_id)
    campaign_id, slug = make_campaign(app, "identified")
    token = invite(app, campaign_id, person_id)
    review = answer_pages(respondent, start(respondent, token), WANTS_NOTHING_MORE)

    # Meanwhile the project leader saves a conversation.
    save_conversation(app, person_id, {**CONVERSATION, "notater": "Ny samtale"}, base=1)

    respondent.get(review)
    respondent.post(f"/s/{slug}/send")
    receipt = respondent.get(respondent.last.headers["Location"]).get_data(as_text=True)

    assert [r.number for r in revisions(app, person_id)] == [1, 2]
    assert revisions(app, person_id)[1].data["notater"] == "Ny samtale"
    with app.app_context():
        [draft] = db.session.scalars(select(Draft)).all()
        assert draft.kind is DraftKind.WISHES and draft.author_id == person_id
        assert draft.base_revision == 1
        assert draft.answers["stillingsprosent"] == 100
        assert "onsket_prosent" not in draft.answers
    assert "endret av noen andre" in receipt
    assert 'href="/meg/onsker/konflikt"' in receipt

    # On «Min side» the employee sees both versions and chooses.
    login_as(client, app, person_id)
    page = client.get("/meg/onsker/konflikt")
    assert page.status_code == 409
    html = page.get_data(as_text=True)
    assert "Ny samtale" in html and "Snakket om kombijobbing" in html


@pytest.mark.parametrize("mode", ["anonymous", "confidential"])
def test_anonymous_and_confidential_answers_never_touch_living_documents(app, respondent, mode):
    person_id = make_person(app, password=None)
    campaign_id, slug = make_campaign(app, mode)
    token = invite(app, campaign_id, person_id)

    receipt = answer_all(respondent, token, slug, WANTS_MORE)

    assert count(app, LivingDocument) == 0
    assert count(app, Revision) == 0
    assert count(app, Draft) == 0
    assert "Dette har vi registrert om deg" not in receipt
    with app.app_context():
        [response] = db.session.scalars(select(Response)).all()
        assert response.base_revision is None and response.invitation_id is None


def test_the_history_names_the_campaign_as_the_source(app, client, respondent):
    person_id = make_person(app, password=None)
    leader_id = make_person(app, "prosjektleder")
    campaign_id, slug = make_campaign(app, "identified")
    token = invite(app, campaign_id, person_id)
    answer_all(respondent, token, slug, WANTS_MORE)

    login_as(client, app, leader_id)
    page = client.get(f"/personer/{person_id}/historikk")
    assert page.status_code == 200
    assert "Den ansattes svar på den årlige kartleggingen" in page.get_data(as_text=True)


# --- the merge, with plain data ------------------------------------------------------------

SURVEY = engine.load(ROOT / "questionnaires" / "heltid-arlig.yaml")
GUIDE = engine.load(ROOT / "questionnaires" / "kartleggingssamtale.yaml")


def survey_answers(**answers):
    return engine.final_answers(SURVEY, answers, __import__("datetime").date.today())


def test_values_the_guide_cannot_hold_are_not_recorded():
    from dataclasses import replace

    # A guide whose yrkesgruppe list lacks «lege»: the stored value stays.
    question = GUIDE.question("yrkesgruppe")
    narrowed_question = replace(
        question, choices=tuple(c for c in question.choices if c.value != "lege")
    )
    pages = tuple(
        replace(
            page,
            questions=tuple(
                narrowed_question if q.name == "yrkesgruppe" else q for q in page.questions
            ),
        )
        for page in GUIDE.pages
    )
    narrowed = replace(GUIDE, pages=pages)
    answers = survey_answers(**{**FULL_TIME, "stillingsprosent": 100.0, "yrkesgruppe": "lege"})
    data = merged_data(SURVEY, answers, narrowed, {"yrkesgruppe": "sykepleier"})
    assert data["yrkesgruppe"] == "sykepleier"
    data = merged_data(SURVEY, answers, GUIDE, {"yrkesgruppe": "sykepleier"})
    assert data["yrkesgruppe"] == "lege"


def test_only_shared_fields_and_onsker_samtale_are_taken():
    answers = survey_answers(
        **{**FULL_TIME, "stillingsprosent": 100.0},
        fornoyd_storrelse="yes",
        onsker_samtale="yes",
        kommentar="Hei",
    )
    data = merged_data(SURVEY, answers, GUIDE, {})
    assert data == {
        "enhet": "hjemmetjenesten",
        "yrkesgruppe": "sykepleier",
        "stillingsprosent": 100,
        "ansettelsesform": "fast",
        "fornoyd_storrelse": "yes",
        "onsker_samtale": "yes",
        "kommentar": "Hei",
    }
