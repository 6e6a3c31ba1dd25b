"""Labels for answer values in the report's language, from the questionnaire definitions."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import current_app

from survey import engine

QUESTIONNAIRE_ID = "kartleggingssamtale"


@lru_cache(maxsize=4)
def _definition(path: str) -> engine.Questionnaire:
    return engine.load(path)


def _questions() -> dict[str, engine.Question]:
    from survey.questionnaires.services import definition_of, latest_version

    version = latest_version(QUESTIONNAIRE_ID)
    if version is not None:
        definition = definition_of(version)
    else:
        path = Path(current_app.config["QUESTIONNAIRE_DIR"]) / f"{QUESTIONNAIRE_ID}.yaml"
        definition = _definition(str(path))
    return {question.name: question for question in definition.questions}


def choice_labels(field: str, lang: str) -> dict[str, str]:
    """value -> label of a select question of the mapping conversation."""
    question = _questions().get(field)
    if question is None:
        return {}
    return {choice.value: choice.label.get(lang) for choice in question.choices}
