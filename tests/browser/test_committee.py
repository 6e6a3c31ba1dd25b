"""The ansettelsesutvalg in real Chromium on a laptop: a committee member logs in, opens the
case, adjusts the proposed distribution and compares it, records decisions and downloads the
candidate list as PDF; a member of another case cannot open it. Every page is checked with axe
and for horizontal scrolling, and photographed."""

from __future__ import annotations

from flask_babel import force_locale, gettext

from tests.browser.conftest import ARTIFACTS
from tests.browser.phone import Phone
from tests.committee.conftest import EXPECTED_ORDER, SENSITIVE_PHRASES, build_case
from tests.conftest import STAFF_PASSWORD, make_person

LAPTOP = {"width": 1366, "height": 768}


def _nb(app, message: str, **values) -> str:
    """A message as the nb pages show it (the msgid until it is translated)."""
    with app.test_request_context(), force_locale("nb"):
        return gettext(message, **values)


def _log_in(device: Phone, email: str) -> None:
    device.goto("/logg-inn")
    device.page.get_by_label("E-post").fill(email)
    device.page.get_by_label("Passord").fill(STAFF_PASSWORD)
    device.click("Logg inn")


def test_committee_member_on_a_laptop(live_app, browser, axe_source, tmp_path):
    app = live_app
    base = app.config["LIVE_URL"]
    mona = make_person(app, "utvalgsmedlem", email="mona@kommune.no", name="Mona Medlem")
    make_person(app, "utvalgsmedlem", email="ola@kommune.no", name="Ola Annen")
    ids = build_case(app, members=[mona])
    case = ids["vacancy"]

    laptop = Phone(
        browser, base, axe_source, ARTIFACTS / "committee-laptop", javascript=True, viewport=LAPTOP
    )
    _log_in(laptop, "mona@kommune.no")
    laptop.goto("/utvalg/")
    laptop.page.get_by_role("link", name="Helsefagarbeider natt").click()
    laptop.inspect()
    assert laptop.path == f"/utvalg/{case}"
    text = laptop.text()
    positions = [text.index(f". {name}") for name in EXPECTED_ORDER]
    assert positions == sorted(positions)
    for phrase in SENSITIVE_PHRASES:
        assert phrase not in text

    # The proposal (Bjørn 40 of share 1 to reach 100 %, Anna 20 of share 2), adjusted: Bjørn
    # gets 30 and Anna 10 more of share 1, so she reaches the 80 % she wants.
    laptop.page.get_by_role("link", name=_nb(app, "Distribute the shares")).click()
    laptop.inspect()
    laptop.page.locator(f'input[name="a-1-{ids["Bjørn"]}"]').fill("30")
    laptop.page.locator(f'input[name="a-1-{ids["Anna"]}"]').fill("10")
    laptop.click(_nb(app, "Compare with the proposal"))
    assert "sammenlign=1" in laptop.page.url
    text = laptop.text()
    assert _nb(app, "Your version and the proposal") in text
    assert _nb(app, "The proposal scores higher than your version.") in text
    assert laptop.page.locator(".error-summary").count() == 0
    assert laptop.page.locator(f'input[name="a-1-{ids["Anna"]}"]').input_value() == "10"

    # Decisions: Bjørn is offered 40 %, Anna declines with a reason.
    laptop.goto(f"/utvalg/{case}")
    bjorn = laptop.page.locator(f"#kandidat-{ids['Bjørn']}")
    bjorn.get_by_text(_nb(app, "Record a decision for %(name)s", name="Bjørn")).click()
    bjorn.locator(f'label[for="d-{ids["Bjørn"]}-offered"]').click()
    bjorn.get_by_label(_nb(app, "Percent offered (optional)")).fill("40")
    laptop.click(_nb(app, "Save the decision for %(name)s", name="Bjørn"))
    anna = laptop.page.locator(f"#kandidat-{ids['Anna']}")
    anna.get_by_text(_nb(app, "Record a decision for %(name)s", name="Anna")).click()
    anna.locator(f'label[for="d-{ids["Anna"]}-declined"]').click()
    anna.get_by_label(_nb(app, "Reason")).fill("Ønsker ikke nattevakter likevel.")
    laptop.click(_nb(app, "Save the decision for %(name)s", name="Anna"))
    text = laptop.text()
    assert "Ønsker ikke nattevakter likevel." in text
    assert _nb(app, "Declined") in text and _nb(app, "Offered") in text

    # The candidate list for the meeting.
    with laptop.page.expect_download() as download_info:
        laptop.page.get_by_role(
            "link", name=_nb(app, "Candidate list as PDF (confidential)")
        ).click()
    download = download_info.value
    assert download.suggested_filename == f"kandidatliste-{case}-konfidensielt.pdf"
    pdf = tmp_path / "liste.pdf"
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    (ARTIFACTS / "committee-laptop" / "kandidatliste.pdf").write_bytes(pdf.read_bytes())
    laptop.close()

    # Another member, not on this case: the case does not exist for them.
    other = Phone(
        browser, base, axe_source, ARTIFACTS / "committee-other", javascript=True, viewport=LAPTOP
    )
    _log_in(other, "ola@kommune.no")
    response = other.page.goto(f"{base}/utvalg/{case}")
    assert response.status == 404
    other.goto("/utvalg/")
    assert "Helsefagarbeider natt" not in other.text()
    other.close()


def test_project_leader_creates_a_vacancy_on_a_phone(live_app, browser, axe_source):
    """At 360 px and without JavaScript: the form, the case and the distribution."""
    app = live_app
    base = app.config["LIVE_URL"]
    make_person(app, "prosjektleder", email="pia@kommune.no", name="Pia Prosjekt")
    make_person(app, email="tv@kommune.no", name="Tore Tillitsvalgt")
    ids = build_case(app)

    phone = Phone(browser, base, axe_source, ARTIFACTS / "committee-phone", javascript=False)
    _log_in(phone, "pia@kommune.no")
    phone.goto("/utvalg/ny")
    phone.page.get_by_label(_nb(app, "Unit"), exact=True).select_option(label="Omsorgssenter A")
    phone.page.get_by_label(_nb(app, "Yrkesgruppe required")).select_option("helsefagarbeider")
    phone.fill("percent", "30")
    phone.fill("shares", "15 15")
    phone.fill("weekends_per_year", "17")
    phone.fill("members", "tv@kommune.no")
    phone.click(_nb(app, "Create the vacancy"))
    assert phone.path == f"/utvalg/{ids['vacancy'] + 1}"
    text = phone.text()
    assert "Tore Tillitsvalgt" in text
    positions = [text.index(f". {name}") for name in EXPECTED_ORDER]
    assert positions == sorted(positions)
    phone.goto(f"/utvalg/{ids['vacancy'] + 1}/fordeling")
    phone.click(_nb(app, "Compare with the proposal"))
    assert _nb(app, "Your version is as good as the proposal.") in phone.text()
    phone.close()
