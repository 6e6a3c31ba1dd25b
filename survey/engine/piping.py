"""Piping: `${name}` inside a question's label, hint or constraint message, or a note's label,
shows the answer to an earlier question (as in XLSForm).

Plain text in, plain text out: the values are display strings the web layer has already
formatted for the reader's language, and the template's autoescape makes whatever a respondent
typed show literally. The loader checks every reference (`expression_checks.PipingChecker`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from survey.engine.definition import LANGUAGES, Question, Text

# The same names an expression's ${name} accepts (expressions.NAME_PATTERN).
PIPE_PATTERN = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_-]*)\}")

# What a reference to a question not answered (or not shown) reads as.
MISSING = "…"

# The texts of a question that may pipe, for every audience.
PIPED_FIELDS = (
    "label",
    "hint",
    "constraint_message",
    "label_employee",
    "hint_employee",
    "constraint_message_employee",
)


def piped_names(text: str) -> tuple[str, ...]:
    """The names `text` refers to with ${name}, in order of first appearance."""
    return tuple(dict.fromkeys(PIPE_PATTERN.findall(text or "")))


def pipe(text: str, values: Mapping[str, str], missing: str = MISSING) -> str:
    """`text` with every ${name} replaced by `values[name]`, or `missing` where there is none
    (or it is empty)."""
    if not text or "${" not in text:
        return text
    return PIPE_PATTERN.sub(lambda match: values.get(match.group(1)) or missing, text)


def text_names(text: Text | None) -> tuple[str, ...]:
    """The names a multilingual text refers to, in any of its languages."""
    if text is None:
        return ()
    found: dict[str, None] = {}
    for language in LANGUAGES:
        if language in text.values:
            found.update(dict.fromkeys(piped_names(text.values[language])))
    return tuple(found)


def question_piped_names(question: Question) -> tuple[str, ...]:
    """Every name a question pipes into any of its texts (and its grid's lead text)."""
    found: dict[str, None] = {}
    texts: list[Text | None] = [getattr(question, field) for field in PIPED_FIELDS]
    if question.grid is not None:
        texts += [question.grid.label, question.grid.hint]
    for text in texts:
        found.update(dict.fromkeys(text_names(text)))
    return tuple(found)
