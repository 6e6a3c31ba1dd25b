"""A Likert grid's results in real Chromium on a 360 px phone without JavaScript: the
diverging bar chart and its table on «Resultater», with axe, vnu and no horizontal scroll;
the same page on a tablet. Screenshots in tests/artifacts/browser/likert-grid*."""

from __future__ import annotations

from tests.browser.conftest import ARTIFACTS
from tests.browser.phone import TABLET, Phone
from tests.browser.test_reports_page import _log_in
from tests.conftest import make_person
from tests.reports.test_likert_grid_report import make_grid_campaign


def test_grid_results_on_a_phone(live_app, browser, axe_source):
    app = live_app
    make_grid_campaign(app)
    make_person(app, "tillitsvalgt", email="tove@kommune.no")
    for viewport, folder in ((None, "likert-grid"), (TABLET, "likert-grid-tablet")):
        options = {} if viewport is None else {"viewport": viewport}
        phone = Phone(
            browser,
            app.config["LIVE_URL"],
            axe_source,
            ARTIFACTS / folder,
            javascript=False,
            **options,
        )
        _log_in(phone, "tove@kommune.no")
        phone.menu("Resultater")
        phone.inspect()
        charts = phone.page.locator("figure.chart-figure svg[role=img]")
        assert charts.count() == 2
        first = charts.first
        assert first.is_visible()
        box = first.bounding_box()
        assert box["width"] <= phone.viewport["width"]
        # The chart's name says how to read it; its caption is on screen.
        assert "til venstre for midtlinja" in first.locator("title").text_content()
        assert "Tabellen gir de samme tallene." in phone.text()
        assert first.locator("g.bar").count() == 3
        captions = phone.page.locator("caption").all_inner_texts()
        assert "Hvor enig er du i utsagnene? (N = 20)" in captions
        phone.close()
