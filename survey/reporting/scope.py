"""Which units a report covers, and how what a person may see narrows it.

A report covers the whole municipality or a set of units: one unit with every unit below it
(the heltid report's `unit:ID`), or the units a unit leader may see (their own and those
below, from `survey.access.guard.visible_unit_ids`). The heltid report counts the people
placed in those units; a campaign report counts the answers whose `enhet` is one of their
codes. Commands name a scope in text (`parse`); views take the person's choice and the units
they may see (`chosen`, `visible`)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from survey.access.guard import descendants
from survey.accounts.models import Unit
from survey.extensions import db

WHOLE_MUNICIPALITY = "kommune"


class UnknownScope(ValueError):
    pass


@dataclass(frozen=True)
class Scope:
    """`unit_ids` None: the whole municipality. `unit`: the unit named, whose subtree
    `unit_ids` is; None for the municipality or a leader's units."""

    unit: Unit | None
    unit_ids: frozenset[int] | None

    @classmethod
    def whole(cls) -> Scope:
        return cls(None, None)

    @classmethod
    def parse(cls, text: str) -> Scope:
        """'kommune', or 'unit:ID' with a unit id or code."""
        if text == WHOLE_MUNICIPALITY:
            return cls.whole()
        kind, _sep, key = text.partition(":")
        if kind != "unit" or not key:
            raise UnknownScope(f"'{text}' is not a scope: write kommune or unit:ID")
        unit = db.session.get(Unit, int(key)) if key.isdigit() else None
        if unit is None:
            unit = db.session.scalars(select(Unit).where(Unit.code == key)).first()
        if unit is None:
            raise UnknownScope(f"no unit '{key}'")
        return cls.of_unit(unit)

    @classmethod
    def of_unit(cls, unit: Unit) -> Scope:
        """The unit and every unit below it."""
        return cls(unit, frozenset(descendants([unit.id])))

    @classmethod
    def visible(cls, unit_ids: Collection[int] | None) -> Scope:
        """Everything a person may see: `unit_ids` from `visible_unit_ids()` (None: all)."""
        return cls.whole() if unit_ids is None else cls(None, frozenset(unit_ids))

    @classmethod
    def chosen(cls, choice: str, visible: Collection[int] | None) -> Scope | None:
        """The scope picked on the reports page ('kommune' or a unit id), or None when it
        names no unit or one outside `visible` (a unit leader's scope is their units, not
        the municipality)."""
        if choice == WHOLE_MUNICIPALITY:
            return cls.whole() if visible is None else None
        unit = db.session.get(Unit, int(choice)) if choice.isdigit() else None
        if unit is None or (visible is not None and unit.id not in visible):
            return None
        return cls.of_unit(unit)

    @property
    def is_whole(self) -> bool:
        return self.unit_ids is None

    @property
    def key(self) -> str:
        """The scope as `parse` reads it, for the audit log."""
        if self.unit is not None:
            return f"unit:{self.unit.id}"
        if self.unit_ids is None:
            return WHOLE_MUNICIPALITY
        return "units:" + ",".join(str(unit_id) for unit_id in sorted(self.unit_ids))

    def units(self) -> list[Unit]:
        """The units in the scope (every unit for the whole municipality), by name."""
        query = select(Unit).order_by(Unit.name, Unit.id)
        if self.unit_ids is not None:
            query = query.where(Unit.id.in_(sorted(self.unit_ids)))
        return list(db.session.scalars(query))

    def unit_codes(self) -> list[str] | None:
        """The codes of the units, as answers name them in `enhet`; None: every answer."""
        if self.unit_ids is None:
            return None
        return sorted(unit.code for unit in self.units())

    def label(self) -> str:
        """The people the scope covers, in the current language."""
        if self.unit is not None:
            return _("%(unit)s (with sub-units)", unit=self.unit.name)
        if self.unit_ids is None:
            return _("The whole municipality")
        return ", ".join(unit.name for unit in self.units()) or "–"
