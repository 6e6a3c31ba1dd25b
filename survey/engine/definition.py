"""The questionnaire as the rest of the application sees it, after loading and validation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from survey.engine.expressions import Node, references

LANGUAGES = ("nb", "nn", "en")
DEFAULT_LANGUAGE = "nb"

QUESTION_TYPES = (
    "select_one",
    "select_multiple",
    "integer",
    "decimal",
    "percent",
    "text",
    "date",
    "likert",
    "yes_no",
    "note",
)
# Not a question of its own: the loader expands a grid into one `likert` question per statement.
GRID_TYPE = "likert_grid"
NUMBER_TYPES = frozenset({"integer", "decimal", "percent"})
SELECT_TYPES = frozenset({"select_one", "select_multiple"})
MODES = ("anonymous", "confidential", "identified")

# Who reads a question: the texts as written (the respondent of a survey, or the project leader
# who records an interview), or the employee the interview is about, who sees it on «Min side»
# and in «Mine ønsker» addressed as «du» where the file gives `label_employee` and its kin.
WRITTEN_AUDIENCE = "written"
EMPLOYEE_AUDIENCE = "employee"
AUDIENCES = (WRITTEN_AUDIENCE, EMPLOYEE_AUDIENCE)


@dataclass(frozen=True)
class Text:
    """A text in several languages; a missing language falls back to nb."""

    values: Mapping[str, str]

    @classmethod
    def same(cls, text: str) -> Text:
        return cls(dict.fromkeys(LANGUAGES, text))

    def get(self, lang: str) -> str:
        if lang in self.values:
            return self.values[lang]
        if DEFAULT_LANGUAGE in self.values:
            return self.values[DEFAULT_LANGUAGE]
        return next(iter(self.values.values()), "")

    def __str__(self) -> str:
        return self.get(DEFAULT_LANGUAGE)

    # A dict field would make the generated hash fail; questions are used as dict keys and in sets.
    def __hash__(self) -> int:
        return hash(tuple(sorted(self.values.items())))


EMPTY_TEXT = Text({})


@dataclass(frozen=True)
class Choice:
    value: str
    label: Text
    score: int | None = None  # the scale point of a likert choice
    label_employee: Text | None = None

    def label_for(self, audience: str) -> Text:
        if audience == EMPLOYEE_AUDIENCE and self.label_employee is not None:
            return self.label_employee
        return self.label


@dataclass(frozen=True)
class Grid:
    """A Likert grid (`type: likert_grid` in a file, an XLSForm group with `appearance:
    table-list`): statements that share one scale and a lead text. The loader expands it into
    consecutive `likert` questions of one page, each carrying the same Grid, so answers,
    expressions, exports and reports treat every statement as an ordinary question; only the
    page and the report lay them out together."""

    name: str
    label: Text
    hint: Text | None
    scale: str  # the likert scale's name: `1-5`, `1-6`, `grad` or a name under `scales`
    line: int


@dataclass(frozen=True)
class Question:
    name: str
    type: str
    label: Text
    hint: Text | None
    required: bool
    required_expr: Node | None
    relevant: Node | None
    constraint: Node | None
    constraint_message: Text | None
    choices: tuple[Choice, ...]
    other: bool
    long: bool
    max_length: int | None
    min: float | None
    max: float | None
    prefill: str | None
    page: str
    line: int
    other_of: str | None = None  # for `<select>_annet`: the select question it belongs to
    label_employee: Text | None = None
    hint_employee: Text | None = None
    constraint_message_employee: Text | None = None
    # For a question only the leader answers: what the employee reads for each recorded value.
    statement_employee: tuple[tuple[str, Text], ...] = ()
    # For a statement of a Likert grid: the grid (shared by the grid's consecutive questions).
    grid: Grid | None = None

    def label_for(self, audience: str) -> Text:
        if audience == EMPLOYEE_AUDIENCE and self.label_employee is not None:
            return self.label_employee
        return self.label

    def hint_for(self, audience: str) -> Text | None:
        if audience == EMPLOYEE_AUDIENCE and self.hint_employee is not None:
            return self.hint_employee
        return self.hint

    def constraint_message_for(self, audience: str) -> Text | None:
        if audience == EMPLOYEE_AUDIENCE and self.constraint_message_employee is not None:
            return self.constraint_message_employee
        return self.constraint_message

    def statement_for(self, audience: str, value: str) -> Text | None:
        """The employee's statement of a recorded value, if the file gives one."""
        if audience != EMPLOYEE_AUDIENCE:
            return None
        return next((text for key, text in self.statement_employee if key == value), None)

    @property
    def has_value(self) -> bool:
        return self.type != "note"

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(choice.value for choice in self.choices)

    def choice(self, value: str) -> Choice | None:
        return next((c for c in self.choices if c.value == value), None)


@dataclass(frozen=True)
class Page:
    name: str
    title: Text
    relevant: Node | None
    questions: tuple[Question, ...]
    line: int
    title_employee: Text | None = None

    def title_for(self, audience: str) -> Text:
        if audience == EMPLOYEE_AUDIENCE and self.title_employee is not None:
            return self.title_employee
        return self.title


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: int
    title: Text
    description: Text
    default_mode: str
    pages: tuple[Page, ...]
    source: str
    fingerprint: str
    filename: str

    # cached_property writes straight into the instance __dict__, which a frozen dataclass allows.
    @cached_property
    def questions(self) -> tuple[Question, ...]:
        return tuple(question for page in self.pages for question in page.questions)

    @cached_property
    def _questions_by_name(self) -> dict[str, Question]:
        return {question.name: question for question in self.questions}

    @cached_property
    def _page_indexes(self) -> dict[str, int]:
        return {page.name: index for index, page in enumerate(self.pages)}

    @cached_property
    def question_page_indexes(self) -> dict[str, int]:
        """Each question's page, as its index in `pages`."""
        return {
            question.name: index
            for index, page in enumerate(self.pages)
            for question in page.questions
        }

    @cached_property
    def page_references(self) -> dict[str, frozenset[str]]:
        """Each page's name → the questions its relevance refers to."""
        return {
            page.name: frozenset(references(page.relevant) if page.relevant else ())
            for page in self.pages
        }

    @cached_property
    def question_references(self) -> dict[str, frozenset[str]]:
        """Each question's name → the questions whether it is shown hangs on: those its own
        relevance and its page's refer to. The progress on every page view asks."""
        return {
            question.name: self.page_references[page.name]
            | frozenset(references(question.relevant) if question.relevant else ())
            for page in self.pages
            for question in page.questions
        }

    def question(self, name: str) -> Question:
        """The question called `name`; KeyError if there is none."""
        return self._questions_by_name[name]

    def page(self, name: str) -> Page:
        """The page called `name`; KeyError if there is none."""
        return self.pages[self._page_indexes[name]]

    def page_index(self, name: str) -> int:
        return self._page_indexes[name]
