import datetime

import pytest

from survey.engine import (
    FieldError,
    final_answers,
    first_page,
    is_required,
    missing_required,
    next_page,
    previous_page,
    progress,
    read_page,
    relevant_pages,
    relevant_questions,
)

TODAY = datetime.date(2025, 3, 14)

# Answers that walk every branch of valid-full.yaml: part time -> wants more -> weekends -> many.
DEEP = {
    "yrkesgruppe": "sykepleier",
    "stillingsprosent": 60.0,
    "onsker_storre": "yes",
    "onsket_prosent": 80.0,
    "arbeidsformer": ["helg", "langvakt"],
    "antall_helger": 6,
    "helg_grad": 3,
}


def names(items):
    return [item.name for item in items]


def submit(q, page_name, form, answers=None, shown=None):
    page = q.page(page_name)
    if shown is None:
        shown = [question.name for question in page.questions]
    form = {key: value if isinstance(value, list) else [value] for key, value in form.items()}
    return read_page(q, page, form, answers or {}, shown, TODAY)


# --- Branching --------------------------------------------------------------------------------


def test_three_levels_of_branching(full):
    assert names(relevant_pages(full, DEEP, TODAY)) == ["stilling", "onske", "helg", "avslutning"]
    fewer_weekends = {**DEEP, "antall_helger": 2}
    assert names(relevant_pages(full, fewer_weekends, TODAY)) == ["stilling", "onske", "avslutning"]
    no_weekends = {**DEEP, "arbeidsformer": ["langvakt"]}
    assert names(relevant_pages(full, no_weekends, TODAY)) == ["stilling", "onske", "avslutning"]


def test_changing_an_early_answer_hides_everything_that_depended_on_it(full):
    # Full time: the wish question goes, so the wish page goes, so the weekend page goes,
    # although the stored answers still say otherwise.
    full_time = {**DEEP, "stillingsprosent": 100.0}
    assert names(relevant_pages(full, full_time, TODAY)) == ["stilling", "avslutning"]
    assert "onsker_storre" not in names(
        relevant_questions(full, full.page("stilling"), full_time, TODAY)
    )
    assert final_answers(full, full_time, TODAY) == {
        "yrkesgruppe": "sykepleier",
        "stillingsprosent": 100.0,
    }


def test_answers_changed_in_place_are_judged_again(full):
    """The relevance of the last few answers is kept per thread: answers changed in place
    after a call, a selection's list too, are not judged by the earlier result."""
    answers = {**DEEP, "arbeidsformer": ["helg", "langvakt"]}
    assert "helg" in names(relevant_pages(full, answers, TODAY))
    answers["arbeidsformer"].remove("helg")
    assert "helg" not in names(relevant_pages(full, answers, TODAY))
    answers["stillingsprosent"] = 100.0
    assert names(relevant_pages(full, answers, TODAY)) == ["stilling", "avslutning"]
    assert "helg" in names(relevant_pages(full, DEEP, TODAY))  # an earlier one, found again


def test_relevant_questions_on_a_page(full):
    page = full.page("onske")
    assert "antall_helger" in names(relevant_questions(full, page, DEEP, TODAY))
    answers = {**DEEP, "arbeidsformer": ["kombi"]}
    assert names(relevant_questions(full, page, answers, TODAY)) == [
        "onsket_prosent",
        "arbeidsformer",
    ]
    assert "yrkesgruppe_annet" not in names(
        relevant_questions(full, full.page("stilling"), DEEP, TODAY)
    )


def test_navigation(full):
    assert first_page(full, {}, TODAY).name == "stilling"
    assert next_page(full, {}, "stilling", TODAY).name == "avslutning"
    assert next_page(full, DEEP, "stilling", TODAY).name == "onske"
    assert next_page(full, DEEP, "onske", TODAY).name == "helg"
    assert next_page(full, DEEP, "avslutning", TODAY) is None
    assert previous_page(full, DEEP, "avslutning", TODAY).name == "helg"
    assert previous_page(full, {}, "avslutning", TODAY).name == "stilling"
    assert previous_page(full, DEEP, "stilling", TODAY) is None
    with pytest.raises(KeyError):
        next_page(full, DEEP, "nope", TODAY)


