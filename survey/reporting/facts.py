"""Living documents as they stood on a day, one typed row per person, in SQL.

`facts(days, ...)` reads `reporting_revision_facts` (survey/reporting/models.py): the typed
report fields of every revision with its period in force, so the state on a day is one range
condition (`effective_on <= day < valid_until`) and no JSON is read at report time. Given
several days it returns one row per person and day, which is how the trend gets every 31
December out of one query. `classified(...)` adds the status under every profile, the position
bin and the flags the reports count; it is a MATERIALIZED common table expression, so each
person's CASE expressions are evaluated once however many aggregates read them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import Date, Float, and_, case, cast, func, literal, null, or_, select, union_all

from survey.accounts.models import Person
from survey.classification import Definitions, ExclusionGroup, HeltidThreshold, Profile
from survey.living import relevance
from survey.living.models import Revision
from survey.reporting import jsonsql
from survey.reporting.classification_sql import (
    accepts_more_weekends,
    accepts_other_workplace,
    criterion_columns,
    flex_ways,
    part_time,
    status,
)
from survey.reporting.models import (
    LIST_FIELDS,
    NUMBER_FIELDS,
    REASONS,
    SHIFTS,
    TEXT_FIELDS,
    YES_NO_FIELDS,
    RevisionFacts,
    list_column,
    number_column,
)
from survey.reporting.relevance_sql import relevance_guard, relevant_columns
from survey.roster.models import EmployeeDetails, Position

__all__ = ["REASONS", "SHIFTS", "BIN_LIMITS", "TILTAK", "Settings", "classified", "facts"]

# Position bins of KS PAI: 0–29,9 / 30–49,9 / 50–79,9 / 80–99,9 / 100 %.
BIN_LIMITS = (30, 50, 80, 100)

# Willingness to work more in other ways (docs/domain.md § Ways of working more): `_willing`.
TILTAK = (
    "helger",
    "langvakter",
    "andre_enheter",
    "kombijobbing",
    "kveldsvakter",
    "nattevakter",
    "ledige_vakter",
    "ubundet_tid",
    "fagbrev",
    "oppstart_4_uker",
)

FACTS = RevisionFacts.__table__
# The report's statements are built from the tables, not the mapped classes: a statement
# that names a mapped attribute is compiled by the ORM (an entity for each of its hundreds
# of columns), ~0,1 s more per process for the heltid report's two statements.
PEOPLE = Person.__table__
DETAILS = EmployeeDetails.__table__
POSITIONS = Position.__table__
REVISIONS = Revision.__table__
FIELD_COLUMNS = (
    *(number_column(field) for field in NUMBER_FIELDS),
    *TEXT_FIELDS,
    *YES_NO_FIELDS,
    *(
        list_column(field, choice)
        for field, (_, choices) in LIST_FIELDS.items()
        for choice in choices
    ),
)


def _typed_exclusion(f, group: ExclusionGroup):
    """ExclusionGroup.matches on the typed columns, or None when they cannot tell."""
    value = str(group.value)
    if group.operator == "includes":
        if group.field in LIST_FIELDS and value in LIST_FIELDS[group.field][1]:
            return f[list_column(group.field, value)] == 1
        return None
    if group.field in YES_NO_FIELDS and value in ("yes", "no"):
        # The column is 1 for true and "yes", 0 for false and "no": what matches() compares.
        return f[group.field] == (1 if value == "yes" else 0)
    if group.field in TEXT_FIELDS and value not in ("yes", "no"):
        return f[group.field] == value  # a boolean answer is never equal to other text
    return None


def _json_exclusion(data, group: ExclusionGroup):
    """ExclusionGroup.matches read from the revision's JSON (fields the table does not hold)."""
    value = jsonsql.raw(data, group.field)
    if group.operator == "includes":
        return jsonsql.array_has(value, str(group.value)) == 1
    flag = jsonsql.boolean(value)
    as_word = case((flag == 1, literal("yes")), (flag == 0, literal("no")))
    return or_(jsonsql.text(value) == str(group.value), as_word == str(group.value))


