"""The employee reads their own living document («Min side») and updates their wishes («Mine
ønsker») addressed as «du», never as «hen»; the leader's assessment is a statement of what was
recorded. The project leader's guide keeps the leader's wording."""

from __future__ import annotations

import html as html_text
import re

import pytest

from tests.conftest import login_as, make_person
from tests.living.test_conversation import ANSWERS, Respondent

HEN = re.compile(r"\bhen\b", re.IGNORECASE)

# What the employee reads, per language: a du-question, the leader's assessment as a
# statement, and a question of the wish pages.
EMPLOYEE_WORDING = {
    "nb": (
        "Hvor stor stilling har du i dag?",
        "Prosjektlederens vurdering",
        "Du er kvalifisert for en større stilling i yrkesgruppen din.",
        "Hvor stor stilling ønsker du?",
    ),
    "nn": (
        "Kor stor stilling har du i dag?",
        "Vurderinga til prosjektleiaren",
        "Du er kvalifisert for ei større stilling i yrkesgruppa di.",
        "Kor stor stilling ønskjer du?",
    ),
    "en": (
        "How large is your position today?",
        "The project leader's assessment",
        "You are qualified for a larger position in your occupational group.",
        "How large a position would you like?",
    ),
}
# A reason the leader ticked, as the employee reads it: in their own voice.
REASON = {
    "nb": "Jeg har ikke fått tilbud om større stilling",
    "nn": "Eg har ikkje fått tilbod om større stilling",
    "en": "I have not been offered a larger position",
}
LEADER_ONLY = {
    "nb": "Er hen etter din vurdering kvalifisert",
    "nn": "Er hen etter di vurdering kvalifisert",
    "en": "In your assessment, are they qualified",
}


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return html_text.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def walk_pages(browser: Respondent, start_url: str, answers: dict) -> list[str]:
    """Every page of the guide from `start_url` to the review page, answered from
    `answers`; returns each page's HTML (the start page and the review page included)."""
    pages = [browser.get(start_url).get_data(as_text=True)]
    location = browser.post(start_url, {}).headers["Location"]
    for _step in range(20):
        html = browser.get(location).get_data(as_text=True)
        pages.append(html)
        if location.endswith("/oppsummering"):
            return pages
        shown = re.search(r'name="shown" value="([^"]*)"', html)[1]
        form = {name: value for name, value in answers.items() if name in shown.split()}
        response = browser.post(location, {**form, "shown": shown, "action": "next"})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        location = response.headers["Location"].split("#")[0]
    raise AssertionError("never reached the review page")


@pytest.fixture
def recorded(app, client):
    """A conversation the project leader has saved; returns (leader, employee)."""
    leader = make_person(app, "prosjektleder", name="Pia Prosjekt")
    employee = make_person(app, unit="omsorg_a", name="Eva Ansatt")
    login_as(client, app, leader)
    browser = Respondent(client)
    pages = walk_pages(browser, f"/samtaler/{employee}", ANSWERS)
    guide = visible_text(" ".join(pages))
    assert "Hvor stor stilling ønsker hen?" in guide  # the leader's guide as written
    assert LEADER_ONLY["nb"] in guide
    assert "Hvor stor stilling ønsker du?" not in guide
    assert browser.post(f"/samtaler/{employee}/lagre", {}).status_code == 302
    record = visible_text(client.get(f"/personer/{employee}").get_data(as_text=True))
    assert "Hvor stor stilling har hen i dag?" in record
    return leader, employee


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_min_side_and_mine_onsker_speak_to_the_employee(app, client, recorded, lang):
    _leader, employee = recorded
    login_as(client, app, employee)
    phone = Respondent(client)
    phone.get(f"/sprak/{lang}?next=/meg/")
    question, assessment, statement, wish = EMPLOYEE_WORDING[lang]

    own = visible_text(phone.get("/meg/").get_data(as_text=True))
    assert not HEN.search(own), HEN.search(own) and own[HEN.search(own).start() - 200 :][:300]
    assert question in own and assessment in own and statement in own
    assert LEADER_ONLY[lang] not in own
    assert REASON[lang] in own and "Has not been offered" not in own

    pages = walk_pages(phone, "/meg/onsker/", {**ANSWERS, "onsket_prosent": "100"})
    for html in pages:
        text = visible_text(html)
        found = HEN.search(text)
        assert not found, text[max(found.start() - 200, 0) : found.end() + 50]
    review = visible_text(pages[-1])
    assert wish in review and question not in review  # only the wish pages
    if lang == "en":
        assert " they " not in review and " their " not in review


def test_a_constraint_message_speaks_to_the_employee(app, client, recorded):
    _leader, employee = recorded
    login_as(client, app, employee)
    phone = Respondent(client)
    phone.get("/meg/onsker/")
    location = phone.post("/meg/onsker/", {}).headers["Location"]
    while not location.endswith("/side/onsket_stilling"):
        html = phone.get(location).get_data(as_text=True)
        shown = re.search(r'name="shown" value="([^"]*)"', html)[1]
        form = {name: value for name, value in ANSWERS.items() if name in shown.split()}
        location = phone.post(location, {**form, "shown": shown}).headers["Location"]
    phone.get(location)
    shown = re.search(r'name="shown" value="([^"]*)"', phone.html)[1]
    response = phone.post(location, {"shown": shown, "onsket_prosent": "30", "onsket_fast": "yes"})
    assert response.status_code == 422
    text = visible_text(response.get_data(as_text=True))
    assert "Stillingen du ønsker, må være større enn den du har nå." in text
    assert not HEN.search(text)


def test_the_employees_own_pdf_speaks_to_them(app, client, recorded, tmp_path):
    from tests.reports.test_campaign_and_person import pdf_text

    _leader, employee = recorded
    login_as(client, app, employee)
    response = client.get("/rapporter/meg?lang=nb")
    assert response.status_code == 200
    text = " ".join(pdf_text(response.data, tmp_path, layout=False).split())
    found = HEN.search(text)
    assert not found, text[max(found.start() - 200, 0) : found.end() + 50]
    assert "Hvor stor stilling har du i dag?" in text
    assert "Du er kvalifisert for en større stilling i yrkesgruppen din." in text
