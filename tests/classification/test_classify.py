"""Classifying answers under each definition of ufrivillig deltid, one by one and side by side."""

from __future__ import annotations

import pytest

from survey.classification import (
    FAILED,
    FULL_TIME,
    INVOLUNTARY,
    MET,
    MISSING,
    NOT_ENOUGH_DATA,
    VOLUNTARY,
    classify,
    classify_many,
    load_definitions,
)

DEFINITIONS = load_definitions()


def profile(profile_id):
    return DEFINITIONS.profile(profile_id)


def strict_involuntary(**changes):
    """Answers that meet every criterion of every shipped profile; `changes` override them."""
    record = {
        "enhet": "hjemmetjenesten",
        "yrkesgruppe": "helsefagarbeider",
        "stillingsprosent": 62.5,
        "ansettelsesform": "fast",
        "fornoyd_storrelse": "no",
        "onsket_endring": "storre",
        "onsket_prosent": 100.0,
        "onsket_fast": "yes",
        "villig_helger": "hver_3",
        "villig_langvakter": "yes",
        "villig_andre_enheter": "annen_enhet",
        "andre_vakter": ["dag", "kveld"],
        "ubundet_tid": "yes",
        "oppstart_uker": 2,
        "onske_skriftlig": "yes",
        "forsokt_flere_timer": "yes",
        "arsaker_deltid": ["ikke_tilbudt"],
        "kvalifisert": "yes",
    }
    record.update(changes)
    return {key: value for key, value in record.items() if value is not None}


def status(record, profile_id, threshold=100):
    return classify(record, profile(profile_id), heltid_threshold=threshold).status


def outcome(record, profile_id, criterion_id, threshold=100):
    result = classify(record, profile(profile_id), heltid_threshold=threshold)
    return result.outcome(criterion_id)


def test_the_shipped_file_has_the_six_profiles():
    ids = [p.id for p in DEFINITIONS.profiles]
    assert ids == ["selvrapportert", "drammen", "surnadal", "hamar", "ssb", "songdalen"]
    for p in DEFINITIONS.profiles:
        assert {p.names.get(lang) for lang in ("nb", "nn", "en")} != {""}
        assert p.source
    assert [str(t) for t in DEFINITIONS.heltid_thresholds] == [">= 100", ">= 80", "> 90"]
    assert {g.id for g in DEFINITIONS.exclusions} == {
        "studenter",
        "ledere",
        "midlertidige",
        "jobb_annet_sted",
        "pensjonister",
    }


@pytest.mark.parametrize(
    "profile_id", ["selvrapportert", "drammen", "surnadal", "hamar", "ssb", "songdalen"]
)
def test_someone_meeting_everything_is_involuntary_under_every_profile(profile_id):
    result = classify(strict_involuntary(), profile(profile_id), heltid_threshold=100)
    assert result.status == INVOLUNTARY
    assert {criterion.outcome for criterion in result.criteria} == {MET}
    for criterion in result.criteria:
        assert criterion.label.get("nb") and criterion.label.get("nn") and criterion.label.get("en")


@pytest.mark.parametrize(
    "profile_id", ["selvrapportert", "drammen", "surnadal", "hamar", "ssb", "songdalen"]
)
def test_wanting_the_same_or_smaller_is_voluntary_without_follow_up_answers(profile_id):
    # The questionnaire asks the follow-up pages only of those who want a larger position.
    for change in ("samme", "mindre"):
        record = {"stillingsprosent": 50, "ansettelsesform": "fast", "onsket_endring": change}
        result = classify(record, profile(profile_id), heltid_threshold=100)
        assert result.status == VOLUNTARY
        assert result.outcome("wants_larger") == FAILED


def test_selvrapportert_needs_only_part_time_and_a_wish_for_more():
    record = {"stillingsprosent": 40, "onsket_endring": "storre"}
    result = classify(record, profile("selvrapportert"), heltid_threshold=100)
    assert result.status == INVOLUNTARY
    assert [c.id for c in result.criteria] == ["part_time", "wants_larger"]