def _days_table(days: Sequence[dt.date]):
    rows = [select(literal(day, Date).label("day")) for day in days]
    return (rows[0] if len(rows) == 1 else union_all(*rows)).subquery("days")


def facts(
    on: dt.date | Sequence[dt.date],
    unit_ids: Collection[int] | None,
    exclusions: Sequence[ExclusionGroup],
    *,
    roster: bool = False,
):
    """One row per person in scope and day with a revision in force then: typed answer fields,
    `day`, `mapped` (1) and `ex_<group>` (1/0) for every exclusion group. `on` is a day or a
    list of days. With `roster` (one day only), also a row with `mapped` 0 for everyone on the
    roster then without a living document in force (`_roster_only`)."""
    f = FACTS.c
    if isinstance(on, dt.date):
        day = literal(on, Date)
        query = select(day.label("day")).select_from(FACTS)
    else:
        days = _days_table(list(on))
        day = days.c.day
        query = select(day).select_from(FACTS).join(days, f.effective_on <= day)
    query = query.where(f.effective_on <= day, or_(f.valid_until.is_(None), f.valid_until > day))
    # Only answers the guide asks under the record's other answers count (living/relevance.py).
    guide = relevance.guide()
    counted = relevant_columns(guide, f, FIELD_COLUMNS)
    exclusion_columns = []
    data = None
    for group in exclusions:
        condition = _typed_exclusion(counted, group)
        if condition is None:
            if data is None:
                # Outer: an erased person's rows have no revision (their JSON is gone).
                query = query.outerjoin(REVISIONS, REVISIONS.c.id == f.revision_id)
                data = REVISIONS.c.data
            condition = _json_exclusion(data, group)
            guard = relevance_guard(guide, f, group.field)
            if guard is not None:
                condition = and_(guard, condition)
        exclusion_columns.append(
            case((condition, literal(1)), else_=literal(0)).label(f"ex_{group.id}")
        )
    # An erased person's rows have no person: their unit and kjønn are on the row itself.
    unit_id = func.coalesce(PEOPLE.c.unit_id, f.unit_id)
    query = (
        query.outerjoin(PEOPLE, PEOPLE.c.id == f.person_id)
        .outerjoin(DETAILS, DETAILS.c.person_id == PEOPLE.c.id)
        .add_columns(
            f.person_id,
            unit_id.label("unit_id"),
            func.coalesce(DETAILS.c.kjonn, f.kjonn).label("kjonn"),
            *(counted[name].label(name) for name in FIELD_COLUMNS),
            *exclusion_columns,
            literal(1).label("mapped"),
        )
    )
    if unit_ids is not None:
        query = query.where(unit_id.in_(sorted(unit_ids)))
    if roster:
        if not isinstance(on, dt.date):
            raise ValueError("the roster has no history: one day only")
        return union_all(query, _roster_only(query, on, unit_ids, exclusions)).subquery("facts")
    return query.subquery("facts")


