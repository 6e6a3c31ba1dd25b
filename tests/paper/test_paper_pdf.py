"""The paper version of a questionnaire (survey/questionnaires/paper.py): the PDF's text, as
`pdftotext` reads it, holds every question with its number, the branching instructions in
words and the page numbers; conditions of every common shape are put into words, anything
else into a readable fallback, never an expression. No database: plain definitions."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from survey import engine
from survey.engine.piping import PIPE_PATTERN
from survey.questionnaires.paper import paper_document, paper_pdf

ROOT = Path(__file__).resolve().parents[2]
GRID_FORM = Path(__file__).with_name("gridform.yaml")

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext")


def pdf_text(body: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(body)
    result = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    )
    return result.stdout


def flat(text: str) -> str:
    """Whitespace as single spaces: labels wrap across lines in the PDF."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """(definition, lang) -> the PDF's text, each rendered once for the module."""
    cache: dict[tuple[str, str], tuple[engine.Questionnaire, str, bytes]] = {}
    directory = tmp_path_factory.mktemp("paper")

    def render(source: Path, lang: str):
        key = (str(source), lang)
        if key not in cache:
            definition = engine.load(source)
            body = paper_pdf(definition, lang)
            cache[key] = (definition, pdf_text(body, directory, f"{source.stem}-{lang}"), body)
        return cache[key]

    return render


def expected_texts(definition: engine.Questionnaire, lang: str) -> list[str]:
    """Every question's label (a grid's lead text and statements), every note and page
    title, with piped references as the paper writes them."""
    texts = []
    grids = set()
    for page in definition.pages:
        texts.append(page.title.get(lang))
        for question in page.questions:
            if question.other_of is not None:
                continue
            if question.grid is not None and id(question.grid) not in grids:
                grids.add(id(question.grid))
                texts.append(question.grid.label.get(lang))
            texts.append(question.label.get(lang))
    return [PIPE_PATTERN.sub("", text).strip() for text in texts]


@pytest.mark.parametrize("questionnaire", ["heltid-arlig", "arbeidsmiljo"])
@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_every_question_title_and_page_number_is_in_the_pdf(rendered, questionnaire, lang):
    definition, text, body = rendered(ROOT / "questionnaires" / f"{questionnaire}.yaml", lang)
    assert body.startswith(b"%PDF")
    shown = flat(text)
    assert definition.title.get(lang) in shown
    for label in expected_texts(definition, lang):
        for part in label.split("  "):
            assert flat(part) in shown, (questionnaire, lang, part)
    # Numbered 1..N: every number appears before its label.
    document = paper_document(definition, lang)
    numbers = [
        item["number"]
        for section in document["sections"]
        for item in section["items"]
        if item["kind"] != "note"
    ]
    assert numbers == [str(n) for n in range(1, len(numbers) + 1)]
    for number in numbers:
        assert re.search(rf"(^|\s){number}\.\s", text), number
    # «Side 1 av 5» in the footer of every page.
    pages = text.count("\f")  # pdftotext ends every page with a form feed
    assert pages >= 2
    for page in range(1, pages + 1):
        assert f"Side {page} av {pages}" in shown
    assert "${" not in text


