"""The privacy statement in three languages, and the staff menu that follows the policy."""

from __future__ import annotations

import re

import pytest

from tests.conftest import login_as, make_person


@pytest.mark.parametrize(
    "accept_language, lang, phrases",
    [
        ("nb-NO,nb;q=0.9", "nb", ["behandlingsansvarlig", "Datatilsynet", "§ 14-3", "Min side"]),
        ("nn-NO,nn;q=0.9", "nn", ["behandlingsansvarleg", "Datatilsynet", "§ 14-3", "Mi side"]),
        ("en-GB,en;q=0.9", "en", ["data controller", "Datatilsynet", "section 14-3", "My page"]),
    ],
)
def test_privacy_statement_in_each_language(client, accept_language, lang, phrases):
    page = client.get("/personvern", headers={"Accept-Language": accept_language})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    for phrase in phrases:
        assert phrase in html
    assert "730" in html  # the audit log's retention, from the configuration
    assert "fewer than 5" in html or "færre enn 5" in html


def test_every_page_links_to_the_privacy_statement(client):
    assert 'href="/personvern"' in client.get("/").get_data(as_text=True)


def _menu(html: str) -> list[str]:
    match = re.search(r'<nav class="site-nav"[^>]*>(.*?)</nav>', html, re.S)
    return re.findall(r'href="([^"]+)"', match.group(1)) if match else []


def test_no_menu_before_logging_in(client):
    assert _menu(client.get("/").get_data(as_text=True)) == []


@pytest.mark.parametrize(
    "roles, expected",
    [
        ((), ["/meg/"]),
        (("tillitsvalgt",), ["/meg/", "/resultater/", "/rapporter/"]),
        (("utvalgsmedlem",), ["/meg/", "/utvalg/"]),
        (
            ("enhetsleder",),
            [
                "/meg/",
                "/oversikt/",
                "/personer/",
                "/klassifisering/",
                "/kampanjer/",
                "/resultater/",
                "/rapporter/",
            ],
        ),
        (
            ("prosjektleder",),
            [
                "/meg/",
                "/oversikt/",
                "/personer/",
                "/levende/endringer",
                "/oppfolging/",
                "/klassifisering/",
                "/kampanjer/",
                "/skjema/",
                "/resultater/",
                "/rapporter/",
                "/utvalg/",
            ],
        ),
        (
            ("admin",),
            [
                "/meg/",
                "/oversikt/",
                "/personer/",
                "/oppfolging/",
                "/klassifisering/",
                "/kampanjer/",
                "/skjema/",
                "/resultater/",
                "/rapporter/",
                "/utvalg/",
                "/admin/brukere",
            ],
        ),
    ],
)
def test_menu_follows_the_policy(app, client, roles, expected):
    person_id = make_person(app, *roles, unit="sykehjemmet")
    login_as(client, app, person_id)
    page = client.get("/meg/")
    assert page.status_code == 200
    menu = _menu(page.get_data(as_text=True))
    assert menu == expected
    for url in menu:  # every link offered opens
        assert client.get(url).status_code == 200
    assert 'aria-current="page"' in page.get_data(as_text=True)