def test_progress(full):
    # Nothing answered: the wish and weekend pages may still come, so 4 is only an upper bound.
    assert progress(full, {}, "stilling", TODAY) == (1, 4, False)
    assert progress(full, DEEP, "onske", TODAY) == (2, 4, False)
    assert progress(full, DEEP, "helg", TODAY) == (3, 4, True)
    full_time = {"yrkesgruppe": "lege", "stillingsprosent": 100.0}
    assert progress(full, full_time, "avslutning", TODAY) == (2, 2, True)
    # A page that is no longer relevant still gets a sensible position; the weekend page hangs
    # on a question of the (hidden) wish page, so it is known to be skipped.
    assert progress(full, {}, "onske", TODAY) == (2, 3, True)
    # Hidden by an earlier answer: a later page that depends on it is decided, not «at most».
    no_more = {**DEEP, "onsker_storre": "no"}
    assert progress(full, no_more, "avslutning", TODAY) == (2, 2, True)
    # Counting only some pages (the employee's own wish pages of the interview guide).
    assert progress(full, DEEP, "helg", TODAY, among={"onske", "helg"}) == (2, 2, True)


def _walk(q, answers):
    """(position, total) on each page a respondent sees, answering `answers` page by page."""
    seen, given = [], {}
    page = first_page(q, given, TODAY)
    while page is not None:
        position, total, _settled = progress(q, given, page.name, TODAY)
        seen.append((page.name, position, total))
        given.update({k: v for k, v in answers.items() if k in {x.name for x in page.questions}})
        page = next_page(q, given, page.name, TODAY)
    return seen


@pytest.mark.parametrize(
    "answers",
    [
        DEEP,
        {**DEEP, "antall_helger": 2},
        {**DEEP, "onsker_storre": "no"},
        {"yrkesgruppe": "lege", "stillingsprosent": 100.0},
    ],
)
def test_progress_never_jumps_up_on_the_way_forward(full, answers):
    walk = _walk(full, answers)
    assert [position for _name, position, _total in walk] == list(range(1, len(walk) + 1))
    totals = [total for _name, _position, total in walk]
    assert totals == sorted(totals, reverse=True)
    assert totals[-1] == len(walk)  # on the last page the count is exact


def test_final_answers_keep_only_relevant_non_empty_values(full):
    answers = {**DEEP, "kommentar": "", "yrkesgruppe_annet": "stale", "unknown": 1}
    assert final_answers(full, answers, TODAY) == DEEP


def test_missing_required(full):
    assert names(missing_required(full, {}, TODAY)) == ["yrkesgruppe", "stillingsprosent"]
    answers = {"yrkesgruppe": "annet", "stillingsprosent": 50.0, "onsker_storre": "yes"}
    assert names(missing_required(full, answers, TODAY)) == ["yrkesgruppe_annet", "onsket_prosent"]
    answers = {**DEEP, "antall_helger": None}
    assert names(missing_required(full, answers, TODAY)) == ["antall_helger"]
    assert missing_required(full, DEEP, TODAY) == []


def test_required_expression(full):
    question = full.question("antall_helger")
    assert is_required(question, {"onsket_prosent": 80.0}, TODAY)
    assert not is_required(question, {"onsket_prosent": 70.0}, TODAY)
    assert not is_required(question, {}, TODAY)
    assert is_required(full.question("stillingsprosent"), {}, TODAY)
    assert not is_required(full.question("intro"), {}, TODAY)


# --- Reading a page ---------------------------------------------------------------------------


