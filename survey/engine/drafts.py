"""Questions and pages while a definition file is being checked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from survey.engine.definition import Choice, Grid, Text
from survey.engine.expressions import Node

# How checks report a problem: (line, item, message).
Report = Callable[[int, str, str], None]


@dataclass
class QuestionDraft:
    """A question while the file is being checked; becomes a Question when all is well."""

    name: str | None
    item: str  # how errors name it: the name, or its position when the name is missing
    type: str | None
    line: int
    page: str
    page_index: int
    label: Text | None = None
    hint: Text | None = None
    required: bool = False
    constraint_message: Text | None = None
    choices: tuple[Choice, ...] = ()
    other: bool = False
    long: bool = False
    max_length: int | None = None
    min: float | None = None
    max: float | None = None
    prefill: str | None = None
    other_of: str | None = None
    label_employee: Text | None = None
    hint_employee: Text | None = None
    constraint_message_employee: Text | None = None
    statement_employee: tuple[tuple[str, Text], ...] = ()
    # A statement of a Likert grid: the grid, and how errors in what the statements share
    # (the grid's relevant, required) name it.
    grid: Grid | None = None
    grid_item: str | None = None
    # The line of each text (`label`, `hint`, ..., `grid.label`), for piping errors.
    text_lines: dict[str, int] = field(default_factory=dict)
    # Expression texts with the line of their key, parsed once every name is known.
    sources: dict[str, tuple[Any, int]] = field(default_factory=dict)
    nodes: dict[str, Node | None] = field(default_factory=dict)
    index: int = -1


@dataclass
class PageDraft:
    name: str | None
    item: str
    line: int
    index: int
    title: Text | None = None
    title_employee: Text | None = None
    source: tuple[Any, int] | None = None
    node: Node | None = None
    questions: list[QuestionDraft] = field(default_factory=list)
