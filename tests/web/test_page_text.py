"""What a respondent reads on the answering pages (issue #10, items 1, 2, 4 and 5): the
«(valgfritt)» marker is markup, not text; a question that must be answered whenever it is shown
never says it is optional; the page count never jumps up after a branch; a refused page puts the
focus on an error summary that reads well; the campaign title follows the page's language."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from survey.campaigns.models import Campaign
from survey.campaigns.services import create_campaign
from survey.db import unit_of_work
from survey.extensions import db
from tests.web.helpers import FULL_TIME

PART_TIME = {**FULL_TIME, "stillingsprosent": "50"}


class _Text(HTMLParser):
    """The text a browser shows: entities decoded, no scripts, no [hidden] subtrees."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[bool] = []  # per open element: is it hidden (or a script)?

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        hidden = tag in ("script", "style", "template", "title") or "hidden" in dict(attrs)
        self.stack.append(hidden or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def question_html(html: str, name: str) -> str:
    start = html.index(f'id="q-{name}"')
    end = html.find('<div class="question', start)
    return html[start : end if end != -1 else len(html)]


def question_text(html: str, name: str) -> str:
    """The question's text as shown once it is revealed (hidden or not)."""
    return visible_text("<div " + question_html(html, name).split(">", 1)[1])


def campaign(app, *, title="Kartlegging 2026", title_nn=None, title_en=None, mode="anonymous"):
    with app.app_context(), unit_of_work():
        translated = {"title_nn": title_nn, "title_en": title_en}
        translated = {key: value for key, value in translated.items() if value}
        found = create_campaign("heltid-arlig", mode, title, **translated)
        return found.slug


def start(respondent, slug, lang="nb"):
    respondent.get(f"/sprak/{lang}")
    respondent.get(f"/s/{slug}")
    respondent.post(f"/s/{slug}/start", follow=True)
    assert respondent.last.request.path == f"/s/{slug}/side/stilling"


def next_page(respondent, answers):
    respondent.answer_page(answers)
    assert respondent.last.status_code == 302, visible_text(respondent.html)
    respondent.get(respondent.last.headers["Location"])


# --- 1. the optional marker ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "optional"), [("nb", "(valgfritt)"), ("nn", "(valfritt)"), ("en", "(optional)")]
)
def test_optional_marker_is_shown_as_words_not_markup(app, respondent, lang, optional):
    start(respondent, campaign(app), lang)
    next_page(respondent, FULL_TIME)
    next_page(respondent, {"fornoyd_storrelse": "yes"})
    assert respondent.last.request.path.endswith("/side/avslutning")
    text = visible_text(respondent.html)
    assert optional in question_text(respondent.html, "kommentar")
    assert "<" not in text and "&lt;" not in text, text
    assert '<span class="optional">' in question_html(respondent.html, "kommentar")


# --- 2. required whenever shown ----------------------------------------------------------------


def test_questions_required_whenever_shown_do_not_say_optional(app, respondent):
    start(respondent, campaign(app))
    # yrkesgruppe_annet is hidden until «Annet» is chosen; the script reveals it in place.
    assert "valgfritt" not in question_text(respondent.html, "yrkesgruppe_annet")
    next_page(respondent, PART_TIME)
    assert respondent.last.request.path.endswith("/side/onske")
    assert 'data-name="onsket_prosent" data-type="percent" hidden' in respondent.html
    assert "valgfritt" not in question_text(respondent.html, "onsket_prosent")
    respondent.answer_page({"fornoyd_storrelse": "no", "onsket_endring": "storre"})
    respondent.get(respondent.last.headers["Location"])  # revealed on the same page
    assert "valgfritt" not in question_text(respondent.html, "onsket_prosent")
    next_page(
        respondent,
        {
            "fornoyd_storrelse": "no",
            "onsket_endring": "storre",
            "onsket_prosent": "80",
            "onsket_fast": "yes",
        },
    )
    assert respondent.last.request.path.endswith("/side/helger")
    for name in ("helger_per_ar", "langvakt_hyppighet", "langvakt_hyppighet_annet"):
        assert "valgfritt" not in question_text(respondent.html, name), name
    # … and the server indeed refuses them empty once shown.
    respondent.answer_page({"villig_helger": "oftere", "villig_langvakter": "yes"})
    respondent.get(respondent.last.headers["Location"])
    respondent.answer_page({"villig_helger": "oftere", "villig_langvakter": "yes"})
    assert respondent.last.status_code == 422
    summary = visible_text(respondent.html.split('class="error-summary"')[1].split("</div>")[0])
    assert "Hvor mange helger i året kan du jobbe?" in summary
    assert "Hvor ofte kan du ta langvakter?" in summary


# --- 4. the page count -------------------------------------------------------------------------

COUNT = re.compile(r"Side (\d+) av (høyst )?(\d+)")


def page_count(html: str) -> tuple[int, int, bool]:
    match = COUNT.search(visible_text(html))
    assert match, "no page count"
    return int(match.group(1)), int(match.group(3)), match.group(2) is None


