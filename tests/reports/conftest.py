"""Report fixtures: a hand-counted municipality of 60 employees (see test_golden.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from survey.accounts.models import Person, Unit
from survey.extensions import db
from survey.living import services
from survey.living.models import Source
from survey.roster.models import EmployeeDetails

FLEXIBLE = {
    "onsket_endring": "storre",
    "villig_helger": "hver_3",
    "villig_langvakter": "yes",
    "villig_andre_enheter": "annen_enhet",
    "tar_ledige_vakter": "yes",
    "ubundet_tid": "no",
    "oppstart_uker": 2,
    "andre_vakter": ["kveld"],
    "arsaker_deltid": ["ikke_tilbudt"],
}
RIGID = {
    "onsket_endring": "storre",
    "villig_helger": "som_na",
    "villig_langvakter": "no",
    "villig_andre_enheter": "nei",
    "tar_ledige_vakter": "no",
    "ubundet_tid": "no",
    "oppstart_uker": 8,
    "andre_vakter": ["dag"],
    "arsaker_deltid": ["omsorg"],
}
NIGHT = {
    "onsket_endring": "storre",
    "villig_helger": "oftere",
    "villig_langvakter": "yes",
    "villig_andre_enheter": "nei",
    "tar_ledige_vakter": "yes",
    "ubundet_tid": "yes",
    "oppstart_uker": 0,
    "andre_vakter": ["natt"],
    "arsaker_deltid": ["for_toft"],
}

# (group, count, unit, kjonn, revisions as (effective_on, data)); everyone is fast, not leder.
GROUPS = [
    (
        "G1",
        12,
        "hjemme",
        "k",
        [("2024-06-01", {"stillingsprosent": 100, "onsket_endring": "samme"})],
    ),
    (
        "G2",
        8,
        "omsorg",
        "m",
        [("2024-06-01", {"stillingsprosent": 100, "onsket_endring": "samme"})],
    ),
    (
        "G3",
        10,
        "hjemme",
        "k",
        [
            ("2024-06-01", {"stillingsprosent": 40, "onsket_prosent": 70, **FLEXIBLE}),
            ("2025-02-01", {"stillingsprosent": 50, "onsket_prosent": 80, **FLEXIBLE}),
        ],
    ),
    (
        "G4",
        8,
        "omsorg",
        "k",
        [("2024-06-01", {"stillingsprosent": 60, "onsket_prosent": 100, **RIGID})],
    ),
    (
        "G5",
        10,
        "omsorg",
        "k",
        [
            (
                "2024-06-01",
                {
                    "stillingsprosent": 40,
                    "onsket_endring": "samme",
                    "arsaker_deltid": ["okonomi_nok"],
                },
            )
        ],
    ),
    (
        "G6",
        6,
        "hjemme",
        None,
        [
            (
                "2024-06-01",
                {"stillingsprosent": 20, "onsket_endring": "samme", "arsaker_deltid": ["helse"]},
            )
        ],
    ),
    (
        "G7",
        3,
        "psyk",
        "k",
        [("2025-02-01", {"stillingsprosent": 85, "onsket_prosent": 95, **NIGHT})],
    ),
    (
        "G8",
        2,
        "psyk",
        "m",
        [("2024-06-01", {"stillingsprosent": 100, "onsket_endring": "samme", "leder": "yes"})],
    ),
    (
        "G9",
        1,
        "hjemme",
        "k",
        [
            (
                "2024-06-01",
                {"stillingsprosent": 20, "onsket_endring": "samme", "arsaker_deltid": ["studier"]},
            )
        ],
    ),
]
UNITS = {"hjemme": "Hjemmetjenesten", "omsorg": "Omsorgssenter A", "psyk": "Psykisk helse og rus"}


@pytest.fixture
def municipality(app):
    """60 employees in three units under «Kommunen»; ids of the units by code."""
    with app.app_context():
        top = Unit(code="kommune", name="Kommunen")
        db.session.add(top)
        db.session.flush()
        units = {code: Unit(code=code, name=name, parent_id=top.id) for code, name in UNITS.items()}
        db.session.add_all(units.values())
        db.session.flush()
        number = 1000
        for _group, count, unit, kjonn, revisions in GROUPS:
            for _ in range(count):
                number += 1
                person = Person(
                    name=f"Ansatt {number}", ansattnummer=str(number), unit_id=units[unit].id
                )
                db.session.add(person)
                db.session.flush()
                if kjonn:
                    db.session.add(EmployeeDetails(person_id=person.id, kjonn=kjonn))
                document = services.document_for(person)
                for base, (day, data) in enumerate(revisions):
                    record = {
                        "ansettelsesform": "fast",
                        "leder": "no",
                        "yrkesgruppe": "helsefagarbeider",
                        **data,
                    }
                    services.save_revision(
                        document,
                        record,
                        base=base,
                        author=None,
                        author_role="import",
                        source=Source.IMPORT,
                        effective_on=dt.date.fromisoformat(day),
                    )
        db.session.commit()
        return {"kommune": top.id, **{code: unit.id for code, unit in units.items()}}