def test_a_complete_page(full):
    result = submit(
        full,
        "stilling",
        {"yrkesgruppe": "sykepleier", "stillingsprosent": " 62,5 ", "onsker_storre": "yes"},
    )
    assert result.ok
    assert result.values == {
        "intro": None,
        "yrkesgruppe": "sykepleier",
        "yrkesgruppe_annet": None,
        "stillingsprosent": 62.5,
        "onsker_storre": "yes",
    }


def test_same_page_reveal_then_required(full):
    form = {"yrkesgruppe": "annet", "stillingsprosent": "50", "onsker_storre": "no"}
    shown = ["intro", "yrkesgruppe", "stillingsprosent", "onsker_storre"]
    result = submit(full, "stilling", form, shown=shown)
    assert result.revealed == ["yrkesgruppe_annet"]
    assert result.errors == {}
    assert not result.ok
    # Shown again with the text box, left empty:
    result = submit(full, "stilling", form)
    assert result.errors == {"yrkesgruppe_annet": FieldError("required")}
    result = submit(full, "stilling", {**form, "yrkesgruppe_annet": "Vernepleier"})
    assert result.ok and result.values["yrkesgruppe_annet"] == "Vernepleier"


def test_a_question_that_disappears_is_cleared(full):
    form = {"yrkesgruppe": "assistent", "yrkesgruppe_annet": "stale", "stillingsprosent": "100"}
    result = submit(full, "stilling", form, shown=["yrkesgruppe", "stillingsprosent"])
    assert result.ok
    assert result.values["yrkesgruppe_annet"] is None
    assert result.values["onsker_storre"] is None


def test_required_depends_on_an_answer_on_the_same_page(full):
    answers = {"stillingsprosent": 50.0, "onsker_storre": "yes"}
    form = {"onsket_prosent": "90", "arbeidsformer": ["helg"]}
    result = submit(full, "onske", form, answers)
    assert result.errors == {"antall_helger": FieldError("required")}
    result = submit(full, "onske", {**form, "onsket_prosent": "70"}, answers)
    assert result.ok
    assert result.values == {
        "onsket_prosent": 70.0,
        "arbeidsformer": ["helg"],
        "antall_helger": None,
    }


def test_constraints_use_earlier_pages_and_carry_their_message(full):
    answers = {"stillingsprosent": 50.0, "onsker_storre": "yes"}
    result = submit(full, "onske", {"onsket_prosent": "40"}, answers)
    assert result.errors["onsket_prosent"].code == "constraint"
    assert result.errors["onsket_prosent"].params == {"message": None}
    assert result.values["onsket_prosent"] is None
    result = submit(full, "stilling", {"yrkesgruppe": "assistent", "stillingsprosent": "0"})
    error = result.errors["stillingsprosent"]
    assert error.code == "constraint"
    assert error.params["message"].get("nb") == "Stillingen må være større enn 0 %"


@pytest.mark.parametrize(
    ("field", "raw", "code"),
    [
        ("stillingsprosent", "1 000", "invalid_number"),
        ("stillingsprosent", "1.000,5", "invalid_number"),
        ("stillingsprosent", "mye", "invalid_number"),
        ("stillingsprosent", "120", "out_of_range"),
        ("stillingsprosent", "-5", "out_of_range"),
        ("yrkesgruppe", "direktør", "unknown_choice"),
        ("yrkesgruppe", ["sykepleier", "assistent"], "too_many_values"),
        ("onsker_storre", "kanskje", "unknown_choice"),
    ],
)
def test_invalid_and_tampered_values(full, field, raw, code):
    form = {"yrkesgruppe": "assistent", "stillingsprosent": "50", "onsker_storre": "no"}
    result = submit(full, "stilling", {**form, field: raw})
    assert list(result.errors) == [field]
    assert result.errors[field].code == code
    assert result.values[field] is None


