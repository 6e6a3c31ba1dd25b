"""A synthetic municipality for report tests and benchmarks: units, people, living documents
with one revision a year, inserted in bulk (Core executemany, not the ORM)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from sqlalchemy import insert, select

from survey.accounts.models import Person, Unit
from survey.extensions import db
from survey.living.models import LivingDocument, Revision, Source
from survey.roster.models import EmployeeDetails

# KS PAI 2017, employees in turnus (001:75-105; docs/domain.md § Position sizes): share per bin,
# low to high.
PAI_2017 = (17.9, 8.9, 30.6, 19.8, 22.8)
PAI_2017_AVERAGE = 66.1
YRKESGRUPPER = ("sykepleier", "helsefagarbeider", "assistent", "vernepleier", "spesialsykepleier")
REASONS = ("helse", "omsorg", "okonomi_nok", "for_toft", "helgearbeid", "ikke_tilbudt", "fritid")


def stillinger_for(n: int, shares: Sequence[float], rng: random.Random) -> list[float]:
    """`n` position sizes whose bins have exactly the given shares (largest remainders),
    drawn inside each bin from the sizes municipalities use."""
    exact = [n * share / sum(shares) for share in shares]
    counts = [int(value) for value in exact]
    for index in sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True):
        if sum(counts) == n:
            break
        counts[index] += 1
    sizes_per_bin = (
        (10.0, 14.5, 19.0, 20.0, 25.0),
        (33.3, 35.0, 40.0, 45.0),
        (50.0, 55.0, 60.0, 62.5, 66.7, 70.0, 75.0),
        (80.0, 85.0, 88.0, 90.0, 93.0),
        (100.0,),
    )
    values = [
        rng.choice(sizes)
        for count, sizes in zip(counts, sizes_per_bin, strict=True)
        for _ in range(count)
    ]
    rng.shuffle(values)
    return values


def answers(stilling: float, rng: random.Random, leader_share: float = 0.03) -> dict:
    data = {
        "stillingsprosent": stilling,
        "yrkesgruppe": rng.choice(YRKESGRUPPER),
        "ansettelsesform": "fast" if rng.random() < 0.85 else "midlertidig",
        "leder": "yes" if rng.random() < leader_share else "no",
    }
    if stilling >= 100:
        data["onsket_endring"] = rng.choice(("samme", "samme", "samme", "mindre"))
        return data
    change = rng.choice(("storre", "storre", "samme", "samme", "mindre"))
    data["onsket_endring"] = change
    data["arsaker_deltid"] = rng.sample(REASONS, rng.randint(0, 2))
    if change == "storre":
        data.update(
            onsket_prosent=min(100.0, stilling + rng.choice((10, 20, 25, 40))),
            villig_helger=rng.choice(("som_na", "hinkehelg", "hver_3", "oftere")),
            villig_langvakter=rng.choice(("yes", "no")),
            villig_andre_enheter=rng.choice(
                ("nei", "samme_avdeling", "annen_enhet", "kombijobbing")
            ),
            andre_vakter=rng.sample(("dag", "kveld", "natt"), rng.randint(1, 3)),
            tar_ledige_vakter=rng.choice(("yes", "no")),
            ubundet_tid=rng.choice(("yes", "no")),
            oppstart_uker=rng.choice((0, 2, 4, 8, 13, 26)),
            kvalifisert=rng.choice(("yes", "yes", "no")),
        )
        if data["yrkesgruppe"] == "assistent":
            data["fagbrev"] = rng.choice(("yes", "no"))
    elif change == "mindre":
        data["onsket_prosent_mindre"] = max(10.0, stilling - 20)
    return data


def create_municipality(
    people: int,
    units: int,
    years: Sequence[int],
    *,
    seed: int = 1,
    shares: Sequence[float] = PAI_2017,
    batch: int = 5000,
    leader_share: float = 0.03,
) -> dict:
    """Insert `people` employees in `units` units under one top unit, each with one living
    document revision per year (effective on a day in that year). The last year's revision
    follows `shares` exactly; earlier years drift a little. Returns ids."""
    rng = random.Random(seed)
    db.session.execute(insert(Unit), [{"code": "kommune", "name": "Kommunen", "parent_id": None}])
    top = db.session.scalar(select(Unit.id).where(Unit.code == "kommune"))
    db.session.execute(
        insert(Unit),
        [
            {"code": f"enhet{i:02d}", "name": f"Enhet {i:02d}", "parent_id": top}
            for i in range(units)
        ],
    )
    unit_ids = list(db.session.scalars(select(Unit.id).where(Unit.parent_id == top)))
    last = stillinger_for(people, shares, rng)
    kjonn = ("k", "k", "k", "k", "m", None)
    for start in range(0, people, batch):
        stop = min(start + batch, people)
        db.session.execute(
            insert(Person),
            [
                {
                    "name": f"Ansatt {i}",
                    "ansattnummer": f"A{i:06d}",
                    "unit_id": unit_ids[i % len(unit_ids)],
                }
                for i in range(start, stop)
            ],
        )
        person_ids = dict(
            db.session.execute(
                select(Person.ansattnummer, Person.id).where(
                    Person.ansattnummer.in_([f"A{i:06d}" for i in range(start, stop)])
                )
            ).all()
        )
        ids = [person_ids[f"A{i:06d}"] for i in range(start, stop)]
        db.session.execute(
            insert(EmployeeDetails),
            [
                {"person_id": pid, "kjonn": rng.choice(kjonn), "fodselsar": rng.randint(1960, 2002)}
                for pid in ids
            ],
        )
        db.session.execute(insert(LivingDocument), [{"person_id": pid} for pid in ids])
        documents = dict(
            db.session.execute(
                select(LivingDocument.person_id, LivingDocument.id).where(
                    LivingDocument.person_id.in_(ids)
                )
            ).all()
        )
        revisions = []
        for offset, pid in enumerate(ids):
            final = last[start + offset]
            for number, year in enumerate(years, start=1):
                stilling = (
                    final
                    if year == years[-1]
                    else rng.choice((final, final, max(10.0, final - 10)))
                )
                revisions.append(
                    {
                        "document_id": documents[pid],
                        "number": number,
                        "effective_on": dt.date(year, rng.randint(1, 11), rng.randint(1, 28)),
                        "author_role": "import",
                        "source": Source.IMPORT,
                        "data": answers(stilling, rng, leader_share),
                        "changed_fields": [],
                    }
                )
        db.session.execute(insert(Revision), revisions)
    db.session.commit()
    return {"top_unit": top, "units": unit_ids}
