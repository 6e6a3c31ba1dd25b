"""Classifying one person's answers as full time, voluntary or involuntary part time.

A record is a flat mapping of the field names of `questionnaires/heltid-arlig.yaml` to answers
as the engine stores them (yes_no 'yes'/'no', select_one str, select_multiple list, percent
float), plus three optional fields the questionnaire does not ask: `kvalifisert` (yes/no: the
employer's judgement of whether the person is qualified for a larger position),
`venter_barnehageplass` (yes/no) and `tar_ledige_vakter` (yes/no). `leder` (yes/no) is only read
by the population exclusions.

How answers meet the criteria a profile asks for (a criterion is "missing" when the answers
needed for it are absent or not understood):

- part_time: `stillingsprosent` is under the heltid threshold. Heltid under the threshold, or
  100 % and more under any profile, gives the status full_time.
- permanent: `ansettelsesform` = fast (midlertidig fails).
- wants_larger: `onsket_endring` = storre (mindre or samme fails).
- wants_larger_permanent: `onsket_endring` = storre and `onsket_fast` = yes.
- wish_in_writing: `onske_skriftlig` = yes.
- start_within: `oppstart_uker` <= start_within_weeks. With the venter_barnehageplass exception
  (Surnadal), `venter_barnehageplass` = yes meets it whatever the delay.
- other_workplace (Drammen, Hamar): `villig_andre_enheter` in {annen_enhet, bemanningspool,
  kombijobbing}; nei and samme_avdeling (another department of one's own unit) fail.
- other_working_time (Drammen, Hamar): accepts at least one other working-time arrangement:
  `villig_helger` other than som_na, `villig_langvakter` = yes or `ubundet_tid` = yes.
  Drammen asks the person to accept an offer "selv om det kan innebære endret arbeidssted
  og/eller andre arbeidstidsordninger" (003:458-463): the offer may bring either or both, so
  the person must accept both, and the parameter requires_other_workplace_or_arrangement asks
  for other_workplace and other_working_time. `andre_vakter` is not read: the questionnaire
  does not ask which shifts a person works now, so it cannot tell what "other" shifts are.
- across_units (Surnadal): `villig_andre_enheter` in {annen_enhet, bemanningspool,
  kombijobbing}, as for other_workplace.
- qualified: `kvalifisert` = yes. `fagbrev` is not read: a wish to take a fagbrev does not make
  a person qualified today.
- tried_more_hours (SSB): `forsokt_flere_timer` = yes.
- flexible (Songdalen): at least minimum_flex_count of the profile's flex_items:
  flere_helger = `villig_helger` other than som_na; langvakter = `villig_langvakter` = yes;
  kombijobbing = `villig_andre_enheter` in {annen_enhet, bemanningspool, kombijobbing};
  ubundet_tid = `ubundet_tid` = yes; ledige_vakter = `tar_ledige_vakter` = yes.
- position_under: `stillingsprosent` < position_threshold.

The status: full_time as above; otherwise voluntary when any criterion failed, not_enough_data
when none failed but one is missing (a person whose stillingsprosent is missing is always
not_enough_data: they may be full time), and involuntary when all are met. The questionnaire
asks the follow-up questions only of those who want a larger position, so a person who does
not is voluntary without them.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from survey.classification.definitions import ExclusionGroup, HeltidThreshold, Profile
from survey.engine.definition import Text

FULL_TIME = "full_time"
VOLUNTARY = "voluntary"
INVOLUNTARY = "involuntary"
NOT_ENOUGH_DATA = "not_enough_data"
STATUSES = (FULL_TIME, VOLUNTARY, INVOLUNTARY, NOT_ENOUGH_DATA)

MET = "met"
FAILED = "failed"
MISSING = "missing"

OTHER_WORKPLACE_ANSWERS = frozenset({"annen_enhet", "bemanningspool", "kombijobbing"})
_OWN_WORKPLACE_ANSWERS = frozenset({"nei", "samme_avdeling"})
_MORE_WEEKENDS_ANSWERS = frozenset({"hinkehelg", "hver_3", "oftere"})


class CriterionResult(NamedTuple):
    id: str
    label: Text
    outcome: str  # MET, FAILED or MISSING


@dataclass(frozen=True)
class Classification:
    profile_id: str
    status: str
    criteria: tuple[CriterionResult, ...]

    def outcome(self, criterion_id: str) -> str | None:
        """The outcome of one criterion, None when the profile does not ask for it."""
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion.outcome
        return None


# --- reading answers ------------------------------------------------------------------------


def _yes_no(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    return {"yes": True, "no": False}.get(value) if isinstance(value, str) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _choice(value: Any, yes: Collection[str], no: Collection[str]) -> bool | None:
    if not isinstance(value, str):
        return None
    if value in yes:
        return True
    if value in no:
        return False
    return None


def _outcome(answer: bool | None) -> str:
    if answer is None:
        return MISSING
    return MET if answer else FAILED


def _any(outcomes: Sequence[str]) -> str:
    if MET in outcomes:
        return MET
    return MISSING if MISSING in outcomes else FAILED


def _accepts_other_workplace(record: Mapping[str, Any]) -> bool | None:
    return _choice(
        record.get("villig_andre_enheter"), OTHER_WORKPLACE_ANSWERS, _OWN_WORKPLACE_ANSWERS
    )


def _accepts_more_weekends(record: Mapping[str, Any]) -> bool | None:
    return _choice(record.get("villig_helger"), _MORE_WEEKENDS_ANSWERS, frozenset({"som_na"}))


_FLEX_ANSWERS = {
    "flere_helger": _accepts_more_weekends,
    "langvakter": lambda record: _yes_no(record.get("villig_langvakter")),
    "kombijobbing": _accepts_other_workplace,
    "ubundet_tid": lambda record: _yes_no(record.get("ubundet_tid")),
    "ledige_vakter": lambda record: _yes_no(record.get("tar_ledige_vakter")),
}


def _texts(nb: str, nn: str, en: str) -> Text:
    return Text({"nb": nb, "nn": nn, "en": en})


def _percent(value: float) -> str:
    return f"{value:g}".replace(".", ",")


# --- criteria -------------------------------------------------------------------------------


def _part_time(stilling: float | None, threshold: HeltidThreshold) -> CriterionResult:
    value = _percent(threshold.value)
    if threshold.operator == ">":
        label = _texts(
            f"Jobber deltid (heltid er over {value} %)",
            f"Jobbar deltid (heltid er over {value} %)",
            f"Works part time (full time is over {value} %)",
        )
    else:
        label = _texts(
            f"Jobber deltid (heltid er minst {value} %)",
            f"Jobbar deltid (heltid er minst {value} %)",
            f"Works part time (full time is at least {value} %)",
        )
    answer = None if stilling is None else not threshold.is_heltid(stilling)
    return CriterionResult("part_time", label, _outcome(answer))


def _start_within(
    record: Mapping[str, Any], weeks: float, exceptions: Sequence[str]
) -> CriterionResult:
    label = _texts(
        f"Kan begynne i større stilling innen {_percent(weeks)} uker",
        f"Kan byrje i større stilling innan {_percent(weeks)} veker",
        f"Can start in a larger position within {_percent(weeks)} weeks",
    )
    if "venter_barnehageplass" in exceptions:
        label = _texts(
            f"{label.get('nb')} (venting på barnehageplass teller ikke imot)",
            f"{label.get('nn')} (venting på barnehageplass tel ikkje imot)",
            f"{label.get('en')} (waiting for a kindergarten place does not count against it)",
        )
        if _yes_no(record.get("venter_barnehageplass")):
            return CriterionResult("start_within", label, MET)
    start = _number(record.get("oppstart_uker"))
    return CriterionResult(
        "start_within", label, _outcome(None if start is None else start <= weeks)
    )


def _flexible(record: Mapping[str, Any], minimum: int, items: Sequence[str]) -> CriterionResult:
    label = _texts(
        f"Kan jobbe mer på minst {minimum} måter (helger, langvakter, kombijobbing, "
        "ubundet tid, ledige vakter)",
        f"Kan jobbe meir på minst {minimum} måtar (helgar, langvakter, kombijobbing, "
        "ubunden tid, ledige vakter)",
        f"Open to at least {minimum} ways of working more (weekends, long shifts, two units, "
        "unscheduled time, vacant shifts)",
    )
    answers = [_FLEX_ANSWERS[item](record) for item in items]
    met = answers.count(True)
    if met >= minimum:
        outcome = MET
    elif met + answers.count(None) < minimum:
        outcome = FAILED
    else:
        outcome = MISSING
    return CriterionResult("flexible", label, outcome)


def _criteria(
    record: Mapping[str, Any], profile: Profile, threshold: HeltidThreshold, stilling: float | None
) -> list[CriterionResult]:
    parameters = profile.parameters
    criteria: list[CriterionResult] = []

    def add(criterion_id: str, answer: bool | None, nb: str, nn: str, en: str) -> None:
        criteria.append(CriterionResult(criterion_id, _texts(nb, nn, en), _outcome(answer)))

    if parameters.requires_part_time:
        criteria.append(_part_time(stilling, threshold))
    if parameters.requires_permanent:
        answer = _choice(record.get("ansettelsesform"), {"fast"}, {"midlertidig"})
        add("permanent", answer, "Fast ansatt", "Fast tilsett", "Permanent employee")
    change = _choice(record.get("onsket_endring"), {"storre"}, {"mindre", "samme"})
    if parameters.requires_wants_larger:
        add(
            "wants_larger",
            change,
            "Ønsker større stilling",
            "Ønskjer større stilling",
            "Wants a larger position",
        )
    if parameters.requires_wants_larger_permanent:
        answer = change and _yes_no(record.get("onsket_fast"))
        add(
            "wants_larger_permanent",
            answer,
            "Ønsker større fast stilling",
            "Ønskjer større fast stilling",
            "Wants a larger permanent position",
        )
    if parameters.requires_wish_in_writing:
        add(
            "wish_in_writing",
            _yes_no(record.get("onske_skriftlig")),
            "Har gitt ønsket om større stilling skriftlig",
            "Har skriftleggjort ønsket om større stilling",
            "Has put the wish for a larger position in writing",
        )
    if parameters.start_within_weeks is not None:
        criteria.append(_start_within(record, parameters.start_within_weeks, parameters.exceptions))
    if parameters.requires_other_workplace_or_arrangement:
        add(
            "other_workplace",
            _accepts_other_workplace(record),
            "Tar imot tilbud selv om det er et annet arbeidssted",
            "Tek imot tilbod sjølv om det er ein annan arbeidsstad",
            "Accepts an offer even at another workplace",
        )
        other_arrangement = _any(
            [
                _outcome(_accepts_more_weekends(record)),
                _outcome(_yes_no(record.get("villig_langvakter"))),
                _outcome(_yes_no(record.get("ubundet_tid"))),
            ]
        )
        label = _texts(
            "Tar imot tilbud selv om det er en annen arbeidstidsordning "
            "(flere helger, langvakter eller ubundet tid)",
            "Tek imot tilbod sjølv om det er ei anna arbeidstidsordning "
            "(fleire helgar, langvakter eller ubunden tid)",
            "Accepts an offer even with other working hours "
            "(more weekends, long shifts or unscheduled time)",
        )
        criteria.append(CriterionResult("other_working_time", label, other_arrangement))
    if parameters.requires_across_units:
        add(
            "across_units",
            _accepts_other_workplace(record),
            "Vil bytte arbeidssted eller jobbe på tvers av enheter",
            "Vil endre arbeidsstad eller arbeide på tvers av einingar",
            "Willing to change workplace or work across units",
        )
    if parameters.requires_qualified:
        add(
            "qualified",
            _yes_no(record.get("kvalifisert")),
            "Er kvalifisert for større stilling",
            "Er kvalifisert for større stilling",
            "Is qualified for a larger position",
        )
    if parameters.requires_tried_more_hours:
        add(
            "tried_more_hours",
            _yes_no(record.get("forsokt_flere_timer")),
            "Har prøvd å få flere timer",
            "Har prøvd å få fleire timar",
            "Has tried to get more hours",
        )
    if parameters.minimum_flex_count > 0:
        criteria.append(_flexible(record, parameters.minimum_flex_count, parameters.flex_items))
    if parameters.position_threshold is not None:
        limit = _percent(parameters.position_threshold)
        add(
            "position_under",
            None if stilling is None else stilling < parameters.position_threshold,
            f"Har stilling under {limit} %",
            f"Har stilling under {limit} %",
            f"Has a position under {limit} %",
        )
    return criteria


def classify(
    record: Mapping[str, Any],
    profile: Profile,
    *,
    heltid_threshold: HeltidThreshold | str | float,
) -> Classification:
    """One person's status under one profile, with the outcome of each criterion.

    `heltid_threshold` is a HeltidThreshold or its text: 100, ">= 80", "> 90".
    """
    threshold = HeltidThreshold.parse(heltid_threshold)
    stilling = _number(record.get("stillingsprosent"))
    criteria = tuple(_criteria(record, profile, threshold, stilling))
    outcomes = {criterion.outcome for criterion in criteria}
    full_time = stilling is not None and (
        stilling >= 100 or (profile.parameters.requires_part_time and threshold.is_heltid(stilling))
    )
    if full_time:
        status = FULL_TIME
    elif stilling is None and profile.parameters.requires_part_time:
        status = NOT_ENOUGH_DATA
    elif FAILED in outcomes:
        status = VOLUNTARY
    elif MISSING in outcomes:
        status = NOT_ENOUGH_DATA
    else:
        status = INVOLUNTARY
    return Classification(profile.id, status, criteria)


# --- side by side ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileCounts:
    profile: Profile
    counts: Mapping[str, int]  # every status in STATUSES, zeros included

    def __getitem__(self, status: str) -> int:
        return self.counts[status]


@dataclass(frozen=True)
class ComparisonTable:
    """How many people each profile puts in each status, over the same population."""

    heltid_threshold: HeltidThreshold
    n: int  # the records counted, after exclusions
    excluded: Mapping[str, int]  # per exclusion group; a person in two groups is in both
    excluded_total: int
    rows: tuple[ProfileCounts, ...]

    def __getitem__(self, profile_id: str) -> ProfileCounts:
        for row in self.rows:
            if row.profile.id == profile_id:
                return row
        raise KeyError(profile_id)


def classify_many(
    records: Iterable[Mapping[str, Any]],
    profiles: Iterable[Profile],
    heltid_threshold: HeltidThreshold | str | float,
    *,
    exclude: Iterable[ExclusionGroup] = (),
) -> ComparisonTable:
    """Counts per status for each profile, leaving out records in any of the `exclude` groups."""
    threshold = HeltidThreshold.parse(heltid_threshold)
    groups = tuple(exclude)
    excluded = dict.fromkeys((group.id for group in groups), 0)
    counted: list[Mapping[str, Any]] = []
    total = 0
    for record in records:
        total += 1
        matched = [group for group in groups if group.matches(record)]
        for group in matched:
            excluded[group.id] += 1
        if not matched:
            counted.append(record)
    rows = []
    for profile in profiles:
        counts = dict.fromkeys(STATUSES, 0)
        for record in counted:
            counts[classify(record, profile, heltid_threshold=threshold).status] += 1
        rows.append(ProfileCounts(profile, counts))
    return ComparisonTable(threshold, len(counted), excluded, total - len(counted), tuple(rows))
