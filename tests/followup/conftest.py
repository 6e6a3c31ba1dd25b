"""A small municipality for the follow-up list.

Units: «Helse» (helse) with the avdelinger omsorg_a and omsorg_b, and hjemme on its own.

    Anna     omsorg_a  helsefagarbeider  50 → 80   wants more          e-mail
    Bjørn    omsorg_b  sykepleier        60        asked for a talk    mobile only
    Cecilie  hjemme    helsefagarbeider  40 → 75   wants more          neither
    David    omsorg_a  helsefagarbeider  80        satisfied (samme)   e-mail  (not on the list)
    Eva      omsorg_a  sykepleier        50 → 100  wants more, left the roster (not on the list)
    Frode    hjemme    assistent         30 → 60   wants more, no position (not on the list)

Anna's record was confirmed 30 days ago; the others never."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.conftest import make_person

PEOPLE = {
    # name: (unit, yrkesgruppe, percent, data, email, mobile, on roster, has position)
    "Anna": (
        "omsorg_a",
        "helsefagarbeider",
        50,
        {"onsket_endring": "storre", "onsket_prosent": 80, "fornoyd_storrelse": "no"},
        "anna@example.no",
        None,
        True,
        True,
    ),
    "Bjørn": (
        "omsorg_b",
        "sykepleier",
        60,
        {"onsket_endring": "samme", "fornoyd_storrelse": "yes", "onsker_samtale": "yes"},
        None,
        "+4791234567",
        True,
        True,
    ),
    "Cecilie": (
        "hjemme",
        "helsefagarbeider",
        40,
        {"onsket_endring": "storre", "onsket_prosent": 75, "fornoyd_storrelse": "no"},
        None,
        None,
        True,
        True,
    ),
    "David": (
        "omsorg_a",
        "helsefagarbeider",
        80,
        {"onsket_endring": "samme", "fornoyd_storrelse": "yes"},
        "david@example.no",
        None,
        True,
        True,
    ),
    "Eva": (
        "omsorg_a",
        "sykepleier",
        50,
        {"onsket_endring": "storre", "onsket_prosent": 100, "fornoyd_storrelse": "no"},
        "eva@example.no",
        None,
        False,
        True,
    ),
    "Frode": (
        "hjemme",
        "assistent",
        30,
        {"onsket_endring": "storre", "onsket_prosent": 60, "fornoyd_storrelse": "no"},
        "frode@example.no",
        None,
        True,
        False,
    ),
}


def build(app) -> dict[str, int]:
    from survey.accounts import services as accounts
    from survey.accounts.models import Unit
    from survey.extensions import db
    from survey.living import services as living
    from survey.living.models import ConfirmationKind, Source
    from survey.roster.models import Ansettelsesform, Position

    ids = {}
    with app.app_context():
        helse = Unit(code="helse", name="Helse")
        db.session.add(helse)
        db.session.flush()
        units = {"helse": helse}
        for code, name, parent in (
            ("omsorg_a", "Omsorg A", helse),
            ("omsorg_b", "Omsorg B", helse),
            ("hjemme", "Hjemmetjenesten", None),
        ):
            units[code] = Unit(code=code, name=name, parent=parent)
            db.session.add(units[code])
        db.session.flush()
        for name, (
            unit,
            group,
            percent,
            data,
            email,
            mobile,
            on_roster,
            has_position,
        ) in PEOPLE.items():
            person = accounts.create_person(email, name, unit=units[unit])
            person.mobile = mobile
            if not on_roster:
                person.left_roster_on = dt.date.today() - dt.timedelta(days=10)
            if has_position:
                db.session.add(
                    Position(
                        person_id=person.id,
                        unit_id=units[unit].id,
                        yrkesgruppe=group,
                        stillingsprosent=Decimal(percent),
                        ansettelsesform=Ansettelsesform.FAST,
                    )
                )
            document = living.document_for(person)
            revision = living.save_revision(
                document,
                {
                    "yrkesgruppe": group,
                    "stillingsprosent": percent,
                    "ansettelsesform": "fast",
                    **data,
                },
                base=0,
                author=person,
                author_role="ansatt",
                source=Source.CONVERSATION,
            )
            if name == "Anna":
                confirmation = living.record_confirmation(
                    document, person, revision.number, ConfirmationKind.CONFIRMED
                )
                confirmation.at = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
            ids[name] = person.id
        db.session.commit()
    return ids


@pytest.fixture
def town(app):
    return build(app)


@pytest.fixture
def leader(app):
    return make_person(app, "prosjektleder", name="Pia Prosjekt")


@pytest.fixture(autouse=True)
def sms_set_up(app):
    """An SMS provider is configured (the console one): people with only a mobile number are
    reached by SMS. Without one they are told in person (tests/followup/test_list.py)."""
    app.config["SMS_PROVIDER"] = "console"
