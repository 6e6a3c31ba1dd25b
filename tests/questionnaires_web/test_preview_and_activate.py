"""The preview stores nothing and refuses a changed state; activating stores a version once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from survey.answering.models import Answer, Response
from survey.audit.models import AuditEntry
from survey.questionnaires.models import QuestionnaireUpload, QuestionnaireVersion
from tests.conftest import every_row
from tests.questionnaires_web.conftest import (
    DATA,
    count_rows,
    state_of,
    upload,
    upload_file,
    visible_text,
)


def _uploaded(leader) -> str:
    """The upload's page address."""
    response = upload_file(leader, "lunsj.yaml")
    assert response.status_code == 302
    return response.headers["Location"]


def _preview_post(leader, answers: dict, action: str = "next"):
    return leader.answer_page({"state": state_of(leader.html), **answers}, action)


def test_the_preview_walks_every_page_with_branching_and_errors_and_stores_nothing(
    app, leader, database_url
):
    detail = _uploaded(leader)
    upload_id = detail.rsplit("/", 1)[1]
    before = {table: rows for table, rows in _tables(database_url).items()}

    leader.get(f"/skjema/opplasting/{upload_id}/forhandsvis")
    text = visible_text(leader.html)
    assert "Forhåndsvisning – ingenting lagres" in text
    assert "Tar du lunsjpause?" in text
    assert "Side 1 av høyst 2" in text
    # The follow-up question is on the page, hidden until «yes» (the script shows it).
    assert 'id="q-minutter" data-name="minutter" data-type="integer" hidden' in leader.html

    # Without JavaScript: «yes» reveals the question on the same page.
    _preview_post(leader, {"tar_pause": "yes"})
    assert leader.last.status_code == 200
    text = visible_text(leader.html)
    assert "Svaret ditt førte til flere spørsmål på denne siden." in text
    assert "Hvor mange minutter varer den?" in text
    assert 'id="q-minutter" data-name="minutter" data-type="integer" hidden' not in leader.html

    # A validation error is shown as on the real page.
    _preview_post(leader, {"tar_pause": "yes", "minutter": "200"})
    assert leader.last.status_code == 422
    assert "Tallet må være mellom 5 og 90." in visible_text(leader.html)

    _preview_post(leader, {"tar_pause": "yes", "minutter": "30"})
    assert "Spiser du i kantina?" in visible_text(leader.html)
    assert "Side 2 av 2" in visible_text(leader.html)

    # Back keeps the answers given.
    _preview_post(leader, {}, action="back")
    assert 'value="30"' in leader.html

    _preview_post(leader, {"tar_pause": "yes", "minutter": "45"})
    _preview_post(leader, {"kantine": "no"})
    text = visible_text(leader.html)
    assert "Se over svarene" in text or "Sjekk svarene" in text
    assert "Hvor mange minutter varer den? 45" in text
    assert "Spiser du i kantina? Nei" in text

    # Nothing stored: not a response, an answer or a draft; the upload row is as it was.
    assert _tables(database_url) == before
    assert count_rows(app, Response) == 0
    assert count_rows(app, Answer) == 0


def _tables(database_url) -> dict[str, list]:
    rows: dict[str, list] = {}
    for table, row in every_row(database_url):
        rows.setdefault(table, []).append(row)
    return rows


def test_a_no_skips_the_page_that_does_not_apply(app, leader):
    detail = _uploaded(leader)
    leader.get(detail + "/forhandsvis")
    _preview_post(leader, {"tar_pause": "no"})
    text = visible_text(leader.html)
    assert "Spiser du i kantina?" not in text
    assert "Tar du lunsjpause? Nei" in text