@pytest.mark.parametrize(
    ("change", "criterion", "expected_status"),
    [
        ({"kvalifisert": "no"}, "qualified", VOLUNTARY),
        ({"kvalifisert": None}, "qualified", NOT_ENOUGH_DATA),
        ({"oppstart_uker": 14}, "start_within", VOLUNTARY),
        ({"oppstart_uker": 13}, "start_within", INVOLUNTARY),
        ({"villig_andre_enheter": "nei"}, "other_workplace", VOLUNTARY),
        ({"villig_andre_enheter": "samme_avdeling"}, "other_workplace", VOLUNTARY),
        ({"villig_andre_enheter": "bemanningspool"}, "other_workplace", INVOLUNTARY),
        ({"villig_andre_enheter": "kombijobbing"}, "other_workplace", INVOLUNTARY),
        (
            {"villig_helger": "som_na", "villig_langvakter": "no", "ubundet_tid": "no"},
            "other_working_time",
            VOLUNTARY,
        ),
        (
            {"villig_helger": "som_na", "villig_langvakter": "yes", "ubundet_tid": "no"},
            "other_working_time",
            INVOLUNTARY,
        ),
    ],
)
def test_drammen_criteria(change, criterion, expected_status):
    record = strict_involuntary(**change)
    assert status(record, "drammen") == expected_status
    expected_outcome = {INVOLUNTARY: MET, VOLUNTARY: FAILED, NOT_ENOUGH_DATA: MISSING}
    assert outcome(record, "drammen", criterion) == expected_outcome[expected_status]


def test_drammen_effect_half_of_the_self_reported_become_voluntary():
    # 003:458-466: half of those who called themselves involuntary in Drammen's 2010 survey
    # were voluntary under the strict definition.
    meets_drammen = [strict_involuntary(oppstart_uker=week % 13) for week in range(10)]
    starts_too_late = [strict_involuntary(oppstart_uker=26) for _ in range(5)]
    only_own_unit = [strict_involuntary(villig_andre_enheter="nei") for _ in range(5)]
    group = meets_drammen + starts_too_late + only_own_unit

    table = classify_many(group, [profile("selvrapportert"), profile("drammen")], 100)

    assert table.n == 20
    assert table["selvrapportert"][INVOLUNTARY] == 20
    assert table["drammen"][INVOLUNTARY] == 10
    assert table["drammen"][VOLUNTARY] == 10


def test_hamar_is_drammen_without_a_time_limit():
    drammen, hamar = profile("drammen").parameters, profile("hamar").parameters
    assert drammen.start_within_weeks == 13
    assert hamar.start_within_weeks is None
    assert hamar == profile("drammen").with_parameters(start_within_weeks=None).parameters

    starts_in_a_year = strict_involuntary(oppstart_uker=52)
    assert status(starts_in_a_year, "drammen") == VOLUNTARY
    assert status(starts_in_a_year, "hamar") == INVOLUNTARY
    assert outcome(starts_in_a_year, "hamar", "start_within") is None
    assert status(strict_involuntary(villig_andre_enheter="nei"), "hamar") == VOLUNTARY


@pytest.mark.parametrize(
    ("change", "criterion"),
    [
        ({"ansettelsesform": "midlertidig"}, "permanent"),
        ({"onsket_fast": "no"}, "wants_larger_permanent"),
        ({"onske_skriftlig": "no"}, "wish_in_writing"),
        ({"oppstart_uker": 5}, "start_within"),
        ({"villig_andre_enheter": "nei"}, "across_units"),
        ({"villig_andre_enheter": "samme_avdeling"}, "across_units"),
    ],
)
def test_surnadal_criteria_each_fail_alone(change, criterion):
    record = strict_involuntary(**change)
    result = classify(record, profile("surnadal"), heltid_threshold=100)
    assert result.status == VOLUNTARY
    assert [c.id for c in result.criteria if c.outcome == FAILED] == [criterion]


