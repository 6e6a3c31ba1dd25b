"""Tampered or broken posts are refused with a clear message and change nothing."""

from __future__ import annotations

import pytest

from tests.web.helpers import FULL_TIME, make_campaign, responses


@pytest.fixture
def on_first_page(app, respondent):
    _, slug = make_campaign(app)
    respondent.get(f"/s/{slug}")
    respondent.post(f"/s/{slug}/start", follow=True)
    return slug


def stored(app):
    return responses(app)[0][1]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("enhet", "finnes_ikke", "Velg et av alternativene"),
        ("stillingsprosent", "130", "mellom 0 og 100"),
        ("stillingsprosent", "abc", "Skriv et tall"),
        ("ansettelsesform", "<script>alert(1)</script>", "Velg et av alternativene"),
    ],
)
def test_invalid_value_is_rejected_and_nothing_saved(
    app, respondent, on_first_page, field, value, message
):
    respondent.answer_page({**FULL_TIME, field: value})
    assert respondent.last.status_code == 422
    assert message in respondent.html
    assert "<script>alert(1)</script>" not in respondent.html
    assert stored(app) == {}


def test_missing_csrf_token_is_rejected(app, respondent, on_first_page):
    page_url = respondent.last.request.path
    respondent.post(page_url, {"action": "next", **FULL_TIME}, with_csrf=False)
    assert respondent.last.status_code == 400
    assert "Ingenting ble lagret" in respondent.html
    assert stored(app) == {}


def test_answers_to_a_page_that_is_not_relevant_are_rejected(app, respondent, on_first_page):
    slug = on_first_page
    respondent.answer_page(FULL_TIME)
    token = respondent.csrf() if "csrf_token" in respondent.html else None
    respondent.get(f"/s/{slug}/side/stilling")
    token = respondent.csrf()
    before = stored(app)
    # Full time: the weekend conditions page does not apply.
    response = respondent.client.post(
        f"/s/{slug}/side/helger", data={"csrf_token": token, "villig_helger": "oftere"}
    )
    assert response.status_code == 409
    assert "gjelder ikke" in response.get_data(as_text=True)
    assert stored(app) == before


def test_unknown_page_is_404(app, respondent, on_first_page):
    respondent.get(f"/s/{on_first_page}/side/finnes-ikke")
    assert respondent.last.status_code == 404


def test_over_long_answer_is_rejected(app, respondent, on_first_page):
    slug = on_first_page
    respondent.answer_page(FULL_TIME)
    respondent.get(respondent.last.headers["Location"])
    respondent.answer_page({"fornoyd_storrelse": "yes"})
    respondent.get(respondent.last.headers["Location"])
    before = stored(app)
    respondent.answer_page({"kommentar": "x" * 2001})
    assert respondent.last.status_code == 422
    assert "for langt" in respondent.html
    assert stored(app) == before
    assert slug


def test_huge_post_gets_413(app, respondent, on_first_page):
    response = respondent.client.post(
        respondent.last.request.path, data={"kommentar": "x" * 400_000}
    )
    assert response.status_code == 413
    assert stored(app) == {}


def test_unknown_campaign_is_404(client):
    assert client.get("/s/nope").status_code == 404
    assert client.get("/i/not-a-token").status_code == 404
