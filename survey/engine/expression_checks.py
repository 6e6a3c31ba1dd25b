"""Checks of names and expressions, once the whole file has been read.

Only here are all names known, so references, types and choice values can be checked.
"""

from __future__ import annotations

import difflib
from typing import Any

from survey.engine import builtin
from survey.engine.definition import LANGUAGES, Text
from survey.engine.drafts import PageDraft, QuestionDraft, Report
from survey.engine.expressions import (
    ANY,
    DATE,
    LIST,
    NUMBER,
    STRING,
    Binary,
    Call,
    ExpressionError,
    Literal,
    Node,
    Ref,
    infer_type,
    parse,
    references,
    walk,
)
from survey.engine.piping import piped_names

# The expression type of each question type's answer; notes have none.
VALUE_TYPES = {
    "integer": NUMBER,
    "decimal": NUMBER,
    "percent": NUMBER,
    "likert": NUMBER,
    "select_one": STRING,
    "text": STRING,
    "yes_no": STRING,
    "select_multiple": LIST,
    "date": DATE,
}


class ExpressionChecker:
    """Checks every expression of a file against the names, order and types of its questions."""

    def __init__(self, report: Report) -> None:
        self.error = report
        self.by_name: dict[str, QuestionDraft] = {}
        self.page_by_name: dict[str, PageDraft] = {}
        self.types: dict[str, str] = {}

    def run(self, pages: list[PageDraft]) -> None:
        """Check names and expressions, storing each parsed expression in its draft."""
        self.check_names(pages)
        self.check_expressions(pages)
        self.check_piping(pages)

    def check_names(self, pages: list[PageDraft]) -> None:
        # Pages and questions share one namespace, as groups and questions do in XLSForm.
        seen: dict[str, int] = {}
        index = 0
        for page in pages:
            if page.name is not None:
                if page.name in seen:
                    self.duplicate(page.name, page.line, seen[page.name])
                else:
                    seen[page.name] = page.line
                    self.page_by_name[page.name] = page
            grids: set[int] = set()
            for question in page.questions:
                question.index = index
                index += 1
                grid = question.grid
                if grid is not None and id(grid) not in grids:
                    # A grid's name has no answer, but the report names its table by it.
                    grids.add(id(grid))
                    if grid.name in seen:
                        self.duplicate(grid.name, grid.line, seen[grid.name])
                    else:
                        seen[grid.name] = grid.line
                if question.name is None:
                    continue
                if question.name in seen:
                    self.duplicate(question.name, question.line, seen[question.name])
                else:
                    seen[question.name] = question.line
                    self.by_name[question.name] = question
        self.types = {
            name: VALUE_TYPES.get(question.type, ANY) if question.type else ANY
            for name, question in self.by_name.items()
            if question.type != "note"
        }

    def duplicate(self, name: str, line: int, first: int) -> None:
        if name.endswith(builtin.OTHER_SUFFIX):
            hint = " (other: true on a select adds a question with this name)"
        else:
            hint = ""
        self.error(line, f"{name}.name", f"duplicate name '{name}', first on line {first}{hint}")

    def check_expressions(self, pages: list[PageDraft]) -> None:
        # A grid's relevant and required are one source shared by its statements: checked once,
        # for the first statement (so a reference to any of the grid's own statements is
        # refused), and reported under the grid's name.
        shared: dict[int, Node | None] = {}
        for page in pages:
            if page.source is not None:
                page.node = self.expression(page.source, f"{page.item}.relevant", "page", page)
            for question in page.questions:
                for key in ("relevant", "required", "constraint"):
                    if key not in question.sources:
                        continue
                    source = question.sources[key]
                    if question.grid_item is not None:
                        if id(source) not in shared:
                            shared[id(source)] = self.expression(
                                source, f"{question.grid_item}.{key}", key, question
                            )
                        question.nodes[key] = shared[id(source)]
                        continue
                    question.nodes[key] = self.expression(
                        source, f"{question.item}.{key}", key, question
                    )

    def check_piping(self, pages: list[PageDraft]) -> None:
        """`${name}` in a text shows an earlier answer: the name must be a question before
        this one (on an earlier page, or earlier on the same page)."""
        grids_seen: set[int] = set()
        for page in pages:
            for question in page.questions:
                texts: list[tuple[str, Text | None]] = [
                    (key, getattr(question, key))
                    for key in (
                        "label",
                        "hint",
                        "constraint_message",
                        "label_employee",
                        "hint_employee",
                        "constraint_message_employee",
                    )
                ]
                item = question.item
                for key, text in texts:
                    line = question.text_lines.get(key, question.line)
                    self.piping_problems(text, f"{item}.{key}", line, question)
                grid = question.grid
                if grid is not None and id(grid) not in grids_seen:
                    grids_seen.add(id(grid))
                    for key in ("label", "hint"):
                        line = question.text_lines.get(f"grid.{key}", grid.line)
                        text = getattr(grid, key)
                        self.piping_problems(text, f"{question.grid_item}.{key}", line, question)

    def piping_problems(
        self, text: Text | None, item: str, line: int, owner: QuestionDraft
    ) -> None:
        if text is None:
            return
        reported: set[str] = set()
        for language in LANGUAGES:
            if language not in text.values:
                continue
            for name in piped_names(text.values[language]):
                if name in reported:
                    continue
                reported.add(name)
                problem = self.piping_problem(name, owner)
                if problem is not None:
                    self.error(line, item, problem)

    def piping_problem(self, name: str, owner: QuestionDraft) -> str | None:
        target = self.by_name.get(name)
        if target is None:
            return f"shows ${{{name}}}, an unknown name{self.name_hint(name)}"
        if target.type == "note":
            return f"shows ${{{name}}}, a note, which has no answer"
        if target is owner:
            return f"shows ${{{name}}}, its own answer; only earlier answers can be shown"
        if target.index > owner.index:
            return f"shows ${{{name}}}, a later question; only earlier answers can be shown"
        return None

    def expression(
        self, source: tuple[Any, int], item: str, kind: str, owner: QuestionDraft | PageDraft
    ) -> Node | None:
        text, line = source
        if isinstance(text, bool):
            return Call("true" if text else "false")
        if not isinstance(text, str):
            expected = "true, false or an expression" if kind == "required" else "an expression"
            self.error(line, item, f"must be {expected} in quotes")
            return None
        try:
            node = parse(text)
        except ExpressionError as exc:
            self.error(line, item, f"syntax error: {exc}")
            return None
        problems = self.reference_problems(node, kind, owner)
        for problem in problems:
            self.error(line, item, problem)
        if problems:
            return node
        current_type = None
        if kind == "constraint" and isinstance(owner, QuestionDraft):
            current_type = VALUE_TYPES.get(owner.type or "", ANY)
        try:
            infer_type(node, self.types, current_type)
        except ExpressionError as exc:
            self.error(line, item, str(exc))
        for problem in self.choice_problems(node):
            self.error(line, item, problem)
        return node

    def reference_problems(
        self, node: Node, kind: str, owner: QuestionDraft | PageDraft
    ) -> list[str]:
        problems = []
        for name in sorted(references(node)):
            target = self.by_name.get(name)
            if target is None:
                problems.append(f"unknown name ${{{name}}}{self.name_hint(name)}")
            elif target.type == "note":
                problems.append(f"${{{name}}} is a note and has no answer")
            elif isinstance(owner, PageDraft):
                if target.page_index == owner.index:
                    problems.append(
                        f"refers to ${{{name}}} on its own page; "
                        "a page's relevant may only use earlier pages"
                    )
                elif target.page_index > owner.index:
                    problems.append(f"refers to later question ${{{name}}}")
            elif target is owner:
                # In a constraint ${self} is just the value being checked, as '.' is.
                if kind != "constraint":
                    problems.append(f"cycle: {name} -> {name}")
            elif target.index > owner.index:
                problems.append(f"refers to later question ${{{name}}}")
        return problems

    def name_hint(self, name: str) -> str:
        if name in self.page_by_name:
            return " (that is a page)"
        close = difflib.get_close_matches(name, list(self.by_name), n=1)
        return f"; did you mean ${{{close[0]}}}?" if close else ""

    def choice_problems(self, node: Node) -> list[str]:
        problems = []
        for part in walk(node):
            pair: tuple[Node, Node] | None = None
            if isinstance(part, Call) and part.name == "selected":
                pair = (part.args[0], part.args[1])
            elif isinstance(part, Binary) and part.op in ("=", "!="):
                left_is_ref = isinstance(part.left, Ref)
                pair = (part.left, part.right) if left_is_ref else (part.right, part.left)
            if pair is None:
                continue
            ref, literal = pair
            if not (isinstance(ref, Ref) and isinstance(literal, Literal)):
                continue
            target = self.by_name.get(ref.name)
            if target is None or target.type not in ("select_one", "select_multiple", "yes_no"):
                continue
            value = literal.value
            if not isinstance(value, str) or value == "" or not target.choices:
                continue
            if value not in (choice.value for choice in target.choices):
                problems.append(f"unknown choice '{value}' for {ref.name}")
        return problems