def test_the_language_switch_keeps_the_answers(app, leader):
    detail = _uploaded(leader)
    leader.get(detail + "/forhandsvis")
    _preview_post(leader, {"tar_pause": "yes"})
    _preview_post(leader, {"tar_pause": "yes", "minutter": "30"})
    assert "Spiser du i kantina?" in visible_text(leader.html)
    leader.post(detail + "/forhandsvis", {"state": state_of(leader.html), "action": "lang-nn"})
    text = visible_text(leader.html)
    assert "Et du i kantina?" in text
    assert "Førehandsvising – ingenting blir lagra" in text
    leader.post(detail + "/forhandsvis", {"state": state_of(leader.html), "action": "lang-en"})
    _preview_post(leader, {}, action="back")
    assert "How many minutes does it last?" in visible_text(leader.html)
    assert 'value="30"' in leader.html


def test_a_tampered_state_is_refused_with_a_message(app, leader):
    detail = _uploaded(leader)
    leader.get(detail + "/forhandsvis")
    _preview_post(leader, {"tar_pause": "yes"})
    _preview_post(leader, {"tar_pause": "yes", "minutter": "30"})
    state = state_of(leader.html)
    payload, _, signature = state.rpartition(".")
    forged = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + signature
    response = leader.post(
        detail + "/forhandsvis", {"state": forged, "action": "next", "kantine": "yes"}
    )
    assert response.status_code == 303
    leader.get(response.headers["Location"])
    text = visible_text(leader.html)
    assert "Svarene i forhåndsvisningen ble endret utenfor siden" in text
    assert "Tar du lunsjpause?" in text  # back at the start, nothing carried over
    assert count_rows(app, Response) == 0


def test_a_state_from_another_preview_is_refused(app, leader):
    detail = _uploaded(leader)
    leader.get(detail + "/forhandsvis")
    state = state_of(leader.html)
    response = leader.post("/skjema/arbeidsmiljo/forhandsvis", {"state": state, "action": "next"})
    assert response.status_code == 303
    leader.get(response.headers["Location"])
    assert "hører til en annen forhåndsvisning" in visible_text(leader.html)


def test_a_stored_questionnaire_can_be_previewed_from_the_list(app, leader):
    leader.get("/skjema/arbeidsmiljo/forhandsvis")
    assert leader.last.status_code == 200
    text = visible_text(leader.html)
    assert "Forhåndsvisning – ingenting lagres" in text
    assert "Side 1 av" in text


def test_activating_stores_the_version_once_and_the_survey_can_use_it(app, leader, leader_id):
    detail = _uploaded(leader)
    leader.get("/skjema/")
    pending = visible_text(leader.html).split("Lastet opp, ikke aktivert", 1)[1]
    assert pending.split("Aktive skjemaer")[0].strip().startswith("lunsj.yaml Id lunsj-test")
    leader.get(detail)
    assert "Et nytt skjema: når du aktiverer det, lagres det som versjon 1." in visible_text(
        leader.html
    )
    token = leader.csrf()
    response = leader.post(detail + "/aktiver")
    assert response.status_code == 302
    leader.get(response.headers["Location"])
    assert "«lunsj-test» versjon 1 er aktiv." in visible_text(leader.html)
    assert "Lunsjundersøkelse Id lunsj-test · versjon 1" in visible_text(leader.html)
    assert "Lastet opp, ikke aktivert" not in visible_text(leader.html)

    # A second submit (a double click, the back button) stores nothing more.
    again = leader.client.post(
        detail + "/aktiver", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Denne filen er allerede aktivert." in visible_text(again.get_data(as_text=True))
    leader.get(detail)
    assert "Aktivert" in visible_text(leader.html)
    assert "Aktiver skjemaet" not in visible_text(leader.html)

    from survey.extensions import db

    with app.app_context():
        versions = db.session.scalars(
            select(QuestionnaireVersion).where(
                QuestionnaireVersion.questionnaire_id == "lunsj-test"
            )
        ).all()
        assert [v.version for v in versions] == [1]
        upload_row = db.session.scalars(select(QuestionnaireUpload)).one()
        assert upload_row.activated_at is not None
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "questionnaire")
        ).all()
        assert [
            (e.actor_id, e.object_id, e.detail["version"], e.detail["action"]) for e in entries
        ] == [(leader_id, "lunsj-test", 1, "added")]

    leader.get("/kampanjer/ny")
    assert 'value="lunsj-test"' in leader.html
    assert "Lunsjundersøkelse" in leader.html


