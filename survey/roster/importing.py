"""The roster import (employees and their positions): validate every row first, then apply
all or nothing. Units are imported by `survey.roster.unit_import`.

`plan_roster` reads the database and the file and returns every error plus the changes it
would make (the preview, and `--dry-run`); `apply_roster` writes them. The caller commits."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import select, update

from survey.accounts.models import Person, Unit
from survey.extensions import db
from survey.problems import Problem
from survey.roster.models import Ansettelsesform, EmployeeDetails, Kjonn, Position
from survey.roster.reading import Columns, InvalidValue, RowReader, Sheet, map_columns
from survey.roster.values import (
    format_percent,
    parse_birth_year,
    parse_date,
    parse_email,
    parse_form,
    parse_gender,
    parse_mobile,
    parse_percent,
)

logger = logging.getLogger(__name__)
ROSTER_FIELDS = (
    "ansattnummer",
    "navn",
    "enhet",
    "yrkesgruppe",
    "stillingsprosent",
    "ansettelsesform",
    "startdato",
    "kjonn",
    "fodselsar",
    "epost",
    "mobil",
)
ROSTER_REQUIRED = ROSTER_FIELDS[:7]
ROSTER_SYNONYMS = {
    "ansattnummer": [
        "ansattnr",
        "ansatt nr",
        "ansatt-nr",
        "ans.nr",
        "ansnr",
        "ansattnummer",
        "personalnummer",
        "personalnr",
        "lønnsnummer",
        "ressursnummer",
        "ressursnr",
        "employee id",
        "employee number",
    ],
    "navn": ["fullt navn", "ansattnavn", "name", "navn ansatt"],
    "enhet": [
        "enhet/avdeling",
        "avdeling",
        "tjenestested",
        "enhetskode",
        "enhetsnavn",
        "organisasjonsenhet",
        "org.enhet",
        "arbeidssted",
        "unit",
    ],
    "yrkesgruppe": ["stillingstittel", "stillingsbetegnelse", "tittel", "yrke", "stilling"],
    "stillingsprosent": [
        "stilling",
        "stillingsandel",
        "stillingsstørrelse",
        "st.prosent",
        "prosent",
        "stillings",
    ],
    "ansettelsesform": [
        "ansettelsestype",
        "ansettelsesforhold",
        "tilsettingsform",
        "fast/midlertidig",
    ],
    "startdato": [
        "ansettelsesdato",
        "ansattdato",
        "ansatt dato",
        "tiltredelsesdato",
        "tiltredelse",
        "fra dato",
        "fradato",
        "startdato stilling",
    ],
    "kjonn": ["kjønn", "kjonn", "gender"],
    "fodselsar": ["fødselsår", "fødd år", "født år", "fodt ar", "birth year"],
    "epost": ["e-post", "e-postadresse", "epostadresse", "email", "e-mail", "mail"],
    "mobil": [
        "mobilnummer",
        "mobilnr",
        "mobiltelefon",
        "mobiltlf",
        # Not «telefon»/«tlf»: such a column often holds landlines, and a roster would then
        # fail on every row; map it with --map mobil=… (or on the web preview) when it holds
        # mobile numbers.
        "mobile",
        "mobile number",
        "mobile phone",
    ],
}
# «Stilling %» is a percent, «Stilling» alone a title: the header with «%» decides.
_PERCENT_HEADERS = {"stilling", "stillings"}


def roster_synonyms(sheet: Sheet) -> dict[str, list[str]]:
    """The synonyms, with «Stilling» meaning stillingsprosent only when its header has «%»."""
    synonyms = {field: list(names) for field, names in ROSTER_SYNONYMS.items()}
    has_percent_sign = any(
        "%" in text and text.replace("%", "").strip().lower() in _PERCENT_HEADERS
        for text in sheet.header
    )
    if has_percent_sign:
        synonyms["yrkesgruppe"].remove("stilling")
    else:
        synonyms["stillingsprosent"] = [
            name for name in synonyms["stillingsprosent"] if name not in _PERCENT_HEADERS
        ]
    return synonyms


# --- units in the database ------------------------------------------------------------------


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


class UnitDirectory:
    """Finds units by code (exact, then ignoring case) or by name."""

    def __init__(self, units: list[Unit]):
        self.by_code = {unit.code: unit for unit in units}
        self.by_folded_code = {_fold(unit.code): unit for unit in units}
        self.by_name: dict[str, list[Unit]] = {}
        for unit in units:
            self.by_name.setdefault(_fold(unit.name), []).append(unit)

    @classmethod
    def load(cls) -> UnitDirectory:
        return cls(list(db.session.scalars(select(Unit))))

    def find(self, text: str) -> Unit | None:
        """The unit, or None when unknown; raises InvalidValue when a name is ambiguous."""
        unit = self.by_code.get(text) or self.by_folded_code.get(_fold(text))
        if unit is not None:
            return unit
        named = self.by_name.get(_fold(text), [])
        if len(named) > 1:
            codes = ", ".join(sorted(u.code for u in named))
            raise InvalidValue(
                "unit_name_ambiguous", count=len(named), name=repr(text), codes=codes
            )
        return named[0] if named else None


# --- the roster -----------------------------------------------------------------------------


@dataclasses.dataclass
class PlannedPosition:
    line: int
    unit_text: str
    unit: Unit | None  # None: created by --create-units
    yrkesgruppe: str | None
    stillingsprosent: Decimal
    ansettelsesform: Ansettelsesform
    startdato: dt.date | None

    @property
    def unit_code(self) -> str:
        return self.unit.code if self.unit is not None else self.unit_text

    def describe(self) -> str:
        return _describe_position(
            self.unit_code,
            self.yrkesgruppe,
            self.stillingsprosent,
            self.ansettelsesform,
            self.startdato,
        )


def _describe_position(code, yrkesgruppe, percent, form, startdato) -> str:
    parts = [code, yrkesgruppe or "-", f"{format_percent(percent)} %", str(form)]
    if startdato is not None:
        parts.append(f"from {startdato.isoformat()}")
    return " ".join(parts)


@dataclasses.dataclass
class PlannedEmployee:
    ansattnummer: str
    navn: str
    line: int
    epost: str | None = None
    mobil: str | None = None
    kjonn: Kjonn | None = None
    fodselsar: int | None = None
    positions: list[PlannedPosition] = dataclasses.field(default_factory=list)
    person: Person | None = None  # the match in the database, if any

    @property
    def main_position(self) -> PlannedPosition:
        # The largest position decides the person's own unit (first in the file on a tie).
        return max(self.positions, key=lambda p: p.stillingsprosent)

    @property
    def total_percent(self) -> Decimal:
        return sum((p.stillingsprosent for p in self.positions), Decimal(0))


@dataclasses.dataclass
class EmployeeChange:
    ansattnummer: str
    navn: str
    changes: dict[str, tuple[str, str]]  # field: (old, new)


@dataclasses.dataclass
class RosterReport:
    created: list[EmployeeChange] = dataclasses.field(default_factory=list)
    updated: list[EmployeeChange] = dataclasses.field(default_factory=list)
    unchanged: list[str] = dataclasses.field(default_factory=list)
    missing: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    created_units: list[str] = dataclasses.field(default_factory=list)
    ignored_columns: list[str] = dataclasses.field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        if self.ignored_columns:
            out.append(f"ignored columns: {', '.join(self.ignored_columns)}")
        for code in self.created_units:
            out.append(f"new unit {code}")
        for change in self.created:
            positions = change.changes["stillinger"][1]
            out.append(f"new {change.ansattnummer} {change.navn}: {positions}")
        for change in self.updated:
            out.append(f"changed {change.ansattnummer} {change.navn}:")
            for field, (old, new) in change.changes.items():
                out.append(f"  {field}: {old or '(none)'} -> {new or '(none)'}")
        for ansattnummer, navn in self.missing:
            out.append(f"not in the file (kept): {ansattnummer} {navn}")
        out.append(
            f"{len(self.created)} new, {len(self.updated)} changed, "
            f"{len(self.unchanged)} unchanged, {len(self.missing)} not in the file"
        )
        return out


@dataclasses.dataclass
class RosterPlan:
    errors: list[Problem]
    employees: list[PlannedEmployee]
    report: RosterReport
    new_unit_texts: list[str]

    @property
    def ok(self) -> bool:
        return not self.errors


def roster_columns(sheet: Sheet, mapping: Mapping[str, str] | None = None) -> Columns:
    """Which column holds each roster field: `mapping` (header: field) first, then the
    field names and their synonyms. The web preview shows this to the user."""
    return map_columns(
        sheet, ROSTER_FIELDS, ROSTER_REQUIRED, roster_synonyms(sheet), explicit=mapping
    )


def plan_roster(
    sheet: Sheet,
    *,
    mapping: Mapping[str, str] | None = None,
    create_units: bool = False,
    today: dt.date | None = None,
) -> RosterPlan:
    columns = roster_columns(sheet, mapping)
    errors = list(columns.errors)
    units = UnitDirectory.load()
    employees: dict[str, PlannedEmployee] = {}
    position_lines: dict[tuple[str, str, str], int] = {}
    emails: dict[str, tuple[str, int]] = {}
    new_unit_texts: dict[str, str] = {}  # folded text: as first written

    for line, values in sheet.rows:
        row = RowReader(sheet, columns, line, values, errors)
        ansattnummer = row.text("ansattnummer", required=True)
        navn = row.text("navn", required=True)
        unit_text = row.text("enhet", required=True)
        yrkesgruppe = row.text("yrkesgruppe") or None
        percent = row.value("stillingsprosent", parse_percent, required=True)
        form = row.value("ansettelsesform", parse_form, required=True)
        startdato = row.value("startdato", parse_date)
        kjonn = row.value("kjonn", parse_gender)
        fodselsar = row.value("fodselsar", lambda v: parse_birth_year(v, today))
        epost = row.value("epost", parse_email)
        mobil = row.value("mobil", parse_mobile)

        unit = None
        if unit_text:
            try:
                unit = units.find(unit_text)
            except InvalidValue as invalid:
                row.add("enhet", invalid.problem)
                unit_text = ""
            else:
                if unit is None and create_units:
                    new_unit_texts.setdefault(_fold(unit_text), unit_text)
                elif unit is None:
                    row.error("enhet", "unknown_unit_in_roster", unit=repr(unit_text))
        if len(unit_text) > 50 and unit is None and create_units:
            row.error("enhet", "new_unit_code_too_long", count=50)
        if yrkesgruppe and len(yrkesgruppe) > 100:
            row.error("yrkesgruppe", "too_long", count=100)
        if len(ansattnummer) > 50:
            row.error("ansattnummer", "too_long", count=50)
        if len(navn) > 200:
            row.error("navn", "too_long", count=200)

        if not ansattnummer:
            continue
        employee = employees.get(ansattnummer)
        if employee is None:
            employee = employees[ansattnummer] = PlannedEmployee(ansattnummer, navn, line)
        elif navn and _fold(navn) != _fold(employee.navn):
            row.error(
                "navn",
                "name_differs",
                value=repr(navn),
                earlier=repr(employee.navn),
                line=employee.line,
            )
        optional = (("epost", epost), ("mobil", mobil), ("kjonn", kjonn), ("fodselsar", fodselsar))
        for field, new in optional:
            if new is None:
                continue
            old = getattr(employee, field)
            if old is not None and old != new:
                row.error(field, "value_differs", value=new, earlier=old, number=ansattnummer)
            else:
                setattr(employee, field, new)
        if epost is not None:
            earlier = emails.setdefault(epost, (ansattnummer, line))
            if earlier[0] != ansattnummer:
                row.error(
                    "epost", "email_repeated", email=epost, number=earlier[0], line=earlier[1]
                )

        if unit_text:
            key = (ansattnummer, _fold(unit.code if unit else unit_text), _fold(yrkesgruppe or ""))
            if key in position_lines:
                row.error(
                    "ansattnummer",
                    "position_repeated",
                    number=ansattnummer,
                    line=position_lines[key],
                )
            else:
                position_lines[key] = line
        if percent is not None and form is not None and unit_text:
            employee.positions.append(
                PlannedPosition(line, unit_text, unit, yrkesgruppe, percent, form, startdato)
            )

    if not sheet.rows:
        errors.append(Problem("no_rows", {}, sheet.file, sheet.header_line, "file"))
    employee_list = list(employees.values())
    _match_people(sheet, employee_list, errors)
    errors.sort(key=lambda error: error.line)
    report = RosterReport(ignored_columns=columns.ignored)
    if not errors:
        report = _diff(employee_list, sorted(new_unit_texts.values()), columns.ignored)
    return RosterPlan(errors, employee_list, report, sorted(new_unit_texts.values()))


def _match_people(sheet: Sheet, employees: list[PlannedEmployee], errors: list) -> None:
    """Match by ansattnummer; a user without one is linked through their e-mail address."""
    numbers = [e.ansattnummer for e in employees]
    by_number = {
        p.ansattnummer: p
        for p in db.session.scalars(select(Person).where(Person.ansattnummer.in_(numbers)))
    }
    wanted_emails = [e.epost for e in employees if e.epost]
    by_email = {
        p.email: p
        for p in db.session.scalars(select(Person).where(Person.email.in_(wanted_emails)))
    }
    for employee in employees:
        employee.person = by_number.get(employee.ansattnummer)
        owner = by_email.get(employee.epost) if employee.epost else None
        if owner is None or owner is employee.person:
            continue
        if employee.person is None and owner.ansattnummer is None:
            employee.person = owner
        else:
            who = f"ansattnummer {owner.ansattnummer}" if owner.ansattnummer else owner.name
            params = {"email": employee.epost, "who": who}
            errors.append(Problem("email_taken", params, sheet.file, employee.line, "epost"))


def _stored_positions(person_ids: list[int]) -> dict[int, list[Position]]:
    positions: dict[int, list[Position]] = {}
    query = select(Position).where(Position.person_id.in_(person_ids)).order_by(Position.id)
    for position in db.session.scalars(query):
        positions.setdefault(position.person_id, []).append(position)
    return positions


def _stored_details(person_ids: list[int]) -> dict[int, EmployeeDetails]:
    query = select(EmployeeDetails).where(EmployeeDetails.person_id.in_(person_ids))
    return {details.person_id: details for details in db.session.scalars(query)}


def _positions_text(descriptions: list[str]) -> str:
    return "; ".join(sorted(descriptions))


def _diff(
    employees: list[PlannedEmployee], new_units: list[str], ignored: list[str]
) -> RosterReport:
    report = RosterReport(created_units=new_units, ignored_columns=ignored)
    person_ids = [e.person.id for e in employees if e.person is not None]
    positions = _stored_positions(person_ids)
    details = _stored_details(person_ids)
    for employee in employees:
        new = {
            "ansattnummer": employee.ansattnummer,
            "navn": employee.navn,
            "enhet": employee.main_position.unit_code,
            "stillinger": _positions_text([p.describe() for p in employee.positions]),
        }
        # Optional fields left blank keep what is stored.
        if employee.epost is not None:
            new["epost"] = employee.epost
        if employee.mobil is not None:
            new["mobil"] = employee.mobil
        if employee.kjonn is not None:
            new["kjonn"] = str(employee.kjonn)
        if employee.fodselsar is not None:
            new["fodselsar"] = str(employee.fodselsar)
        person = employee.person
        if person is None:
            report.created.append(
                EmployeeChange(
                    employee.ansattnummer, employee.navn, {k: ("", v) for k, v in new.items()}
                )
            )
            continue
        stored_details = details.get(person.id)
        old = {
            "ansattnummer": person.ansattnummer or "",
            "navn": person.name,
            "enhet": person.unit.code if person.unit is not None else "",
            "stillinger": _positions_text(
                [
                    _describe_position(
                        p.unit.code,
                        p.yrkesgruppe,
                        p.stillingsprosent,
                        p.ansettelsesform,
                        p.startdato,
                    )
                    for p in positions.get(person.id, [])
                ]
            ),
            "epost": person.email or "",
            "mobil": person.mobile or "",
            "kjonn": str(stored_details.kjonn or "") if stored_details else "",
            "fodselsar": str(stored_details.fodselsar or "") if stored_details else "",
        }
        changes = {
            field: (old[field], value) for field, value in new.items() if old[field] != value
        }
        if changes:
            report.updated.append(EmployeeChange(employee.ansattnummer, employee.navn, changes))
        else:
            report.unchanged.append(employee.ansattnummer)
    in_file = {e.ansattnummer for e in employees}
    query = select(Person).where(Person.ansattnummer.is_not(None)).order_by(Person.ansattnummer)
    report.missing = [
        (p.ansattnummer, p.name) for p in db.session.scalars(query) if p.ansattnummer not in in_file
    ]
    return report


def apply_roster(plan: RosterPlan, today: dt.date | None = None) -> RosterReport:
    """Write a plan without errors; flushes, the caller commits. People with an ansattnummer
    the file does not list are kept and marked as having left the roster (`left_roster_on`,
    the first day they were missing); people in the file are on it again."""
    if plan.errors:
        raise ValueError("a roster with errors cannot be applied")
    created_units = {}
    for text in plan.new_unit_texts:
        unit = Unit(code=text, name=text)
        db.session.add(unit)
        created_units[_fold(text)] = unit
    db.session.flush()
    person_ids = [e.person.id for e in plan.employees if e.person is not None]
    details = _stored_details(person_ids)
    for positions in _stored_positions(person_ids).values():
        for position in positions:
            db.session.delete(position)
    db.session.flush()
    for employee in plan.employees:
        for position in employee.positions:
            if position.unit is None:
                position.unit = created_units[_fold(position.unit_text)]
        person = employee.person
        if person is None:
            person = Person(name=employee.navn, ansattnummer=employee.ansattnummer)
            db.session.add(person)
        person.name = employee.navn
        person.ansattnummer = employee.ansattnummer
        person.unit = employee.main_position.unit
        if employee.epost is not None:
            person.email = employee.epost
        if employee.mobil is not None:
            person.mobile = employee.mobil
        person.left_roster_on = None
        db.session.flush()
        for position in employee.positions:
            db.session.add(
                Position(
                    person_id=person.id,
                    unit=position.unit,
                    yrkesgruppe=position.yrkesgruppe,
                    stillingsprosent=position.stillingsprosent,
                    ansettelsesform=position.ansettelsesform,
                    startdato=position.startdato,
                )
            )
        if employee.kjonn is not None or employee.fodselsar is not None:
            stored = details.get(person.id)
            if stored is None:
                stored = EmployeeDetails(person_id=person.id)
                db.session.add(stored)
            if employee.kjonn is not None:
                stored.kjonn = employee.kjonn
            if employee.fodselsar is not None:
                stored.fodselsar = employee.fodselsar
    db.session.flush()
    left = _mark_left(plan.employees, today or dt.date.today())
    report = plan.report
    logger.info(
        "roster import: %d new employees, %d updated, %d unchanged, %d not in the file "
        "(%d newly marked as left), %d new units",
        len(report.created),
        len(report.updated),
        len(report.unchanged),
        len(report.missing),
        left,
        len(report.created_units),
    )
    return report


def _mark_left(employees: list[PlannedEmployee], day: dt.date) -> int:
    """Mark people with an ansattnummer who are not in the file as off the roster since
    `day`, unless already marked; returns how many were marked now."""
    in_file = {e.ansattnummer for e in employees}
    query = select(Person.id, Person.ansattnummer).where(
        Person.ansattnummer.is_not(None), Person.left_roster_on.is_(None)
    )
    left = [person_id for person_id, number in db.session.execute(query) if number not in in_file]
    if left:
        db.session.execute(
            update(Person).where(Person.id.in_(left)).values(left_roster_on=day),
            execution_options={"synchronize_session": "fetch"},
        )
    return len(left)
