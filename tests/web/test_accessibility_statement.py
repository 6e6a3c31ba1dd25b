"""The accessibility statement (tilgjengelighetserklæring), the footer that links to it, and the
favicon browsers ask for on every first visit."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest

from survey.main.accessibility import CHECKED, Method
from tests.browser.phone import WCAG_TAGS
from tests.conftest import ROOT


@pytest.mark.parametrize(
    "accept_language, lang, phrases",
    [
        (
            "nb-NO,nb;q=0.9",
            "nb",
            ["Tilgjengelighetserklæring", "uu-forskriften", "Kjente avvik", "Kontrast (minimum)"],
        ),
        (
            "nn-NO,nn;q=0.9",
            "nn",
            ["Tilgjengeerklæring", "uu-forskrifta", "Kjende avvik", "Namn, rolle, verdi"],
        ),
        (
            "en-GB,en;q=0.9",
            "en",
            ["Accessibility statement", "uu-forskriften", "Known deviations", "Reflow"],
        ),
    ],
)
def test_statement_in_each_language(client, accept_language, lang, phrases):
    page = client.get("/tilgjengelighet", headers={"Accept-Language": accept_language})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    for phrase in phrases:
        assert phrase in html
    for criterion in CHECKED:
        assert f'<th scope="row">{criterion.number}</th>' in html
    assert "uutilsynet.no" in html


def test_contact_and_date_of_the_last_check_come_from_the_settings(app, client):
    html = client.get("/tilgjengelighet").get_data(as_text=True)
    assert "2. desember 2026" in html  # ACCESSIBILITY_CHECKED, as a Norwegian reader writes it
    assert "mailto:" not in html  # no address set: the municipality's postmottak
    app.config["ACCESSIBILITY_CONTACT"] = "uu@kommune.no"
    app.config["ACCESSIBILITY_CHECKED"] = "2027-03-15"
    html = client.get("/tilgjengelighet").get_data(as_text=True)
    assert '<a href="mailto:uu@kommune.no">uu@kommune.no</a>' in html
    assert "15. mars 2027" in html


@pytest.mark.parametrize("path", ["/", "/personvern", "/tilgjengelighet", "/logg-inn"])
def test_every_footer_links_to_the_statement_and_the_privacy_statement(client, path):
    html = client.get(path).get_data(as_text=True)
    footer = html[html.index('<footer class="site-footer">') :]
    assert 'href="/tilgjengelighet">Tilgjengelighetserklæring</a>' in footer
    assert 'href="/personvern">Personvern</a>' in footer


def test_favicon(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    html = client.get("/").get_data(as_text=True)
    svg = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert svg is not None
    linked = client.get(svg.group(1))
    assert linked.status_code == 200 and b"<svg" in linked.data


def _criteria_axe_checks() -> set[str]:
    """The success criteria (as «1.4.3») that axe-core's rules under WCAG_TAGS are tagged with."""
    node = shutil.which("node")
    axe = ROOT / "node_modules" / "axe-core"
    if node is None or not axe.exists():
        message = "node or axe-core not found; run scripts/test.sh"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    script = (
        "const axe = require(process.argv[1]);"
        "console.log(JSON.stringify(axe.getRules(JSON.parse(process.argv[2]))"
        ".flatMap(rule => rule.tags)));"
    )
    result = subprocess.run(
        [node, "-e", script, str(axe), json.dumps(WCAG_TAGS)],
        capture_output=True,
        text=True,
        check=True,
    )
    tags = json.loads(result.stdout)
    return {
        f"{m[1]}.{m[2]}.{m[3]}" for tag in tags if (m := re.fullmatch(r"wcag(\d)(\d)(\d+)", tag))
    }


def test_statement_claims_only_what_the_browser_tests_check():
    """Each criterion the statement lists as tested is tested on every page the browser tests
    visit (tests/browser/phone.py): by an axe rule run there, by vnu, or by the reflow check."""
    by_axe = _criteria_axe_checks()
    for criterion in CHECKED:
        if criterion.method is Method.AXE:
            assert criterion.number in by_axe, criterion.number
        elif criterion.method is Method.VNU:
            assert criterion.number == "4.1.1"  # parsing: what HTML validation checks
        else:
            assert criterion.number == "1.4.10"  # reflow: no sideways scrolling at 360 px
    assert "2.5.8" in by_axe  # the WCAG 2.2 tag is in the browser tests' axe run
