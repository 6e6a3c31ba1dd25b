"""Uploading a questionnaire: the checks' errors with file and line, nothing stored on
errors, the size limit, and who may use the pages."""

from __future__ import annotations

import pytest

from survey.questionnaires.models import QuestionnaireUpload, QuestionnaireVersion
from tests.conftest import Respondent, login_as, make_person
from tests.questionnaires_web.conftest import (
    DATA,
    count_rows,
    upload,
    upload_file,
    visible_text,
)


def test_a_valid_yaml_file_waits_for_activation_and_says_what_activating_does(app, leader):
    versions = count_rows(app, QuestionnaireVersion)
    response = upload_file(leader, "lunsj.yaml")
    assert response.status_code == 302
    page = leader.get(response.headers["Location"])
    text = visible_text(leader.html)
    assert page.status_code == 200
    assert "Lunsjundersøkelse" in text
    assert "lunsj.yaml" in text
    assert "A new questionnaire: activating it stores it as version 1." in text or (
        "Et nytt skjema" in text
    )
    # Stored as an upload only: no campaign can use it yet.
    assert count_rows(app, QuestionnaireUpload) == 1
    assert count_rows(app, QuestionnaireVersion) == versions
    leader.get("/kampanjer/ny")
    assert "lunsj-test" not in leader.html


def test_a_broken_file_shows_every_error_with_file_and_line_and_stores_nothing(app, leader):
    response = upload_file(leader, "broken.yaml")
    assert response.status_code == 422
    text = visible_text(leader.html)
    assert "broken.yaml:1: default_mode: missing default_mode" in text
    assert "broken.yaml:10: a.type: unknown type 'colour'" in text
    assert "broken.yaml:14: b.relevant: unknown name ${finnes_ikke}" in text
    assert "broken.yaml har 3 feil" in text
    assert count_rows(app, QuestionnaireUpload) == 0


def test_a_file_that_is_not_utf8_is_refused_with_its_name(app, leader):
    response = upload(leader, "latin1.yaml", "id: æøå\n".encode("latin-1"))
    assert response.status_code == 422
    assert "latin1.yaml:1: file: is not UTF-8 text" in visible_text(leader.html)
    assert count_rows(app, QuestionnaireUpload) == 0


def test_other_kinds_of_file_are_refused(app, leader):
    response = upload(leader, "skjema.docx", b"PK\x03\x04")
    assert response.status_code == 422
    assert "Last opp en .yaml-, .yml- eller .xlsx-fil." in visible_text(leader.html)
    assert count_rows(app, QuestionnaireUpload) == 0


def test_a_file_over_2_mb_is_refused_with_the_limit(app, leader):
    big = (DATA / "lunsj.yaml").read_bytes() + b"#" * (2 * 1024 * 1024)
    response = upload(leader, "stor.yaml", big)
    assert response.status_code == 422
    assert "Filen er større enn 2 MB." in visible_text(leader.html)
    assert count_rows(app, QuestionnaireUpload) == 0


def test_a_request_over_the_server_limit_gets_the_upload_page_with_the_limit(app, leader):
    huge = b"#" * (app.config["UPLOAD_MAX_BYTES"] + 1024)
    response = upload(leader, "enorm.yaml", huge)
    assert response.status_code == 413
    assert "Filen er større enn 2 MB." in visible_text(leader.html)
    assert count_rows(app, QuestionnaireUpload) == 0


@pytest.mark.parametrize("role", ["ansatt", "enhetsleder", "tillitsvalgt"])
def test_other_roles_may_not_use_the_questionnaire_pages(app, client, role):
    person = make_person(app, role, unit="sykehjem")
    login_as(client, app, person)
    browser = Respondent(client)
    assert browser.get("/skjema/").status_code == 403
    assert browser.get("/skjema/last-opp").status_code == 403
    assert browser.get("/skjema/arbeidsmiljo/forhandsvis").status_code == 403
    assert client.post("/skjema/opplasting/1/aktiver").status_code in (400, 403)


def test_the_administrator_may_upload_and_sees_the_menu_entry(app, client):
    admin = make_person(app, "admin")
    login_as(client, app, admin)
    browser = Respondent(client)
    browser.get("/skjema/")
    assert browser.last.status_code == 200
    assert 'href="/skjema/"' in browser.html
    assert upload_file(browser, "lunsj.yaml").status_code == 302


