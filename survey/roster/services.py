"""What the roster says about people, read in bulk: each person's main position and their
positions added up. The interview guide's pre-fill and the roster invitations read it here,
so both agree on which position is the main one."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select

from survey.accounts.models import Person, Unit
from survey.extensions import db
from survey.roster.models import Ansettelsesform, Position


@dataclasses.dataclass(frozen=True)
class RosterEntry:
    """A person on the roster: the main position (the largest; the first stored on a tie)
    and the positions added up."""

    person_id: int
    unit_id: int
    unit_code: str
    yrkesgruppe: str | None
    ansettelsesform: Ansettelsesform
    total_percent: Decimal

    @property
    def part_time(self) -> bool:
        return self.total_percent < 100

    def prefill(self) -> dict[str, Any]:
        """The values under the prefill names the questionnaires ask for."""
        prefill: dict[str, Any] = {
            "enhet": self.unit_code,
            "stillingsprosent": f"{self.total_percent.normalize():f}",
            "ansettelsesform": self.ansettelsesform.value,
        }
        if self.yrkesgruppe:
            prefill["yrkesgruppe"] = self.yrkesgruppe
        return prefill


def roster_entries(
    person_ids: Iterable[int] | None = None, *, current_only: bool = False
) -> dict[int, RosterEntry]:
    """person id -> entry for the people with at least one position (those of `person_ids`,
    or everyone), in one query. `current_only`: leave out people marked as having left the
    roster."""
    query = (
        select(
            Position.person_id,
            Position.unit_id,
            Unit.code,
            Position.yrkesgruppe,
            Position.ansettelsesform,
            Position.stillingsprosent,
        )
        .join(Unit, Unit.id == Position.unit_id)
        .order_by(Position.person_id, Position.stillingsprosent.desc(), Position.id)
    )
    if person_ids is not None:
        query = query.where(Position.person_id.in_(list(person_ids)))
    if current_only:
        query = query.join(Person, Person.id == Position.person_id).where(
            Person.left_roster_on.is_(None)
        )
    main: dict[int, tuple] = {}
    totals: dict[int, Decimal] = {}
    for row in db.session.execute(query):
        person_id = row[0]
        main.setdefault(person_id, row)
        totals[person_id] = totals.get(person_id, Decimal(0)) + row[5]
    return {
        person_id: RosterEntry(
            person_id=person_id,
            unit_id=row[1],
            unit_code=row[2],
            yrkesgruppe=row[3],
            ansettelsesform=row[4],
            total_percent=totals[person_id],
        )
        for person_id, row in main.items()
    }


def on_roster_ids() -> Select:
    """The ids of the people on the roster (a position, not marked as left), as a subquery
    for `.in_()` / `.not_in()`."""
    return (
        select(Position.person_id)
        .join(Person, Person.id == Position.person_id)
        .where(Person.left_roster_on.is_(None))
        .distinct()
    )


def roster_prefill(person: Person) -> dict[str, Any]:
    """What the roster knows about one person, under the prefill names; the person's own
    unit alone when they hold no position."""
    entry = roster_entries([person.id]).get(person.id)
    if entry is None:
        return {"enhet": person.unit.code} if person.unit else {}
    return entry.prefill()
