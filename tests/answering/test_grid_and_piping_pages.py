"""A Likert grid and piped labels on the answering pages, through the test client as a phone
browser without JavaScript: what the respondent reads, in nb and nn."""

from __future__ import annotations

import re

import pytest

from survey import engine
from survey.campaigns.services import create_campaign
from survey.db import unit_of_work
from survey.questionnaires.services import sync_definition
from tests.web.helpers import responses
from tests.web.test_page_text import question_text, visible_text

DEFINITION = """\
id: pipe-og-rutenett
version: 1
title: {nb: "Piping og rutenett", nn: "Piping og rutenett", en: "Piping and grid"}
default_mode: anonymous
pages:
  - name: stilling
    title: {nb: "Stillingen din", nn: "Stillinga di", en: "Your position"}
    questions:
      - name: stillingsprosent
        type: percent
        label: {nb: "Hvor stor er stillingen din?", nn: "Kor stor er stillinga di?", en: "Size?"}
        required: true
      - name: enhet
        type: select_one
        label: {nb: "Hvor jobber du?", nn: "Kvar jobbar du?", en: "Where?"}
        choices:
          - {value: heim, label: {nb: "Hjemmetjenesten", nn: "Heimetenesta", en: "Home care"}}
          - {value: sjukeheim, label: {nb: "Sykehjemmet", nn: "Sjukeheimen", en: "Nursing home"}}
      - name: startet
        type: date
        label: {nb: "Når begynte du?", nn: "Når byrja du?", en: "When?"}
      - name: kallenavn
        type: text
        label: {nb: "Hva kaller kollegene deg?", nn: "Kva kallar kollegane deg?", en: "Name?"}
  - name: onske
    title: {nb: "Ønsket ditt", nn: "Ønsket ditt", en: "Your wish"}
    questions:
      - name: oppsummert
        type: note
        label:
          nb: "Du jobber ${stillingsprosent} i ${enhet} siden ${startet}, ${kallenavn}."
          nn: "Du jobbar ${stillingsprosent} i ${enhet} sidan ${startet}, ${kallenavn}."
          en: "You work ${stillingsprosent} in ${enhet} since ${startet}, ${kallenavn}."
      - name: fornoyd
        type: likert_grid
        scale: "1-5"
        label: {nb: "Om arbeidet i ${enhet}", nn: "Om arbeidet i ${enhet}", en: "About ${enhet}"}
        hint: {nb: "Ett svar per utsagn", nn: "Eitt svar per utsegn", en: "One answer each"}
        required: true
        statements:
          - name: fornoyd_storrelse
            label: {nb: "Jeg er fornøyd med ${stillingsprosent}", nn: "Eg er nøgd med ${stillingsprosent}", en: "Happy"}
          - name: fornoyd_turnus
            label: {nb: "Turnusen passer meg", nn: "Turnusen passar meg", en: "Rota"}
      - name: onsket
        type: percent
        label: {nb: "Du svarte ${fornoyd_storrelse}. Hvor stor stilling ønsker du?", nn: "Du svara ${fornoyd_storrelse}. Kor stor stilling ønskjer du?", en: "Wish?"}
        constraint: ". >= ${stillingsprosent}"
        constraint_message: {nb: "Mer enn ${stillingsprosent}, takk", nn: "Meir enn ${stillingsprosent}, takk", en: "More"}
"""


@pytest.fixture
def slug(app):
    with app.app_context(), unit_of_work():
        sync_definition(engine.load_text(DEFINITION, "pipe-og-rutenett.yaml"))
        return create_campaign("pipe-og-rutenett", "anonymous", "Piping").slug


def start(respondent, slug, lang="nb"):
    with respondent.client.session_transaction() as session:
        session["lang"] = lang
    respondent.get(f"/s/{slug}")
    respondent.post(f"/s/{slug}/start", follow=True)
    assert respondent.last.request.path == f"/s/{slug}/side/stilling"


def to_second_page(respondent, slug, lang, answers):
    start(respondent, slug, lang)
    respondent.answer_page(answers)
    assert respondent.last.headers["Location"].endswith("/side/onske")
    respondent.get(respondent.last.headers["Location"])


FIRST = {"stillingsprosent": "62,5", "enhet": "heim", "startet": "2024-03-01"}


def test_piped_answers_formatted_in_bokmal(app, respondent, slug):
    to_second_page(respondent, slug, "nb", {**FIRST, "kallenavn": "Kari"})
    text = visible_text(respondent.html)
    assert "Du jobber 62,5 % i Hjemmetjenesten siden 01.03.2024, Kari." in text
    assert "Om arbeidet i Hjemmetjenesten" in text
    assert "Jeg er fornøyd med 62,5 %" in text
    # Not answered yet (on this page, above): «…».
    assert "Du svarte …. Hvor stor stilling ønsker du?" in text


def test_piped_answers_formatted_in_nynorsk(app, respondent, slug):
    to_second_page(respondent, slug, "nn", {**FIRST, "kallenavn": "Kari"})
    text = visible_text(respondent.html)
    assert "Du jobbar 62,5 % i Heimetenesta sidan 01.03.2024, Kari." in text
    assert "Eg er nøgd med 62,5 %" in text


def test_an_unanswered_reference_shows_an_ellipsis(app, respondent, slug):
    to_second_page(respondent, slug, "nb", {"stillingsprosent": "100"})
    assert "Du jobber 100 % i … siden …, …." in visible_text(respondent.html)


