"""`type: likert_grid`: statements sharing one scale, expanded into likert questions."""

import pytest

from survey.engine import Grid, load_text

from .test_loader import HEADER, errors_in, page

GRID = """\
- name: alder
  type: integer
  label: Alder
- name: samarbeid
  type: likert_grid
  scale: "1-5"
  label: {nb: "Hvor enig er du?", nn: "Kor samd er du?", en: "How much do you agree?"}
  hint: {nb: "Ett svar per utsagn", nn: "Eitt svar per utsegn", en: "One answer each"}
  required: true
  relevant: "${alder} > 17"
  statements:
    - name: samarbeid_kolleger
      label: {nb: "Jeg samarbeider godt med kollegene mine", nn: "Eg samarbeider godt", en: "I work well with my colleagues"}
    - name: samarbeid_leder
      label: "Lederen min støtter meg"
- name: etter
  type: text
  label: Etter
"""


def test_a_grid_becomes_consecutive_likert_questions_sharing_one_grid():
    q = load_text(HEADER + page(GRID), "form.yaml")
    names = [question.name for question in q.questions]
    assert names == ["alder", "samarbeid_kolleger", "samarbeid_leder", "etter"]
    kolleger, leder = q.question("samarbeid_kolleger"), q.question("samarbeid_leder")
    assert kolleger.grid is leder.grid
    assert kolleger.grid == Grid(
        name="samarbeid",
        label=kolleger.grid.label,
        hint=kolleger.grid.hint,
        scale="1-5",
        line=12,
    )
    assert kolleger.grid.label.get("nn") == "Kor samd er du?"
    assert kolleger.grid.hint.get("en") == "One answer each"
    for statement in (kolleger, leder):
        assert statement.type == "likert"
        assert statement.required is True
        assert statement.page == "side"
        assert [choice.value for choice in statement.choices] == ["1", "2", "3", "4", "5"]
        assert statement.relevant is not None
    assert kolleger.label.get("en") == "I work well with my colleagues"
    assert leder.label.get("nn") == "Lederen min støtter meg"
    assert (kolleger.line, leder.line) == (20, 22)
    assert q.question("alder").grid is None and q.question("etter").grid is None


def test_a_grid_on_a_named_scale_with_an_expression_for_required():
    scales = """\
scales:
  enig:
    - {value: 1, label: Uenig}
    - {value: 2, label: Enig}
"""
    questions = """\
    - name: jobb
      type: yes_no
      label: Jobb?
    - name: g
      type: likert_grid
      scale: enig
      label: Utsagn
      required: "${jobb} = 'yes'"
      statements:
        - {name: a, label: A}
    """
    q = load_text(HEADER + scales + page(questions), "form.yaml")
    statement = q.question("a")
    assert statement.required is False and statement.required_expr is not None
    assert statement.grid.scale == "enig"
    assert [c.label.get("nb") for c in statement.choices] == ["Uenig", "Enig"]


@pytest.mark.parametrize(
    ("grid", "expected"),
    [
        (
            "- {name: g, type: likert_grid, scale: '1-5', label: L}\n",
            "9: g.statements: a likert_grid needs a list of statements",
        ),
        (
            "- {name: g, type: likert_grid, scale: '1-5', label: L, statements: []}\n",
            "9: g.statements: a likert_grid needs a list of statements",
        ),
        (
            "- name: g\n  type: likert_grid\n  scale: '1-7'\n  label: L\n"
            "  statements: [{name: a, label: A}]\n",
            "11: g.scale: unknown scale '1-7'; known scales are 1-5, 1-6, grad",
        ),
        (
            "- name: g\n  type: likert_grid\n  label: L\n  statements: [{name: a, label: A}]\n",
            "9: g.scale: missing scale for likert_grid",
        ),
        (
            "- name: g\n  type: likert_grid\n  scale: grad\n  label: L\n  statements:\n"
            "    - name: a\n      type: likert\n      label: A\n",
            "15: a.type: a statement has no type of its own: it is answered on the grid's scale",
        ),
        (
            "- name: g\n  type: likert_grid\n  scale: grad\n  label: L\n  statements:\n"
            "    - {name: a, label: A, hint: H}\n",
            "14: a.hint: unknown key 'hint'",
        ),
        (
            "- name: g\n  type: likert_grid\n  scale: grad\n  label: L\n  statements:\n"
            "    - {name: a}\n",
            "14: a.label: missing label",
        ),
        (
            "- name: g\n  type: likert_grid\n  scale: grad\n  statements:\n    - {name: a, label: A}\n",
            "9: g.label: missing label",
        ),
    ],
)
def test_grid_errors(grid, expected):
    errors = errors_in(page(grid))
    assert len(errors) == 1, errors
    assert errors[0].startswith(expected)


def test_duplicate_statement_names_are_refused_against_every_other_name():
    questions = """\
    - name: alder
      type: integer
      label: Alder
    - name: g
      type: likert_grid
      scale: "1-5"
      label: L
      statements:
        - {name: alder, label: A}
        - {name: b, label: B}
        - {name: b, label: C}
        - {name: side, label: D}
    - name: g
      type: text
      label: Same name as the grid
    """
    assert errors_in(page(questions)) == [
        "17: alder.name: duplicate name 'alder', first on line 9",
        "19: b.name: duplicate name 'b', first on line 18",
        "20: side.name: duplicate name 'side', first on line 6",
        "21: g.name: duplicate name 'g', first on line 12",
    ]


def test_a_grid_in_place_of_a_page_is_refused():
    body = """\
    pages:
      - name: g
        title: G
        type: likert_grid
        statements: [{name: a, label: A}]
        questions:
          - {name: x, type: text, label: X}
    """
    errors = errors_in(body)
    assert "8: g: a likert_grid belongs in a page's questions, not in place of a page" in errors


def test_the_grids_relevant_is_checked_once_under_the_grids_name():
    questions = """\
    - name: g
      type: likert_grid
      scale: "1-5"
      label: L
      relevant: "${b} = 1"
      statements:
        - {name: a, label: A}
        - {name: b, label: B}
        - {name: c, label: C}
    """
    assert errors_in(page(questions)) == ["13: g.relevant: refers to later question ${b}"]