def test_surnadal_waiting_for_barnehageplass_does_not_count_against_starting_in_time():
    waiting = strict_involuntary(oppstart_uker=12, venter_barnehageplass="yes")
    assert status(waiting, "surnadal") == INVOLUNTARY
    assert outcome(waiting, "surnadal", "start_within") == MET
    label = classify(waiting, profile("surnadal"), heltid_threshold=100).criteria
    assert "barnehageplass" in next(c for c in label if c.id == "start_within").label.get("nb")

    not_waiting = strict_involuntary(oppstart_uker=12, venter_barnehageplass="no")
    assert status(not_waiting, "surnadal") == VOLUNTARY
    # The exception is Surnadal's: other profiles with a time limit still count the delay.
    assert status(strict_involuntary(oppstart_uker=26, venter_barnehageplass="yes"), "ssb") == (
        VOLUNTARY
    )


def test_ssb_needs_tried_more_hours_and_start_within_a_month():
    assert status(strict_involuntary(forsokt_flere_timer="no"), "ssb") == VOLUNTARY
    assert status(strict_involuntary(oppstart_uker=4), "ssb") == INVOLUNTARY
    assert status(strict_involuntary(oppstart_uker=5), "ssb") == VOLUNTARY
    assert status(strict_involuntary(forsokt_flere_timer=None), "ssb") == NOT_ENOUGH_DATA
    # SSB asks nothing about other units or writing.
    assert status(strict_involuntary(villig_andre_enheter="nei", onske_skriftlig="no"), "ssb") == (
        INVOLUNTARY
    )


INFLEXIBLE = {
    "villig_helger": "som_na",
    "villig_langvakter": "no",
    "villig_andre_enheter": "nei",
    "ubundet_tid": "no",
    "tar_ledige_vakter": "no",
}


def test_songdalen_does_not_ask_for_flexibility():
    """Songdalen counts part-timers who, in the conversation, want a larger position
    (003:855-866); that 95 % of them turned out to be flexible in two or more ways
    (003:1265-1270) is a finding the heltid report shows, not a criterion (issue #10, 15)."""
    inflexible = strict_involuntary(**INFLEXIBLE)
    result = classify(inflexible, profile("songdalen"), heltid_threshold=100)
    assert result.status == INVOLUNTARY
    assert "flexible" not in [criterion.id for criterion in result.criteria]
    unanswered = strict_involuntary(**dict.fromkeys(INFLEXIBLE))
    assert status(unanswered, "songdalen") == INVOLUNTARY


# A municipality may still make flexibility a criterion of its own profile.
WITH_FLEX_COUNT = {"minimum_flex_count": 2}


@pytest.mark.parametrize(
    ("flexible_on", "expected"),
    [
        ({}, VOLUNTARY),
        ({"villig_langvakter": "yes"}, VOLUNTARY),
        ({"villig_langvakter": "yes", "ubundet_tid": "yes"}, INVOLUNTARY),
        ({"villig_helger": "hinkehelg", "villig_andre_enheter": "kombijobbing"}, INVOLUNTARY),
        ({"tar_ledige_vakter": "yes", "villig_helger": "oftere"}, INVOLUNTARY),
        ({"villig_andre_enheter": "samme_avdeling", "ubundet_tid": "yes"}, VOLUNTARY),
    ],
)
def test_a_flex_count_needs_flexibility_on_at_least_two(flexible_on, expected):
    record = strict_involuntary(**{**INFLEXIBLE, **flexible_on})
    flexible = profile("songdalen").with_parameters(**WITH_FLEX_COUNT)
    assert classify(record, flexible, heltid_threshold=100).status == expected


def test_a_flex_count_with_unknown_items():
    flexible = profile("songdalen").with_parameters(**WITH_FLEX_COUNT)
    # One known and one unknown item could still make two: not enough data.
    one_and_unknown = strict_involuntary(**{**INFLEXIBLE, "ubundet_tid": "yes"})
    del one_and_unknown["tar_ledige_vakter"]
    result = classify(one_and_unknown, flexible, heltid_threshold=100)
    assert result.status == NOT_ENOUGH_DATA
    assert result.outcome("flexible") == MISSING
    # Two known are enough whatever the unknown one would say.
    two = strict_involuntary(**{**INFLEXIBLE, "ubundet_tid": "yes", "villig_langvakter": "yes"})
    del two["tar_ledige_vakter"]
    assert classify(two, flexible, heltid_threshold=100).status == INVOLUNTARY


