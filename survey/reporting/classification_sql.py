"""The definitions of ufrivillig deltid as SQL: a column per criterion, a CASE per profile.

`survey.classification.classify` decides one record at a time in Python; a report over
100 000 people has to count in the database. Rather than classify each person in Python, or
each distinct combination of answers (the combinations of stillingsprosent, oppstart_uker and
a dozen choices grow nearly as fast as the people), every criterion of a profile is written
as an SQL expression from the profile's parameters, with SQL's NULL standing for "missing".
Three-valued logic then gives the same MET / FAILED / MISSING outcomes as `classify()`, and the
status follows the same order of rules. tests/reports/test_sql_and_rendering.py checks the
two against each other on generated records for every profile and heltid threshold.

Each distinct criterion is one column (`criterion_columns`), named after what it tests, so
profiles that ask the same share it; each profile's status (`status`) is a short CASE over
those columns. Written out in full in every status instead, twice each (`= 0` and
`IS NULL`), the criteria made the statuses 7,8 KB of SQL in each of the heltid report's two
statements (now 3,0 KB), which SQLAlchemy compiles again in every new process (the `survey
report` command is one). The criterion columns read the typed columns of the `facts` rows
built in `survey.reporting.facts`; `survey.reporting.facts.classified` puts them in a layer
under the statuses."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import and_, case, func, literal, null, or_

from survey.classification import HeltidThreshold, Profile
from survey.classification.classify import OTHER_WORKPLACE_ANSWERS
from survey.classification.definitions import FLEX_ITEMS

# Status codes stored in the classified rows (small integers group and sum fast).
FULL_TIME, VOLUNTARY, INVOLUNTARY, NOT_ENOUGH_DATA = 0, 1, 2, 3
STATUS_CODES = {
    "full_time": FULL_TIME,
    "voluntary": VOLUNTARY,
    "involuntary": INVOLUNTARY,
    "not_enough_data": NOT_ENOUGH_DATA,
}
OWN_WORKPLACE_ANSWERS = ("nei", "samme_avdeling")
MORE_WEEKENDS_ANSWERS = ("hinkehelg", "hver_3", "oftere")


def choice(column, yes, no):
    """1 when the answer is one of `yes`, 0 when one of `no`, NULL otherwise."""
    return case((column.in_(sorted(yes)), literal(1)), (column.in_(sorted(no)), literal(0)))


def is_heltid(stilling, threshold: HeltidThreshold):
    return stilling > threshold.value if threshold.operator == ">" else stilling >= threshold.value


def part_time(stilling, threshold: HeltidThreshold):
    return case(
        (stilling.is_(None), null()), (is_heltid(stilling, threshold), literal(0)), else_=literal(1)
    )


def accepts_other_workplace(f):
    return choice(f.villig_andre_enheter, OTHER_WORKPLACE_ANSWERS, OWN_WORKPLACE_ANSWERS)


def accepts_more_weekends(f):
    return choice(f.villig_helger, MORE_WEEKENDS_ANSWERS, ("som_na",))


def _flex_answer(f, item: str):
    return {
        "flere_helger": lambda: accepts_more_weekends(f),
        "langvakter": lambda: f.villig_langvakter,
        "kombijobbing": lambda: accepts_other_workplace(f),
        "ubundet_tid": lambda: f.ubundet_tid,
        "ledige_vakter": lambda: f.tar_ledige_vakter,
    }[item]()


def _sum(expressions):
    total = expressions[0]
    for expression in expressions[1:]:
        total = total + expression
    return total


def flex_ways(f):
    """In how many of the ways Songdalen measured flexibility by (FLEX_ITEMS: more weekends,
    long shifts, other units or kombijobbing, ubundet tid, vacant shifts; 003:1265-1270) the
    person is willing to work more: answers of yes, 0 to 5; unanswered counts as not."""
    return _sum([func.coalesce(_flex_answer(f, item), literal(0)) for item in FLEX_ITEMS])


def _any_met(outcomes):
    """classify._any: MET if one is met, else MISSING if one is missing, else FAILED."""
    return case(
        (or_(*(o == 1 for o in outcomes)), literal(1)),
        (or_(*(o.is_(None) for o in outcomes)), null()),
        else_=literal(0),
    )


def _number_name(value: float) -> str:
    """A number as part of a column name, exactly: 13 -> "13", 12.5 -> "12_5"."""
    text = f"{value:g}"
    if float(text) != value:
        text = repr(float(value))
    return text.replace(".", "_").replace("-", "_")


def criteria(profile: Profile, threshold: HeltidThreshold) -> dict[str, Callable]:
    """The criteria the profile asks for, in classify()'s order: a column name that says
    what the criterion tests (with its parameters) -> the 1/0/NULL expression on the facts
    columns. Profiles that test the same thing get the same name, so `criterion_columns`
    writes it once; across_units tests what other_workplace does."""
    p = profile.parameters
    found: dict[str, Callable] = {}
    if p.requires_part_time:
        found["part_time"] = lambda f: part_time(f.stilling, threshold)
    if p.requires_permanent:
        found["permanent"] = lambda f: choice(f.ansettelsesform, ("fast",), ("midlertidig",))
    if p.requires_wants_larger:
        found["wants_larger"] = _wants_larger
    if p.requires_wants_larger_permanent:
        found["wants_larger_permanent"] = _wants_larger_permanent
    if p.requires_wish_in_writing:
        found["wish_in_writing"] = lambda f: f.onske_skriftlig
    if p.start_within_weeks is not None:
        name = f"start_within_{_number_name(p.start_within_weeks)}"
        waiting = "venter_barnehageplass" in p.exceptions
        if waiting:
            name += "_or_waiting"
        found[name] = lambda f: _start_within(f, p.start_within_weeks, waiting)
    if p.requires_other_workplace_or_arrangement:
        found["other_workplace"] = accepts_other_workplace
        found["other_working_time"] = _other_working_time
    if p.requires_across_units:
        found["other_workplace"] = accepts_other_workplace
    if p.requires_qualified:
        found["qualified"] = lambda f: f.kvalifisert
    if p.requires_tried_more_hours:
        found["tried_more_hours"] = lambda f: f.forsokt_flere_timer
    if p.minimum_flex_count > 0:
        # The items by their place in FLEX_ITEMS: with their names, all five would not fit in
        # PostgreSQL's 63 characters.
        items = "".join(str(FLEX_ITEMS.index(item)) for item in p.flex_items)
        found[f"flexible_{p.minimum_flex_count}_of_{items}"] = lambda f: _flexible(
            f, p.minimum_flex_count, p.flex_items
        )
    if p.position_threshold is not None:
        found[f"position_under_{_number_name(p.position_threshold)}"] = lambda f: case(
            (f.stilling.is_(None), null()),
            (f.stilling < p.position_threshold, literal(1)),
            else_=literal(0),
        )
    return found


def _wants_larger(f):
    return choice(f.onsket_endring, ("storre",), ("mindre", "samme"))


def _wants_larger_permanent(f):
    change = _wants_larger(f)
    return case((change.is_(None), null()), (change == 0, literal(0)), else_=f.onsket_fast)


def _start_within(f, weeks: float, waiting_counts: bool):
    start = case(
        (f.oppstart_uker.is_(None), null()),
        (f.oppstart_uker <= weeks, literal(1)),
        else_=literal(0),
    )
    if waiting_counts:
        start = case((f.venter_barnehageplass == 1, literal(1)), else_=start)
    return start


def _other_working_time(f):
    return _any_met([accepts_more_weekends(f), f.villig_langvakter, f.ubundet_tid])


def _flexible(f, minimum: int, items: Sequence[str]):
    answers = [_flex_answer(f, item) for item in items]
    met = _sum([case((a == 1, literal(1)), else_=literal(0)) for a in answers])
    unknown = _sum([case((a.is_(None), literal(1)), else_=literal(0)) for a in answers])
    return case(
        (met >= minimum, literal(1)),
        (met + unknown < minimum, literal(0)),
        else_=null(),
    )


def criterion_columns(f, profiles: Iterable[Profile], threshold: HeltidThreshold) -> dict:
    """Every criterion the profiles ask for, once: name -> labelled 1/0/NULL expression on
    the facts columns `f`, for the layer under `status`."""
    found = {}
    for profile in profiles:
        for name, outcome in criteria(profile, threshold).items():
            if name not in found:
                found[name] = outcome(f).label(name)
    return found


def status(c, profile: Profile, threshold: HeltidThreshold):
    """The status code (FULL_TIME … NOT_ENOUGH_DATA) under `profile`, as classify() decides,
    from `c`: the stillingsprosent and the `criterion_columns` of the profiles."""
    requires_part_time = profile.parameters.requires_part_time
    full_time = c.stilling >= 100
    if requires_part_time:
        full_time = or_(full_time, is_heltid(c.stilling, threshold))
    whens = [(and_(c.stilling.is_not(None), full_time), literal(FULL_TIME))]
    if requires_part_time:
        whens.append((c.stilling.is_(None), literal(NOT_ENOUGH_DATA)))
    outcomes = [c[name] for name in criteria(profile, threshold)]
    if outcomes:
        whens.append((or_(*(o == 0 for o in outcomes)), literal(VOLUNTARY)))
        whens.append((or_(*(o.is_(None) for o in outcomes)), literal(NOT_ENOUGH_DATA)))
    return case(*whens, else_=literal(INVOLUNTARY))
