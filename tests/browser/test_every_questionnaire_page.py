"""Every page of every shipped questionnaire on a 360 px phone, with and without JavaScript
(issue #10): heltid-arlig and arbeidsmiljo as a respondent answers them, the interview guide
(kartleggingssamtale) as a project leader runs it in a conversation, and the employee's own
«Oppdater ønskene mine» pages.

Phone.inspect() runs on every page: screenshot, no horizontal scrolling, no markup shown as
text, axe WCAG 2.2 A/AA, and the HTML kept for vnu. On top of that, each flow sends one empty
required page and checks that the focus lands on the error summary, and that the page count
never goes up on the way forward."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest

from survey.engine import load
from tests.browser.conftest import ARTIFACTS
from tests.browser.phone import Phone
from tests.conftest import ROOT, STAFF_PASSWORD, make_person
from tests.web.helpers import make_campaign

pytestmark = pytest.mark.browser

QUESTIONNAIRES = ROOT / "questionnaires"

# One answer per question, chosen so that every page of heltid-arlig is shown: part time,
# wants a larger position, more weekends and long shifts, an assistant (fagbrev).
HELTID = {
    "enhet": "omsorgssenter_b",
    "yrkesgruppe": "assistent",
    "stillingsprosent": "50",
    "ansettelsesform": "fast",
    "fornoyd_storrelse": "no",
    "onsket_endring": "storre",
    "onsket_prosent": "80",
    "onsket_fast": "yes",
    "villig_helger": "oftere",
    "helger_per_ar": "20",
    "villig_langvakter": "yes",
    "langvakt_hyppighet": "hver_4",
    "villig_andre_enheter": "annen_enhet",
    "andre_vakter": ["kveld"],
    "ubundet_tid": "yes",
    "fagbrev": "yes",
    "oppstart_uker": "4",
    "onske_skriftlig": "yes",
    "forsokt_flere_timer": "no",
    "arsaker_deltid": ["omsorg"],
    "kommentar": "Kan jobbe mer fra høsten.",
}

ARBEIDSMILJO = {
    "trivsel": "5",
    "arbeidsmengde": "3",
    "stolthet": "6",
    "samarbeid": "4",
    "ledelse": "4",
    "medvirkning": "2",
    "kontinuitet": "3",
    "kompetanse": "3",
    "enhet": "hjemmetjenesten",
    "kommentar": "Bra kollegaer.",
}

# The interview guide, every page: the project leader types what the employee says.
CONVERSATION = {
    "enhet": "omsorgssenter_a",
    "yrkesgruppe": "assistent",
    "ansettelsesform": "fast",
    "leder": "no",
    "stillingsprosent": "50",
    "flere_stillinger": "no",
    "vakter_na": ["dag", "kveld"],
    "fornoyd_storrelse": "no",
    "fornoyd_turnus": "yes",
    "onsket_endring": "storre",
    "onsket_prosent": "80",
    "onsket_fast": "yes",
    "villig_helger": "oftere",
    "helger_per_ar": "20",
    "villig_langvakter": "yes",
    "langvakt_hyppighet": "hver_4",
    "villig_andre_enheter": "kombijobbing",
    "andre_vakter": ["dag"],
    "tar_ledige_vakter": "yes",
    "ubundet_tid": "no",
    "interesse_arsturnus": "yes",
    "interesse_onsketurnus": "no",
    "fagbrev": "yes",
    "oppstart_uker": "4",
    "venter_barnehageplass": "no",
    "onske_skriftlig": "yes",
    "forsokt_flere_timer": "yes",
    "kvalifisert": "yes",
    "arsaker_deltid": ["ikke_tilbudt"],
    "kommentar": "Trives godt.",
    "notater": "Kan ta flere helger fra høsten.",
    "avtalte_tiltak": "Får tilbud om 30 % når stillingen blir ledig.",
    "neste_oppfolging": "2027-03-01",
}

PROGRESS = re.compile(r"Side (\d+) av (?:høyst )?(\d+)")


@pytest.fixture(params=[False, True], ids=["no-javascript", "javascript"])
def javascript(request) -> bool:
    return request.param


def phone_for(app, browser, axe_source, name: str, javascript: bool) -> Phone:
    return Phone(
        browser,
        app.config["LIVE_URL"],
        axe_source,
        ARTIFACTS / ("js" if javascript else "nojs") / "every-page" / name,
        javascript=javascript,
    )


def page_names(questionnaire_id: str) -> list[str]:
    return [page.name for page in load(QUESTIONNAIRES / f"{questionnaire_id}.yaml").pages]


def focus_is_on_error_summary(device: Phone) -> bool:
    """Whether the focused element is the error summary (autofocus is applied just after load)."""
    for _attempt in range(20):
        if device.page.evaluate(
            "() => document.activeElement && document.activeElement.classList.contains('error-summary')"
        ):
            return True
        time.sleep(0.1)
    return False


def refuse_empty_page(device: Phone) -> None:
    """Send the page with its required questions empty: refused, focus on the error summary."""
    page_path = device.path
    device.click("Neste")
    assert device.path == page_path
    assert device.page.locator(".error-summary").is_visible()
    assert focus_is_on_error_summary(device), device.page.evaluate(
        "() => document.activeElement && document.activeElement.outerHTML.slice(0, 200)"
    )
    summary = device.page.locator(".error-summary").inner_text()
    assert "?:" not in summary


def answer_every_page(device: Phone, answers: dict, review_suffix: str = "/oppsummering") -> list:
    """Answer page after page until the review page; returns (page name, position, total) for
    each page view."""
    seen = []
    for _step in range(40):
        if device.path.endswith(review_suffix):
            return seen
        name = device.path.rsplit("/", 1)[-1]
        match = PROGRESS.search(device.text())
        assert match, f"no page count on {device.path}"
        seen.append((name, int(match.group(1)), int(match.group(2))))
        device.fill_page(answers)
        device.click("Neste")
        # Without JavaScript, a question revealed by an answer brings the page back once.
        assert not device.page.locator(".error-summary").count(), device.text()
    raise AssertionError("never reached the review page")


def assert_walked_every_page(seen: list, expected: list[str]) -> None:
    assert sorted({name for name, _position, _total in seen}) == sorted(expected)
    totals = [total for _name, _position, total in seen]
    assert totals == sorted(totals, reverse=True), f"the page count went up: {seen}"
    positions = [position for _name, position, _total in seen]
    assert positions == sorted(positions), seen
    assert seen[-1][1] == seen[-1][2] == len(expected), seen


@pytest.mark.parametrize(
    ("questionnaire", "answers"),
    [("heltid-arlig", HELTID), ("arbeidsmiljo", ARBEIDSMILJO)],
    ids=["heltid-arlig", "arbeidsmiljo"],
)
def test_survey_every_page(live_app, browser, axe_source, javascript, questionnaire, answers):
    _, slug = make_campaign(live_app, questionnaire, mode="anonymous")
    phone = phone_for(live_app, browser, axe_source, questionnaire, javascript)
    phone.goto(f"/s/{slug}")
    phone.click("Start")
    refuse_empty_page(phone)
    seen = answer_every_page(phone, answers)
    assert_walked_every_page(seen, page_names(questionnaire))
    phone.click("Send svarene")
    assert phone.path == f"/s/{slug}/kvittering"
    phone.close()


def log_in_with_password(device: Phone, email: str) -> None:
    device.goto("/logg-inn")
    device.page.get_by_label("E-post").fill(email)
    device.page.get_by_label("Passord").fill(STAFF_PASSWORD)
    device.click("Logg inn")


def test_interview_guide_and_the_employees_wish_pages(live_app, browser, axe_source, javascript):
    app = live_app
    make_person(app, "prosjektleder", email="pia@kommune.no", name="Pia Prosjekt")
    employee_id = make_person(app, unit="omsorg_a", email="eva@kommune.no", name="Eva Ansatt")
    with app.app_context():
        from survey.accounts.models import Person, TokenPurpose
        from survey.accounts.services import issue_token
        from survey.extensions import db

        token = issue_token(
            db.session.get(Person, employee_id), TokenPurpose.LOGIN, dt.timedelta(days=7)
        )
        db.session.commit()

    # --- the project leader holds the conversation on a phone ---------------------------------
    leader = phone_for(app, browser, axe_source, "kartleggingssamtale", javascript)
    log_in_with_password(leader, "pia@kommune.no")
    leader.goto(f"/samtaler/{employee_id}")
    leader.click("Start samtalen")
    refuse_empty_page(leader)
    seen = answer_every_page(leader, CONVERSATION)
    assert_walked_every_page(seen, page_names("kartleggingssamtale"))
    leader.click("Lagre som ny versjon")
    assert leader.path == f"/personer/{employee_id}"
    leader.close()

    # --- the employee updates their wishes on a phone -----------------------------------------
    from survey.conversations.services import WISH_PAGES

    employee = phone_for(app, browser, axe_source, "onsker", javascript)
    employee.goto(f"/lenke/{token}")
    employee.click("Logg inn")
    employee.goto("/meg/")
    employee.page.get_by_role("link", name="Oppdater ønskene mine").click()
    employee.inspect()
    employee.click("Oppdater ønskene mine")
    # Pre-filled from the saved conversation; an emptied required answer is refused.
    assert employee.path.endswith("/side/onske")
    position, total = PROGRESS.search(employee.text()).groups()
    seen = [("onske", int(position), int(total))]
    employee.click("Neste")
    assert employee.path.endswith("/side/onsket_stilling")
    employee.fill("onsket_prosent", "")
    refuse_empty_page(employee)
    seen += answer_every_page(employee, {**CONVERSATION, "onsket_prosent": "100"})
    wish_pages = [name for name in page_names("kartleggingssamtale") if name in WISH_PAGES]
    assert_walked_every_page(seen, wish_pages)
    employee.click("Lagre som ny versjon")
    assert employee.path == "/meg/"
    assert "100 %" in employee.text()
    employee.close()
