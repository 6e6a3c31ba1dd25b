"""The raw data block of «Rapporter» on a 360 px phone without JavaScript (issue 14, part 6)."""

from __future__ import annotations

import pyreadstat

from survey.campaigns.models import Mode
from tests.conftest import make_person
from tests.reports.test_raw_export import make_campaign


def test_raw_data_block_on_a_phone(live_app, browser, axe_source, tmp_path):
    """A project leader on a 360 px phone without JavaScript: «Rapporter» shows the raw data
    block (axe, vnu, no horizontal scroll) and its SPSS link downloads a file SPSS opens."""
    from tests.browser.conftest import ARTIFACTS
    from tests.browser.phone import Phone
    from tests.conftest import STAFF_PASSWORD

    app = live_app
    make_person(app, "prosjektleder", email="pia@kommune.no")
    campaign_id = make_campaign(app, Mode.ANONYMOUS)
    phone = Phone(
        browser, app.config["LIVE_URL"], axe_source, ARTIFACTS / "raw-data", javascript=False
    )
    phone.goto("/logg-inn")
    phone.page.get_by_label("E-postadresse").fill("pia@kommune.no")
    phone.page.get_by_label("Passord").fill(STAFF_PASSWORD)
    phone.click("Logg inn")
    phone.goto("/rapporter/#raw-data")
    phone.inspect()
    block = phone.page.locator("#raw-data")
    text = block.inner_text()
    assert "Rådata" in text and "Testskjema" in text
    assert "Anonymt · 13 svar" in text
    assert "2 svar fra enheter med færre enn 5 svar er utelatt." in text
    with phone.page.expect_download() as download:
        block.get_by_role("link", name="SPSS (.sav)").click()
    path = tmp_path / "radata.sav"
    download.value.save_as(path)
    frame, meta = pyreadstat.read_sav(str(path))
    assert len(frame) == 11 and meta.column_names_to_labels["enhet"] == "Hvor jobber du?"
    assert download.value.suggested_filename == f"radata-{campaign_id}.sav"
    phone.close()
