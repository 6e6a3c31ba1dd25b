"""Which answers of a living document count: those the interview guide asks given the others.

A revision keeps every field it was saved with. Saves from the guide keep only relevant
answers (`engine.final_answers`), but historical imports and older saves merge new answers
over old ones, so a person whose wish changed to «samme» can still carry the willingness
answers of an earlier «mer». Nothing is deleted from the history; everything that counts or
classifies living documents reads them through `counted()` (Python) or
`survey.reporting.relevance_sql` (SQL), both decided by the guide's `relevant` expressions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Mapping, Sequence
from typing import Any

from survey import engine
from survey.engine.relevance import not_relevant
from survey.engine.shipped import QUESTIONNAIRES_DIR
from survey.living.exporting import State

GUIDE_FILE = QUESTIONNAIRES_DIR / "kartleggingssamtale.yaml"

_loaded: dict[str, tuple[tuple[int, int], engine.Questionnaire]] = {}


def guide(path: str | os.PathLike[str] = GUIDE_FILE) -> engine.Questionnaire:
    """The interview guide, parsed again only when the file changes."""
    stat = os.stat(path)
    version = (stat.st_mtime_ns, stat.st_size)
    cached = _loaded.get(str(path))
    if cached is not None and cached[0] == version:
        return cached[1]
    questionnaire = engine.load(path)
    _loaded[str(path)] = (version, questionnaire)
    return questionnaire


_NUMBER_TYPES = ("integer", "decimal", "percent")


def _as_reports_read(question: engine.Question, value: Any) -> Any:
    """The value as the report's typed columns read it (survey/reporting/models.py): a number
    stored as text, or text where a list belongs, is no answer. SQL and Python then judge
    relevance on the same values."""
    if question.type in _NUMBER_TYPES:
        return value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if question.type == "select_one":
        return value if isinstance(value, str) else None
    if question.type == "yes_no":
        if isinstance(value, bool):
            return "yes" if value else "no"
        return value if value in ("yes", "no") else None
    if question.type == "select_multiple":
        return value if isinstance(value, list) else None
    return value


def counted(data: Mapping[str, Any] | None, day: dt.date | None = None) -> dict[str, Any]:
    """The answers of a record that apply under its other answers, as stored; fields the guide
    does not ask (kept from historical imports) stay."""
    data = data or {}
    questionnaire = guide()
    typed = {
        question.name: _as_reports_read(question, data[question.name])
        for question in questionnaire.questions
        if question.name in data
    }
    left_out = not_relevant(questionnaire, typed, day or dt.date.today())
    return {name: value for name, value in data.items() if name not in left_out}


def counted_states(states: Sequence[State]) -> list[State]:
    """`exporting.states` with each record's counted answers, for classifying and counting."""
    return [dataclasses.replace(state, data=counted(state.data)) for state in states]
