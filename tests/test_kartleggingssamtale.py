"""The mapping conversation (kartleggingssamtale): its answers fit the living document and the
classification of involuntary part time, and it branches like the annual questionnaire."""

from __future__ import annotations

import datetime

import pytest

from survey.classification import INVOLUNTARY, NOT_ENOUGH_DATA, classify, load_definitions
from survey.engine import (
    final_answers,
    load,
    missing_required,
    read_page,
    relevant_pages,
)
from tests.conftest import ROOT

TODAY = datetime.date(2026, 3, 2)
CONVERSATION = load(ROOT / "questionnaires" / "kartleggingssamtale.yaml")
ANNUAL = load(ROOT / "questionnaires" / "heltid-arlig.yaml")
CONDITION_PAGES = [
    "helger",
    "langvakter",
    "andre_steder",
    "turnus_fagbrev",
    "oppstart",
    "vurdering",
]

# A part-time assistant who wants a larger permanent position and is open to a lot.
WANTS_MORE = {
    "enhet": "hjemmetjenesten",
    "yrkesgruppe": "assistent",
    "ansettelsesform": "fast",
    "leder": "no",
    "stillingsprosent": 62.5,
    "flere_stillinger": "no",
    "vakter_na": ["dag"],
    "fornoyd_storrelse": "no",
    "fornoyd_turnus": "yes",
    "onsket_endring": "storre",
    "onsket_prosent": 100.0,
    "onsket_fast": "yes",
    "villig_helger": "oftere",
    "helger_per_ar": 22,
    "villig_langvakter": "yes",
    "langvakt_hyppighet": "hver_4",
    "villig_andre_enheter": "kombijobbing",
    "andre_vakter": ["dag", "kveld"],
    "tar_ledige_vakter": "yes",
    "ubundet_tid": "yes",
    "interesse_arsturnus": "yes",
    "interesse_onsketurnus": "no",
    "fagbrev": "yes",
    "oppstart_uker": 2,
    "venter_barnehageplass": "no",
    "onske_skriftlig": "yes",
    "forsokt_flere_timer": "yes",
    "kvalifisert": "yes",
    "arsaker_deltid": ["ikke_tilbudt"],
    "avtalte_tiltak": "Søker på ledig 37,5 % i samme enhet.",
    "neste_oppfolging": datetime.date(2026, 9, 1),
}


def page_names(answers):
    return [page.name for page in relevant_pages(CONVERSATION, answers, TODAY)]


def submit(page_name, form, answers):
    page = CONVERSATION.page(page_name)
    shown = [question.name for question in page.questions]
    form = {key: value if isinstance(value, list) else [value] for key, value in form.items()}
    return read_page(CONVERSATION, page, form, answers, shown, TODAY)


def test_the_conversation_is_identified_and_in_three_languages():
    assert (CONVERSATION.id, CONVERSATION.version) == ("kartleggingssamtale", 1)
    assert CONVERSATION.default_mode == "identified"
    for question in CONVERSATION.questions:
        if question.other_of is None:
            assert set(question.label.values) == {"nb", "nn", "en"}, question.name


def test_facts_shared_with_the_annual_questionnaire_keep_their_names_and_values():
    shared = {q.name for q in CONVERSATION.questions} & {q.name for q in ANNUAL.questions}
    shared -= {"info_fordeling"}  # a note, no answer
    assert shared >= {
        "stillingsprosent",
        "enhet",
        "yrkesgruppe",
        "ansettelsesform",
        "onsket_endring",
        "onsket_prosent",
        "onsket_fast",
        "villig_helger",
        "helger_per_ar",
        "villig_langvakter",
        "langvakt_hyppighet",
        "villig_andre_enheter",
        "andre_vakter",
        "ubundet_tid",
        "fagbrev",
        "oppstart_uker",
        "onske_skriftlig",
        "forsokt_flere_timer",
        "arsaker_deltid",
        "arsak_mindre",
        "kommentar",
    }
    for name in shared:
        ours, theirs = CONVERSATION.question(name), ANNUAL.question(name)
        assert ours.type == theirs.type, name
        assert ours.choice_values == theirs.choice_values, name


def test_a_part_timer_who_wants_more_is_asked_every_condition():
    assert page_names(WANTS_MORE) == [
        "stilling",
        "stillingsstorrelse",
        "onske",
        "onsket_stilling",
        *CONDITION_PAGES,
        "arsaker",
        "avslutning",
    ]
    assert missing_required(CONVERSATION, WANTS_MORE, TODAY) == []


@pytest.mark.parametrize(
    ("changes", "pages"),
    [
        ({"onsket_endring": "samme"}, ["arsaker"]),
        ({"onsket_endring": "mindre"}, ["onsket_stilling", "arsaker"]),
        ({"stillingsprosent": 100.0, "onsket_endring": "samme"}, []),
        ({"stillingsprosent": 100.0, "onsket_endring": "mindre"}, ["onsket_stilling", "arsaker"]),
    ],
)
def test_no_conditions_for_those_who_do_not_want_more(changes, pages):
    start = ["stilling", "stillingsstorrelse", "onske"]
    assert page_names({**WANTS_MORE, **changes}) == [*start, *pages, "avslutning"]


def test_the_record_is_involuntary_part_time_with_the_leaders_assessment():
    definitions = load_definitions()
    record = final_answers(CONVERSATION, WANTS_MORE, TODAY)
    for profile in definitions.profiles:
        result = classify(record, profile, heltid_threshold=100)
        assert result.status == INVOLUNTARY, profile.id
    # kvalifisert may be left empty by a leader in doubt: Drammen cannot decide then.
    undecided = final_answers(CONVERSATION, {**WANTS_MORE, "kvalifisert": None}, TODAY)
    result = classify(undecided, definitions.profile("drammen"), heltid_threshold=100)
    assert result.status == NOT_ENOUGH_DATA


def test_health_and_reasons_may_be_left_empty():
    answers = {**WANTS_MORE, "arsaker_deltid": None, "kvalifisert": None}
    assert missing_required(CONVERSATION, answers, TODAY) == []


def test_a_full_time_employee_cannot_ask_for_a_larger_position():
    answers = {**WANTS_MORE, "stillingsprosent": 100.0}
    result = submit(
        "onske",
        {"fornoyd_storrelse": "yes", "fornoyd_turnus": "yes", "onsket_endring": "storre"},
        answers,
    )
    assert result.errors["onsket_endring"].code == "constraint"


def test_more_often_than_every_third_weekend_means_at_least_18():
    result = submit("helger", {"villig_helger": "oftere", "helger_per_ar": "17"}, WANTS_MORE)
    assert result.errors["helger_per_ar"].code == "constraint"
    result = submit("helger", {"villig_helger": "oftere", "helger_per_ar": "18"}, WANTS_MORE)
    assert result.ok


def test_the_next_follow_up_is_not_in_the_past():
    result = submit("avslutning", {"neste_oppfolging": "2026-03-01"}, WANTS_MORE)
    assert result.errors["neste_oppfolging"].code == "constraint"
    result = submit("avslutning", {"neste_oppfolging": "2026-03-02"}, WANTS_MORE)
    assert result.errors == {}