def test_more_tampering(full):
    answers = {"stillingsprosent": 50.0, "onsker_storre": "yes"}
    form = {"onsket_prosent": "60", "arbeidsformer": ["helg", "ferie"], "antall_helger": "99"}
    result = submit(full, "onske", form, answers)
    assert result.errors["arbeidsformer"] == FieldError("unknown_choice", {"value": "ferie"})
    # With the selection refused, the weekend question is not relevant and not checked.
    assert result.values["antall_helger"] is None
    result = submit(full, "onske", {**form, "arbeidsformer": ["helg"]}, answers)
    assert result.errors["antall_helger"] == FieldError("out_of_range", {"min": 1, "max": 26})
    result = submit(full, "avslutning", {"kommentar": "x" * 4001, "extra": "ignored"})
    assert result.errors == {"kommentar": FieldError("too_long", {"max": 4000})}


def test_date_and_likert_fields(full):
    form = {"startdato": "2025-03-13", "timer": "37,5", "tilfredshet": "4"}
    result = submit(full, "avslutning", form)
    assert result.errors["startdato"].code == "constraint"  # must not be in the past
    result = submit(full, "avslutning", {**form, "startdato": "01.04.2025"})
    assert result.ok
    assert result.values["startdato"] == datetime.date(2025, 4, 1)
    assert result.values["timer"] == 37.5
    assert result.values["tilfredshet"] == 4
    result = submit(full, "avslutning", {"startdato": "2025-02-30", "tilfredshet": "7"})
    assert {k: e.code for k, e in result.errors.items()} == {
        "startdato": "invalid_date",
        "tilfredshet": "unknown_choice",
    }


def test_select_multiple_values_come_in_choice_order(full):
    answers = {"stillingsprosent": 50.0, "onsker_storre": "yes"}
    form = {"onsket_prosent": "60", "arbeidsformer": ["kombi", "helg", "kombi", ""]}
    result = submit(full, "onske", form, answers, shown=["onsket_prosent", "arbeidsformer"])
    assert result.values["arbeidsformer"] == ["helg", "kombi"]
    assert result.revealed == ["antall_helger"]


def test_errors_only_for_shown_questions(full):
    result = submit(full, "stilling", {"stillingsprosent": "abc"}, shown=[])
    assert result.errors == {}
    # An unreadable percent counts as empty, so the question that needs it stays hidden.
    assert result.revealed == ["yrkesgruppe", "stillingsprosent"]


def test_a_multidict_form_gives_all_values(full):
    class MultiDict(dict):
        def getlist(self, key):
            return self.get(key, [])

        def __getitem__(self, key):  # werkzeug returns the first value
            return super().__getitem__(key)[0]

    answers = {"stillingsprosent": 50.0, "onsker_storre": "yes"}
    form = MultiDict(onsket_prosent=["60"], arbeidsformer=["helg", "kombi"])
    result = read_page(
        full, full.page("onske"), form, answers, ["onsket_prosent", "arbeidsformer"], TODAY
    )
    assert result.values["arbeidsformer"] == ["helg", "kombi"]


def test_stored_answers_of_the_wrong_type_do_not_break_the_flow(full):
    answers = {"stillingsprosent": "garbage", "onsker_storre": ["yes"], "antall_helger": "x"}
    assert names(relevant_pages(full, answers, TODAY))[0] == "stilling"
    submit(full, "onske", {"onsket_prosent": "60"}, answers)


def test_reading_a_page_leaves_the_answers_it_started_from_as_they_were(full):
    # The values read from a page once leaked into what later calls with the same stored
    # answers were told: a submit then kept answers that were never saved.
    before = final_answers(full, DEEP, TODAY)
    result = submit(full, "stilling", {"yrkesgruppe": "assistent", "stillingsprosent": "90"}, DEEP)
    assert result.values["stillingsprosent"] == 90
    assert final_answers(full, DEEP, TODAY) == before
    assert final_answers(full, DEEP, TODAY)["stillingsprosent"] == 60.0
