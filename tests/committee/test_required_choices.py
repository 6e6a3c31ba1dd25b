"""A new vacancy names its unit and yrkesgruppe on purpose: both selects start empty («Velg …»),
and the form refuses to create a case until they are chosen (nothing is stored before)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.committee.conftest import user as _user
from tests.conftest import make_person


def _first_option(html: str, name: str) -> str:
    select_tag = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select_tag is not None, name
    return re.search(r"<option[^>]*>[^<]*</option>", select_tag.group(1)).group(0)


def test_unit_and_yrkesgruppe_start_on_an_empty_choice(app, client):
    leader = make_person(app, "prosjektleder", unit="omsorg_a")
    page = _user(app, client, leader).get("/utvalg/ny").get_data(as_text=True)
    assert _first_option(page, "unit") == '<option value="">Velg en enhet</option>'
    assert _first_option(page, "yrkesgruppe") == '<option value="">Velg en yrkesgruppe</option>'
    for name in ("unit", "yrkesgruppe"):
        options = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
        assert "selected" not in options.group(1)  # so the browser shows the empty choice


@pytest.mark.parametrize(
    "lang, unit_message, yrkesgruppe_message",
    [
        ("nb", "Velg en enhet.", "Velg en yrkesgruppe."),
        ("nn", "Vel ei eining.", "Vel ei yrkesgruppe."),
        ("en", "Choose a unit.", "Choose a yrkesgruppe."),
    ],
)
def test_a_vacancy_without_unit_or_yrkesgruppe_is_refused(
    app, client, lang, unit_message, yrkesgruppe_message
):
    from survey.committee.models import Vacancy
    from survey.extensions import db

    leader = make_person(app, "prosjektleder", unit="omsorg_a")
    browser = _user(app, client, leader)
    browser.get(f"/sprak/{lang}")
    browser.get("/utvalg/ny")
    browser.post(
        "/utvalg/ny",
        {"unit": "", "yrkesgruppe": "", "percent": "50", "permanent": "fast", "order_1": "size"},
    )
    assert browser.last.status_code == 422
    assert unit_message in browser.html
    assert yrkesgruppe_message in browser.html
    with app.app_context():
        assert db.session.scalars(select(Vacancy)).all() == []
