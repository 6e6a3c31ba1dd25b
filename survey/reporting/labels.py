"""Labels for answer values in the report's language, from the questionnaire definitions."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from survey import engine
from survey.living.relevance import guide

QUESTIONNAIRE_ID = "kartleggingssamtale"


def _questions() -> dict[str, engine.Question]:
    from survey.questionnaires.services import definition_of, latest_version

    version = latest_version(QUESTIONNAIRE_ID)
    if version is not None:
        definition = definition_of(version)
    else:
        path = Path(current_app.config["QUESTIONNAIRE_DIR"]) / f"{QUESTIONNAIRE_ID}.yaml"
        definition = guide(path)  # parsed again when the file changes, on every server
    return {question.name: question for question in definition.questions}


def choice_labels(field: str, lang: str) -> dict[str, str]:
    """value -> label of a select question of the mapping conversation."""
    question = _questions().get(field)
    if question is None:
        return {}
    return {choice.value: choice.label.get(lang) for choice in question.choices}
