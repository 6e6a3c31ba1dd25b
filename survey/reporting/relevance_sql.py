"""The interview guide's relevance in SQL: report fields count only where the guide asks them.

`reporting_revision_facts` holds every answer a revision was saved with, also answers kept
from an earlier revision whose question no longer applies (a wish changed from «mer» to
«samme» keeps its willingness answers in the history). `relevant_columns()` turns each fact
column into `CASE WHEN <its page and question are relevant> THEN column END`, the guards
compiled from the guide's `relevant` expressions (survey/living/relevance.py), so every
aggregate sees what `survey.living.relevance.counted()` gives Python: the same rule, the
same outcome (tests/reports/test_relevance.py and test_sql_and_rendering.py check the two
against each other).

The compiler knows the expressions the guide uses on report fields (comparisons of a field
with a literal, `and`, `or`, `not()`, `selected()`), with the engine's meaning of an empty
answer: `=` is false and `!=` true against an empty field, `<` and the like false, and an
answer that is not relevant is empty for everything that refers to it. A guard need only hold
exactly where the field is asked: NULL elsewhere reads as false in CASE WHEN, AND and OR, so
comparisons skip their NULL tests except under not(). Anything else raises
`Unsupported` when the report is built, so a guide change cannot silently count wrongly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy import and_, case, false, func, literal, not_, or_, true

from survey import engine
from survey.engine.expressions import Binary, Call, Literal, Node, Ref
from survey.reporting.models import (
    LIST_FIELDS,
    NUMBER_FIELDS,
    TEXT_FIELDS,
    YES_NO_FIELDS,
    list_column,
    number_column,
)


class Unsupported(Exception):
    """A relevance expression of the guide this compiler cannot translate."""


_COMPARE: Mapping[str, Callable] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
_FLIPPED = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _fact_columns(field: str) -> list[str]:
    if field in NUMBER_FIELDS:
        return [number_column(field)]
    if field in LIST_FIELDS:
        return [list_column(field, choice) for choice in LIST_FIELDS[field][1]]
    if field in TEXT_FIELDS or field in YES_NO_FIELDS:
        return [field]
    return []


class _Compiler:
    def __init__(self, questionnaire: engine.Questionnaire, f) -> None:
        self.f = f
        self.where: dict[str, tuple[engine.Page, engine.Question]] = {
            question.name: (page, question)
            for page in questionnaire.pages
            for question in page.questions
        }
        self.guards: dict[str, object] = {}

    def guard(self, field: str):
        """Where `field` is asked (its page and question relevant), as SQL that holds there
        (elsewhere false or NULL); None when it is always asked."""
        if field not in self.guards:
            if field not in self.where:
                self.guards[field] = None
            else:
                page, question = self.where[field]
                conditions = [
                    self.condition(node, field)
                    for node in (page.relevant, question.relevant)
                    if node is not None
                ]
                self.guards[field] = and_(*conditions) if conditions else None
        return self.guards[field]

    def value(self, field: str, column: str):
        """The fact column where `field` is relevant, else NULL."""
        guard = self.guard(field)
        if guard is None:
            return self.f[column]
        return case((guard, self.f[column]))

    def condition(self, node: Node, owner: str, exact: bool = False):
        """An SQL condition that holds where the engine's outcome for `node` is true. Where
        it is not, it may be NULL, which a CASE WHEN, AND and OR read as false; `exact` (under
        not()) asks for a two-valued condition, which costs more to evaluate."""
        if isinstance(node, Binary) and node.op in ("and", "or"):
            parts = (
                self.condition(node.left, owner, exact),
                self.condition(node.right, owner, exact),
            )
            return and_(*parts) if node.op == "and" else or_(*parts)
        if isinstance(node, Binary) and node.op in _COMPARE:
            if isinstance(node.left, Ref) and isinstance(node.right, Literal):
                return self.comparison(node.op, node.left.name, node.right.value, owner, exact)
            if isinstance(node.right, Ref) and isinstance(node.left, Literal):
                op = _FLIPPED[node.op]
                return self.comparison(op, node.right.name, node.left.value, owner, exact)
        if isinstance(node, Call):
            if node.name == "true" and not node.args:
                return true()
            if node.name == "false" and not node.args:
                return false()
            if node.name == "not" and len(node.args) == 1:
                return not_(self.condition(node.args[0], owner, exact=True))
            if node.name == "selected" and len(node.args) == 2:
                field, choice = node.args
                if isinstance(field, Ref) and isinstance(choice, Literal):
                    choices = LIST_FIELDS.get(field.name, (None, ()))[1]
                    if str(choice.value) in choices:
                        column = list_column(field.name, str(choice.value))
                        holds = self.value(field.name, column) == 1
                        return func.coalesce(holds, false()) if exact else holds
        raise Unsupported(f"{owner}: relevant: {engine.to_text(node)}")

    def comparison(self, op: str, field: str, value, owner: str, exact: bool):
        columns = _fact_columns(field)
        if len(columns) != 1 or field in LIST_FIELDS:
            raise Unsupported(f"{owner}: relevant: ${{{field}}} is not a report field")
        column = self.value(field, columns[0])
        if field in YES_NO_FIELDS:
            if op not in ("=", "!=") or value not in ("yes", "no"):
                raise Unsupported(f"{owner}: relevant: ${{{field}}} {op} {value!r}")
            value = 1 if value == "yes" else 0
        elif field in NUMBER_FIELDS:
            if isinstance(value, str):
                raise Unsupported(f"{owner}: relevant: ${{{field}}} {op} {value!r}")
        elif op not in ("=", "!="):
            raise Unsupported(f"{owner}: relevant: ${{{field}}} {op} {value!r}")
        if value == "":
            return column.is_(None) if op == "=" else column.is_not(None)
        holds = _COMPARE[op](column, literal(value))
        if op == "!=":
            return or_(column.is_(None), holds)
        return and_(column.is_not(None), holds) if exact else holds


def relevant_columns(questionnaire: engine.Questionnaire, f, names) -> dict[str, object]:
    """For each fact column in `names`: the column where its question is relevant, else NULL."""
    compiler = _Compiler(questionnaire, f)
    field_of = {
        column: field
        for field in (*NUMBER_FIELDS, *TEXT_FIELDS, *YES_NO_FIELDS, *LIST_FIELDS)
        for column in _fact_columns(field)
    }
    return {name: compiler.value(field_of[name], name) for name in names}


def relevance_guard(questionnaire: engine.Questionnaire, f, field: str):
    """Where the guide asks `field` (for fields read from the JSON); None: always."""
    return _Compiler(questionnaire, f).guard(field)