def _roster_only(mapped, day: dt.date, unit_ids: Collection[int] | None, exclusions):
    """The people on the roster on `day` (a position begun by then) without a living document
    in force then, as rows shaped like `mapped`'s: the register facts the roster holds (the
    positions added up, the largest position's yrkesgruppe and ansettelsesform, as the
    interview guide is pre-filled: roster/services.py roster_prefill), every answer NULL,
    `mapped` 0. The roster keeps no history, so this is today's roster; a position that
    starts after `day` does not count yet, nor does anyone who had left the roster by then."""
    f = FACTS.c
    begun = or_(POSITIONS.c.startdato.is_(None), POSITIONS.c.startdato <= day)
    ranked = (
        select(
            POSITIONS.c.person_id,
            POSITIONS.c.yrkesgruppe,
            POSITIONS.c.ansettelsesform,
            func.sum(POSITIONS.c.stillingsprosent)
            .over(partition_by=POSITIONS.c.person_id)
            .label("total"),
            func.row_number()
            .over(
                partition_by=POSITIONS.c.person_id,
                order_by=(POSITIONS.c.stillingsprosent.desc(), POSITIONS.c.id),
            )
            .label("rank"),
        )
        .where(begun)
        .subquery("positions")
    )
    documented = select(f.person_id).where(
        f.person_id.is_not(None),  # erased rows: NOT IN a list with NULL matches nobody
        f.effective_on <= day,
        or_(f.valid_until.is_(None), f.valid_until > day),
    )
    known = {
        "stilling": cast(ranked.c.total, Float),
        "yrkesgruppe": ranked.c.yrkesgruppe,
        "ansettelsesform": ranked.c.ansettelsesform,
    }
    columns = {
        "day": literal(day, Date),
        "person_id": PEOPLE.c.id,
        "unit_id": PEOPLE.c.unit_id,
        "kjonn": DETAILS.c.kjonn,
        "mapped": literal(0),
        **known,
    }
    for group in exclusions:
        condition = _typed_exclusion(known, group) if group.field in known else None
        columns[f"ex_{group.id}"] = (
            literal(0) if condition is None else case((condition, literal(1)), else_=literal(0))
        )
    query = (
        select(*(columns.get(c.name, null()).label(c.name) for c in mapped.selected_columns))
        .select_from(ranked)
        .join(PEOPLE, PEOPLE.c.id == ranked.c.person_id)
        .outerjoin(DETAILS, DETAILS.c.person_id == PEOPLE.c.id)
        .where(ranked.c.rank == 1, PEOPLE.c.id.not_in(documented))
        # Someone a roster import no longer listed has left (their positions are kept).
        .where(or_(PEOPLE.c.left_roster_on.is_(None), PEOPLE.c.left_roster_on > day))
    )
    if unit_ids is not None:
        query = query.where(PEOPLE.c.unit_id.in_(sorted(unit_ids)))
    return query


@dataclass(frozen=True)
class Settings:
    """What a report counts by: the profiles, the active one, heltid and who is left out."""

    profiles: tuple[Profile, ...]
    active: Profile
    threshold: HeltidThreshold
    exclusions: tuple[ExclusionGroup, ...]  # every group, counted
    excluded: tuple[ExclusionGroup, ...]  # the groups left out of the population

    @classmethod
    def from_definitions(
        cls,
        definitions: Definitions,
        profile_id: str | None = None,
        threshold: HeltidThreshold | str | float | None = None,
    ) -> Settings:
        active = definitions.profile(profile_id or definitions.active_profile_id)
        return cls(
            profiles=definitions.profiles,
            active=active,
            threshold=HeltidThreshold.parse(
                definitions.default_heltid_threshold if threshold is None else threshold
            ),
            exclusions=definitions.exclusions,
            excluded=definitions.default_exclusions,
        )


def _willing(f, tiltak: str):
    """1 yes / 0 no / NULL not answered, for one way of working more."""
    return {
        "helger": lambda: accepts_more_weekends(f),
        "langvakter": lambda: f.villig_langvakter,
        "andre_enheter": lambda: accepts_other_workplace(f),
        "kombijobbing": lambda: case(
            (f.villig_andre_enheter.is_(None), null()),
            (f.villig_andre_enheter == "kombijobbing", literal(1)),
            else_=literal(0),
        ),
        "kveldsvakter": lambda: f.vakt_kveld,
        "nattevakter": lambda: f.vakt_natt,
        "ledige_vakter": lambda: f.tar_ledige_vakter,
        "ubundet_tid": lambda: f.ubundet_tid,
        "fagbrev": lambda: f.fagbrev,
        "oppstart_4_uker": lambda: case(
            (f.oppstart_uker.is_(None), null()),
            (f.oppstart_uker <= 4, literal(1)),
            else_=literal(0),
        ),
    }[tiltak]()


