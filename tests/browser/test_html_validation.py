"""A canary for the HTML validation every browser test runs: an invalid page is reported, by
its path and line, so silence from vnu means something."""

from __future__ import annotations

from tests.browser.html_validation import vnu_errors

HEAD = '<!doctype html><html lang="nb"><head><title>Side</title></head><body><main>'


def test_vnu_reports_errors_by_page_and_passes_valid_pages():
    errors = vnu_errors(
        {
            "/utvalg/ny": HEAD + '<select name="unit" required>\n<option value="1">Helse</option>'
            "</select></main></body></html>",
            "/": HEAD + "<p>Hei</p></main></body></html>",
        }
    )
    assert list(errors) == ["/utvalg/ny"]
    assert "line 2: The first “option” element" in errors["/utvalg/ny"][0]
