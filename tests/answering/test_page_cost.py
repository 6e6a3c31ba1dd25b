"""What a page of the answering flow costs the server (issue 13, «fast where it counts»): the
statements a page view and a page submit run, and the field HTML kept per question and
language, which must be the HTML the macro makes, in the page's language."""

from __future__ import annotations

import re
from contextlib import contextmanager

from sqlalchemy import event, select

from survey.answering import presenting, services
from survey.answering.models import Answer
from survey.extensions import db
from tests.answering.helpers import WANTS_MORE, answer_pages, invite, make_campaign, start

CSRF = re.compile(r'name="csrf_token" value="[^"]+"')


@contextmanager
def statements(app):
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_page_view_is_one_statement_and_a_page_submit_four(app, respondent):
    campaign_id, _ = make_campaign(app, "confidential")
    first = start(respondent, invite(app, campaign_id))
    respondent.get(first)
    with statements(app) as seen:
        respondent.get(first)
    # The draft, its campaign, its questionnaire version and its answers: one statement.
    assert len(seen) == 1, seen

    respondent.get(first)
    with statements(app) as seen:
        respondent.answer_page(WANTS_MORE["stilling"])
        assert respondent.last.status_code == 302, respondent.html
        respondent.get(respondent.last.headers["Location"])
    # Post: the draft, the answers (one multi-row upsert), the position; the page it
    # redirects to: the draft again. Nothing else, whatever the page holds.
    assert len(seen) == 4, seen
    assert respondent.last.status_code == 200


def test_kept_field_html_is_the_macros_in_the_pages_language(app, respondent, monkeypatch):
    """A page shown twice (the second time from the kept HTML of its unanswered fields) and
    with every field rendered by the macro are the same page, in each language."""
    # The views this test makes only: the review and the piping make views of questions whose
    # fields they never render (their labels and choices), which keep no HTML.
    monkeypatch.setattr(presenting, "_static_views", {})
    campaign_id, _ = make_campaign(app, "confidential")
    first = start(respondent, invite(app, campaign_id))

    def page() -> str:
        return CSRF.sub("", respondent.get(first).get_data(as_text=True))

    def by_macro() -> str:
        # Views without the kept HTML: the `field` filter renders each with the macro.
        with monkeypatch.context() as patch:
            static_view = presenting._static_view

            def without_kept(*args):
                return {k: v for k, v in static_view(*args).items() if k != "unanswered_html"}

            patch.setattr(presenting, "_static_view", without_kept)
            return page()

    for lang, label in (("nb", "Hvor jobber du?"), ("en", "Where do you work?")):
        respondent.get(f"/sprak/{lang}")
        shown, again, rendered = page(), page(), by_macro()
        assert shown == again == rendered
        assert label in shown
    # Answered, the page shows the answers, not the kept unanswered fields.
    respondent.get(first)
    respondent.answer_page(WANTS_MORE["stilling"])
    assert respondent.last.status_code == 302, respondent.html
    answered = page()
    assert answered == by_macro() != shown
    assert 'value="50"' in answered and " checked" in answered
    kept = [
        view["unanswered_html"]
        for question, view in presenting._static_views.values()
        if question.name == "enhet"
    ]
    assert len(kept) >= 2 and all(kept)  # one per language, filled in


def test_the_draft_read_in_one_row_holds_the_answers_as_stored(app, respondent):
    """The database gathers the draft's answers into the draft's row (one JSON array): text,
    numbers and lists come back as the answer table holds them, and a draft without answers
    has none."""
    campaign_id, slug = make_campaign(app, "confidential")
    first = start(respondent, invite(app, campaign_id))
    with respondent.client.session_transaction() as cookie:
        response_id = cookie["responses"][slug]
    with app.app_context():
        draft = services.load_draft(response_id, slug)
        assert draft.answer_rows == ()
        assert services.load_draft(response_id, "another-campaign") is None
    answer_pages(respondent, first, WANTS_MORE)
    with app.app_context():
        draft = services.load_draft(response_id, slug)
        stored = db.session.execute(
            select(Answer.question, Answer.value).where(Answer.response_id == response_id)
        ).all()
    assert sorted(draft.answer_rows) == sorted(map(tuple, stored))
    values = dict(draft.answer_rows)
    assert values["andre_vakter"] == ["dag", "kveld"]
    assert values["stillingsprosent"] == 50 and values["enhet"] == "hjemmetjenesten"
