"""One definition, two audiences: the employee's own wording of an interview question
(`label_employee` and its kin) and statements of what the leader recorded
(`statement_employee`), validated like every other text of a definition file."""

from __future__ import annotations

from survey.engine import load_text
from survey.engine.definition import EMPLOYEE_AUDIENCE, WRITTEN_AUDIENCE

from .test_loader import HEADER, errors_in, page

GOOD = page(
    """\
    - name: prosent
      type: percent
      label: {nb: "Hvor stor stilling har hen?", nn: "Kor stor stilling har hen?", en: "How large is their position?"}
      label_employee: {nb: "Hvor stor stilling har du?", nn: "Kor stor stilling har du?", en: "How large is your position?"}
      hint: "I prosent"
      hint_employee::nb: "Din stilling i prosent"
      hint_employee::nn: "Stillinga di i prosent"
      hint_employee::en: "Your position as a percentage"
      constraint: ". > 0"
      constraint_message: {nb: "Hen må ha en stilling."}
      constraint_message_employee: {nb: "Du må ha en stilling.", nn: "Du må ha ei stilling.", en: "You must have a position."}
    - name: sted
      type: select_one
      label: "Hvor vil hen jobbe?"
      choices:
        - {value: her, label: "Der hen er nå", label_employee: {nb: "Der jeg er nå", nn: "Der eg er no", en: "Where I am now"}}
        - {value: der, label: "Et annet sted"}
    - name: kvalifisert
      type: yes_no
      label: "Er hen kvalifisert?"
      label_employee: {nb: "Prosjektlederens vurdering", nn: "Vurderinga til prosjektleiaren", en: "The project leader's assessment"}
      statement_employee:
        yes: {nb: "Du er kvalifisert.", nn: "Du er kvalifisert.", en: "You are qualified."}
        no: {nb: "Du er ikke kvalifisert.", nn: "Du er ikkje kvalifisert.", en: "You are not qualified."}
    """,
    'title_employee: {nb: "Din side", nn: "Di side", en: "Your page"}\n',
)


def test_the_employee_reads_their_own_wording_and_the_leader_the_written_one():
    questionnaire = load_text(HEADER + GOOD, "form.yaml")
    prosent, sted, kvalifisert = questionnaire.questions
    assert prosent.label_for(WRITTEN_AUDIENCE).get("nn") == "Kor stor stilling har hen?"
    assert prosent.label_for(EMPLOYEE_AUDIENCE).get("nn") == "Kor stor stilling har du?"
    assert prosent.hint_for(EMPLOYEE_AUDIENCE).get("en") == "Your position as a percentage"
    assert prosent.hint_for(WRITTEN_AUDIENCE).get("en") == "I prosent"
    assert prosent.constraint_message_for(EMPLOYEE_AUDIENCE).get("nb") == "Du må ha en stilling."
    assert sted.choice("her").label_for(EMPLOYEE_AUDIENCE).get("en") == "Where I am now"
    assert sted.choice("der").label_for(EMPLOYEE_AUDIENCE).get("en") == "Et annet sted"
    assert kvalifisert.statement_for(EMPLOYEE_AUDIENCE, "no").get("nn") == (
        "Du er ikkje kvalifisert."
    )
    assert kvalifisert.statement_for(WRITTEN_AUDIENCE, "no") is None
    assert questionnaire.pages[0].title_for(EMPLOYEE_AUDIENCE).get("nn") == "Di side"
    assert questionnaire.pages[0].title_for(WRITTEN_AUDIENCE).get("nn") == "Side"


def test_an_employee_text_needs_all_three_languages():
    assert errors_in(
        page(
            """\
            - name: a
              type: text
              label: "Hva mener hen?"
              label_employee: {nb: "Hva mener du?", en: "What do you think?"}
            - name: b
              type: text
              label: "Hva vil hen?"
              label_employee: "Hva vil du?"
            - name: c
              type: text
              label: "Hva gjør hen?"
              hint_employee::nb: "Skriv hva du gjør"
            """
        )
    ) == [
        "12: a.label_employee: give the employee's text in nb, nn and en (missing nn)",
        "16: b.label_employee: give the employee's text in nb, nn and en (missing nb, nn, en)",
        "20: c.hint_employee: give the employee's text in nb, nn and en (missing nn, en)",
    ]


