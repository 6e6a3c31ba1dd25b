"""Templates get plain data (dicts, lists, strings, numbers, dates), never a database row: a
row in a template can load more than the page means to show, and changes with the schema.
The pages around a person's living document are rendered with every kind of item on them
and each template's context is searched for ORM objects."""

from __future__ import annotations

import pytest
from flask import template_rendered

from survey.models import Base
from tests.conftest import login_as
from tests.living.test_conversation import ANSWERS, Respondent, walk
from tests.living.test_conversation import people as people  # noqa: F401  (the fixture)


def _rows_in(value, path: str):
    if isinstance(value, Base):
        yield path, type(value).__name__
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _rows_in(item, f"{path}.{key}")
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            yield from _rows_in(item, f"{path}[{index}]")


@pytest.fixture
def rendered(app):
    """Every template rendered, with the context it was given."""
    seen: list[tuple[str, dict]] = []

    def remember(sender, template, context, **extra):
        seen.append((template.name, dict(context)))

    template_rendered.connect(remember, app)
    yield seen
    template_rendered.disconnect(remember, app)


def test_people_pages_me_inbox_and_conversation_start_get_no_rows(app, client, people, rendered):
    project_leader, _unit_leader, employee, _other = people
    login_as(client, app, project_leader)
    staff = Respondent(client)
    staff.get(f"/samtaler/{employee}")
    walk(staff, f"/samtaler/{employee}", ANSWERS)
    staff.post(f"/samtaler/{employee}/lagre", {})

    login_as(client, app, employee)
    phone = Respondent(client)
    phone.get("/meg/onsker/")
    walk(phone, "/meg/onsker/", ANSWERS, {"onsket_prosent": "100"})
    phone.get("/meg/onsker/")  # the start page with a draft
    phone.post("/meg/onsker/lagre", {})
    phone.get("/meg/")
    phone.post("/meg/korriger", {"revision": "1", "comment": "Jeg har 60 %."})

    login_as(client, app, project_leader)
    staff = Respondent(client)
    inbox = staff.get("/levende/endringer").get_data(as_text=True)
    assert "Eva Ansatt" in inbox and "Omsorg A" in inbox
    staff.post(f"/levende/endringer/correction/{_first_item_id(app)}", {})
    handled = staff.get("/levende/endringer?alle=1").get_data(as_text=True)
    assert "Behandlet " in handled
    staff.get(f"/samtaler/{employee}")
    walk(staff, f"/samtaler/{employee}", ANSWERS)
    start = staff.get(f"/samtaler/{employee}").get_data(as_text=True)
    assert "Du har et utkast som ikke er lagret" in start
    listing = staff.get("/personer/").get_data(as_text=True)
    assert "Eva Ansatt" in listing and "Omsorg A" in listing
    detail = staff.get(f"/personer/{employee}").get_data(as_text=True)
    assert "Omsorg A" in detail
    staff.get(f"/personer/{employee}/historikk")
    _campaign(app)
    reports = staff.get("/rapporter/").get_data(as_text=True)
    assert "Omsorg A" in reports and "Arbeidsmiljø i omsorg" in reports
    staff.get("/rapporter/?lang=en")  # the campaigns keep the page's language, not the report's
    assert "Arbeidsmiljø i omsorg" in staff.html
    staff.get("/resultater/")

    pages = {name for name, _context in rendered}
    assert {
        "people/index.html",
        "people/detail.html",
        "people/history.html",
        "me/overview.html",
        "living/inbox.html",
        "conversations/start.html",
        "reporting/index.html",
        "results/index.html",
    } <= pages
    found = [
        (name, where, kind)
        for name, context in rendered
        for key, value in context.items()
        for where, kind in _rows_in(value, key)
    ]
    assert found == []


def _campaign(app) -> None:
    from survey.campaigns.services import create_campaign
    from survey.db import unit_of_work

    with app.app_context(), unit_of_work():
        create_campaign("arbeidsmiljo", "anonymous", "Arbeidsmiljø i omsorg")


def _first_item_id(app) -> int:
    from sqlalchemy import select

    from survey.extensions import db
    from survey.living.models import Confirmation, ConfirmationKind

    with app.app_context():
        return db.session.scalars(
            select(Confirmation.id).where(
                Confirmation.kind == ConfirmationKind.CORRECTION_REQUESTED
            )
        ).one()
