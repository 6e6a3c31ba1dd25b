"""The candidate list for a vacancy, from the current living documents. Pure logic over plain
records: no Flask, no database (survey.committee.services gathers the records).

Who is a candidate: a part-timer (under 100 %) who wants a larger position (`onsket_endring` =
storre), whose yrkesgruppe is the vacancy's or one an admin has set as equivalent, and whom the
project leader has not assessed as not qualified (`kvalifisert` = no). Part-timers are the
applicant pool (docs/domain.md § The Songdalen method: Ansettelsesutvalg).

Fortrinnsrett (arbeidsmiljøloven § 14-3; docs/domain.md § Law: Fortrinnsrett): permanent, part
time and qualified for the position. `YES` needs the qualification assessed (`kvalifisert` =
yes); a permanent part-timer of the right group whom nobody has assessed yet is `UNCLEAR`: the
committee must assess them, so they come straight after those with the right. Groups in that
order, and within a group the vacancy's order criteria (`CRITERIA`), then the name.

Every condition the vacancy sets is checked against what the candidate has said: met, not met
or unknown (not answered). A record not confirmed by the employee in the last 12 months is
flagged as stale, as on «To be confirmed again».

What the committee sees (docs/domain.md § Roles; docs/domain.md § Law: Personal data): the
fields in `FIELDS_READ` and what is derived from them. This module never reads the reasons
for part time (health and family are special-category data), `venter_barnehageplass`, notes,
comments or agreed measures, so no page or PDF built from a `Candidate` can show them."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

MET = "met"
NOT_MET = "not_met"
UNKNOWN = "unknown"

FORTRINNSRETT = "yes"
UNCLEAR = "unclear"
NO_FORTRINNSRETT = "no"
_GROUP_RANK = {FORTRINNSRETT: 0, UNCLEAR: 1, NO_FORTRINNSRETT: 2}

# Unit of the candidate against the vacancy's unit.
SAME_UNIT = "same"
SAME_ENHET = "same_enhet"  # another avdeling of the same enhet (siblings, or parent and child)
OTHER_UNIT = "other"

# The classification statuses (survey.classification), as strings to stay import-free.
INVOLUNTARY = "involuntary"
NOT_ENOUGH_DATA = "not_enough_data"

STALE_AFTER = dt.timedelta(days=365)  # = survey.living.services.RECONFIRM_AFTER
BASELINE_WEEKENDS = 17  # every 3rd weekend, 003:965 (docs/domain.md § Ways of working more)

# The living-document fields this module reads; everything shown derives from these.
FIELDS_READ = frozenset(
    {
        "stillingsprosent",
        "onsket_endring",
        "onsket_prosent",
        "onsket_fast",
        "ansettelsesform",
        "yrkesgruppe",
        "kvalifisert",
        "villig_helger",
        "helger_per_ar",
        "villig_langvakter",
        "villig_andre_enheter",
        "andre_vakter",
        "oppstart_uker",
    }
)
# Never read, never shown to the committee.
WITHHELD_FIELDS = frozenset(
    {
        "arsaker_deltid",
        "arsaker_deltid_annet",
        "arsak_mindre",
        "arsak_mindre_annet",
        "venter_barnehageplass",
        "kommentar",
        "notater",
        "avtalte_tiltak",
    }
)

OTHER_WORKPLACE_ANSWERS = frozenset({"annen_enhet", "bemanningspool", "kombijobbing"})


@dataclass(frozen=True)
class Terms:
    """What the vacancy asks for, as the candidate list reads it."""

    unit_id: int
    yrkesgruppe: str
    percent: float
    permanent: bool = True
    weekends_per_year: int | None = None
    long_shifts: bool = False
    shift_types: tuple[str, ...] = ()
    other_units: bool = False
    start_date: dt.date | None = None
    # Groups an admin has set as qualifying for this yrkesgruppe (besides itself).
    equivalent_groups: frozenset[str] = frozenset()
    order: tuple[str, ...] = ()

    @property
    def qualifying_groups(self) -> frozenset[str]:
        return self.equivalent_groups | {self.yrkesgruppe}


@dataclass(frozen=True)
class PastDecision:
    vacancy_id: int
    title: str
    outcome: str
    decided_on: dt.date
    reason: str


@dataclass(frozen=True)
class PersonRecord:
    """One person as the service gathers them: the current revision's data and the roster."""

    person_id: int
    name: str
    unit_name: str
    unit_relation: str | None  # SAME_UNIT, SAME_ENHET, OTHER_UNIT; None: no unit on the roster
    data: Mapping[str, Any]
    status: str  # the classification under the active definition
    employed_since: dt.date | None = None  # earliest startdato on the roster: ansiennitet
    last_confirmed: dt.date | None = None
    roster_percent: float | None = None
    roster_permanent: bool | None = None
    roster_yrkesgruppe: str | None = None
    history: tuple[PastDecision, ...] = ()