def test_a_changed_file_says_whether_it_replaces_or_becomes_a_new_version(app, leader):
    detail = _uploaded(leader)
    leader.get(detail)
    leader.post(detail + "/aktiver")
    changed = (DATA / "lunsj.yaml").read_text().replace("Om lunsjpausen.", "Om pausen.", 1)

    first = upload(leader, "lunsj.yaml", changed.encode())
    leader.get(first.headers["Location"])
    assert "Det erstatter versjon 1, som ingen har svart på ennå (som versjon 1)." in visible_text(
        leader.html
    )

    # Once someone has answered version 1, a change becomes version 2.
    from survey.answering import services as answering
    from survey.campaigns import services as campaigns
    from survey.db import unit_of_work

    with app.app_context(), unit_of_work():
        campaign = campaigns.create_campaign("lunsj-test", "anonymous", "Lunsj 2027")
        answering.start_open_response(campaign)
    again = upload(leader, "lunsj.yaml", changed.replace("Om pausen.", "Om pausa.").encode())
    detail_again = again.headers["Location"]
    leader.get(detail_again)
    assert "Det blir en ny versjon, versjon 2. Versjon 1 har svar" in visible_text(leader.html)
    leader.post(detail_again + "/aktiver")
    from survey.extensions import db

    with app.app_context():
        versions = db.session.scalars(
            select(QuestionnaireVersion.version).where(
                QuestionnaireVersion.questionnaire_id == "lunsj-test"
            )
        ).all()
    assert sorted(versions) == [1, 2]


def test_an_unknown_upload_is_404(app, leader):
    assert leader.get("/skjema/opplasting/999").status_code == 404
    assert leader.get("/skjema/opplasting/999/forhandsvis").status_code == 404
    assert leader.get("/skjema/finnes-ikke/forhandsvis").status_code == 404


def test_the_preview_of_an_xlsform_pipes_answers_and_shows_the_grid_without_javascript(app, leader):
    xlsform = DATA.parent.parent / "data" / "xlsform" / "kobo_style.xlsx"
    detail = upload(
        leader, "kobo_style.xlsx", xlsform.read_bytes(), questionnaire_id="deltid-kobo"
    ).headers["Location"]
    leader.get(detail + "/forhandsvis")
    _preview_post(leader, {"fornavn": "<b>Kari</b>", "deltid": "no"})
    text = visible_text(leader.html)
    # The earlier answer in a later label, as plain text: the markup typed is not markup.
    assert "Hvor enig er du, <b>Kari</b>?" in text
    assert "&lt;b&gt;Kari&lt;/b&gt;" in leader.html
    # The grid: one fieldset per statement, each a radio group of the shared scale.
    for statement in ("samarbeid_kolleger", "samarbeid_leder"):
        block = leader.html.split(f'id="q-{statement}"', 1)[1].split('class="question', 1)[0]
        assert block.count("<fieldset") == 1
        assert block.count('type="radio"') == 5
    _preview_post(leader, {"samarbeid_kolleger": "4"})
    assert leader.last.status_code == 422
    assert "Jeg får støtte fra lederen min: Svar på dette spørsmålet." in visible_text(leader.html)
    _preview_post(leader, {"samarbeid_kolleger": "4", "samarbeid_leder": "5"})
    text = visible_text(leader.html)
    assert "Jeg samarbeider godt med kollegene mine Litt enig" in text
    assert count_rows(app, Response) == 0


def test_every_shipped_questionnaire_opens_in_the_preview_on_its_first_page(app, leader):
    from survey import engine

    for path in sorted((DATA.parents[2] / "questionnaires").glob("*.yaml")):
        definition = engine.load(path)
        first = engine.first_page(definition, {}, dt.date.today())
        response = leader.get(f"/skjema/{definition.id}/forhandsvis")
        assert response.status_code == 200, definition.id
        assert first.title.get("nb") in visible_text(leader.html), definition.id
