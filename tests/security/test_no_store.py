"""Pages and downloads with personal data are never kept in a browser's or a proxy's cache."""

from __future__ import annotations

import pytest

from tests.conftest import login_as, make_person
from tests.security.test_history_append_only import _document_with_revisions
from tests.web.helpers import make_campaign, make_invitations


@pytest.fixture
def people(app):
    leader_id = make_person(app, "prosjektleder", email="pia@kommune.no", name="Pia Leder")
    employee_id = make_person(app, "ansatt", email="kari@kommune.no", name="Kari Nordmann")
    with app.app_context():
        _document_with_revisions(employee_id, author_id=leader_id)
    return leader_id, employee_id


def test_project_leaders_pages_and_downloads_are_not_stored(app, client, people):
    leader_id, employee_id = people
    login_as(client, app, leader_id)
    for url, visible in [
        (f"/personer/{employee_id}", b"Kari Nordmann"),
        (f"/personer/{employee_id}/historikk", b"Kari Nordmann"),
        ("/personer/", b"Kari Nordmann"),
        ("/levende/eksport?format=csv", b"Kari Nordmann"),
        ("/levende/eksport?format=json", b"Kari Nordmann"),
        ("/rapporter/heltid?format=csv&scope=kommune", b""),
        (f"/rapporter/personer/{employee_id}", b"%PDF"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert visible in response.data, url
        assert response.headers["Cache-Control"] == "no-store", url


def test_employees_own_data_is_not_stored(app, client, people):
    _, employee_id = people
    login_as(client, app, employee_id)
    for url, visible in [
        ("/meg/", b"Kari Nordmann"),
        ("/meg/data.json", b"Kari Nordmann"),
        ("/rapporter/meg", b"%PDF"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert visible in response.data, url
        assert response.headers["Cache-Control"] == "no-store", url


def test_the_respondents_flow_is_not_stored_but_public_pages_may_be(app, client):
    campaign_id, _ = make_campaign(app, mode="identified")
    [token] = make_invitations(app, campaign_id)
    assert client.get(f"/i/{token}").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/personvern").headers.get("Cache-Control", "")
