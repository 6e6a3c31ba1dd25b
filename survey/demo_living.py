"""Demo living documents: employees on the roster of the ten demo units, each with mapping
conversations on 31 December of the last two years and today, so the conversation pages, the
inbox, the definitions side by side and the reports have something real-looking to show.

The position sizes follow KS PAI 2017 for health and care (docs/domain.md § Position sizes,
001:75-105): 17,9 % under 30 %, 8,9 % 30–49,9 %, 30,6 % 50–79,9 %, 19,8 % 80–99,9 % and
22,8 % heltid."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from survey.accounts import services as accounts
from survey.accounts.models import Person, Unit
from survey.db import today
from survey.extensions import db
from survey.living import services as living
from survey.living.models import ConfirmationKind, Source
from survey.roster.models import Ansettelsesform, Position

FIRST_NAMES = [
    "Kari",
    "Ingrid",
    "Anne",
    "Marit",
    "Liv",
    "Hilde",
    "Silje",
    "Nina",
    "Ida",
    "Sara",
    "Emma",
    "Nora",
    "Maja",
    "Aisha",
    "Fatima",
    "Eva",
    "Tone",
    "Heidi",
    "Ole",
    "Per",
    "Lars",
    "Jonas",
    "Ahmed",
    "Ali",
    "Mats",
    "Erik",
    "Tor",
    "Kristian",
]
LAST_NAMES = [
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Kristiansen",
    "Jensen",
    "Karlsen",
    "Johnsen",
    "Pettersen",
    "Eriksen",
    "Berg",
    "Haugen",
    "Hagen",
    "Bakken",
    "Dahl",
    "Lie",
    "Moen",
    "Solberg",
    "Strand",
]

# (upper bound of the bin, share of employees, typical sizes in it)
BINS = (
    (30, 0.179, (12.5, 15, 20, 25)),
    (50, 0.089, (30, 35, 40, 45)),
    (80, 0.306, (50, 55, 60, 62.5, 65, 75)),
    (100, 0.198, (80, 85, 88.5, 90)),
    (101, 0.228, (100,)),
)
OCCUPATIONS = (
    ("helsefagarbeider", 0.45),
    ("sykepleier", 0.22),
    ("assistent", 0.15),
    ("vernepleier", 0.08),
    ("spesialsykepleier", 0.05),
    ("ergo_fysioterapeut", 0.05),
)
REASONS = ("ikke_tilbudt", "omsorg", "helse", "studier", "helgearbeid", "for_toft", "fritid")


def _choose(rng: random.Random, weighted) -> Any:
    return rng.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]


def _size(rng: random.Random) -> float:
    _limit, _share, sizes = _choose(rng, [((b[0], b[1], b[2]), b[1]) for b in BINS])
    return rng.choice(sizes)


def _record(rng: random.Random, unit_code: str, occupation: str, size: float) -> dict[str, Any]:
    part_time = size < 100
    wish = (
        _choose(rng, (("storre", 0.45), ("samme", 0.45), ("mindre", 0.10)))
        if part_time
        else (_choose(rng, (("samme", 0.9), ("mindre", 0.1))))
    )
    record: dict[str, Any] = {
        "enhet": unit_code,
        "yrkesgruppe": occupation,
        "ansettelsesform": "fast" if rng.random() < 0.85 else "midlertidig",
        "leder": "yes" if rng.random() < 0.04 else "no",
        "stillingsprosent": size,
        "flere_stillinger": "no",
        "vakter_na": rng.sample(["dag", "kveld", "natt"], rng.randint(1, 2)),
        "fornoyd_storrelse": "no" if wish != "samme" else "yes",
        "fornoyd_turnus": "yes" if rng.random() < 0.7 else "no",
        "onsket_endring": wish,
    }
    if wish == "storre":
        record.update(
            {
                "onsket_prosent": min(100.0, size + rng.choice((10, 20, 25, 30, 40))),
                "onsket_fast": "yes",
                "villig_helger": rng.choice(("som_na", "hinkehelg", "hver_3", "oftere")),
                "villig_langvakter": rng.choice(("yes", "no")),
                "villig_andre_enheter": rng.choice(
                    ("nei", "samme_avdeling", "annen_enhet", "bemanningspool", "kombijobbing")
                ),
                "andre_vakter": rng.sample(["dag", "kveld", "natt"], rng.randint(1, 3)),
                "tar_ledige_vakter": rng.choice(("yes", "no")),
                "ubundet_tid": rng.choice(("yes", "no")),
                "interesse_arsturnus": rng.choice(("yes", "no")),
                "interesse_onsketurnus": rng.choice(("yes", "no")),
                "oppstart_uker": rng.choice((0, 2, 4, 8, 12)),
                "venter_barnehageplass": "yes" if rng.random() < 0.1 else "no",
                "onske_skriftlig": rng.choice(("yes", "no")),
                "forsokt_flere_timer": rng.choice(("yes", "no")),
                "kvalifisert": "yes" if rng.random() < 0.85 else "no",
            }
        )
        if occupation == "assistent":
            record["fagbrev"] = rng.choice(("yes", "no"))
    elif wish == "mindre":
        record["onsket_prosent_mindre"] = max(10.0, size - 20)
    if part_time:
        record["arsaker_deltid"] = rng.sample(REASONS, rng.randint(1, 2))
    return record


def create_demo_documents(units: dict[str, Unit], author: Person, per_unit: int = 12) -> int:
    """Employees with positions and three dated revisions each; returns how many."""
    rng = random.Random(2026)
    now = today()
    dates = [dt.date(now.year - 2, 12, 31), dt.date(now.year - 1, 12, 31), now]
    count = 0
    for code, unit in units.items():
        if unit.parent is None:
            continue
        for index in range(per_unit):
            count += 1
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            person = accounts.create_person(None, name, unit=unit, ansattnummer=f"{2000 + count}")
            occupation = _choose(rng, OCCUPATIONS)
            size = _size(rng)
            db.session.add(
                Position(
                    person=person,
                    unit=unit,
                    yrkesgruppe=occupation,
                    stillingsprosent=Decimal(str(size)),
                    ansettelsesform=Ansettelsesform.FAST,
                )
            )
            db.session.flush()
            document = living.document_for(person)
            record = _record(rng, code, occupation, size)
            for number, day in enumerate(dates, start=1):
                if number > 1 and rng.random() < 0.5:
                    record = {
                        **record,
                        **_record(rng, code, occupation, record["stillingsprosent"]),
                    }
                living.save_revision(
                    document,
                    record,
                    base=number - 1,
                    author=author,
                    author_role="prosjektleder",
                    source=Source.IMPORT if number < 3 else Source.CONVERSATION,
                    questionnaire_id="kartleggingssamtale",
                    effective_on=day,
                )
            if index % 3:  # two in three have confirmed this year's conversation
                living.record_confirmation(document, person, 3, ConfirmationKind.CONFIRMED)
    return count


def give_document(person: Person, unit: Unit, author: Person) -> None:
    """A position and one mapping conversation for the demo employee who logs in by link,
    so «Min side» has a living document to confirm and wishes to update."""
    db.session.add(
        Position(
            person=person,
            unit=unit,
            yrkesgruppe="helsefagarbeider",
            stillingsprosent=Decimal("60"),
            ansettelsesform=Ansettelsesform.FAST,
        )
    )
    db.session.flush()
    rng = random.Random(1001)
    record = _record(rng, unit.code, "helsefagarbeider", 60.0)
    while record["onsket_endring"] != "storre":  # a part-timer who wants more
        record = _record(rng, unit.code, "helsefagarbeider", 60.0)
    living.save_revision(
        living.document_for(person),
        record,
        base=0,
        author=author,
        author_role="prosjektleder",
        source=Source.CONVERSATION,
        questionnaire_id="kartleggingssamtale",
    )
