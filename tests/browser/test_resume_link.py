"""The saved «Link to continue» works in a real browser although the code never reaches the
server in a URL: it rides in the fragment and the welcome page posts it."""

from __future__ import annotations

import pytest

from tests.web.helpers import make_campaign

pytestmark = pytest.mark.browser


def test_resume_link_opens_the_draft_on_another_device(live_app, browser):
    _, slug = make_campaign(live_app)
    base = live_app.config["LIVE_URL"]
    first = browser.new_context(viewport={"width": 360, "height": 740}, locale="nb-NO")
    page = first.new_page()
    page.goto(f"{base}/s/{slug}")
    page.get_by_role("button", name="Start").click()
    link = page.locator("a.resume-link").get_attribute("href")
    assert "#kode=" in link and "?" not in link
    page.screenshot(path="/tmp/h7/resume-link.png", full_page=True)
    first.close()

    sent = []
    other = browser.new_context(viewport={"width": 360, "height": 740}, locale="nb-NO")
    page = other.new_page()
    page.on("request", lambda request: sent.append(request.url))
    page.goto(link)
    page.wait_for_url(f"{base}/s/{slug}/side/stilling")
    assert page.locator(".resume-code").inner_text().replace("-", "") in link
    # Every request the browser made kept the code out of the URL.
    code = link.split("#kode=")[1]
    assert sent and not [url for url in sent if code in url]
    other.close()
