import textwrap

import pytest

from survey.engine import (
    DefinitionError,
    InvalidDefinition,
    Text,
    check,
    load,
    load_directory,
    load_text,
    to_text,
)

from .conftest import DATA

HEADER = """\
id: test
version: 1
title: Test
default_mode: anonymous
"""


def errors_in(body: str, header: str = HEADER) -> list[str]:
    """The errors of a file made of `header` and `body`, as `LINE: ITEM: message`."""
    text = header + textwrap.dedent(body)
    with pytest.raises(InvalidDefinition) as caught:
        load_text(text, "form.yaml")
    for error in caught.value.errors:
        assert error.file == "form.yaml"
    # Sorted, because errors on one line come in the order the checks run.
    errors = sorted(caught.value.errors, key=lambda e: (e.line, e.item, e.message))
    return [str(error).removeprefix("form.yaml:") for error in errors]


def page(questions: str, extra: str = "") -> str:
    return (
        "pages:\n  - name: side\n    title: Side\n"
        + textwrap.indent(textwrap.dedent(extra), "    ")
        + "    questions:\n"
        + textwrap.indent(textwrap.dedent(questions), "      ")
    )


# --- The fixture files, each with exactly one error ------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("syntax-error.yaml", "15: kommentar.relevant: syntax error: expected ')'"),
        ("unknown-reference.yaml", "15: kommentar.relevant: unknown name ${aldr}"),
        ("duplicate-name.yaml", "12: alder.name: duplicate name 'alder', first on line 9"),
        ("unknown-type.yaml", "10: alder.type: unknown type 'number'"),
    ],
)
def test_broken_fixtures_report_file_line_and_item(name, expected):
    path = DATA / name
    with pytest.raises(InvalidDefinition) as caught:
        load(path)
    assert len(caught.value.errors) == 1
    assert str(caught.value.errors[0]).startswith(f"{path}:{expected}")
    assert [str(e) for e in check([path])] == [str(e) for e in caught.value.errors]


def test_valid_minimal():
    q = load(DATA / "valid-minimal.yaml")
    assert (q.id, q.version, q.default_mode) == ("minimal", 1, "anonymous")
    assert q.title.get("en") == "Minimal"
    assert q.description.get("nb") == ""
    assert [p.name for p in q.pages] == ["start"]
    question = q.question("navn")
    assert (question.type, question.page, question.line, question.max_length) == (
        "text",
        "start",
        10,
        500,
    )
    assert q.filename == str(DATA / "valid-minimal.yaml")
    assert q.source.startswith("# The smallest")


def test_valid_full(full):
    assert [p.name for p in full.pages] == ["stilling", "onske", "helg", "avslutning"]
    assert full.page_index("helg") == 2
    assert full.page("onske").title.get("nn") == "Ønsket stilling"  # falls back to nb
    assert full.description.get("en") == "Mapping of positions and wishes"
    names = [q.name for q in full.questions]
    assert names[:4] == ["intro", "yrkesgruppe", "yrkesgruppe_annet", "stillingsprosent"]
    percent = full.question("stillingsprosent")
    assert (percent.min, percent.max, percent.required, percent.prefill) == (
        0,
        100,
        True,
        "stillingsprosent",
    )
    assert percent.constraint_message.get("en") == "Must be above 0 %"
    assert to_text(full.question("antall_helger").required_expr) == "(${onsket_prosent} >= 80)"
    assert full.question("kommentar").long and full.question("kommentar").max_length == 4000
    assert full.question("kommentar").label.get("en") == "Comment"
    with pytest.raises(KeyError):
        full.question("nope")
    with pytest.raises(KeyError):
        full.page("nope")


def test_other_adds_a_choice_and_a_companion_question(full):
    select = full.question("yrkesgruppe")
    assert select.other and select.choice_values[-1] == "annet"
    assert select.choice("annet").label.get("nb") == "Annet"
    companion = full.question("yrkesgruppe_annet")
    assert companion.type == "text"
    assert companion.other_of == "yrkesgruppe"
    assert companion.required and companion.max_length == 500
    assert to_text(companion.relevant) == "selected(${yrkesgruppe}, 'annet')"
    assert companion.page == "stilling"


