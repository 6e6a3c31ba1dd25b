"""Piping: ${name} in a text shows an earlier answer; the loader checks every reference."""

from survey.engine import load_text, pipe, piped_names
from survey.engine.piping import question_piped_names

from .test_loader import HEADER, errors_in, page


def test_piped_names_in_order_once_each():
    text = "Du jobber ${stilling} % i ${enhet}; ${stilling} er ${x-1}. $stilling {y} ${ 2}"
    assert piped_names(text) == ("stilling", "enhet", "x-1")
    assert piped_names("") == ()


def test_pipe_replaces_known_values_and_marks_the_missing():
    text = "Du jobber ${stilling} i ${enhet}."
    assert pipe(text, {"stilling": "62,5 %", "enhet": "Hjemmetjenesten"}) == (
        "Du jobber 62,5 % i Hjemmetjenesten."
    )
    assert pipe(text, {"stilling": "62,5 %"}) == "Du jobber 62,5 % i …."
    assert pipe(text, {"stilling": "", "enhet": "A"}, missing="?") == "Du jobber ? i A."
    assert pipe("Nothing to pipe", {}) == "Nothing to pipe"


def test_pipe_leaves_markup_in_values_as_plain_text():
    # Escaping is the template's job: the value comes back exactly as typed.
    assert pipe("Hei ${navn}", {"navn": "<script>x</script>"}) == "Hei <script>x</script>"
    # A value that itself looks like a reference is not piped again.
    assert pipe("${a} ${b}", {"a": "${b}", "b": "B"}) == "${b} B"


VALID = """\
- name: stilling
  type: percent
  label: Stilling
- name: onsket
  type: percent
  label: {nb: "Du jobber ${stilling} %. Hva ønsker du?", nn: "Du jobbar ${stilling} %.", en: "You work ${stilling} %."}
  hint: "Nå ${stilling}"
  constraint: ". >= ${stilling}"
  constraint_message: "Mer enn ${stilling} %"
- name: info
  type: note
  label: "Ønsket: ${onsket}"
"""


def test_valid_piping_loads_and_is_found_in_every_text():
    q = load_text(HEADER + page(VALID), "form.yaml")
    assert q.question("onsket").label.get("nn") == "Du jobbar ${stilling} %."
    assert question_piped_names(q.question("onsket")) == ("stilling",)
    assert question_piped_names(q.question("info")) == ("onsket",)
    assert question_piped_names(q.question("stilling")) == ()


def test_piping_problems_name_line_and_item():
    questions = """\
    - name: notat
      type: note
      label: Et notat
    - name: a
      type: text
      label: "Svar på ${notat}"
      hint: {nb: "Se ${b}", nn: "Sjå ${a}", en: "See ${stillng}"}
    - name: b
      type: text
      label: B
      constraint_message::nb: "Ikke ${side}"
    """
    assert errors_in(page(questions)) == [
        "14: a.label: shows ${notat}, a note, which has no answer",
        "15: a.hint: shows ${a}, its own answer; only earlier answers can be shown",
        "15: a.hint: shows ${b}, a later question; only earlier answers can be shown",
        "15: a.hint: shows ${stillng}, an unknown name",
        "19: b.constraint_message: shows ${side}, an unknown name (that is a page)",
    ]


def test_employee_texts_and_grid_texts_are_checked():
    questions = """\
    - name: a
      type: text
      label: A
      label_employee: {nb: "Du ${zz}", nn: "Du", en: "You"}
    - name: g
      type: likert_grid
      scale: "1-5"
      label: "Om ${a} og ${g1}"
      statements:
        - {name: g1, label: "En ${a}"}
        - {name: g2, label: "To ${g1}"}
    """
    assert errors_in(page(questions)) == [
        "12: a.label_employee: shows ${zz}, an unknown name",
        "16: g.label: shows ${g1}, its own answer; only earlier answers can be shown",
    ]


def test_a_reference_earlier_on_the_same_page_is_allowed():
    questions = """\
    - name: g
      type: likert_grid
      scale: "1-5"
      label: "Grid"
      statements:
        - {name: g1, label: "En"}
        - {name: g2, label: "To, etter ${g1}"}
    """
    q = load_text(HEADER + page(questions), "form.yaml")
    assert question_piped_names(q.question("g2")) == ("g1",)