def test_page_count_never_jumps_up_and_is_exact_once_the_branches_are_decided(app, respondent):
    start(respondent, campaign(app))
    counts = [page_count(respondent.html)]
    assert counts[0] == (1, 7, False)  # every page may still come
    pages = [
        PART_TIME,
        {"fornoyd_storrelse": "no", "onsket_endring": "storre"},  # reveals onsket_prosent
        {
            "fornoyd_storrelse": "no",
            "onsket_endring": "storre",
            "onsket_prosent": "80",
            "onsket_fast": "yes",
        },
        {
            "villig_helger": "hver_3",
            "villig_langvakter": "no",
        },
        {"villig_andre_enheter": "nei", "andre_vakter": "dag", "ubundet_tid": "no"},
        {"oppstart_uker": "4", "onske_skriftlig": "no", "forsokt_flere_timer": "no"},
        {},
    ]
    for answers in pages:
        next_page(respondent, answers)
        counts.append(page_count(respondent.html))
    assert respondent.last.request.path.endswith("/side/avslutning")
    positions = [position for position, _total, _exact in counts]
    totals = [total for _position, total, _exact in counts]
    assert totals == sorted(totals, reverse=True), counts
    assert all(a <= b for a, b in zip(positions, positions[1:], strict=False)), counts
    assert counts[-1] == (7, 7, True), counts


def test_full_timer_sees_the_count_shrink_not_grow(app, respondent):
    start(respondent, campaign(app))
    next_page(respondent, FULL_TIME)
    # Full time: the wish page is the last branch point; the rest are known to be skipped.
    assert page_count(respondent.html) == (2, 3, True)
    next_page(respondent, {"fornoyd_storrelse": "yes"})
    assert page_count(respondent.html) == (3, 3, True)


# --- 5. the error summary and the campaign title -----------------------------------------------


def test_refused_page_focuses_an_error_summary_without_doubled_punctuation(app, respondent):
    start(respondent, campaign(app))
    respondent.answer_page({})
    assert respondent.last.status_code == 422
    html = respondent.html
    summary_tag = re.search(r'<div class="error-summary"[^>]*>', html).group(0)
    assert "autofocus" in summary_tag and 'tabindex="-1"' in summary_tag
    text = visible_text(html)
    assert "Hvor jobber du? Svar på dette spørsmålet." in text
    assert "?:" not in text


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("nb", "Kartlegging 2026"),
        ("nn", "Kartlegging 2026 (nynorsk)"),
        # No English title: the questionnaire's English title, never the bokmål campaign title.
        ("en", "Annual survey of your position and working hours"),
    ],
)
def test_campaign_title_in_the_pages_language(app, respondent, lang, expected):
    slug = campaign(app, title_nn="Kartlegging 2026 (nynorsk)")
    respondent.get(f"/sprak/{lang}")
    respondent.get(f"/s/{slug}")
    assert re.search(r"<title>\s*([^<]*?)\s*</title>", respondent.html).group(1) == expected
    assert f"<h1>{expected}</h1>" in respondent.html
    respondent.post(f"/s/{slug}/start", follow=True)
    title = re.search(r"<title>\s*([^<]*?)\s*</title>", respondent.html).group(1)
    assert title.endswith(f"– {expected}")
    next_page(respondent, FULL_TIME)
    next_page(respondent, {"fornoyd_storrelse": "yes"})
    next_page(respondent, {})
    assert respondent.last.request.path.endswith("/oppsummering")
    assert re.search(r"<title>\s*([^<]*?)\s*</title>", respondent.html).group(1).endswith(expected)
    respondent.post(f"/s/{slug}/send")
    respondent.get(respondent.last.headers["Location"])
    assert re.search(r"<title>\s*([^<]*?)\s*</title>", respondent.html).group(1).endswith(expected)


def test_campaign_create_takes_a_title_per_language(app, runner):
    result = runner.invoke(
        args=[
            "campaign",
            "create",
            "--questionnaire",
            "heltid-arlig",
            "--mode",
            "anonymous",
            "--title",
            "Kartlegging av stillingsønsker",
            "--title-nn",
            "Kartlegging av stillingsønske",
            "--title-en",
            "Survey of position wishes",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        stored = db.session.scalars(select(Campaign)).one()
        assert (stored.title, stored.title_nn, stored.title_en) == (
            "Kartlegging av stillingsønsker",
            "Kartlegging av stillingsønske",
            "Survey of position wishes",
        )


def test_min_side_shows_the_campaign_title_in_the_pages_language(app, client, respondent):
    from survey.campaigns.models import Invitation
    from survey.campaigns.services import create_invitations
    from tests.conftest import login_as, make_person

    person_id = make_person(app, email="eva@kommune.no", name="Eva Ansatt")
    with app.app_context():
        found = create_campaign(
            "heltid-arlig", "identified", "Kartlegging 2026", title_nn="Kartlegging 2026 nn"
        )
        slug = found.slug
        [token] = create_invitations(found, 1)
        db.session.scalars(select(Invitation)).one().person_id = person_id
        db.session.commit()
    respondent.get(f"/i/{token}")
    respondent.post(f"/i/{token}", follow=True)
    next_page(respondent, FULL_TIME)
    next_page(respondent, {"fornoyd_storrelse": "yes"})
    next_page(respondent, {})
    respondent.post(f"/s/{slug}/send")
    login_as(client, app, person_id)
    respondent.get("/sprak/nn")
    respondent.get("/meg/")
    assert respondent.last.status_code == 200
    text = visible_text(respondent.html)
    assert "Kartlegging 2026 nn" in text
    assert "Kartlegging 2026" not in text.replace("Kartlegging 2026 nn", "")
