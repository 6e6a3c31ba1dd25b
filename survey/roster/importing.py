"""Roster and unit imports: validate every row first, then apply all or nothing.

`plan_*` reads the database and the file and returns every error plus the changes it would make
(the preview, and `--dry-run`); `apply_*` writes them. The caller commits."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from survey.accounts.models import Person, Unit
from survey.extensions import db
from survey.roster.models import Ansettelsesform, EmployeeDetails, Kjonn, Position
from survey.roster.reading import Columns, FileError, Sheet, cell_text, map_columns

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
}
# «Stilling %» is a percent, «Stilling» alone a title: the header with «%» decides.
_PERCENT_HEADERS = {"stilling", "stillings"}

UNIT_FIELDS = ("kode", "navn", "overordnet")
UNIT_REQUIRED = ("kode", "navn")
UNIT_SYNONYMS = {
    "kode": ["code", "enhetskode", "enhet kode", "id"],
    "navn": ["name", "enhetsnavn", "enhet"],
    "overordnet": ["parent", "overordnet enhet", "overordnet kode", "forelder"],
}

_FORMS = {
    "fast": Ansettelsesform.FAST,
    "f": Ansettelsesform.FAST,
    "fast ansatt": Ansettelsesform.FAST,
    "midlertidig": Ansettelsesform.MIDLERTIDIG,
    "m": Ansettelsesform.MIDLERTIDIG,
    "midlertidig ansatt": Ansettelsesform.MIDLERTIDIG,
    "vikar": Ansettelsesform.MIDLERTIDIG,
    "vikariat": Ansettelsesform.MIDLERTIDIG,
    "engasjement": Ansettelsesform.MIDLERTIDIG,
}
_GENDERS = {
    "k": Kjonn.KVINNE,
    "kvinne": Kjonn.KVINNE,
    "m": Kjonn.MANN,
    "mann": Kjonn.MANN,
    "annet": Kjonn.ANNET,
    "a": Kjonn.ANNET,
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NORWEGIAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T][\d:.]+)?$")
_HUNDREDTH = Decimal("0.01")
FIRST_BIRTH_YEAR = 1930


class InvalidValue(ValueError):
    pass


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


# --- values ---------------------------------------------------------------------------------


def parse_percent(value: Any) -> Decimal:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        text = cell_text(value).replace("%", "").replace(" ", "").replace("\u00a0", "")
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise InvalidValue(f"{cell_text(value)!r} is not a number") from None
    if not number.is_finite() or not 0 <= number <= 100:
        raise InvalidValue(f"{cell_text(value)} is not between 0 and 100")
    return number.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    try:
        if match := _NORWEGIAN_DATE.match(text):
            day, month, year = map(int, match.groups())
            return dt.date(year, month, day)
        if match := _ISO_DATE.match(text):
            year, month, day = map(int, match.groups())
            return dt.date(year, month, day)
    except ValueError:
        raise InvalidValue(f"{text!r} is not a date") from None
    raise InvalidValue(f"{text!r} is not a date (use dd.mm.yyyy or yyyy-mm-dd)")


def parse_form(value: Any) -> Ansettelsesform:
    text = cell_text(value).lower()
    if text not in _FORMS:
        raise InvalidValue(f"{cell_text(value)!r} is neither fast nor midlertidig")
    return _FORMS[text]


def parse_gender(value: Any) -> Kjonn:
    text = cell_text(value).lower()
    if text not in _GENDERS:
        raise InvalidValue(f"{cell_text(value)!r} is not k, m or annet")
    return _GENDERS[text]


def parse_birth_year(value: Any, today: dt.date | None = None) -> int:
    text = cell_text(value)
    this_year = (today or dt.date.today()).year
    if not re.fullmatch(r"\d{4}", text) or not FIRST_BIRTH_YEAR <= int(text) <= this_year:
        raise InvalidValue(f"{text!r} is not a year between {FIRST_BIRTH_YEAR} and {this_year}")
    return int(text)


def parse_email(value: Any) -> str:
    text = cell_text(value).lower()
    if len(text) > 320 or not _EMAIL.match(text):
        raise InvalidValue(f"{cell_text(value)!r} is not an e-mail address")
    return text


def format_percent(number: Decimal) -> str:
    return f"{number:.2f}".rstrip("0").rstrip(".")


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
            raise InvalidValue(f"{len(named)} units are named {text!r} ({codes}); use the code")
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
    errors: list[FileError]
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
        row = _RowReader(sheet, columns, line, values, errors)
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

        unit = None
        if unit_text:
            try:
                unit = units.find(unit_text)
            except InvalidValue as invalid:
                row.error("enhet", str(invalid))
                unit_text = ""
            else:
                if unit is None and create_units:
                    new_unit_texts.setdefault(_fold(unit_text), unit_text)
                elif unit is None:
                    row.error("enhet", f"unknown unit {unit_text!r} (use --create-units to add it)")
        if len(unit_text) > 50 and unit is None and create_units:
            row.error("enhet", "a new unit's code can be at most 50 characters")
        if yrkesgruppe and len(yrkesgruppe) > 100:
            row.error("yrkesgruppe", "at most 100 characters")
        if len(ansattnummer) > 50:
            row.error("ansattnummer", "at most 50 characters")
        if len(navn) > 200:
            row.error("navn", "at most 200 characters")

        if not ansattnummer:
            continue
        employee = employees.get(ansattnummer)
        if employee is None:
            employee = employees[ansattnummer] = PlannedEmployee(ansattnummer, navn, line)
        elif navn and _fold(navn) != _fold(employee.navn):
            row.error("navn", f"{navn!r} differs from {employee.navn!r} on line {employee.line}")
        for field, new in (("epost", epost), ("kjonn", kjonn), ("fodselsar", fodselsar)):
            if new is None:
                continue
            old = getattr(employee, field)
            if old is not None and old != new:
                row.error(field, f"{new} differs from {old} given earlier for {ansattnummer}")
            else:
                setattr(employee, field, new)
        if epost is not None:
            earlier = emails.setdefault(epost, (ansattnummer, line))
            if earlier[0] != ansattnummer:
                row.error("epost", f"{epost} is also given for {earlier[0]} on line {earlier[1]}")

        if unit_text:
            key = (ansattnummer, _fold(unit.code if unit else unit_text), _fold(yrkesgruppe or ""))
            if key in position_lines:
                row.error(
                    "ansattnummer",
                    f"{ansattnummer} has the same enhet and yrkesgruppe on line "
                    f"{position_lines[key]}",
                )
            else:
                position_lines[key] = line
        if percent is not None and form is not None and unit_text:
            employee.positions.append(
                PlannedPosition(line, unit_text, unit, yrkesgruppe, percent, form, startdato)
            )

    if not sheet.rows:
        errors.append(FileError(sheet.file, sheet.header_line, "file", "no rows after the header"))
    employee_list = list(employees.values())
    _match_people(sheet, employee_list, errors)
    errors.sort(key=lambda error: error.line)
    report = RosterReport(ignored_columns=columns.ignored)
    if not errors:
        report = _diff(employee_list, sorted(new_unit_texts.values()), columns.ignored)
    return RosterPlan(errors, employee_list, report, sorted(new_unit_texts.values()))


class _RowReader:
    def __init__(self, sheet: Sheet, columns: Columns, line: int, values: list, errors: list):
        self.sheet, self.columns, self.line, self.values = sheet, columns, line, values
        self.errors = errors

    def error(self, field: str, message: str) -> None:
        column = self.columns.header_of(self.sheet, field)
        self.errors.append(FileError(self.sheet.file, self.line, column, message))

    def raw(self, field: str) -> Any:
        position = self.columns.index.get(field)
        if position is None or position >= len(self.values):
            return None
        value = self.values[position]
        return None if isinstance(value, str) and not value.strip() else value

    def text(self, field: str, required: bool = False) -> str:
        text = cell_text(self.raw(field))
        if not text and required and field in self.columns.index:
            self.error(field, "missing value")
        return text

    def value(self, field: str, parse, required: bool = False):
        raw = self.raw(field)
        if raw is None:
            if required and field in self.columns.index:
                self.error(field, "missing value")
            return None
        try:
            return parse(raw)
        except InvalidValue as invalid:
            self.error(field, str(invalid))
            return None


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
            errors.append(
                FileError(
                    sheet.file,
                    employee.line,
                    "epost",
                    f"{employee.epost} belongs to another person ({who})",
                )
            )


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


def apply_roster(plan: RosterPlan) -> RosterReport:
    """Write a plan without errors; flushes, the caller commits."""
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
    return plan.report


# --- units ----------------------------------------------------------------------------------


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
    errors: list[FileError]
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
        row = _RowReader(sheet, columns, line, values, errors)
        code = row.text("kode", required=True)
        name = row.text("navn", required=True)
        parent = row.text("overordnet") or None
        if len(code) > 50:
            row.error("kode", "at most 50 characters")
        if len(name) > 200:
            row.error("navn", "at most 200 characters")
        if not code:
            continue
        if code in planned:
            row.error("kode", f"{code} is already on line {planned[code].line}")
            continue
        planned[code] = PlannedUnit(line, code, name, parent)

    parents = {code: (unit.parent.code if unit.parent else None) for code, unit in stored.items()}
    parents.update({code: unit.parent_code for code, unit in planned.items()})
    for unit in planned.values():
        if unit.parent_code is None:
            continue
        if unit.parent_code not in parents:
            errors.append(
                FileError(
                    sheet.file,
                    unit.line,
                    columns.header_of(sheet, "overordnet"),
                    f"unknown unit {unit.parent_code!r}",
                )
            )
            continue
        seen = [unit.code]
        current = unit.parent_code
        while current is not None and current not in seen:
            seen.append(current)
            current = parents.get(current)
        if current is not None:
            cycle = " > ".join([*seen[seen.index(current) :], current])
            errors.append(
                FileError(
                    sheet.file,
                    unit.line,
                    columns.header_of(sheet, "overordnet"),
                    f"the units form a cycle: {cycle}",
                )
            )
    if not sheet.rows:
        errors.append(FileError(sheet.file, sheet.header_line, "file", "no rows after the header"))
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
    return plan.report
