"""An XLSForm into the product's YAML: what maps, and what is refused with sheet and row."""

from __future__ import annotations

import io

import pytest

from survey import engine
from survey.questionnaires.xlsform import XLSFormError, xlsform_to_yaml

from .conftest import fixture_bytes

NB, NN, EN = "Norsk bokmål (nb)", "Norsk nynorsk (nn)", "English (en)"


def problems_of(name: str, questionnaire_id: str = "x") -> list[str]:
    with pytest.raises(XLSFormError) as raised:
        xlsform_to_yaml(fixture_bytes(name), name, questionnaire_id)
    return raised.value.problems


def workbook(survey: list[list], choices: list[list] | None = None, settings=None) -> bytes:
    """A workbook from rows (the first row of each sheet is its header)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    for title, rows in (("choices", choices), ("settings", settings)):
        if rows is not None:
            extra = book.create_sheet(title)
            for row in rows:
                extra.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def convert(data: bytes) -> engine.Questionnaire:
    return engine.load_text(xlsform_to_yaml(data, "form.xlsx", "form"), "form.yaml")


def problems(data: bytes) -> list[str]:
    with pytest.raises(XLSFormError) as raised:
        xlsform_to_yaml(data, "form.xlsx", "form")
    return raised.value.problems


HEADER = ["type", "name", f"label::{NB}", "relevant", "appearance"]


def in_page(*rows: list) -> list[list]:
    return [HEADER, ["begin_group", "side", "Side"], *rows, ["end_group"]]


# --- the KoboToolbox-style form -----------------------------------------------------------------


def test_kobo_form_becomes_pages_with_branching_piping_and_a_grid(kobo_yaml):
    definition = engine.load_text(kobo_yaml, "kobo.yaml")
    assert definition.id == "kobo-style"
    assert definition.version == 2
    assert str(definition.title) == "Deltid og arbeidsmiljø"
    assert [page.name for page in definition.pages] == ["om_deg", "arbeidsmiljo"]
    assert definition.pages[1].title.get("en") == "Work environment"
    # start and end are the survey tool's own metadata: not questions here.
    names = [question.name for question in definition.questions]
    assert names == [
        "fornavn",
        "deltid",
        "timer",
        "samarbeid_kolleger",
        "samarbeid_leder",
        "vakter",
        "vakter_annet",
        "kommentar",
    ]
    assert definition.question("deltid").type == "yes_no"
    assert definition.question("deltid").label.get("nn") == "Hei ${fornavn}! Jobbar du deltid?"
    timer = definition.question("timer")
    assert engine.to_text(timer.relevant) == "(${deltid} = 'yes')"
    assert timer.constraint_message.get("en") == "Between 1 and 37"
    assert timer.required is True
    kolleger = definition.question("samarbeid_kolleger")
    assert kolleger.type == "likert" and kolleger.required is True
    assert kolleger.grid is definition.question("samarbeid_leder").grid
    assert kolleger.grid.label.get("nb") == "Hvor enig er du, ${fornavn}?"
    assert kolleger.grid.scale == "enig"
    assert [c.label.get("en") for c in kolleger.choices][0] == "Strongly disagree"
    vakter = definition.question("vakter")
    assert vakter.type == "select_multiple" and vakter.other is True
    assert definition.question("vakter_annet").other_of == "vakter"
    assert definition.question("kommentar").long is True
    assert definition.default_mode == "anonymous"


def test_the_yaml_reads_like_a_hand_written_file(kobo_yaml):
    assert "  - name: arbeidsmiljo\n" in kobo_yaml
    assert "        type: likert_grid\n        scale: enig\n" in kobo_yaml
    assert "        relevant: \"${deltid} = 'yes'\"\n" in kobo_yaml
    assert kobo_yaml.startswith("# Converted from kobo_style.xlsx (XLSForm)")


# --- every feature ------------------------------------------------------------------------------


def test_every_feature_maps_to_the_product():
    data = fixture_bytes("every_feature.xlsx")
    definition = engine.load_text(
        xlsform_to_yaml(data, "every_feature.xlsx", "every-feature"), "f.yaml"
    )
    assert definition.version == 4
    assert definition.default_mode == "identified"
    assert definition.title.get("en") == "Everything that can be imported"
    assert definition.description.get("nn") == "Prøveskjema"
    stilling = definition.page("stilling")
    assert stilling.title_employee.get("en") == "Your own position"
    assert definition.question("info").type == "note"
    enhet = definition.question("enhet")
    assert enhet.prefill == "enhet" and enhet.hint.get("nn") == "Vel eininga"
    # A label given only in bokmål falls back to it in nynorsk and English.
    assert enhet.choices[0].label.get("en") == "Hjemmetjenesten"
    prosent = definition.question("stillingsprosent")
    assert prosent.type == "percent"
    assert (prosent.min, prosent.max) == (0.0, 100.0)
    assert prosent.constraint_message_employee.get("nb") == "Over 0"
    assert prosent.hint_employee.get("en") == "As a percentage"
    kvalifisert = definition.question("kvalifisert")
    assert kvalifisert.type == "yes_no"
    assert kvalifisert.statement_for("employee", "no").get("nn") == "Du er ikkje kvalifisert."
    assert engine.to_text(definition.page("onske").relevant) == "(${stillingsprosent} < 100)"
    yrke = definition.question("yrke")
    assert yrke.other is True and yrke.required is False
    assert engine.to_text(yrke.required_expr) == "(${stillingsprosent} < 50)"
    assert yrke.choice("sykepleier").label_employee.get("nn") == "Eg er sjukepleiar"
    assert [c.value for c in yrke.choices] == ["sykepleier", "lege", "annet"]
    assert engine.to_text(definition.question("vakter").constraint) == ("(count-selected(.) <= 2)")
    helger = definition.question("helger")
    assert (helger.min, helger.max) == (0.0, 52.0)
    assert definition.question("timer").min == 0.5
    assert definition.question("fra_dato").type == "date"
    assert definition.question("kort").max_length == 80
    assert definition.question("lang").long is True
    assert definition.question("lang").max_length == 4000
    assert definition.question("trivsel").type == "likert"
    assert definition.question("trivsel").choices == engine.builtin.LIKERT_SCALES["1-5"]
    assert definition.question("utvikling").choices == engine.builtin.LIKERT_SCALES["grad"]
    lonn = definition.question("lonn")
    assert lonn.type == "likert"
    assert [(c.value, c.score, c.label.get("en")) for c in lonn.choices] == [
        ("1", 1, "Misfornøyd"),
        ("2", 2, "Middels"),
        ("3", 3, "Fornøyd"),
    ]
    stotte = definition.question("ledelse_stotte")
    assert stotte.grid.name == "ledelse" and stotte.grid.scale == "1-6"
    assert stotte.grid.hint.get("en") == "One answer a line"
    assert engine.to_text(stotte.relevant) == "(${trivsel} >= 3)"


def test_a_form_in_one_language_without_groups_gets_one_page():
    definition = engine.load_text(
        xlsform_to_yaml(fixture_bytes("one_language.xlsx"), "one.xlsx", "enkelt"), "e.yaml"
    )
    assert [page.name for page in definition.pages] == ["page_1"]
    assert definition.pages[0].title.get("en") == "Enkelt skjema"
    assert definition.question("navn").label.values == {"nb": "Navn"}
    assert definition.question("fast").choice("nei").label.get("nn") == "Nei"


def test_language_columns_by_code_or_name():
    data = workbook(
        [
            ["type", "name", "label::nb", "label::Nynorsk", "label::English", "hint::nb"],
            ["begin_group", "side", "Side", "Side", "Page"],
            ["text", "navn", "Navn", "Namn", "Name", "Fornavn"],
            ["end_group"],
        ]
    )
    label = convert(data).question("navn").label
    assert (label.get("nb"), label.get("nn"), label.get("en")) == ("Navn", "Namn", "Name")


def test_a_likert_appearance_on_words_stays_a_select_one():
    data = workbook(
        in_page(["select_one svar", "svar", "Svar", None, "likert"]),
        [["list_name", "name", f"label::{NB}"], ["svar", "ja", "Ja"], ["svar", "nei", "Nei"]],
    )
    question = convert(data).question("svar")
    assert question.type == "select_one" and question.choice_values == ("ja", "nei")


def test_a_reference_to_the_other_text_is_renamed():
    data = workbook(
        in_page(
            ["select_one yrke or_other", "yrke", "Yrke"],
            ["text", "mer", "Om ${yrke_other}", "${yrke_other} != ''"],
        ),
        [["list_name", "name", f"label::{NB}"], ["yrke", "lege", "Lege"]],
    )
    question = convert(data).question("mer")
    assert question.label.get("nb") == "Om ${yrke_annet}"
    assert engine.to_text(question.relevant) == "(${yrke_annet} != '')"


def test_kobo_header_rows_of_a_table_list_and_presentation_appearances_are_ignored():
    data = workbook(
        in_page(
            ["begin_group", "g", "Utsagn", None, "table-list"],
            ["select_one s", "g_header", "", None, "label"],
            ["select_one s", "a", "A", None, "list-nolabel"],
            ["end_group"],
            ["select_one s", "b", "B", None, "minimal"],
        ),
        [["list_name", "name", f"label::{NB}"], ["s", "1", "En"], ["s", "2", "To"]],
    )
    definition = convert(data)
    assert [q.name for q in definition.questions] == ["a", "b"]
    assert definition.question("b").type == "select_one"


# --- what is refused --------------------------------------------------------------------------


def test_missing_choices_list():
    assert problems_of("broken_missing_choices.xlsx") == [
        "broken_missing_choices.xlsx:survey:4: choice list 'yrke' is missing: "
        "add it to the choices sheet"
    ]


def test_unknown_type():
    assert problems_of("broken_unknown_type.xlsx") == [
        "broken_unknown_type.xlsx:survey:4: unknown type 'integr'; did you mean 'integer'?"
    ]


def test_bad_expression_is_reported_at_its_row():
    assert problems_of("broken_bad_expression.xlsx") == [
        "broken_bad_expression.xlsx:survey:4: mer.relevant: syntax error: "
        "the expression ended too early (at character 10)"
    ]


def test_duplicate_name():
    assert problems_of("broken_duplicate_name.xlsx") == [
        "broken_duplicate_name.xlsx:survey:4: duplicate name 'navn' (first on row 3)"
    ]


def test_language_column_without_bokmal():
    found = problems_of("broken_language_without_nb.xlsx")
    assert found[0] == (
        "broken_language_without_nb.xlsx:survey:1: the language column "
        "hint::Norsk nynorsk (nn) has no bokmål column beside it; add "
        "'hint::Norsk bokmål (nb)' (nb is required, nn and en are optional)"
    )
    assert (
        "broken_language_without_nb.xlsx:survey:3: question 'navn': label has no bokmål (nb) text"
        in found
    )


def test_no_survey_sheet():
    assert problems_of("broken_no_survey_sheet.xlsx") == [
        "broken_no_survey_sheet.xlsx:survey:1: the workbook has no 'survey' sheet "
        "(its sheets: choices)"
    ]


def test_everything_the_product_cannot_represent_is_listed_by_row():
    assert problems_of("unsupported.xlsx") == [
        "unsupported.xlsx:survey:5: type 'calculate': calculations are not supported",
        "unsupported.xlsx:survey:6: type 'geopoint': locations (geopoint) are not supported",
        "unsupported.xlsx:survey:8: column 'choice_filter': cascading selects (choice_filter) "
        "are not supported",
        "unsupported.xlsx:survey:9: repeat groups (begin_repeat) are not supported",
        "unsupported.xlsx:survey:12: column 'image': media (images) are not supported",
        "unsupported.xlsx:survey:13: type 'time': times of day (time) are not supported",
        "unsupported.xlsx:survey:14: a group inside a group is supported only as a Likert grid "
        "(appearance table-list, directly inside a page)",
        "unsupported.xlsx:survey:15: column 'default': default answers are not supported",
    ]


def test_a_loader_error_is_reported_at_the_row_it_came_from():
    data = workbook(
        in_page(
            ["text", "navn", "Navn", "${senere} = 'x'"],
            ["text", "senere", "Senere"],
        )
    )
    found = problems(data)
    assert len(found) == 1
    assert found[0].startswith("form.xlsx:survey:3: navn.relevant: ")
    assert "senere" in found[0]


def test_unknown_language_column():
    data = workbook(
        [["type", "name", f"label::{NB}", "label::Davvisámegiella (se)"], ["text", "a", "A", "A"]]
    )
    assert problems(data) == [
        "form.xlsx:survey:1: column 'label::Davvisámegiella (se)': unknown language; use nb, "
        "nn or en, e.g. 'label::Norsk bokmål (nb)'"
    ]


def test_groups_must_be_closed_and_opened():
    unclosed = workbook([HEADER, ["begin_group", "side", "Side"], ["text", "a", "A"]])
    assert problems(unclosed) == ["form.xlsx:survey:2: group 'side' has no end_group"]
    stray = workbook([HEADER, ["text", "a", "A"], ["end_group"]])
    assert problems(stray) == ["form.xlsx:survey:3: end_group without a begin_group"]


def test_grid_statements_share_one_scale_of_whole_numbers():
    choices = [
        ["list_name", "name", f"label::{NB}"],
        ["s", "1", "En"],
        ["t", "1", "En"],
        ["ord", "ja", "Ja"],
    ]
    mixed = workbook(
        in_page(
            ["begin_group", "g", "Utsagn", None, "table-list"],
            ["select_one s", "a", "A"],
            ["select_one t", "b", "B"],
            ["end_group"],
        ),
        choices,
    )
    assert problems(mixed) == [
        "form.xlsx:survey:5: every statement of the table-list grid 'g' must use the list 's', "
        "not 't'"
    ]
    words = workbook(
        in_page(
            ["begin_group", "g", "Utsagn", None, "table-list"],
            ["select_one ord", "a", "A"],
            ["end_group"],
        ),
        choices,
    )
    assert problems(words) == [
        "form.xlsx:survey:4: a table-list grid needs a Likert scale: the list 'ord' has values "
        "that are not whole numbers"
    ]


def test_settings_version_and_mode_are_checked():
    data = workbook(
        in_page(["text", "a", "A"]),
        settings=[["form_title", "version", "default_mode"], ["T", "vBL5d2", "secret"]],
    )
    assert problems(data) == [
        "form.xlsx:settings:2: version 'vBL5d2' must be a positive whole number "
        "(write one, or empty the cell to start at 1)",
        "form.xlsx:settings:2: default_mode 'secret' is not one of anonymous, confidential, "
        "identified",
    ]


def test_not_a_workbook():
    with pytest.raises(XLSFormError) as raised:
        xlsform_to_yaml(b"type,name\ntext,a\n", "form.csv", "x")
    assert raised.value.problems == [
        "form.csv:survey:1: cannot be read as an XLSForm (not an .xlsx workbook)"
    ]


def test_duplicate_choice_and_a_choice_without_label():
    data = workbook(
        in_page(["select_one l", "a", "A"]),
        [["list_name", "name", f"label::{NB}"], ["l", "x", "X"], ["l", "x", "Y"], ["l", "y"]],
    )
    assert problems(data) == [
        "form.xlsx:choices:3: duplicate choice 'x' in the list 'l' (first on row 2)",
        "form.xlsx:choices:4: choice 'y' of the list 'l' has no label",
    ]


def test_a_workbook_of_too_many_rows_is_refused():
    rows = [HEADER] + [["text", f"q{number}", "Q"] for number in range(5001)]
    found = problems(workbook(rows))
    assert found[0] == "form.xlsx:survey:5002: the sheet has more than 5000 filled rows"


def test_an_xlsform_function_the_product_lacks_is_reported_at_its_row():
    data = workbook(
        [
            ["type", "name", f"label::{NB}", "constraint"],
            ["begin_group", "side", "Side"],
            ["text", "postnummer", "Postnummer", "regex(., '^[0-9]{4}$')"],
            ["end_group"],
        ]
    )
    found = problems(data)
    assert len(found) == 1 and found[0].startswith("form.xlsx:survey:3: postnummer.constraint: ")
    assert "regex" in found[0]


def test_an_invalid_id_is_refused():
    with pytest.raises(XLSFormError) as raised:
        xlsform_to_yaml(fixture_bytes("kobo_style.xlsx"), "kobo_style.xlsx", "arbeids miljø")
    assert raised.value.problems == [
        "kobo_style.xlsx:settings:1: the id 'arbeids miljø' is not valid: use letters, digits, "
        "'_' and '-', starting with a letter or '_'"
    ]


def test_columns_the_product_does_not_know_are_reported_where_filled():
    data = workbook(
        [
            ["type", "name", f"label::{NB}", "farge", "bind::heltid:farge", "$kuid"],
            ["begin_group", "side", "Side"],
            ["text", "a", "A", "blå", None, "k1"],
            ["text", "b", "B", None, "rød", "k2"],
            ["text", "c", "C", None, None, "k3"],
            ["end_group"],
        ]
    )
    assert problems(data) == [
        "form.xlsx:survey:3: column 'farge' is not supported",
        "form.xlsx:survey:4: column 'bind::heltid:farge' is not a property the product knows",
    ]


def test_the_same_column_twice():
    data = workbook([["type", "name", "label", "label::Norsk bokmål (nb)"], ["text", "a", "A"]])
    assert problems(data)[0] == (
        "form.xlsx:survey:1: columns 'label' and 'label::Norsk bokmål (nb)' are the same column"
    )


def test_what_a_group_cannot_carry_is_reported():
    data = workbook(
        [
            HEADER + [f"hint::{NB}", "required", "bind::heltid:prefill", f"label_employee::{NB}"],
            ["begin_group", "side", "Side", None, None, "Om deg", "yes", None, "Din side"],
            ["begin_group", "g", "G", None, "table-list", "Ett svar", None, "enhet", "Di"],
            ["select_one s", "a", "A"],
            ["end_group"],
            ["end_group"],
        ],
        [["list_name", "name", f"label::{NB}"], ["s", "1", "En"]],
    )
    assert problems(data) == [
        "form.xlsx:survey:2: hint is not supported on a page's group",
        "form.xlsx:survey:2: required is not supported on a page's group",
        "form.xlsx:survey:3: bind::heltid:prefill is not supported on a table-list group",
        "form.xlsx:survey:3: label_employee is not supported on a table-list group",
    ]


def test_what_a_statement_cannot_carry_is_reported():
    data = workbook(
        [
            HEADER + [f"hint::{NN}", "constraint", "bind::heltid:min"],
            ["begin_group", "side", "Side"],
            ["begin_group", "g", "G", None, "table-list"],
            ["select_one s", "a", "A", None, None, "Eitt svar", ". > 1", "1"],
            ["end_group"],
            ["end_group"],
        ],
        [["list_name", "name", f"label::{NB}"], ["s", "1", "En"]],
    )
    found = problems(data)
    assert "form.xlsx:survey:4: hint is not supported on a statement of a grid" in found
    assert "form.xlsx:survey:4: constraint is not supported on a statement of a grid" in found
    assert "form.xlsx:survey:4: bind::heltid:min is not supported on a statement of a grid" in (
        found
    )