def test_unknown_keys_and_languages_in_employee_texts():
    assert errors_in(
        page(
            """\
            - name: a
              type: text
              label: "Hva mener hen?"
              label_employe: {nb: "Hva mener du?", nn: "Kva meiner du?", en: "What do you think?"}
            - name: b
              type: select_one
              label: "Hvor?"
              choices:
                - {value: x, label: "X", label_employee: {nb: "X", nn: "X", se: "X"}}
            """,
            'title_employee: {nb: "Di side"}\n',
        )
    ) == [
        "8: side.title_employee: give the employee's text in nb, nn and en (missing nn, en)",
        "13: a.label_employe: unknown key 'label_employe'; did you mean 'label_employee'?",
        "18: b.choices[0].label_employee: give the employee's text in nb, nn and en (missing en)",
        "18: b.choices[0].label_employee.se: unknown language 'se'; use nb, nn or en",
    ]


def test_statements_name_every_value_and_only_for_a_few_answers():
    assert errors_in(
        page(
            """\
            - name: a
              type: yes_no
              label: "Er hen kvalifisert?"
              statement_employee:
                yes: {nb: "Du er kvalifisert.", nn: "Du er kvalifisert.", en: "You are qualified."}
                kanskje: {nb: "Kanskje.", nn: "Kanskje.", en: "Maybe."}
            - name: b
              type: text
              label: "Notater"
              statement_employee: {x: {nb: "x", nn: "x", en: "x"}}
            - name: c
              type: yes_no
              label: "Er hen ferdig?"
              statement_employee: "Du er ferdig."
            - name: d
              type: note
              label: "Merk"
              statement_employee: {yes: {nb: "x", nn: "x", en: "x"}}
            """
        )
    ) == [
        "12: a.statement_employee: missing a statement for no",
        "14: a.statement_employee.kanskje: unknown answer value 'kanskje'; the values are yes, no",
        "18: b.statement_employee: statement_employee is only for select_one, yes_no questions",
        "22: c.statement_employee: must map each answer value to a text in nb, nn and en",
        "26: d.statement_employee: a note has no answer",
        "26: d.statement_employee: statement_employee is only for select_one, yes_no questions",
    ]


def test_the_interview_guide_gives_the_employee_du_wording():
    """Every question of the guide that speaks of the employee as «hen» has the employee's
    own wording, or a statement when only the leader answers it."""
    from pathlib import Path

    from survey.engine import load

    guide = load(Path(__file__).parents[2] / "questionnaires" / "kartleggingssamtale.yaml")
    employee_pages = {"onske", "onsket_stilling", "helger", "langvakter", "andre_steder"}
    employee_pages |= {"turnus_fagbrev", "oppstart"}
    for page_ in guide.pages:
        for question in page_.questions:
            shown = question.type != "note" or page_.name in employee_pages
            if not shown:
                continue
            texts = [question.label_for(EMPLOYEE_AUDIENCE)]
            if page_.name in employee_pages:
                texts += [question.hint_for(EMPLOYEE_AUDIENCE)]
                texts += [question.constraint_message_for(EMPLOYEE_AUDIENCE)]
                texts += [choice.label_for(EMPLOYEE_AUDIENCE) for choice in question.choices]
            for text in filter(None, texts):
                for lang in ("nb", "nn"):
                    words = text.get(lang).lower().replace("?", " ").replace(",", " ").split()
                    assert "hen" not in words, (question.name, lang, text.get(lang))
    kvalifisert = guide.question("kvalifisert")
    assert kvalifisert.statement_for(EMPLOYEE_AUDIENCE, "yes").get("nb") == (
        "Du er kvalifisert for en større stilling i yrkesgruppen din."
    )