def test_likert_scales(full):
    grad = full.question("helg_grad").choices
    assert [c.value for c in grad] == ["4", "3", "2", "1"]
    assert [c.score for c in grad] == [4, 3, 2, 1]
    assert grad[0].label.get("nn") == "I stor grad"
    assert grad[3].label.get("en") == "Not at all"
    five = full.question("tilfredshet").choices
    assert [c.value for c in five] == ["1", "2", "3", "4", "5"]
    assert "Helt uenig" in five[0].label.get("nb") and "Strongly agree" in five[4].label.get("en")
    custom = full.question("helg_enig").choices
    assert [(c.value, c.score) for c in custom][:2] == [("1", 1), ("2", 2)]
    assert custom[1].label.get("nn") == "Litt usamd"


def test_yes_no_has_its_choices(full):
    assert full.question("onsker_storre").choice_values == ("yes", "no")


def test_fingerprint_ignores_comments_and_layout():
    text = (DATA / "valid-minimal.yaml").read_text()
    same = load_text(
        "# another comment\n" + text.replace("title: Minimal", "title:   'Minimal'"), "x"
    )
    changed = load_text(text.replace("label: Navn", "label: Fullt navn"), "x")
    original = load_text(text, "x")
    assert len(original.fingerprint) == 64
    assert same.fingerprint == original.fingerprint
    assert changed.fingerprint != original.fingerprint


def test_text_forms():
    q = load_text(
        HEADER.replace("title: Test", "title::nb: Bokmål\ntitle::en: English")
        + page(
            """\
            - name: a
              type: text
              label: {nb: Hei, nn: Hei på deg}
              hint: Samme for alle
            """
        ),
        "x",
    )
    assert q.title.get("en") == "English" and q.title.get("nn") == "Bokmål"
    assert q.question("a").label == Text({"nb": "Hei", "nn": "Hei på deg"})
    assert q.question("a").hint.get("en") == "Samme for alle"
    assert Text.same("x").get("nn") == "x"


def test_xlsform_select_type_names_its_list():
    q = load_text(
        HEADER
        + "choice_lists:\n  farge: [{value: rod, label: Rød}, {value: bla, label: Blå}]\n"
        + page("- {name: a, type: select_one farge, label: A}\n"),
        "x",
    )
    assert q.question("a").type == "select_one"
    assert q.question("a").choice_values == ("rod", "bla")


def test_choice_values_keep_their_written_form():
    q = load_text(
        HEADER
        + page(
            """\
            - name: a
              type: select_one
              label: A
              choices: [{value: 01, label: x}, {value: yes, label: y}, {value: 2.50, label: z}]
            """
        ),
        "x",
    )
    assert q.question("a").choice_values == ("01", "yes", "2.50")


# --- Each kind of error -----------------------------------------------------------------------


def test_yaml_syntax_error():
    assert errors_in("pages: [\n  - name: x\n") == [
        "6: yaml: while parsing a flow node: expected the node content, but found '-'"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "1: file: must be a mapping with id, version, title and pages"),
        ("- a\n- b\n", "1: file: must be a mapping with id, version, title and pages"),
        ("just text", "1: file: must be a mapping with id, version, title and pages"),
    ],
)
def test_not_a_mapping(text, expected):
    assert errors_in(text, header="") == [expected]


def test_missing_top_level_keys():
    assert errors_in("foo: 1\n", header="") == [
        "1: default_mode: missing default_mode (anonymous | confidential | identified)",
        "1: foo: unknown key 'foo'",
        "1: id: missing id",
        "1: pages: missing pages",
        "1: title: missing title",
        "1: version: missing version",
    ]


def test_top_level_values():
    header = "id: 2x\nversion: 1.5\ntitle: {en: Only English}\ndefault_mode: secret\n"
    assert errors_in(page("- {name: a, type: text, label: A}\n"), header=header) == [
        "1: id: '2x' is not a valid id: use letters, digits, '_' and '-', "
        "starting with a letter or '_'",
        "2: version: must be a positive whole number",
        "3: title: missing the nb text",
        "4: default_mode: 'secret' is not one of anonymous, confidential, identified",
    ]


def test_unknown_keys_suggest_the_right_one():
    body = page(
        """\
        - name: a
          type: text
          label: A
          requird: true
          label::de: A
        """,
        extra="titel: x\n",
    )
    assert errors_in(body) == [
        "8: side.titel: unknown key 'titel'; did you mean 'title'?",
        "13: a.requird: unknown key 'requird'; did you mean 'required'?",
        "14: a.label::de: unknown language 'de'; use nb, nn or en",
    ]


def test_duplicate_yaml_keys():
    assert errors_in(page("- {name: a, type: text, label: A, label: B}\n")) == [
        "9: pages[0].questions[0].label: duplicate key (first on line 9)"
    ]