HELTID_INSTRUCTIONS = {
    "nb": [
        "Svar bare hvis du svarte mindre enn 100 på spørsmål 3.",
        "Hvis du svarte noe annet enn «Større stilling»: gå til spørsmål 20.",
        "Svar bare hvis du svarte «Større stilling» på spørsmål 6. Hvis ikke: gå til spørsmål 20.",
        "Svar på spørsmål 9–12 bare hvis du svarte mindre enn 100 på spørsmål 3 og du svarte "
        "«Større stilling» på spørsmål 6. Hvis ikke: gå til spørsmål 20.",
        "Hvis du svarte «Nei»: gå til spørsmål 13.",
        "Svar bare hvis du svarte «Ja» på spørsmål 11.",
        "Svar bare hvis du svarte «Assistent (uten fagutdanning)» på spørsmål 2.",
        "Svar på spørsmål 20–21 bare hvis du svarte mindre enn 100 på spørsmål 3. "
        "Hvis ikke: gå til spørsmål 22.",
        "Svar bare hvis du svarte «Mindre stilling» på spørsmål 6.",
    ],
    "nn": [
        "Svar berre viss du svarte mindre enn 100 på spørsmål 3.",
        "Viss du svarte noko anna enn «Større stilling»: gå til spørsmål 20.",
        "Svar på spørsmål 9–12 berre viss du svarte mindre enn 100 på spørsmål 3 og du svarte "
        "«Større stilling» på spørsmål 6. Viss ikkje: gå til spørsmål 20.",
        "Viss du svarte «Nei»: gå til spørsmål 13.",
        "Svar på spørsmål 20–21 berre viss du svarte mindre enn 100 på spørsmål 3. "
        "Viss ikkje: gå til spørsmål 22.",
    ],
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_branching_is_written_out_with_question_numbers(rendered, lang):
    _definition, text, _body = rendered(ROOT / "questionnaires" / "heltid-arlig.yaml", lang)
    shown = flat(text)
    for instruction in HELTID_INSTRUCTIONS[lang]:
        assert instruction in shown, instruction
    how = "Slik svarer du" if lang == "nb" else "Slik svarar du"
    assert how in shown
    assert ("Ikke skriv navnet ditt" if lang == "nb" else "Ikkje skriv namnet ditt") in shown


def test_every_conditional_question_and_page_gets_an_instruction():
    """Each `relevant` of the shipped questionnaires is put into words (no fallback), and
    each conditional item says where to go when it does not apply, unless that is the next
    question."""
    for source in sorted((ROOT / "questionnaires").glob("*.yaml")):
        definition = engine.load(source)
        document = paper_document(definition, "nb")
        conditional_pages = [p for p in definition.pages if p.relevant is not None]
        with_instruction = [s for s in document["sections"] if s["instruction"]]
        assert len(with_instruction) == len(
            [p for p in conditional_pages if any(q.has_value for q in p.questions)]
        ), source.name
        for section in document["sections"]:
            for text in [section["instruction"]] + [
                item.get("instruction", "") for item in section["items"]
            ]:
                assert "ut fra svar" not in text, (source.name, text)  # no fallback needed
                assert "${" not in text


def test_grid_piping_dates_and_conditions_of_every_shape(rendered):
    definition, text, _body = rendered(GRID_FORM, "nb")
    shown = flat(text)
    # A Likert grid: one number, its statements lettered, the scale's points as columns.
    assert "6. Hvor enig er du?" in shown
    assert "6a Jeg samarbeider godt med kollegene mine" in shown
    assert "6b Jeg får støtte fra lederen min" in shown
    assert "1 – Helt uenig" in shown and "5 – Helt enig" in shown
    # Piping: the earlier answer's number instead of ${stilling}.
    assert "Du jobber (svaret ditt på spørsmål 3) %. Hvor mange timer i uka?" in shown
    # «Annet» with a line, a date's boxes, a number's unit.
    assert "Annet:" in shown
    assert "DD.MM.ÅÅÅÅ" in shown
    # Conditions: = on yes/no with a jump at the question, >= and not(selected()) joined by
    # «og», != on a page, <= on a Likert statement, and a fallback for arithmetic and today().
    assert "Svar bare hvis du svarte «Ja» på spørsmål 1." in shown
    assert "Hvis du svarte «Nei»: gå til spørsmål 3." in shown
    assert (
        "Svar bare hvis du svarte 50 eller mer på spørsmål 3 og du ikke krysset av for «Natt» "
        "på spørsmål 2." in shown
    )
    assert "Svar bare hvis det gjelder deg ut fra svarene dine på spørsmål 3 og 4." in shown
    assert (
        "Svar på spørsmål 6 bare hvis du ikke svarte «Nei» på spørsmål 1. "
        "Hvis ikke: gå til spørsmål 7." in shown
    )
    assert (
        "Svar bare hvis du svarte 2 eller mindre på spørsmål 6b. "
        "Hvis ikke: du er ferdig, gå til slutten av skjemaet." in shown
    )
    assert "${" not in text and "selected(" not in text and "today()" not in text


def test_english_paper(rendered):
    _definition, text, _body = rendered(GRID_FORM, "en")
    shown = flat(text)
    assert "Answer only if you answered “Yes” to question 1." in shown
    assert "If you answered “No”: go to question 3." in shown
    assert "You work (your answer to question 3) %." in shown
    assert "Page 1 of 2" in shown


def _form(questions: str, extra_pages: str = "") -> engine.Questionnaire:
    text = f"""
id: former
version: 1
title: Former
default_mode: anonymous
pages:
  - name: en
    title: En
    questions:
{questions}
{extra_pages}
"""
    return engine.load_text(text, "former.yaml")


def _instructions(definition: engine.Questionnaire, lang: str = "nb") -> list[str]:
    document = paper_document(definition, lang)
    found = []
    for section in document["sections"]:
        found += [section["instruction"], section["go_to"]]
        for item in section["items"]:
            found += [item.get("instruction", ""), item.get("go_to", ""), *item.get("after", [])]
    return [text for text in found if text]


FRUKT = """
      - name: frukt
        type: select_one
        label: Frukt
        choices:
          - {value: eple, label: Eple}
          - {value: pære, label: Pære}
          - {value: plomme, label: Plomme}
"""


def test_alternatives_on_one_question_are_merged_and_the_jump_names_the_rest():
    definition = _form(
        FRUKT
        + """
      - name: hvorfor
        type: text
        relevant: "${frukt} = 'eple' or ${frukt} = 'pære'"
        label: Hvorfor
      - name: slutt
        type: yes_no
        label: Slutt
"""
    )
    assert _instructions(definition) == [
        "Hvis du svarte «Plomme»: gå til spørsmål 3.",
        "Svar bare hvis du svarte «Eple» eller «Pære» på spørsmål 1.",
    ]


def test_answered_or_not_numbers_and_a_mixed_and_or():
    definition = _form(
        """
      - name: alder
        type: integer
        label: Alder
      - name: kommentar
        type: text
        label: Kommentar
      - name: a
        type: text
        relevant: "${kommentar} != ''"
        label: A
      - name: b
        type: text
        relevant: "${kommentar} = ''"
        label: B
      - name: c
        type: text
        relevant: "${alder} > 62.5 and (${alder} < 70 or ${kommentar} != '')"
        label: C
      - name: d
        type: text
        relevant: "${alder} != 18"
        label: D
"""
    )
    assert _instructions(definition) == [
        "Svar bare hvis du svarte på spørsmål 2.",
        "Svar bare hvis du ikke svarte på spørsmål 2.",
        "Svar bare hvis du svarte mer enn 62,5 på spørsmål 1 og (du svarte mindre enn 70 på "
        "spørsmål 1 eller du svarte på spørsmål 2).",
        "Svar bare hvis du svarte noe annet enn 18 på spørsmål 1.",
        "Hvis ikke: du er ferdig, gå til slutten av skjemaet.",
    ]


def test_a_condition_too_complex_reads_as_a_fallback_never_as_an_expression():
    definition = _form(
        FRUKT
        + """
      - name: antall
        type: integer
        label: Antall
      - name: x
        type: text
        relevant: "if(${antall} > 2, true(), count-selected(${frukt}) = 1)"
        label: X
      - name: y
        type: text
        relevant: "today() > '2020-01-01'"
        label: Y
"""
    )
    assert _instructions(definition) == [
        "Svar bare hvis det gjelder deg ut fra svarene dine på spørsmål 1 og 2.",
        "Svar bare hvis det gjelder deg.",
        "Hvis ikke: du er ferdig, gå til slutten av skjemaet.",
    ]
    assert _instructions(definition, "nn") == [
        "Svar berre viss det gjeld deg ut frå svara dine på spørsmål 1 og 2.",
        "Svar berre viss det gjeld deg.",
        "Viss ikkje: du er ferdig, gå til slutten av skjemaet.",
    ]


def test_an_other_write_in_is_named_by_its_questions_number():
    definition = _form(
        FRUKT.replace("label: Frukt", "label: Frukt\n        other: true")
        + """
      - name: mer
        type: text
        relevant: "string-length(${frukt_annet}) > 3"
        label: "Fortell mer om ${frukt_annet}"
"""
    )
    assert _instructions(definition)[0] == (
        "Svar bare hvis det gjelder deg ut fra svaret ditt på spørsmål 1."
    )
    document = paper_document(definition, "nb")
    [question, more] = document["sections"][0]["items"]
    assert [c["label"] for c in question["choices"]][-1] == "Annet"
    assert question["choices"][-1]["other"] is True
    assert more["label"] == "Fortell mer om (svaret ditt på spørsmål 1)"


def test_a_page_skipped_to_the_end_and_selected_in_a_multiple_choice():
    definition = _form(
        """
      - name: vakter
        type: select_multiple
        label: Vakter
        choices:
          - {value: dag, label: Dag}
          - {value: natt, label: Natt}
""",
        """
  - name: natt
    title: Natt
    relevant: "selected(${vakter}, 'natt')"
    questions:
      - name: netter
        type: integer
        label: Netter
      - name: trives
        type: yes_no
        label: Trives
""",
    )
    assert _instructions(definition) == [
        "Svar på spørsmål 2–3 bare hvis du krysset av for «Natt» på spørsmål 1.",
        "Hvis ikke: du er ferdig, gå til slutten av skjemaet.",
    ]