def bin_of(stilling):
    whens = [(stilling < limit, literal(index)) for index, limit in enumerate(BIN_LIMITS)]
    return case((stilling.is_(None), null()), *whens, else_=literal(len(BIN_LIMITS)))


def classified(
    on: dt.date | Sequence[dt.date],
    unit_ids: Collection[int] | None,
    settings: Settings,
    name="classified",
    *,
    roster: bool = False,
    statuses_only: bool = False,
):
    """Per person (and day): included (not in a left-out group), mapped (a living document in
    force; with `roster`, 0 for the people on the roster without one), statuses (NULL when
    not mapped), bin and counted flags. With `statuses_only`, what the trend counts: day,
    person_id, included, mapped, stilling, part_time and the statuses.

    Two layers: the inner one (`answers`) has the per-person figures and each distinct
    criterion of the profiles as a column (`criterion_columns`); the outer one, the
    MATERIALIZED CTE, adds each profile's status as a short CASE over those columns, so
    SQLAlchemy compiles every criterion once, not twice in every profile's status. SQLite
    and PostgreSQL merge the inner layer into the outer one and run what they ran with the
    criteria written out (the same SQLite program, the same PostgreSQL plan for the heltid
    figures); an OFFSET 0 fence against the merge made neither faster (3 000 employees:
    25 ms figures, 27 ms trend, either way), so there is none."""
    f = facts(on, unit_ids, settings.exclusions, roster=roster).c
    left_out = [f[f"ex_{group.id}"] == 1 for group in settings.excluded]
    included = case((or_(*left_out), literal(0)), else_=literal(1)) if left_out else literal(1)
    criteria = criterion_columns(f, settings.profiles, settings.threshold)
    # A figure and, under most profiles, a criterion: one column for both.
    part_time_column = criteria.pop("part_time", None)
    if part_time_column is None:
        part_time_column = part_time(f.stilling, settings.threshold).label("part_time")
    if statuses_only:
        figures = [f.day, f.person_id, included.label("included"), f.mapped, f.stilling]
        figures.append(part_time_column)
        counted = []
    else:
        figures, counted = _figures(f, included, part_time_column), _counted(f, settings)
    answers = select(*figures, *counted, *criteria.values()).subquery("answers")
    a = answers.c
    columns = [
        *(a[column.name] for column in figures),
        *(
            case((a.mapped == 1, status(a, profile, settings.threshold)), else_=null()).label(
                f"st_{profile.id}"
            )
            for profile in settings.profiles
        ),
        *(a[column.name] for column in counted),
    ]
    return select(*columns).cte(name).prefix_with("MATERIALIZED")


def _figures(f, included, part_time_column) -> list:
    """The classified row's position and wish figures (ahead of the statuses)."""
    wants_more = and_(f.onsket_endring == "storre", f.onsket_prosent > f.stilling)
    wants_less = and_(f.onsket_endring == "mindre", f.onsket_prosent_mindre < f.stilling)
    return [
        f.day,
        f.person_id,
        f.unit_id,
        f.kjonn,
        f.yrkesgruppe,
        f.stilling,
        included.label("included"),
        f.mapped,
        bin_of(f.stilling).label("bin"),
        part_time_column,
        f.onsket_endring,
        case((wants_more, f.onsket_prosent - f.stilling), else_=literal(0.0)).label("extra"),
        case((wants_less, f.stilling - f.onsket_prosent_mindre), else_=literal(0.0)).label(
            "reduction"
        ),
    ]


def _counted(f, settings: Settings) -> list:
    """The classified row's willingness, reasons and exclusion flags (after the statuses)."""
    return [
        *(_willing(f, tiltak).label(f"w_{tiltak}") for tiltak in TILTAK),
        flex_ways(f).label("flex_ways"),
        *(f[f"arsak_{reason}"] for reason in REASONS),
        *(f[f"ex_{group.id}"] for group in settings.exclusions),
    ]
