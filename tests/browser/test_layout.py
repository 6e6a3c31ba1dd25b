"""The page frame on a phone without JavaScript: the staff menu folds into «Meny» instead of
taking a third of the screen, the footer's links are big enough for a thumb, and the
accessibility statement is one tap away."""

from __future__ import annotations

from tests.browser.conftest import ARTIFACTS
from tests.browser.phone import Phone
from tests.conftest import STAFF_PASSWORD, make_person

DESKTOP = {"width": 1280, "height": 800}
STAFF_MENU = ["Min side", "Personer", "Endringer", "Definisjoner", "Resultater", "Rapporter"]


def _log_in(device: Phone, email: str) -> None:
    device.goto("/logg-inn")
    device.page.get_by_label("E-post").fill(email)
    device.page.get_by_label("Passord").fill(STAFF_PASSWORD)
    device.click("Logg inn")


def _menu_link(device: Phone, name: str):
    return device.page.locator(".site-nav").get_by_role("link", name=name, exact=True)


def test_staff_menu_folds_on_a_phone(live_app, browser, axe_source):
    app = live_app
    make_person(app, "admin", "prosjektleder", email="pia@kommune.no", name="Pia Prosjekt")
    phone = Phone(
        browser, app.config["LIVE_URL"], axe_source, ARTIFACTS / "layout-phone", javascript=False
    )
    _log_in(phone, "pia@kommune.no")
    phone.goto("/personer/")
    header = phone.page.locator(".site-header").bounding_box()
    assert header["height"] <= 120, header  # it was 247 px: a third of a 740 px screen
    for name in STAFF_MENU:
        assert not _menu_link(phone, name).is_visible()
    phone.page.get_by_text("Meny", exact=True).click()
    phone.inspect()  # the open menu, too: axe, tap targets, no sideways scrolling
    for name in STAFF_MENU:
        link = _menu_link(phone, name)
        assert link.is_visible()
        box = link.bounding_box()
        assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= 360
    _menu_link(phone, "Rapporter").click()
    phone.page.wait_for_load_state("load")
    assert phone.path == "/rapporter/"
    phone.close()


def test_staff_menu_is_spread_out_on_a_wide_screen(live_app, browser, axe_source):
    app = live_app
    make_person(app, "admin", "prosjektleder", email="pia@kommune.no", name="Pia Prosjekt")
    laptop = Phone(
        browser,
        app.config["LIVE_URL"],
        axe_source,
        ARTIFACTS / "layout-desktop",
        javascript=True,
        viewport=DESKTOP,
    )
    _log_in(laptop, "pia@kommune.no")
    assert not laptop.page.get_by_text("Meny", exact=True).is_visible()
    for name in STAFF_MENU:
        assert _menu_link(laptop, name).is_visible()
    laptop.close()


def test_footer_links_fit_a_thumb_and_lead_to_the_statement(live_app, browser, axe_source):
    phone = Phone(
        browser,
        live_app.config["LIVE_URL"],
        axe_source,
        ARTIFACTS / "layout-footer",
        javascript=False,
    )
    phone.goto("/")
    footer = phone.page.locator(".site-footer")
    for name in ("Personvern", "Tilgjengelighetserklæring"):
        box = footer.get_by_role("link", name=name).bounding_box()
        assert box["height"] >= 24 and box["width"] >= 24, (name, box)
    footer.get_by_role("link", name="Tilgjengelighetserklæring").click()
    phone.page.wait_for_load_state("load")
    phone.inspect()
    assert phone.path == "/tilgjengelighet"
    assert "Kjente avvik" in phone.text()
    phone.close()
