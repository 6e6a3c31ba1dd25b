"""The definitions of ufrivillig deltid as SQL: one CASE expression per profile.

`survey.classification.classify` decides one record at a time in Python; a report over
100 000 people has to count in the database. Rather than classify each person in Python, or
each distinct combination of answers (the combinations of stillingsprosent, oppstart_uker and
a dozen choices grow nearly as fast as the people), every criterion of a profile is written
as an SQL expression from the profile's parameters, with SQL's NULL standing for "missing".
Three-valued logic then gives the same MET / FAILED / MISSING outcomes as `classify()`, and the
status follows the same order of rules. tests/reports/test_sql_and_rendering.py checks the
two against each other on generated records for every profile and heltid threshold.

Expressions read the typed columns of the `facts` rows built in `survey.reporting.facts`."""

from __future__ import annotations

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


def criteria(f, profile: Profile, threshold: HeltidThreshold) -> list:
    """One 1/0/NULL expression per criterion the profile asks for, in classify()'s order."""
    p = profile.parameters
    found = []
    change = choice(f.onsket_endring, ("storre",), ("mindre", "samme"))
    if p.requires_part_time:
        found.append(part_time(f.stilling, threshold))
    if p.requires_permanent:
        found.append(choice(f.ansettelsesform, ("fast",), ("midlertidig",)))
    if p.requires_wants_larger:
        found.append(change)
    if p.requires_wants_larger_permanent:
        found.append(
            case((change.is_(None), null()), (change == 0, literal(0)), else_=f.onsket_fast)
        )
    if p.requires_wish_in_writing:
        found.append(f.onske_skriftlig)
    if p.start_within_weeks is not None:
        start = case(
            (f.oppstart_uker.is_(None), null()),
            (f.oppstart_uker <= p.start_within_weeks, literal(1)),
            else_=literal(0),
        )
        if "venter_barnehageplass" in p.exceptions:
            start = case((f.venter_barnehageplass == 1, literal(1)), else_=start)
        found.append(start)
    if p.requires_other_workplace_or_arrangement:
        found.append(accepts_other_workplace(f))
        found.append(_any_met([accepts_more_weekends(f), f.villig_langvakter, f.ubundet_tid]))
    if p.requires_across_units:
        found.append(accepts_other_workplace(f))
    if p.requires_qualified:
        found.append(f.kvalifisert)
    if p.requires_tried_more_hours:
        found.append(f.forsokt_flere_timer)
    if p.minimum_flex_count > 0:
        answers = [_flex_answer(f, item) for item in p.flex_items]
        met = _sum([case((a == 1, literal(1)), else_=literal(0)) for a in answers])
        unknown = _sum([case((a.is_(None), literal(1)), else_=literal(0)) for a in answers])
        found.append(
            case(
                (met >= p.minimum_flex_count, literal(1)),
                (met + unknown < p.minimum_flex_count, literal(0)),
                else_=null(),
            )
        )
    if p.position_threshold is not None:
        found.append(
            case(
                (f.stilling.is_(None), null()),
                (f.stilling < p.position_threshold, literal(1)),
                else_=literal(0),
            )
        )
    return found


def status(f, profile: Profile, threshold: HeltidThreshold):
    """The status code (FULL_TIME … NOT_ENOUGH_DATA) under `profile`, as classify() decides."""
    requires_part_time = profile.parameters.requires_part_time
    full_time = f.stilling >= 100
    if requires_part_time:
        full_time = or_(full_time, is_heltid(f.stilling, threshold))
    whens = [(and_(f.stilling.is_not(None), full_time), literal(FULL_TIME))]
    if requires_part_time:
        whens.append((f.stilling.is_(None), literal(NOT_ENOUGH_DATA)))
    outcomes = criteria(f, profile, threshold)
    if outcomes:
        whens.append((or_(*(o == 0 for o in outcomes)), literal(VOLUNTARY)))
        whens.append((or_(*(o.is_(None) for o in outcomes)), literal(NOT_ENOUGH_DATA)))
    return case(*whens, else_=literal(INVOLUNTARY))
