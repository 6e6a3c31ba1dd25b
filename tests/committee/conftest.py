"""A municipality where the right candidate list is known.

Units: «Helse» with the avdelinger omsorg_a and omsorg_b, and hjemme on its own. The vacancy:
helsefagarbeider 60 % (shares 40 + 20) in omsorg_a, permanent, 20 weekends a year, long shifts,
night shifts, starting in 8 weeks; vernepleiere count as qualified (an equivalence).

Under the active definition (Songdalen: part time and wants a larger position; flexibility is
no criterion, issue #10 item 15) the expected list is, involuntary and then ansiennitet first,

    § 14-3   Eva (involuntary, since 2000), Bjørn (involuntary, since 2005), Anna (involuntary,
             since 2015)
    unclear  David (vernepleier, qualification not assessed)
    none     Cecilie (temporary, involuntary), Jon (temporary, involuntary)

and Frode (assistent), Gro (keeps her size), Hilde (full time) and Ivar (assessed as not
qualified) are no candidates. Everyone's health, family and notes carry SECRET markers that must
never reach a committee page or PDF."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.conftest import Respondent, login_as, make_person

TODAY = dt.date.today()
SECRET_NOTE = "SECRET-NOTE-do-not-show"
SECRET_COMMENT = "SECRET-COMMENT-do-not-show"
SECRET_MEASURE = "SECRET-MEASURE-do-not-show"
# The labels of the health and family reasons and of the barnehage question, in nb.
SENSITIVE_PHRASES = (
    SECRET_NOTE,
    SECRET_COMMENT,
    SECRET_MEASURE,
    "Helse eller redusert arbeidsevne",
    "omsorgsoppgaver",
    "barnehage",
    "Barnehage",
)

BASE = {
    "enhet": "omsorgssenter_a",
    "leder": "no",
    "flere_stillinger": "no",
    "vakter_na": ["dag"],
    "fornoyd_storrelse": "no",
    "fornoyd_turnus": "yes",
    "onsket_endring": "storre",
    "onske_skriftlig": "yes",
    "forsokt_flere_timer": "yes",
    "interesse_arsturnus": "no",
    "interesse_onsketurnus": "no",
    "ubundet_tid": "no",
    "tar_ledige_vakter": "no",
    # What the committee must never see:
    "arsaker_deltid": ["helse", "omsorg", "ikke_tilbudt"],
    "venter_barnehageplass": "yes",
    "notater": SECRET_NOTE,
    "kommentar": SECRET_COMMENT,
    "avtalte_tiltak": SECRET_MEASURE,
}

# name: (unit, start date, confirmed days ago (None: never), roster percent, data)
PEOPLE = {
    "Anna": (
        "omsorg_a",
        dt.date(2015, 1, 1),
        30,
        50,
        {
            "ansettelsesform": "fast",
            "yrkesgruppe": "helsefagarbeider",
            "stillingsprosent": 50,
            "onsket_prosent": 80,
            "kvalifisert": "yes",
            "villig_helger": "oftere",
            "helger_per_ar": 22,
            "villig_langvakter": "yes",
            "andre_vakter": ["dag", "natt"],
            "villig_andre_enheter": "nei",
            "oppstart_uker": 4,
        },
    ),
    "Bjørn": (
        "omsorg_b",
        dt.date(2005, 1, 1),
        None,
        60,
        {
            "ansettelsesform": "fast",
            "yrkesgruppe": "helsefagarbeider",
            "stillingsprosent": 60,
            "onsket_prosent": 100,
            "kvalifisert": "yes",
            "villig_helger": "hver_3",
            "villig_langvakter": "no",
            "andre_vakter": ["dag", "kveld"],
            "villig_andre_enheter": "samme_avdeling",
            "tar_ledige_vakter": "yes",
            "ubundet_tid": "yes",
            "oppstart_uker": 12,
        },
    ),
    "Cecilie": (
        "omsorg_a",
        dt.date(2019, 6, 1),
        400,
        30,
        {
            "ansettelsesform": "midlertidig",
            "yrkesgruppe": "helsefagarbeider",
            "stillingsprosent": 30,
            "onsket_prosent": 50,
            "kvalifisert": "yes",
            "villig_helger": "som_na",
            "villig_langvakter": "no",
            "villig_andre_enheter": "nei",
        },
    ),
    "David": (
        "hjemme",
        dt.date(2000, 3, 1),
        5,
        40,
        {
            "ansettelsesform": "fast",
            "yrkesgruppe": "vernepleier",
            "stillingsprosent": 40,
            "onsket_prosent": 60,
            "villig_helger": "hinkehelg",
            "villig_langvakter": "yes",
            "andre_vakter": ["natt"],
            "villig_andre_enheter": "annen_enhet",
            "oppstart_uker": 0,
        },
    ),
    "Eva": (
        "omsorg_a",
        dt.date(2000, 1, 1),
        10,
        45,
        {
            "ansettelsesform": "fast",
            "yrkesgruppe": "helsefagarbeider",
            "stillingsprosent": 45,
            "onsket_prosent": 75,
            "kvalifisert": "yes",
            "villig_helger": "oftere",
            "villig_langvakter": "no",
            "andre_vakter": ["natt"],
            "villig_andre_enheter": "nei",
            "oppstart_uker": 2,
        },
    ),
    "Frode": (
        "omsorg_a",
        dt.date(2010, 1, 1),
        10,
        50,
        {
            "ansettelsesform": "fast",
            "yrkesgruppe": "assistent",
            "stillingsprosent": 50,
            "onsket_prosent": 100,
            "kvalifisert": "yes",
        },
    ),
    "Gro": (
        "omsorg_a",
        dt.date(2010, 1, 1),
        10,
        60,
        {
            "ansettelsesform": "fast",
            "yrkesgruppe": "helsefagarbeider",
            "stillingsprosent": 60,
            "onsket_endring": "samme",
        },
    ),
    "Hilde": (
        "omsorg_a",
        dt.date(2010, 1, 1),
        10,
        100,
        {
            "ansettelsesform": "fast",
            "yrkesgruppe": "helsefagarbeider",
            "stillingsprosent": 100,
            "onsket_endring": "samme",
        },
    ),
    "Ivar": (
        "omsorg_a",
        dt.date(2010, 1, 1),
        10,
        50,
        {
            "ansettelsesform": "fast",
            "yrkesgruppe": "helsefagarbeider",
            "stillingsprosent": 50,
            "onsket_prosent": 80,
            "kvalifisert": "no",
        },
    ),
    "Jon": (
        "omsorg_a",
        None,
        20,
        20,
        {
            "ansettelsesform": "midlertidig",
            "yrkesgruppe": "helsefagarbeider",
            "stillingsprosent": 20,
            "onsket_prosent": 40,
            "kvalifisert": "yes",
            "villig_helger": "oftere",
            "helger_per_ar": 26,
            "villig_langvakter": "yes",
            "andre_vakter": ["dag", "kveld", "natt"],
            "villig_andre_enheter": "nei",
            "oppstart_uker": 1,
        },
    ),
}

EXPECTED_ORDER = ["Eva", "Bjørn", "Anna", "David", "Cecilie", "Jon"]


def build_case(app, *, members=()) -> dict:
    """The units, people and vacancy above; returns {'vacancy': id, name: person id, …}."""
    from survey.accounts.models import Person, Unit
    from survey.committee import services
    from survey.extensions import db
    from survey.living import services as living
    from survey.living.models import Confirmation, ConfirmationKind, Source
    from survey.roster.models import Ansettelsesform, Position

    ids: dict = {}
    with app.app_context():
        helse = Unit(code="helse", name="Helse")
        db.session.add(helse)
        db.session.flush()
        units = {
            "omsorg_a": Unit(code="omsorg_a", name="Omsorgssenter A", parent_id=helse.id),
            "omsorg_b": Unit(code="omsorg_b", name="Omsorgssenter B", parent_id=helse.id),
            "hjemme": Unit(code="hjemme", name="Hjemmetjenesten"),
        }
        db.session.add_all(units.values())
        db.session.commit()
    for name, (unit, _start, _confirmed, _percent, _data) in PEOPLE.items():
        ids[name] = make_person(
            app, unit=unit, name=name, email=f"{name.lower()}@kommune.no", password=None
        )
    with app.app_context():
        for name, (unit, start, confirmed, percent, data) in PEOPLE.items():
            person = db.session.get(Person, ids[name])
            db.session.add(
                Position(
                    person_id=person.id,
                    unit_id=units[unit].id,
                    yrkesgruppe=data["yrkesgruppe"],
                    stillingsprosent=Decimal(percent),
                    ansettelsesform=Ansettelsesform(data["ansettelsesform"]),
                    startdato=start,
                )
            )
            document = living.document_for(person)
            living.save_revision(
                document,
                {**BASE, **data},
                base=0,
                author=None,
                author_role="prosjektleder",
                source=Source.CONVERSATION,
                questionnaire_id="kartleggingssamtale",
                questionnaire_version=1,
            )
            if confirmed is not None:
                db.session.add(
                    Confirmation(
                        document_id=document.id,
                        revision_number=1,
                        kind=ConfirmationKind.CONFIRMED,
                        person_id=person.id,
                        at=dt.datetime.now(dt.UTC) - dt.timedelta(days=confirmed),
                    )
                )
        services.add_equivalence("helsefagarbeider", "vernepleier")
        member_people = [db.session.get(Person, member) for member in members]
        vacancy = services.create_vacancy(
            unit=db.session.get(Unit, units["omsorg_a"].id),
            yrkesgruppe="helsefagarbeider",
            percent="60",
            shares=["40", "20"],
            title="Helsefagarbeider natt",
            weekends_per_year=20,
            long_shifts=True,
            shift_types=["natt"],
            start_date=TODAY + dt.timedelta(weeks=8),
            members=member_people,
        )
        db.session.commit()
        ids["vacancy"] = vacancy.id
    return ids


@pytest.fixture
def case(app):
    return build_case(app)


@pytest.fixture
def committee(app):
    """Two cases: Mona sits in the first, Ola only in the second."""
    from survey.accounts.models import Person
    from survey.committee import services
    from survey.committee.models import Vacancy
    from survey.extensions import db

    mona = make_person(app, email="mona@kommune.no", name="Mona Medlem")
    ola = make_person(app, email="ola@kommune.no", name="Ola Annen")
    ids = build_case(app, members=[mona])
    with app.app_context():
        first = db.session.get(Vacancy, ids["vacancy"])
        other = services.create_vacancy(
            unit=first.unit,
            yrkesgruppe="sykepleier",
            percent="100",
            title="Sykepleier dag",
            members=[db.session.get(Person, ola)],
        )
        db.session.commit()
        ids.update(mona=mona, ola=ola, other=other.id)
    return ids


def user(app, client, person_id) -> Respondent:
    """A test browser logged in as the person."""
    login_as(client, app, person_id)
    return Respondent(client)