def test_page_errors():
    body = """\
    pages:
      - name: a
        title: A
        questions: []
      - title: B
        questions:
          - {name: b, type: text, label: B}
      - just a string
      - name: a
        title: A again
        questions:
          - {name: c, type: text, label: C}
    """
    assert errors_in(body) == [
        "8: a.questions: a page needs a list of questions",
        "9: pages[1].name: missing name",
        "12: pages[2]: must be a mapping with name and title",
        "13: a.name: duplicate name 'a', first on line 6",
    ]


def test_choice_list_errors():
    body = textwrap.dedent("""\
    choice_lists:
      yrkesgruppe:
        - {value: sykepleier, label: Sykepleier}
        - {value: assistent, label: {nn: Assistent}}
        - {value: sykepleier, label: Igjen}
        - {label: Uten verdi}
        - {value: to ord, label: X}
      tom: []
    """) + page(
        """\
        - {name: a, type: select_one, choices: yrkesgrupe, label: A}
        - {name: b, type: select_one, label: B}
        - {name: c, type: integer, choices: tom, label: C}
        """
    )
    assert errors_in(body) == [
        "8: choice_lists.yrkesgruppe[1].label: missing the nb text",
        "9: choice_lists.yrkesgruppe[2].value: duplicate choice value 'sykepleier' "
        "(first on line 7)",
        "10: choice_lists.yrkesgruppe[3].value: missing value",
        "11: choice_lists.yrkesgruppe[4].value: must not contain spaces",
        "12: choice_lists.tom: must be a list of {value, label}",
        "17: a.choices: unknown choice list 'yrkesgrupe'",
        "18: b.choices: missing choices for select_one",
        "19: c.choices: choices is only for select_multiple, select_one questions",
    ]


def test_number_limits():
    body = page(
        """\
        - {name: a, type: integer, min: 10, max: 5, label: A}
        - {name: b, type: percent, max: 120, label: B}
        - {name: c, type: decimal, min: lots, label: C}
        - {name: d, type: text, min: 1, label: D}
        """
    )
    assert errors_in(body) == [
        "9: a.min: min (10) is greater than max (5)",
        "10: b.max: a percent must be within 0–100",
        "11: c.min: must be a number",
        "12: d.min: min is only for decimal, integer, percent questions",
    ]


def test_likert_scale_errors():
    body = textwrap.dedent("""\
    scales:
      '1-5': [{value: 1, label: x}]
      enig: [{value: en, label: x}]
    """) + page(
        """\
        - {name: a, type: likert, scale: 1-7, label: A}
        - {name: b, type: likert, label: B}
        """
    )
    assert errors_in(body) == [
        "6: scales.1-5: '1-5' is a built-in scale; choose another name",
        "7: scales.enig[0].value: a scale point must be a whole number",
        "12: a.scale: unknown scale '1-7'; known scales are 1-5, 1-6, grad, enig",
        "13: b.scale: missing scale for likert",
    ]


def test_expression_errors_point_at_the_key():
    body = page(
        """\
        - name: percent
          type: percent
          label: P
          constraint: ". = 'ja'"
        - name: m
          type: select_multiple
          choices: [{value: helg, label: Helg}]
          label: M
        - name: t
          type: text
          label: T
          relevant: >-
            selected(${m}, 'natt')
            or ${percent} = 'mye'
        - name: u
          type: text
          label: U
          required: "${m} > 2"
        - name: v
          type: yes_no
          label: V
          relevant: ". = 'yes'"
        - name: w
          type: text
          label: W
          relevant: "${v} = 'ja' and selected(${percent}, 'x')"
        """
    )
    assert errors_in(body) == [
        "12: percent.constraint: compares number the checked value (.) with text 'ja' "
        "(at character 3)",
        "20: t.relevant: compares number ${percent} with text 'mye' (at character 38)",
        "20: t.relevant: unknown choice 'natt' for m",
        "26: u.required: ${m} is a list of choices; compare it with selected() or count-selected() "
        "(at character 6)",
        "30: v.relevant: '.' (the value being checked) can only be used in a constraint "
        "(at character 1)",
        "34: w.relevant: selected() needs a select question, but ${percent} is a number "
        "(at character 17)",
        "34: w.relevant: unknown choice 'ja' for v",
    ]