def test_the_list_shows_each_questionnaire_with_its_version_and_links(app, leader):
    leader.get("/skjema/")
    text = visible_text(leader.html)
    assert "Arbeidsmiljøundersøkelse" in text
    assert "Id arbeidsmiljo · versjon" in text
    assert "brukt av 0 undersøkelser" in text
    assert 'href="/skjema/arbeidsmiljo/forhandsvis"' in leader.html


XLSFORM = DATA.parent.parent / "data" / "xlsform"


def test_an_xlsform_is_converted_checked_and_waits_for_activation(app, leader):
    response = upload(
        leader,
        "kobo_style.xlsx",
        (XLSFORM / "kobo_style.xlsx").read_bytes(),
        questionnaire_id="kobo-deltid",
    )
    assert response.status_code == 302
    leader.get(response.headers["Location"])
    text = visible_text(leader.html)
    assert "Deltid og arbeidsmiljø" in text
    assert "kobo_style.xlsx" in text
    assert "Et nytt skjema: når du aktiverer det, lagres det som versjon 2." in text


def test_an_xlsform_without_form_id_asks_for_the_id(app, leader):
    response = upload(leader, "kobo_style.xlsx", (XLSFORM / "kobo_style.xlsx").read_bytes())
    assert response.status_code == 422
    assert "XLSForm-filen har ingen form_id i settings-arket: skriv id-en her." in visible_text(
        leader.html
    )
    assert count_rows(app, QuestionnaireUpload) == 0


def test_a_broken_xlsform_shows_sheet_and_row_and_stores_nothing(app, leader):
    response = upload(
        leader,
        "broken_unknown_type.xlsx",
        (XLSFORM / "broken_unknown_type.xlsx").read_bytes(),
        questionnaire_id="broken",
    )
    assert response.status_code == 422
    text = visible_text(leader.html)
    assert "broken_unknown_type.xlsx har 1 feil" in text
    assert "broken_unknown_type.xlsx:survey:4: unknown type 'integr'" in text
    assert count_rows(app, QuestionnaireUpload) == 0


def test_the_list_offers_each_questionnaire_as_xlsform(app, leader):
    leader.get("/skjema/")
    assert 'href="/skjema/arbeidsmiljo/xlsform"' in leader.html
    response = leader.get("/skjema/arbeidsmiljo/xlsform")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="arbeidsmiljo-v'
    )
    import io

    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(response.data))
    assert "survey" in workbook.sheetnames


def test_the_paper_version_of_an_upload_and_of_a_stored_questionnaire(app, leader):
    detail = upload_file(leader, "lunsj.yaml").headers["Location"]
    leader.get(detail)
    assert f'href="{detail}/papir.pdf?lang=nn"' in leader.html
    response = leader.get(f"{detail}/papir.pdf?lang=nn")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    leader.get("/skjema/")
    assert 'href="/skjema/arbeidsmiljo/papir.pdf?lang=en"' in leader.html
    assert leader.get("/skjema/arbeidsmiljo/papir.pdf?lang=de").status_code == 404


def test_an_upload_with_a_shipped_id_warns_that_the_file_wins_at_start_up(app, leader):
    shipped = (DATA.parents[2] / "questionnaires" / "arbeidsmiljo.yaml").read_text()
    changed = shipped.replace('nb: "Arbeidsmiljøundersøkelse"', 'nb: "Arbeidsmiljø 2027"', 1)
    assert changed != shipped
    response = upload(leader, "arbeidsmiljo.yaml", changed.encode())
    assert response.status_code == 302
    leader.get(response.headers["Location"])
    text = visible_text(leader.html)
    assert "Arbeidsmiljø 2027" in text
    assert "Det erstatter versjon" in text  # nobody has answered it in this database
    assert "Serveren leveres med en fil med denne id-en." in text

    other = changed.replace("id: arbeidsmiljo", "id: arbeidsmiljo-2027", 1)
    leader.get(upload(leader, "arbeidsmiljo-2027.yaml", other.encode()).headers["Location"])
    assert "Serveren leveres med en fil med denne id-en." not in visible_text(leader.html)