@dataclass(frozen=True)
class Check:
    id: str  # weekends, long_shifts, shifts, other_units, start, permanent, qualified
    outcome: str  # MET, NOT_MET, UNKNOWN
    required: Any = None
    stated: Any = None


@dataclass(frozen=True)
class Candidate:
    person_id: int
    name: str
    unit_name: str
    yrkesgruppe: str
    permanent: bool | None
    current: float
    desired: float | None  # None: wants more, but has not said how much
    status: str
    fortrinnsrett: str
    checks: tuple[Check, ...]
    employed_since: dt.date | None
    last_confirmed: dt.date | None
    stale: bool
    history: tuple[PastDecision, ...] = field(default=())

    @property
    def wanted_increase(self) -> float | None:
        return None if self.desired is None else max(self.desired - self.current, 0.0)

    def check(self, check_id: str) -> Check | None:
        return next((c for c in self.checks if c.id == check_id), None)

    @property
    def not_met(self) -> int:
        return sum(1 for c in self.checks if c.outcome == NOT_MET)

    @property
    def unknown(self) -> int:
        return sum(1 for c in self.checks if c.outcome == UNKNOWN)


# --- reading answers --------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _yes_no(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    return {"yes": True, "no": False}.get(value) if isinstance(value, str) else None


def _permanent(record: PersonRecord) -> bool | None:
    form = record.data.get("ansettelsesform")
    if form in ("fast", "midlertidig"):
        return form == "fast"
    return record.roster_permanent


def _current(record: PersonRecord) -> float | None:
    stated = _number(record.data.get("stillingsprosent"))
    return stated if stated is not None else record.roster_percent


def _yrkesgruppe(record: PersonRecord) -> str | None:
    stated = record.data.get("yrkesgruppe")
    return stated if isinstance(stated, str) and stated else record.roster_yrkesgruppe


# --- who is a candidate -----------------------------------------------------------------------


def is_candidate(record: PersonRecord, terms: Terms) -> bool:
    current = _current(record)
    if current is None or current >= 100:
        return False
    if record.data.get("onsket_endring") != "storre":
        return False
    desired = _number(record.data.get("onsket_prosent"))
    if desired is not None and desired <= current:
        return False
    if _yrkesgruppe(record) not in terms.qualifying_groups:
        return False
    return _yes_no(record.data.get("kvalifisert")) is not False


def fortrinnsrett(record: PersonRecord, terms: Terms) -> str:
    """§ 14-3 for a candidate (already part time and of a qualifying group)."""
    if _permanent(record) is not True:
        return NO_FORTRINNSRETT if _permanent(record) is False else UNCLEAR
    return FORTRINNSRETT if _yes_no(record.data.get("kvalifisert")) else UNCLEAR


# --- the conditions ---------------------------------------------------------------------------


def _weekend_capacity(data: Mapping[str, Any]) -> tuple[float | None, bool]:
    """Weekends a year the person has said they can work, and whether that is a floor (they
    may manage more, so a larger requirement is unknown rather than not met)."""
    answer = data.get("villig_helger")
    if answer == "som_na" or answer == "hver_3":
        return BASELINE_WEEKENDS, False
    if answer == "hinkehelg":
        return BASELINE_WEEKENDS, True  # «an extra weekend now and then»: how many is open
    if answer == "oftere":
        stated = _number(data.get("helger_per_ar"))
        return (stated, False) if stated is not None else (BASELINE_WEEKENDS + 1, True)
    return None, True


def _weekends(data: Mapping[str, Any], required: int) -> Check:
    capacity, floor = _weekend_capacity(data)
    if capacity is None:
        outcome = UNKNOWN
    elif required <= capacity:
        outcome = MET
    else:
        outcome = UNKNOWN if floor else NOT_MET
    return Check("weekends", outcome, required, data.get("villig_helger"))


def _long_shifts(data: Mapping[str, Any]) -> Check:
    answer = _yes_no(data.get("villig_langvakter"))
    outcome = UNKNOWN if answer is None else (MET if answer else NOT_MET)
    return Check("long_shifts", outcome, True, answer)


def _shifts(data: Mapping[str, Any], required: Sequence[str]) -> Check:
    stated = data.get("andre_vakter")
    if not isinstance(stated, list):
        return Check("shifts", UNKNOWN, tuple(required), None)
    missing = [shift for shift in required if shift not in stated]
    return Check("shifts", NOT_MET if missing else MET, tuple(required), tuple(missing))


def _other_units(record: PersonRecord, terms: Terms) -> Check | None:
    if record.unit_relation == SAME_UNIT and not terms.other_units:
        return None
    answer = record.data.get("villig_andre_enheter")
    if answer in OTHER_WORKPLACE_ANSWERS:
        outcome = MET
    elif answer == "samme_avdeling":
        near = record.unit_relation in (SAME_UNIT, SAME_ENHET) and not terms.other_units
        outcome = MET if near else NOT_MET
    elif answer == "nei":
        outcome = NOT_MET
    else:
        outcome = UNKNOWN
    return Check("other_units", outcome, terms.other_units, answer)