def test_songdalen_optional_threshold_of_75_percent():
    songdalen_75 = profile("songdalen").with_parameters(position_threshold=75)
    under = strict_involuntary(stillingsprosent=74.5)
    at = strict_involuntary(stillingsprosent=75)
    assert classify(under, songdalen_75, heltid_threshold=100).status == INVOLUNTARY
    result = classify(at, songdalen_75, heltid_threshold=100)
    assert result.status == VOLUNTARY
    assert result.outcome("position_under") == FAILED
    assert status(at, "songdalen") == INVOLUNTARY  # the shipped profile has no threshold


@pytest.mark.parametrize(
    ("stillingsprosent", "threshold", "expected"),
    [
        (100, 100, FULL_TIME),
        (99, 100, INVOLUNTARY),
        (85, 100, INVOLUNTARY),
        (80, ">= 80", FULL_TIME),
        (79.9, ">= 80", INVOLUNTARY),
        (85, ">= 80", FULL_TIME),
        (90, "> 90", INVOLUNTARY),
        (90.5, "> 90", FULL_TIME),
        (100, "> 90", FULL_TIME),
    ],
)
def test_full_time_by_each_heltid_threshold(stillingsprosent, threshold, expected):
    record = strict_involuntary(stillingsprosent=stillingsprosent)
    for p in DEFINITIONS.profiles:
        assert status(record, p.id, threshold) == expected, p.id


def test_threshold_changes_the_side_by_side_count():
    group = [strict_involuntary(stillingsprosent=p) for p in (50, 80, 85, 95, 100)]
    profiles = DEFINITIONS.profiles
    assert classify_many(group, profiles, 100)["drammen"][FULL_TIME] == 1
    assert classify_many(group, profiles, ">= 80")["drammen"][FULL_TIME] == 4
    assert classify_many(group, profiles, "> 90")["drammen"][FULL_TIME] == 2


def test_not_enough_data_only_when_a_missing_answer_decides():
    unknown_start = strict_involuntary(oppstart_uker=None)
    assert status(unknown_start, "drammen") == NOT_ENOUGH_DATA
    assert outcome(unknown_start, "drammen", "start_within") == MISSING
    assert status(unknown_start, "selvrapportert") == INVOLUNTARY
    # Another criterion already failed: the missing answer cannot change the result.
    assert status(strict_involuntary(oppstart_uker=None, kvalifisert="no"), "drammen") == (
        VOLUNTARY
    )
    assert status(strict_involuntary(kvalifisert="vet_ikke"), "drammen") == NOT_ENOUGH_DATA
    assert status(strict_involuntary(villig_andre_enheter=["nei"]), "drammen") == NOT_ENOUGH_DATA
    # Without a position size the person may be full time.
    no_size = strict_involuntary(stillingsprosent=None, onsket_endring="samme")
    assert status(no_size, "selvrapportert") == NOT_ENOUGH_DATA


def test_side_by_side_table_over_a_stated_population():
    records = [
        strict_involuntary(),
        strict_involuntary(arsaker_deltid=["studier"]),
        strict_involuntary(arsaker_deltid=["pensjon", "fritid"]),
        strict_involuntary(leder="yes"),
        strict_involuntary(ansettelsesform="midlertidig"),
        strict_involuntary(stillingsprosent=100),
    ]
    table = classify_many(
        records,
        DEFINITIONS.profiles,
        DEFINITIONS.default_heltid_threshold,
        exclude=DEFINITIONS.default_exclusions,
    )
    assert table.n == 3
    assert table.excluded_total == 3
    assert table.excluded == {"studenter": 1, "ledere": 1, "jobb_annet_sted": 0, "pensjonister": 1}
    assert [row.profile.id for row in table.rows][:2] == ["selvrapportert", "drammen"]
    assert table["selvrapportert"].counts == {
        FULL_TIME: 1,
        VOLUNTARY: 0,
        INVOLUNTARY: 2,
        NOT_ENOUGH_DATA: 0,
    }
    # Surnadal counts only permanent staff.
    assert table["surnadal"][INVOLUNTARY] == 1
    assert table["surnadal"][VOLUNTARY] == 1
    with pytest.raises(KeyError):
        table["oslo"]
