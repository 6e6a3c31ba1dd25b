"""Which stored answers still apply: the questions a record's other answers leave out.

A living document keeps every answer it was saved with (history is not rewritten), so a record
can hold answers to questions its current answers no longer lead to: a wish changed from
«mer» to «samme» keeps its willingness answers. Counting and classifying read a record through
`not_relevant()` so that such answers count as empty, exactly as the page flow treats them."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from survey.engine.definition import Questionnaire
from survey.engine.flow import _resolve


def not_relevant(q: Questionnaire, answers: Mapping[str, Any], today: datetime.date) -> set[str]:
    """The questions of `q` whose answers do not count under `answers`: their page or the
    question itself is not relevant (judged on the answers that count, however deep), or it
    is a note."""
    resolved = _resolve(q, answers, today)
    return {
        question.name
        for page in q.pages
        for question in page.questions
        if not (
            resolved.page_relevant[page.name]
            and resolved.question_relevant[question.name]
            and question.type != "note"
        )
    }