def _start(data: Mapping[str, Any], start_date: dt.date, today: dt.date) -> Check:
    weeks = _number(data.get("oppstart_uker"))
    if weeks is None:
        return Check("start", UNKNOWN, start_date, None)
    can_start = today + dt.timedelta(weeks=weeks)
    return Check("start", MET if can_start <= start_date else NOT_MET, start_date, weeks)


def _wants_permanent(data: Mapping[str, Any]) -> Check:
    # Only asked of temporary vacancies: someone who wants the increase to be permanent.
    answer = _yes_no(data.get("onsket_fast"))
    outcome = UNKNOWN if answer is None else (NOT_MET if answer else MET)
    return Check("permanent", outcome, False, answer)


def _qualified(data: Mapping[str, Any]) -> Check:
    answer = _yes_no(data.get("kvalifisert"))
    return Check("qualified", MET if answer else UNKNOWN, True, answer)


def checks(record: PersonRecord, terms: Terms, today: dt.date) -> tuple[Check, ...]:
    """The vacancy's conditions against the candidate's, in a fixed order."""
    data = record.data
    found: list[Check | None] = [_qualified(data)]
    if terms.weekends_per_year:
        found.append(_weekends(data, terms.weekends_per_year))
    if terms.long_shifts:
        found.append(_long_shifts(data))
    if terms.shift_types:
        found.append(_shifts(data, terms.shift_types))
    found.append(_other_units(record, terms))
    if terms.start_date is not None:
        found.append(_start(data, terms.start_date, today))
    if not terms.permanent:
        found.append(_wants_permanent(data))
    return tuple(check for check in found if check is not None)


# --- the order --------------------------------------------------------------------------------


def _involuntary(candidate: Candidate) -> tuple:
    if candidate.status == INVOLUNTARY:
        return (0,)
    return (1,) if candidate.status == NOT_ENOUGH_DATA else (2,)


def _ansiennitet(candidate: Candidate) -> tuple:
    since = candidate.employed_since
    return (0, since.toordinal()) if since is not None else (1, 0)


def _size(candidate: Candidate) -> tuple:
    # Lifting 50 % to 80 % brings a person nearer heltid than lifting 15 % to 45 %.
    return (-candidate.current,)


def _conditions(candidate: Candidate) -> tuple:
    return (candidate.not_met, candidate.unknown)


CRITERIA: dict[str, Callable[[Candidate], tuple]] = {
    "involuntary": _involuntary,
    "ansiennitet": _ansiennitet,
    "size": _size,
    "conditions": _conditions,
}
DEFAULT_ORDER = ("involuntary", "ansiennitet", "size")


def parse_order(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """Criteria from «a,b,c» or a list; raises ValueError on an unknown one."""
    if text is None:
        return DEFAULT_ORDER
    items = text.split(",") if isinstance(text, str) else list(text)
    order = tuple(item.strip() for item in items if item and item.strip())
    unknown = [item for item in order if item not in CRITERIA]
    if unknown:
        raise ValueError(f"unknown order criteria: {', '.join(unknown)}")
    if len(set(order)) != len(order):
        raise ValueError("an order criterion is given twice")
    return order or DEFAULT_ORDER


def sort_key(candidate: Candidate, order: Sequence[str]) -> tuple:
    keys: list[Any] = [_GROUP_RANK[candidate.fortrinnsrett]]
    for criterion in order:
        keys.extend(CRITERIA[criterion](candidate))
    return (*keys, candidate.name.casefold(), candidate.person_id)


# --- the list ---------------------------------------------------------------------------------


def is_stale(last_confirmed: dt.date | None, today: dt.date) -> bool:
    return last_confirmed is None or today - last_confirmed > STALE_AFTER


def candidate_list(
    terms: Terms, records: Iterable[PersonRecord], today: dt.date
) -> list[Candidate]:
    """The candidates for the vacancy, those with fortrinnsrett first, then in the order of
    `terms.order` (DEFAULT_ORDER when empty)."""
    found = []
    for record in records:
        if not is_candidate(record, terms):
            continue
        current = _current(record)
        assert current is not None  # is_candidate checked it
        found.append(
            Candidate(
                person_id=record.person_id,
                name=record.name,
                unit_name=record.unit_name,
                yrkesgruppe=_yrkesgruppe(record) or "",
                permanent=_permanent(record),
                current=current,
                desired=_number(record.data.get("onsket_prosent")),
                status=record.status,
                fortrinnsrett=fortrinnsrett(record, terms),
                checks=checks(record, terms, today),
                employed_since=record.employed_since,
                last_confirmed=record.last_confirmed,
                stale=is_stale(record.last_confirmed, today),
                history=record.history,
            )
        )
    order = terms.order or DEFAULT_ORDER
    return sorted(found, key=lambda candidate: sort_key(candidate, order))