def test_references_must_point_backwards():
    body = """\
    pages:
      - name: en
        title: En
        relevant: "${a} = 1"
        questions:
          - {name: a, type: integer, label: A, relevant: "${b} = 1"}
          - {name: b, type: integer, label: B, relevant: "${b} = 1"}
          - {name: c, type: integer, label: C, constraint: "${c} > 0"}
          - {name: n, type: note, label: N}
      - name: to
        title: To
        relevant: "${d} = 1 or ${n} = 1"
        questions:
          - {name: d, type: integer, label: D, required: "${en} = 1 or ${bb} = 1"}
    """
    assert errors_in(body) == [
        "8: en.relevant: refers to ${a} on its own page; "
        "a page's relevant may only use earlier pages",
        "10: a.relevant: refers to later question ${b}",
        "11: b.relevant: cycle: b -> b",
        "16: to.relevant: ${n} is a note and has no answer",
        "16: to.relevant: refers to ${d} on its own page; "
        "a page's relevant may only use earlier pages",
        "18: d.required: unknown name ${bb}; did you mean ${b}?",
        "18: d.required: unknown name ${en} (that is a page)",
    ]


def test_question_errors():
    body = page(
        """\
        - name: 1a
          type: text
          label: A
        - type: text
          label: B
        - name: c
          type: nummer
        - name: d
          type: note
          label: D
          required: true
        - name: e
          type: select_one
          choices: [{value: annet, label: Annet}]
          other: true
          label: E
        - name: f
          type: select_one
          choices: [{value: x, label: X}]
          other: true
          label: F
        - name: f_annet
          type: text
          label: F2
        - name: g
          type: text
          long: 'yes'
          max_length: 0
          label: G
        """
    )
    assert errors_in(body) == [
        "9: side.questions[0].name: '1a' is not a valid question name: use letters, digits, "
        "'_' and '-', starting with a letter or '_'",
        "12: side.questions[1].name: missing name",
        "14: c.label: missing label",
        "15: c.type: unknown type 'nummer'; types are select_one, "
        "select_multiple, integer, decimal, percent, text, date, likert, yes_no, note, likert_grid",
        "19: d.required: a note has no answer",
        "23: e.other: the choices already have the value 'annet'",
        "30: f_annet.name: duplicate name 'f_annet', first on line 25 "
        "(other: true on a select adds a question with this name)",
        "35: g.long: must be true or false",
        "36: g.max_length: must be a positive whole number",
    ]


def test_all_errors_are_reported_at_once():
    text = (DATA / "syntax-error.yaml").read_text().replace("version: 1", "version: -1")
    with pytest.raises(InvalidDefinition) as caught:
        load_text(text, "two.yaml")
    assert [e.item for e in caught.value.errors] == ["version", "kommentar.relevant"]
    assert str(caught.value).count("two.yaml:") == 2


def test_definition_error_format():
    error = DefinitionError("q.yaml", 12, "stillingsprosent.relevant", "unknown name ${x}")
    assert str(error) == "q.yaml:12: stillingsprosent.relevant: unknown name ${x}"


# --- Several files ----------------------------------------------------------------------------


def test_load_directory_and_duplicate_ids(tmp_path):
    minimal = (DATA / "valid-minimal.yaml").read_text()
    (tmp_path / "a.yaml").write_text(minimal)
    (tmp_path / "b.yml").write_text(minimal.replace("id: minimal", "id: other"))
    (tmp_path / "notes.txt").write_text("not a questionnaire")
    assert [q.id for q in load_directory(tmp_path)] == ["minimal", "other"]

    (tmp_path / "c.yaml").write_text(minimal)
    with pytest.raises(InvalidDefinition) as caught:
        load_directory(tmp_path)
    assert [str(e) for e in caught.value.errors] == [
        f"{tmp_path / 'c.yaml'}:2: id: id 'minimal' is also used by {tmp_path / 'a.yaml'}"
    ]
    paths = [tmp_path / "a.yaml", tmp_path / "c.yaml", DATA / "unknown-type.yaml"]
    assert [e.item for e in check(paths)] == ["alder.type", "id"]


def test_unreadable_files(tmp_path):
    (tmp_path / "latin1.yaml").write_bytes("title: Bokm\xe5l".encode("latin-1"))
    errors = check([tmp_path / "missing.yaml", tmp_path / "latin1.yaml"])
    assert [(e.line, e.item) for e in errors] == [(1, "file"), (1, "file")]
    assert "cannot be read" in errors[0].message
    assert "not UTF-8" in errors[1].message
