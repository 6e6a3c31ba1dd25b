"""A changed definition with answers becomes a new version; old answers stay readable."""

from __future__ import annotations

import shutil

from sqlalchemy import select

from survey.extensions import db
from survey.questionnaires.models import QuestionnaireVersion
from survey.questionnaires.services import sync_directory
from tests.conftest import ROOT
from tests.web.helpers import FULL_TIME, make_campaign


def versions(app):
    with app.app_context():
        return [
            (row.questionnaire_id, row.version)
            for row in db.session.scalars(
                select(QuestionnaireVersion)
                .where(QuestionnaireVersion.questionnaire_id == "heltid-arlig")
                .order_by(QuestionnaireVersion.version)
            )
        ]


def edited_copy(tmp_path, old: str, new: str):
    directory = tmp_path / "questionnaires"
    shutil.copytree(ROOT / "questionnaires", directory, dirs_exist_ok=True)
    path = directory / "heltid-arlig.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return directory


def test_unchanged_and_comment_only_edits_keep_the_version(app, tmp_path):
    directory = edited_copy(tmp_path, "id: heltid-arlig", "# a comment\nid: heltid-arlig")
    with app.app_context():
        results = sync_directory(directory)
    assert {r.questionnaire_id: r.action for r in results}["heltid-arlig"] == "unchanged"
    assert versions(app) == [("heltid-arlig", 1)]


def test_change_without_answers_updates_in_place(app, tmp_path):
    directory = edited_copy(tmp_path, "Kan du jobbe", "Kunne du jobbe")
    with app.app_context():
        sync_directory(directory)
    assert versions(app) == [("heltid-arlig", 1)]


def test_change_after_answers_is_a_new_version_and_old_answers_stay_readable(
    app, respondent, tmp_path
):
    _, slug = make_campaign(app)
    respondent.get(f"/s/{slug}")
    respondent.post(f"/s/{slug}/start", follow=True)
    respondent.answer_page(FULL_TIME)

    # The question about unit is reworded and a choice removed after the first answers.
    directory = edited_copy(tmp_path, "value: hjemmetjenesten", "value: hjemmebaserte_tjenester")
    with app.app_context():
        results = sync_directory(directory)
    assert {r.questionnaire_id: r.action for r in results}["heltid-arlig"] == "new version"
    assert versions(app) == [("heltid-arlig", 1), ("heltid-arlig", 2)]

    # The respondent in progress keeps the version they started with.
    respondent.get(f"/s/{slug}/oppsummering")
    assert respondent.last.status_code == 200
    assert "Hjemmetjenesten" in respondent.html

    # A new respondent gets version 2.
    other = app.test_client()
    from tests.conftest import Respondent

    newcomer = Respondent(other)
    newcomer.get(f"/s/{slug}")
    newcomer.post(f"/s/{slug}/start", follow=True)
    assert 'value="hjemmebaserte_tjenester"' in newcomer.html