def test_markup_typed_as_an_answer_shows_literally(app, respondent, slug):
    typed = "<script>alert(1)</script><b>Kari</b>"
    to_second_page(respondent, slug, "nb", {**FIRST, "kallenavn": typed})
    html = respondent.html
    assert "<script>alert(1)" not in html and "<b>Kari</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;Kari&lt;/b&gt;" in html
    assert f"siden 01.03.2024, {typed}." in visible_text(html)


def test_the_grid_is_one_box_with_a_fieldset_per_statement(app, respondent, slug):
    to_second_page(respondent, slug, "nb", FIRST)
    html = respondent.html
    start = html.index('<div class="likert-grid points-5" id="g-fornoyd"')
    box = html[start : html.index('<div class="question" id="q-onsket"')]
    assert box.count('<div class="question statement"') == 2
    assert box.count("<div") == box.count("</div>"), "the grid's box is closed before onsket"
    assert box.count("<fieldset") == 2
    assert box.count('type="radio"') == 10
    assert 'role="group" aria-labelledby="gl-fornoyd" aria-describedby="gh-fornoyd"' in box
    assert re.search(
        r'<h2 class="grid-label" id="gl-fornoyd">Om arbeidet i Hjemmetjenesten</h2>', box
    )
    # The scale's labels once, for the eye only; every radio keeps its own label.
    scale = re.search(r'<div class="grid-scale" aria-hidden="true">(.*?)</div>', box, re.S)
    assert visible_text(scale.group(1)) == "1 – Helt uenig 2 3 4 5 – Helt enig"
    assert '<label for="f-fornoyd_turnus-0">1 – Helt uenig</label>' in box
    assert question_text(html, "fornoyd_turnus").startswith("Turnusen passer meg")
    # Each statement keeps what the live relevance script reads.
    assert 'data-name="fornoyd_storrelse" data-type="likert"' in box


def test_grid_statements_are_answered_and_refused_one_by_one(app, respondent, slug):
    to_second_page(respondent, slug, "nb", FIRST)
    respondent.answer_page({"fornoyd_storrelse": "4", "onsket": "50"})
    assert respondent.last.status_code == 422
    text = visible_text(respondent.html)
    assert "Turnusen passer meg: Svar på dette spørsmålet." in text
    # The constraint message pipes too, and the statement answered keeps its answer.
    assert "Mer enn 62,5 %, takk" in text
    assert (
        'id="f-fornoyd_storrelse-3" name="fornoyd_storrelse" value="4" checked' in respondent.html
    )
    assert "Du svarte 4. Hvor stor stilling ønsker du?" in text

    respondent.answer_page({"fornoyd_storrelse": "4", "fornoyd_turnus": "5", "onsket": "80"})
    assert respondent.last.headers["Location"].endswith("/oppsummering")
    respondent.get(respondent.last.headers["Location"])
    review = visible_text(respondent.html)
    assert "Jeg er fornøyd med 62,5 % 4" in review
    assert "Du svarte 4. Hvor stor stilling ønsker du? 80 %" in review
    [(status, answers)] = responses(app)
    assert (answers["fornoyd_storrelse"], answers["fornoyd_turnus"]) == (4, 5)


def test_an_answer_changed_later_is_shown_not_a_cached_page(app, respondent, slug):
    to_second_page(respondent, slug, "nb", {**FIRST, "kallenavn": "Kari"})
    assert "siden 01.03.2024, Kari." in visible_text(respondent.html)
    respondent.get(f"/s/{slug}/side/stilling")
    respondent.answer_page({**FIRST, "stillingsprosent": "80", "kallenavn": "Ola"})
    respondent.get(respondent.last.headers["Location"])
    text = visible_text(respondent.html)
    assert "Du jobber 80 % i Hjemmetjenesten siden 01.03.2024, Ola." in text
    assert "Jeg er fornøyd med 80 %" in text


def test_a_text_piping_from_its_own_page_carries_its_template_for_the_script(app, respondent, slug):
    to_second_page(respondent, slug, "nb", {**FIRST, "kallenavn": '"><script>x</script>'})
    html = respondent.html
    # Without JavaScript the answer as last saved («…» here); the script fills it in as the
    # statement above is answered, from the text before piping.
    assert (
        '<span data-pipe="Du svarte ${fornoyd_storrelse}. Hvor stor stilling ønsker du?"'
        ' data-pipe-values="{&#34;stillingsprosent&#34;: &#34;62,5 %&#34;}">'
        "Du svarte …. Hvor stor stilling ønsker du?</span>" in html
    )
    # Answers from earlier pages are piped by the server alone: no template for the script.
    assert 'data-pipe="Du jobber' not in html
    assert "<script>x</script>" not in html


def test_the_receipt_shows_piped_labels_of_what_was_recorded(app):
    """The receipt of an identified campaign lists what changed on «Min side» by the labels
    the respondent read, with the answers they pipe filled in."""
    from survey.answering.presenting import recorded_view

    questionnaire = engine.load_text(DEFINITION, "pipe-og-rutenett.yaml")
    answers = {"stillingsprosent": 62.5, "fornoyd_storrelse": 4, "onsket": 80.0}
    recorded = {"kind": "saved", "changes": [("onsket", 80), ("stillingsprosent", 62.5)]}
    with app.test_request_context():
        view = recorded_view(recorded, questionnaire, None, "nn", answers=answers)
    assert view["changes"] == [
        {"label": "Kor stor er stillinga di?", "value": "62,5 %"},
        {"label": "Du svara 4. Kor stor stilling ønskjer du?", "value": "80 %"},
    ]
