"""Which pages and questions a respondent sees, and reading one submitted page.

An answer to a question that is not relevant counts as empty, exactly as in XLSForm: when a
respondent goes back and changes an answer, everything that depended on it disappears in turn,
however many levels deep, even though the stored answers are kept until the next save.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from survey.engine.answers import FieldError, check_range, parse_input
from survey.engine.definition import Page, Question, Questionnaire
from survey.engine.expressions import (
    ExpressionError,
    Node,
    evaluate,
    is_empty,
    truthy,
)


def _holds(
    node: Node,
    values: Mapping[str, Any],
    today: datetime.date,
    *,
    current: Any = None,
    on_error: bool,
) -> bool:
    # The loader checks names and types, so an expression can only fail here on stored data that
    # does not fit. The fallbacks never trap a respondent: show the question, do not demand it,
    # accept the value.
    try:
        return truthy(evaluate(node, values, current, today))
    except ExpressionError:
        return on_error


def _is_relevant(node: Node | None, values: Mapping[str, Any], today: datetime.date) -> bool:
    return node is None or _holds(node, values, today, on_error=True)


def is_required(question: Question, answers: Mapping[str, Any], today: datetime.date) -> bool:
    """Whether the question must be answered, given the answers so far."""
    if question.type == "note":
        return False
    if question.required:
        return True
    if question.required_expr is None:
        return False
    return _holds(question.required_expr, answers, today, on_error=False)


@dataclass
class _Resolved:
    values: dict[str, Any]  # the answers that count: None where not relevant
    page_relevant: dict[str, bool]
    question_relevant: dict[str, bool]  # as if its page were shown


_recent = threading.local()
_RECENT_SIZE = 4


def _resolve(q: Questionnaire, answers: Mapping[str, Any], today: datetime.date) -> _Resolved:
    """Relevance of every page and question. One request asks this several times for the
    same answers (flow, progress, rendering), so the last few results are kept per thread,
    with a copy of the answers they were worked out for (the caller's may change), and
    found again by comparing the answers: ~0,15 µs for 20 answers, where making a hashable
    key of them took ~2,6 µs on each of a request's 3–5 calls."""
    recent = getattr(_recent, "items", None)
    if recent is None:
        recent = _recent.items = []
    for cached_q, cached_today, cached_answers, result in recent:
        if cached_q is q and cached_today == today and cached_answers == answers:
            return result
    result = _resolve_uncached(q, answers, today)
    recent.insert(0, (q, today, _copy(answers), result))
    del recent[_RECENT_SIZE:]
    return result


def _copy(answers: Mapping[str, Any]) -> dict[str, Any]:
    # The selections' lists too: a list changed in place must not find the old result.
    return {name: list(v) if isinstance(v, list) else v for name, v in answers.items()}


def _resolve_uncached(
    q: Questionnaire, answers: Mapping[str, Any], today: datetime.date
) -> _Resolved:
    resolved = _Resolved({}, {}, {})
    for page in q.pages:
        page_shown = _is_relevant(page.relevant, resolved.values, today)
        resolved.page_relevant[page.name] = page_shown
        for question in page.questions:
            relevant = _is_relevant(question.relevant, resolved.values, today)
            resolved.question_relevant[question.name] = relevant
            counts = page_shown and relevant and question.type != "note"
            resolved.values[question.name] = answers.get(question.name) if counts else None
    return resolved


def relevant_pages(
    q: Questionnaire, answers: Mapping[str, Any], today: datetime.date
) -> list[Page]:
    resolved = _resolve(q, answers, today)
    return [page for page in q.pages if resolved.page_relevant[page.name]]


def relevant_questions(
    q: Questionnaire, page: Page, answers: Mapping[str, Any], today: datetime.date
) -> list[Question]:
    """The questions of `page` to show, judged as if the page itself is shown."""
    resolved = _resolve(q, answers, today)
    return [question for question in page.questions if resolved.question_relevant[question.name]]


def first_page(q: Questionnaire, answers: Mapping[str, Any], today: datetime.date) -> Page | None:
    pages = relevant_pages(q, answers, today)
    return pages[0] if pages else None


def next_page(
    q: Questionnaire, answers: Mapping[str, Any], current: str, today: datetime.date
) -> Page | None:
    """The next relevant page after `current`, or None at the end; KeyError for an unknown page."""
    index = q.page_index(current)
    resolved = _resolve(q, answers, today)
    return next((p for p in q.pages[index + 1 :] if resolved.page_relevant[p.name]), None)


def previous_page(
    q: Questionnaire, answers: Mapping[str, Any], current: str, today: datetime.date
) -> Page | None:
    """The relevant page before `current`, or None at the start; KeyError for an unknown page."""
    index = q.page_index(current)
    resolved = _resolve(q, answers, today)
    earlier = reversed(q.pages[:index])
    return next((p for p in earlier if resolved.page_relevant[p.name]), None)


class Progress(NamedTuple):
    position: int  # of the current page among the pages that apply, 1-based
    total: int  # the most pages there can be, given the answers so far
    settled: bool  # True when `total` can no longer change on the way forward


def _settled_by(
    q: Questionnaire, resolved: _Resolved, names: Collection[str], current_index: int
) -> bool:
    """Whether the values of `names` can no longer change on the way forward from the current
    page: each is on an earlier page (so answered by now), or hidden by answers that are, and
    likewise for everything its relevance hangs on."""
    page_of = q.question_page_indexes
    depends_on = q.question_references
    visiting: set[str] = set()

    def settled(name: str) -> bool:
        if name not in page_of:
            return True
        if name in visiting:  # a cycle: the loader refuses them, but never loop
            return False
        visiting.add(name)
        try:
            if not all(settled(other) for other in depends_on[name]):
                return False
            index = page_of[name]
            if index < current_index:
                return True
            # Not answered yet: settled only if it stays hidden, so its value stays empty.
            page = q.pages[index]
            return not (resolved.page_relevant[page.name] and resolved.question_relevant[name])
        finally:
            visiting.discard(name)

    return all(settled(name) for name in names)


def progress(
    q: Questionnaire,
    answers: Mapping[str, Any],
    current: str,
    today: datetime.date,
    among: Collection[str] | None = None,
) -> Progress:
    """Where `current` stands among the relevant pages (only those named in `among`, if given).

    The total counts the pages that apply now and every later page whose relevance still
    depends on an answer on this page or after it, so it is the most pages there can be: going
    forward it only ever shrinks, never jumps up after a branch. A current page that is not
    relevant is counted in, so the position never exceeds the total.
    """
    index = q.page_index(current)
    resolved = _resolve(q, answers, today)

    def counted(page: Page) -> bool:
        return among is None or page.name in among

    before = sum(
        1 for page in q.pages[:index] if counted(page) and resolved.page_relevant[page.name]
    )
    later = undecided = 0
    for page in q.pages[index + 1 :]:
        if not counted(page):
            continue
        decided = page.relevant is None or _settled_by(
            q, resolved, q.page_references[page.name], index
        )
        if resolved.page_relevant[page.name] or not decided:
            later += 1
        undecided += not decided
    return Progress(before + 1, before + 1 + later, undecided == 0)


def final_answers(
    q: Questionnaire, answers: Mapping[str, Any], today: datetime.date
) -> dict[str, Any]:
    """The answers to keep on submit: relevant questions on relevant pages, non-empty only."""
    resolved = _resolve(q, answers, today)
    return {name: value for name, value in resolved.values.items() if not is_empty(value)}


def missing_required(
    q: Questionnaire, answers: Mapping[str, Any], today: datetime.date
) -> list[Question]:
    """Required questions the respondent would see but has not answered."""
    resolved = _resolve(q, answers, today)
    missing = []
    for page in q.pages:
        if not resolved.page_relevant[page.name]:
            continue
        for question in page.questions:
            if not resolved.question_relevant[question.name]:
                continue
            empty = is_empty(resolved.values[question.name])
            if empty and is_required(question, resolved.values, today):
                missing.append(question)
    return missing


# --- Reading a submitted page -----------------------------------------------------------------


@dataclass
class PageResult:
    values: dict[str, Any] = field(default_factory=dict)  # every question on the page
    errors: dict[str, FieldError] = field(default_factory=dict)
    revealed: list[str] = field(default_factory=list)  # relevant now, but not shown yet

    @property
    def ok(self) -> bool:
        return not self.errors and not self.revealed


def _form_values(form: Mapping[str, Sequence[str]], name: str) -> list[str]:
    # A werkzeug MultiDict's get() returns only the first value; getlist() returns all of them.
    getlist = getattr(form, "getlist", None)
    values = getlist(name) if callable(getlist) else form.get(name, ())
    if isinstance(values, str):
        return [values]
    try:
        return [value for value in values if isinstance(value, str)]
    except TypeError:
        return []


def read_page(
    q: Questionnaire,
    page: Page,
    form: Mapping[str, Sequence[str]],
    answers: Mapping[str, Any],
    shown: Collection[str],
    today: datetime.date,
) -> PageResult:
    """Parse and check the submitted fields of `page`.

    Relevance is evaluated in page order with the new values, so a question can depend on one
    above it on the same page. A question that has become relevant but was not shown is listed
    in `revealed` without errors, for the page to be displayed again. Notes are never revealed:
    there is nothing to fill in, and a web layer that leaves them out of `shown` must not loop.
    """
    result = PageResult()
    # A copy: the resolved values are kept for later calls with the same answers (_resolve),
    # and this page's new values must not leak into them.
    values = dict(_resolve(q, answers, today).values)
    shown = set(shown)
    for question in page.questions:
        name = question.name
        if not _is_relevant(question.relevant, values, today) or question.type == "note":
            result.values[name] = values[name] = None
            continue
        value, error = parse_input(question, _form_values(form, name))
        if error is None and value is not None:
            error = check_range(question, value)
        if error is None and not is_empty(value) and question.constraint is not None:
            candidate = {**values, name: value}
            if not _holds(question.constraint, candidate, today, current=value, on_error=True):
                error = FieldError("constraint", {"message": question.constraint_message})
        if error is None and is_empty(value) and is_required(question, values, today):
            error = FieldError("required")
        if error is not None:
            value = None
        if name in shown:
            if error is not None:
                result.errors[name] = error
        else:
            result.revealed.append(name)
        result.values[name] = values[name] = value
    return result
