"""A Likert grid and a piped label in real Chromium: on a 360 px phone every statement is a
stacked group of options; at 1024 px the same markup is a compact table (one row per
statement, one column per scale point, the scale's labels once above). Both: no horizontal
scrolling, axe and vnu clean (Phone.inspect), answering by tapping works."""

from __future__ import annotations

import pytest

from survey import engine
from survey.campaigns.services import create_campaign
from survey.db import unit_of_work
from survey.questionnaires.services import sync_definition
from tests.answering.test_grid_and_piping_pages import DEFINITION
from tests.browser.conftest import ARTIFACTS
from tests.browser.phone import PHONE, Phone
from tests.web.helpers import responses

pytestmark = pytest.mark.browser

WIDE = {"width": 1024, "height": 800}


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["360px", "1024px"])
def test_grid_and_piping_on_a_phone_and_a_wide_screen(live_app, browser, axe_source, viewport):
    with live_app.app_context(), unit_of_work():
        sync_definition(engine.load_text(DEFINITION, "pipe-og-rutenett.yaml"))
        slug = create_campaign("pipe-og-rutenett", "anonymous", "Piping").slug
    device = Phone(
        browser,
        live_app.config["LIVE_URL"],
        axe_source,
        ARTIFACTS / "likert-grid-answering" / str(viewport["width"]),
        javascript=True,
        viewport=viewport,
    )
    device.goto(f"/s/{slug}")
    device.click("Start")
    device.fill_page({"stillingsprosent": "62,5", "enhet": "heim", "startet": "2024-03-01"})
    device.fill("kallenavn", "Kari")  # markup typed: tests/answering (inspect() flags it)
    device.click("Neste")
    assert device.path == f"/s/{slug}/side/onske"

    page = device.page
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= viewport["width"]
    note = page.locator("#q-oppsummert").inner_text()
    assert note == "Du jobber 62,5 % i Hjemmetjenesten siden 01.03.2024, Kari."
    assert page.get_by_role("heading", name="Om arbeidet i Hjemmetjenesten").is_visible()
    # Every statement is a group named by its statement, with a radio per scale point that
    # screen readers hear by its own label.
    group = page.get_by_role("group", name="Jeg er fornøyd med 62,5 %")
    assert group.get_by_role("radio").count() == 5
    assert group.get_by_role("radio", name="5 – Helt enig").count() == 1
    header = page.locator(".grid-scale")
    first, last = (
        page.locator(f'label[for="f-fornoyd_storrelse-{index}"]').bounding_box() for index in (0, 4)
    )
    if viewport is PHONE:
        assert not header.is_visible()
        assert last["y"] > first["y"] + 100, "stacked on a phone"
        assert page.locator('label[for="f-fornoyd_storrelse-0"]').inner_text() == "1 – Helt uenig"
    else:
        assert header.is_visible()
        assert header.inner_text().split("\n")[0] == "1 – Helt uenig"
        assert abs(last["y"] - first["y"]) < 2 and last["x"] > first["x"] + 200, "one row"
        # The statement and its options share a row; the label is for the screen reader only.
        legend = page.locator("#q-fornoyd_storrelse legend").bounding_box()
        assert legend["x"] + legend["width"] <= first["x"] + 1
        assert abs(legend["y"] - first["y"]) < 20

    # Sent unanswered: every statement is refused on its own, in the table as on the phone.
    device.click("Neste")
    assert page.locator(".error-summary").inner_text().count("Svar på dette spørsmålet") == 2
    assert page.locator("#q-fornoyd_turnus .field-error").is_visible()
    device.choose("fornoyd_storrelse", "4")
    device.choose("fornoyd_turnus", "2")
    device.fill("onsket", "80")
    # Piping from earlier on the same page: the script shows the answer as it is given.
    assert (
        page.locator("#q-onsket legend, #q-onsket label")
        .first.inner_text()
        .startswith("Du svarte 4. Hvor stor stilling")
    )
    device.choose("fornoyd_storrelse", "5")
    assert "Du svarte 5 – Helt enig." in page.locator("#q-onsket").inner_text()
    device.click("Neste")
    assert device.path == f"/s/{slug}/oppsummering"
    assert "Du svarte 5 – Helt enig. Hvor stor stilling ønsker du?" in device.text()
    device.click("Send svarene")
    [(status, answers)] = responses(live_app)
    assert (status, answers["fornoyd_storrelse"], answers["fornoyd_turnus"]) == ("submitted", 5, 2)
    device.close()
