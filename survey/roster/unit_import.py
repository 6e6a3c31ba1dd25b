"""The unit import: validate every row first, then apply all or nothing.

`plan_units` reads the database and the file and returns every error plus the changes it would
make (the preview, and `--dry-run`); `apply_units` writes them. The caller commits."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping

from sqlalchemy import select

from survey.accounts.models import Unit
from survey.extensions import db
from survey.problems import Problem
from survey.roster.reading import Columns, RowReader, Sheet, map_columns

logger = logging.getLogger(__name__)
UNIT_FIELDS = ("kode", "navn", "overordnet")
UNIT_REQUIRED = ("kode", "navn")
UNIT_SYNONYMS = {
    "kode": ["code", "enhetskode", "enhet kode", "id"],
    "navn": ["name", "enhetsnavn", "enhet"],
    "overordnet": ["parent", "overordnet enhet", "overordnet kode", "forelder"],
}


@dataclasses.dataclass
class PlannedUnit:
    line: int
    code: str
    name: str
    parent_code: str | None


@dataclasses.dataclass
class UnitReport:
    created: list[str] = dataclasses.field(default_factory=list)
    updated: list[tuple[str, dict[str, tuple[str, str]]]] = dataclasses.field(default_factory=list)
    unchanged: list[str] = dataclasses.field(default_factory=list)
    ignored_columns: list[str] = dataclasses.field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        if self.ignored_columns:
            out.append(f"ignored columns: {', '.join(self.ignored_columns)}")
        out += [f"new unit {line}" for line in self.created]
        for code, changes in self.updated:
            out.append(f"changed unit {code}:")
            for field, (old, new) in changes.items():
                out.append(f"  {field}: {old or '(none)'} -> {new or '(none)'}")
        out.append(
            f"{len(self.created)} new, {len(self.updated)} changed, {len(self.unchanged)} unchanged"
        )
        return out


@dataclasses.dataclass
class UnitPlan:
    errors: list[Problem]
    units: list[PlannedUnit]
    report: UnitReport

    @property
    def ok(self) -> bool:
        return not self.errors


def unit_columns(sheet: Sheet, mapping: Mapping[str, str] | None = None) -> Columns:
    return map_columns(sheet, UNIT_FIELDS, UNIT_REQUIRED, UNIT_SYNONYMS, explicit=mapping)


def plan_units(sheet: Sheet, *, mapping: Mapping[str, str] | None = None) -> UnitPlan:
    columns = unit_columns(sheet, mapping)
    errors = list(columns.errors)
    stored = {unit.code: unit for unit in db.session.scalars(select(Unit))}
    planned: dict[str, PlannedUnit] = {}
    for line, values in sheet.rows:
        row = RowReader(sheet, columns, line, values, errors)
        code = row.text("kode", required=True)
        name = row.text("navn", required=True)
        parent = row.text("overordnet") or None
        if len(code) > 50:
            row.error("kode", "too_long", count=50)
        if len(name) > 200:
            row.error("navn", "too_long", count=200)
        if not code:
            continue
        if code in planned:
            row.error("kode", "already_on_line", code=code, line=planned[code].line)
            continue
        planned[code] = PlannedUnit(line, code, name, parent)

    parents = {code: (unit.parent.code if unit.parent else None) for code, unit in stored.items()}
    parents.update({code: unit.parent_code for code, unit in planned.items()})
    parent_column = columns.header_of(sheet, "overordnet")
    for unit in planned.values():
        if unit.parent_code is None:
            continue
        if unit.parent_code not in parents:
            params = {"unit": repr(unit.parent_code)}
            errors.append(Problem("unknown_unit", params, sheet.file, unit.line, parent_column))
            continue
        seen = [unit.code]
        current = unit.parent_code
        while current is not None and current not in seen:
            seen.append(current)
            current = parents.get(current)
        if current is not None:
            cycle = " > ".join([*seen[seen.index(current) :], current])
            params = {"cycle": cycle}
            errors.append(Problem("units_cycle", params, sheet.file, unit.line, parent_column))
    if not sheet.rows:
        errors.append(Problem("no_rows", {}, sheet.file, sheet.header_line, "file"))
    errors.sort(key=lambda error: error.line)

    report = UnitReport(ignored_columns=columns.ignored)
    if not errors:
        for unit in planned.values():
            existing = stored.get(unit.code)
            if existing is None:
                suffix = f" (under {unit.parent_code})" if unit.parent_code else ""
                report.created.append(f"{unit.code} {unit.name}{suffix}")
                continue
            old = {"navn": existing.name, "overordnet": _parent_code(existing)}
            new = {"navn": unit.name, "overordnet": unit.parent_code or ""}
            changes = {f: (old[f], new[f]) for f in old if old[f] != new[f]}
            if changes:
                report.updated.append((unit.code, changes))
            else:
                report.unchanged.append(unit.code)
    return UnitPlan(errors, list(planned.values()), report)


def _parent_code(unit: Unit) -> str:
    return unit.parent.code if unit.parent is not None else ""


def apply_units(plan: UnitPlan) -> UnitReport:
    if plan.errors:
        raise ValueError("units with errors cannot be applied")
    stored = {unit.code: unit for unit in db.session.scalars(select(Unit))}
    for unit in plan.units:
        row = stored.get(unit.code)
        if row is None:
            row = stored[unit.code] = Unit(code=unit.code, name=unit.name)
            db.session.add(row)
        row.name = unit.name
    for unit in plan.units:
        stored[unit.code].parent = stored[unit.parent_code] if unit.parent_code else None
    db.session.flush()
    logger.info(
        "unit import: %d new units, %d updated, %d unchanged",
        len(plan.report.created),
        len(plan.report.updated),
        len(plan.report.unchanged),
    )
    return plan.report
