"""«Min side»: asking for a correction without saying what is wrong gives the app's own
message in the page's language (an error summary and the message at the field), not the
browser's `required` bubble."""

from __future__ import annotations

import re

import pytest

from survey.accounts.models import Person
from survey.extensions import db
from survey.living import services
from survey.living.models import Confirmation, Source
from tests.conftest import Respondent, login_as, make_person

MESSAGES = {
    "nb": ("Forespørselen din om retting ble ikke sendt", "Skriv hva som er feil, så vi kan rette det."),
    "nn": ("Vi har ikkje fått førespurnaden din om retting", "Skriv kva som er feil, så vi kan rette det."),
    "en": ("Your request for a correction was not sent", "Write what is wrong, so we can correct it."),
}  # fmt: skip


@pytest.fixture
def employee(app):
    person_id = make_person(app, unit="omsorg_a", name="Eva Ansatt")
    with app.app_context():
        person = db.session.get(Person, person_id)
        services.save_revision(
            services.document_for(person),
            {"stillingsprosent": 50},
            base=0,
            author=None,
            author_role="prosjektleder",
            source=Source.CONVERSATION,
        )
        db.session.commit()
    return person_id


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_an_empty_correction_request_gets_the_apps_message(app, client, employee, lang):
    login_as(client, app, employee)
    browser = Respondent(client)
    client.get(f"/sprak/{lang}?next=/meg/")
    page = browser.get("/meg/").get_data(as_text=True)
    form = re.search(r'<form[^>]*action="/meg/korriger"[^>]*>', page).group(0)
    assert "novalidate" in form  # the browser's own bubble would come first
    response = browser.post("/meg/korriger", {"revision": "1", "comment": " "})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    title, message = MESSAGES[lang]
    summary = re.search(r'<div class="error-summary".*?</div>', html, flags=re.S).group(0)
    assert title in summary and f'<a href="#comment">{message}</a>' in summary
    assert 'aria-describedby="comment-error"' in html
    text = _visible_text(html)
    assert text.count(message) == 2  # in the summary and at the field
    other_languages = [m for code, pair in MESSAGES.items() if code != lang for m in pair]
    assert not any(other in text for other in other_languages)
    with app.app_context():
        assert db.session.query(Confirmation).count() == 0
