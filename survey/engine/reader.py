"""Reading the structure of one definition file into a Questionnaire.

Every problem is reported, not just the first, so an administrator can fix a file in one round.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
from typing import Any

from survey.engine import builtin
from survey.engine.definition import (
    EMPTY_TEXT,
    GRID_TYPE,
    LANGUAGES,
    MODES,
    NUMBER_TYPES,
    QUESTION_TYPES,
    SELECT_TYPES,
    Choice,
    Grid,
    Page,
    Question,
    Questionnaire,
    Text,
)
from survey.engine.drafts import PageDraft, QuestionDraft
from survey.engine.expression_checks import ExpressionChecker
from survey.engine.expressions import NAME_PATTERN
from survey.engine.yaml_source import YamlList, YamlMap, YamlProblem, read_yaml

TEXT_MAX_LENGTH = 500
LONG_TEXT_MAX_LENGTH = 4000

_TOP_KEYS = {"id", "version", "title", "description", "default_mode", "choice_lists", "scales"}
_TOP_KEYS |= {"pages"}
_TOP_TEXTS = {"title", "description"}
# `<text>_employee`: the same text for the employee the interview is about, who reads it
# addressed as «du» (an alternative label column in XLSForm's spirit). Optional, but when given,
# in nb, nn and en.
_PAGE_KEYS = {"name", "title", "relevant", "questions", "title_employee"}
_PAGE_TEXTS = {"title", "title_employee"}
_QUESTION_KEYS = {"name", "type", "label", "hint", "required", "relevant", "constraint"}
_QUESTION_KEYS |= {"constraint_message", "choices", "other", "long", "max_length", "min", "max"}
_QUESTION_KEYS |= {"scale", "prefill"}
_QUESTION_KEYS |= {"label_employee", "hint_employee", "constraint_message_employee"}
_QUESTION_KEYS |= {"statement_employee"}
_QUESTION_TEXTS = {"label", "hint", "constraint_message"}
_QUESTION_TEXTS |= {"label_employee", "hint_employee", "constraint_message_employee"}
# A Likert grid: the shared parts, and each statement's own (a statement has no type: it is a
# likert question on the grid's scale).
_GRID_KEYS = {"name", "type", "scale", "label", "hint", "required", "relevant", "statements"}
_GRID_TEXTS = {"label", "hint"}
_STATEMENT_KEYS = {"name", "label"}
_STATEMENT_TEXTS = {"label"}
_CHOICE_KEYS = {"value", "label", "label_employee"}
_CHOICE_TEXTS = {"label", "label_employee"}
# A statement per recorded answer only makes sense where the answer is one of a few values.
_STATEMENT_TYPES = frozenset({"select_one", "yes_no"})

# Options that mean something only for some question types.
_ONLY_FOR = {
    "choices": SELECT_TYPES,
    "other": SELECT_TYPES,
    "long": frozenset({"text"}),
    "max_length": frozenset({"text"}),
    "min": NUMBER_TYPES,
    "max": NUMBER_TYPES,
    "scale": frozenset({"likert"}),
}
_NOT_FOR_NOTES = ("required", "constraint", "constraint_message", "prefill")
_NOT_FOR_NOTES += ("constraint_message_employee", "statement_employee")


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class DefinitionReader:
    """Reads one file; `problems` lists (line, item, message) for everything wrong in it."""

    def __init__(self, source: str, filename: str) -> None:
        self.source = source
        self.filename = filename
        self.problems: list[tuple[int, str, str]] = []
        self.id: str | None = None
        self.id_line = 1
        self.choice_lists: dict[str, tuple[Choice, ...] | None] = {}
        self.scales: dict[str, tuple[Choice, ...] | None] = dict(builtin.LIKERT_SCALES)

    def error(self, line: int, item: str, message: str) -> None:
        self.problems.append((line, item, message))

    # --- generic readers --------------------------------------------------------------------

    def check_keys(self, data: YamlMap, allowed: set[str], texts: set[str], prefix: str) -> None:
        for key in data:
            base, separator, language = key.partition("::")
            if separator and base in texts:
                if language not in LANGUAGES:
                    self.error(
                        data.key_lines[key],
                        _join(prefix, key),
                        f"unknown language '{language}'; use nb, nn or en",
                    )
                continue
            if key in allowed:
                continue
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            suggestion = f"; did you mean '{close[0]}'?" if close else ""
            self.error(data.key_lines[key], _join(prefix, key), f"unknown key '{key}'{suggestion}")

    def text(self, data: YamlMap, key: str, prefix: str, required: bool) -> Text | None:
        """A text given as `key: str`, `key: {nb: .., nn: ..}` and/or `key::nb: ..` keys."""
        item = _join(prefix, key)
        values: dict[str, str] = {}
        explicit: set[str] = set()
        line = data.line
        present = False
        valid = True
        if key in data:
            present = True
            line = data.key_lines[key]
            value = data[key]
            if isinstance(value, YamlMap):
                for language, text in value.items():
                    if language not in LANGUAGES:
                        self.error(
                            value.key_lines[language],
                            f"{item}.{language}",
                            f"unknown language '{language}'; use nb, nn or en",
                        )
                        continue
                    if text is None or isinstance(text, YamlMap | YamlList):
                        self.error(value.key_lines[language], f"{item}.{language}", "must be text")
                        valid = False
                        continue
                    values[language] = value.raw[language]
                    explicit.add(language)
            elif value is not None and not isinstance(value, YamlList):
                values = dict.fromkeys(LANGUAGES, data.raw[key])
            else:
                self.error(line, item, "must be a text or a mapping of nb/nn/en to text")
                valid = False
        for language in LANGUAGES:
            language_key = f"{key}::{language}"
            if language_key not in data:
                continue
            present = True
            key_line = data.key_lines[language_key]
            if not values:
                line = key_line
            value = data[language_key]
            if value is None or isinstance(value, YamlMap | YamlList):
                self.error(key_line, _join(prefix, language_key), "must be text")
                valid = False
            elif language in explicit:
                self.error(key_line, _join(prefix, language_key), f"{language} is given twice")
                valid = False
            else:
                values[language] = data.raw[language_key]
                explicit.add(language)
        if not present:
            if required:
                self.error(data.line, item, f"missing {key}")
            return None
        if not valid:
            return None
        if "nb" not in values:
            self.error(line, item, "missing the nb text")
            return None
        return Text(values)

    def employee_text(self, data: YamlMap, key: str, prefix: str) -> Text | None:
        """An optional text for the employee; when given, it must be given in every language
        (a single text would show bokmål to a nynorsk or English reader)."""
        text = self.text(data, key, prefix, required=False)
        if text is None:
            return None
        value = data.get(key)
        given = set(value) if isinstance(value, YamlMap) else set()
        given |= {language for language in LANGUAGES if f"{key}::{language}" in data}
        missing = [language for language in LANGUAGES if language not in given]
        if missing:
            line = data.key_lines.get(key, data.key_lines.get(f"{key}::nb", data.line))
            self.error(
                line,
                _join(prefix, key),
                "give the employee's text in nb, nn and en (missing " + ", ".join(missing) + ")",
            )
            return None
        return text

    def name(self, data: YamlMap, key: str, prefix: str, what: str) -> str | None:
        if key not in data:
            self.error(data.line, _join(prefix, key), f"missing {key}")
            return None
        value = data[key]
        if not isinstance(value, str) or not NAME_PATTERN.match(value):
            shown = data.raw.get(key, "")
            self.error(
                data.key_lines[key],
                _join(prefix, key),
                f"'{shown}' is not a valid {what}: use letters, digits, '_' and '-', "
                "starting with a letter or '_'",
            )
            return None
        return value

    def flag(self, data: YamlMap, key: str, prefix: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.error(data.key_lines[key], _join(prefix, key), "must be true or false")
            return False
        return value

    def number(self, data: YamlMap, key: str, prefix: str) -> float | None:
        if key not in data:
            return None
        value = data[key]
        if not _is_number(value) or not math.isfinite(value):
            self.error(data.key_lines[key], _join(prefix, key), "must be a number")
            return None
        return value

    # --- the file ---------------------------------------------------------------------------

    def read(self) -> Questionnaire | None:
        try:
            data, duplicates = read_yaml(self.source)
        except YamlProblem as problem:
            self.error(problem.line, problem.item, problem.message)
            return None
        for duplicate in duplicates:
            self.error(duplicate.line, duplicate.item, duplicate.message)
        if not isinstance(data, YamlMap):
            line = getattr(data, "line", 1)
            self.error(line, "file", "must be a mapping with id, version, title and pages")
            return None
        return self.questionnaire(data)

    def questionnaire(self, data: YamlMap) -> Questionnaire | None:
        self.check_keys(data, _TOP_KEYS, _TOP_TEXTS, "")
        self.id = self.name(data, "id", "", "id")
        self.id_line = data.key_lines.get("id", data.line)
        version = self.version(data)
        title = self.text(data, "title", "", required=True)
        description = self.text(data, "description", "", required=False) or EMPTY_TEXT
        mode = self.mode(data)
        if "choice_lists" in data:
            self.read_choice_lists(data)
        if "scales" in data:
            self.read_scales(data)
        pages = self.read_pages(data)
        ExpressionChecker(self.error).run(pages)
        if self.problems:
            return None
        return Questionnaire(
            id=self.id,
            version=version,
            title=title,
            description=description,
            default_mode=mode,
            pages=tuple(self.build_page(page) for page in pages),
            source=self.source,
            fingerprint=_fingerprint(data),
            filename=self.filename,
        )

    def version(self, data: YamlMap) -> int:
        if "version" not in data:
            self.error(data.line, "version", "missing version")
            return 0
        value = data["version"]
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            self.error(data.key_lines["version"], "version", "must be a positive whole number")
            return 0
        return value

    def mode(self, data: YamlMap) -> str:
        if "default_mode" not in data:
            self.error(
                data.line, "default_mode", "missing default_mode (" + " | ".join(MODES) + ")"
            )
            return ""
        value = data["default_mode"]
        if value not in MODES:
            self.error(
                data.key_lines["default_mode"],
                "default_mode",
                f"'{data.raw.get('default_mode', '')}' is not one of " + ", ".join(MODES),
            )
            return ""
        return value

    # --- choices and scales -----------------------------------------------------------------

    def read_choice_lists(self, data: YamlMap) -> None:
        lists = data["choice_lists"]
        if not isinstance(lists, YamlMap):
            self.error(data.key_lines["choice_lists"], "choice_lists", "must map names to lists")
            return
        for list_name, choices in lists.items():
            item = f"choice_lists.{list_name}"
            if not NAME_PATTERN.match(list_name):
                self.error(lists.key_lines[list_name], item, "is not a valid list name")
            self.choice_lists[list_name] = self.choices(choices, lists.key_lines[list_name], item)

    def choices(self, choices: Any, line: int, item: str) -> tuple[Choice, ...] | None:
        if not isinstance(choices, YamlList) or not choices:
            self.error(line, item, "must be a list of {value, label}")
            return None
        result = []
        seen: dict[str, int] = {}
        ok = True
        for index, choice in enumerate(choices):
            choice_item = f"{item}[{index}]"
            choice_line = choices.item_lines[index]
            if not isinstance(choice, YamlMap):
                self.error(choice_line, choice_item, "must be a mapping with value and label")
                ok = False
                continue
            self.check_keys(choice, _CHOICE_KEYS, _CHOICE_TEXTS, choice_item)
            label = self.text(choice, "label", choice_item, required=True)
            label_employee = self.employee_text(choice, "label_employee", choice_item)
            value = self.choice_value(choice, choice_item)
            if value is None or label is None:
                ok = False
                continue
            if value in seen:
                self.error(
                    choice.key_lines["value"],
                    f"{choice_item}.value",
                    f"duplicate choice value '{value}' (first on line {seen[value]})",
                )
                ok = False
                continue
            seen[value] = choice.key_lines["value"]
            result.append(Choice(value, label, label_employee=label_employee))
        return tuple(result) if ok else None

    def choice_value(self, choice: YamlMap, item: str) -> str | None:
        if "value" not in choice:
            self.error(choice.line, f"{item}.value", "missing value")
            return None
        value = choice["value"]
        # The text as written, so that `value: 01` stays '01' and `value: yes` stays 'yes'.
        text = choice.raw.get("value", "")
        if value is None or isinstance(value, YamlMap | YamlList) or not text:
            self.error(choice.key_lines["value"], f"{item}.value", "must be a word or a number")
            return None
        if any(char.isspace() for char in text):
            # Multiple selections are stored and exported space-separated, as in XLSForm.
            self.error(choice.key_lines["value"], f"{item}.value", "must not contain spaces")
            return None
        return text

    def read_scales(self, data: YamlMap) -> None:
        scales = data["scales"]
        if not isinstance(scales, YamlMap):
            self.error(data.key_lines["scales"], "scales", "must map names to lists")
            return
        for scale_name, points in scales.items():
            item = f"scales.{scale_name}"
            line = scales.key_lines[scale_name]
            if scale_name in builtin.LIKERT_SCALES:
                self.error(line, item, f"'{scale_name}' is a built-in scale; choose another name")
                continue
            choices = self.choices(points, line, item)
            if choices is None:
                self.scales[scale_name] = None
                continue
            scored = []
            for index, choice in enumerate(choices):
                try:
                    score = int(choice.value)
                except ValueError:
                    self.error(
                        points[index].key_lines["value"],
                        f"{item}[{index}].value",
                        "a scale point must be a whole number",
                    )
                    scored = None
                    break
                scored.append(
                    Choice(
                        str(score), choice.label, score=score, label_employee=choice.label_employee
                    )
                )
            self.scales[scale_name] = tuple(scored) if scored is not None else None

    # --- pages and questions ----------------------------------------------------------------

    def read_pages(self, data: YamlMap) -> list[PageDraft]:
        if "pages" not in data:
            self.error(data.line, "pages", "missing pages")
            return []
        pages = data["pages"]
        if not isinstance(pages, YamlList) or not pages:
            self.error(data.key_lines["pages"], "pages", "must be a list of pages")
            return []
        drafts = []
        for index, page in enumerate(pages):
            item = f"pages[{index}]"
            if not isinstance(page, YamlMap):
                self.error(pages.item_lines[index], item, "must be a mapping with name and title")
                continue
            drafts.append(self.read_page(page, index, item))
        return drafts

    def read_page(self, page: YamlMap, index: int, item: str) -> PageDraft:
        name = self.name(page, "name", item, "page name")
        prefix = name or item
        self.check_keys(page, _PAGE_KEYS, _PAGE_TEXTS, prefix)
        draft = PageDraft(name, prefix, page.line, index)
        draft.title = self.text(page, "title", prefix, required=True)
        draft.title_employee = self.employee_text(page, "title_employee", prefix)
        if page.get("type") == GRID_TYPE or "statements" in page:
            line = page.key_lines.get("type", page.key_lines.get("statements", page.line))
            self.error(
                line,
                prefix,
                f"a {GRID_TYPE} belongs in a page's questions, not in place of a page",
            )
        if "relevant" in page:
            draft.source = (page["relevant"], page.key_lines["relevant"])
        questions = page.get("questions")
        if not isinstance(questions, YamlList) or not questions:
            line = page.key_lines.get("questions", page.line)
            self.error(line, _join(prefix, "questions"), "a page needs a list of questions")
            return draft
        for number, question in enumerate(questions):
            question_item = f"{prefix}.questions[{number}]"
            if not isinstance(question, YamlMap):
                self.error(questions.item_lines[number], question_item, "must be a mapping")
                continue
            if question.get("type") == GRID_TYPE:
                draft.questions.extend(self.read_grid(question, question_item, draft))
                continue
            draft.questions.extend(self.read_question(question, question_item, draft))
        return draft

    def read_question(self, data: YamlMap, item: str, page: PageDraft) -> list[QuestionDraft]:
        name = self.name(data, "name", item, "question name")
        prefix = name or item
        self.check_keys(data, _QUESTION_KEYS, _QUESTION_TEXTS, prefix)
        kind, list_name = self.question_type(data, prefix)
        draft = QuestionDraft(name, prefix, kind, data.line, page.name or "", page.index)
        draft.label = self.text(data, "label", prefix, required=True)
        draft.hint = self.text(data, "hint", prefix, required=False)
        draft.constraint_message = self.text(data, "constraint_message", prefix, required=False)
        draft.label_employee = self.employee_text(data, "label_employee", prefix)
        draft.hint_employee = self.employee_text(data, "hint_employee", prefix)
        draft.constraint_message_employee = self.employee_text(
            data, "constraint_message_employee", prefix
        )
        draft.text_lines = _text_lines(data, _QUESTION_TEXTS)
        if kind is not None:
            self.check_applicable(data, kind, prefix)
        if "required" in data:
            required = data["required"]
            if isinstance(required, bool):
                draft.required = required
            else:
                draft.sources["required"] = (required, data.key_lines["required"])
        for key in ("relevant", "constraint"):
            if key in data:
                draft.sources[key] = (data[key], data.key_lines[key])
        if "prefill" in data:
            prefill = data["prefill"]
            if not isinstance(prefill, str) or not prefill.strip():
                self.error(data.key_lines["prefill"], f"{prefix}.prefill", "must be a key name")
            else:
                draft.prefill = prefill.strip()
        if kind in SELECT_TYPES:
            self.select_options(data, draft, list_name)
        elif kind == "yes_no":
            draft.choices = builtin.YES_NO_CHOICES
        elif kind == "likert":
            self.likert_options(data, draft)
        elif kind == "text":
            self.text_options(data, draft)
        elif kind in NUMBER_TYPES:
            self.number_options(data, draft)
        if "statement_employee" in data and kind is not None:
            self.employee_statements(data, draft)
        if draft.other and name is not None:
            return [draft, self.other_companion(draft)]
        return [draft]

    def read_grid(self, data: YamlMap, item: str, page: PageDraft) -> list[QuestionDraft]:
        """A `likert_grid`: one likert question per statement, sharing the grid's scale, lead
        text, required and relevant."""
        name = self.name(data, "name", item, "grid name")
        prefix = name or item
        self.check_keys(data, _GRID_KEYS, _GRID_TEXTS, prefix)
        label = self.text(data, "label", prefix, required=True)
        hint = self.text(data, "hint", prefix, required=False)
        scale = self.grid_scale(data, prefix)
        grid = None
        if name is not None and label is not None and scale is not None:
            grid = Grid(name=name, label=label, hint=hint, scale=scale, line=data.line)
        required: bool | None = None
        shared: dict[str, tuple[Any, int]] = {}
        if "required" in data:
            if isinstance(data["required"], bool):
                required = data["required"]
            else:
                shared["required"] = (data["required"], data.key_lines["required"])
        if "relevant" in data:
            shared["relevant"] = (data["relevant"], data.key_lines["relevant"])
        statements = data.get("statements")
        if not isinstance(statements, YamlList) or not statements:
            line = data.key_lines.get("statements", data.line)
            self.error(line, f"{prefix}.statements", "a likert_grid needs a list of statements")
            return []
        grid_lines = {f"grid.{key}": line for key, line in _text_lines(data, _GRID_TEXTS).items()}
        drafts = []
        for index, statement in enumerate(statements):
            statement_item = f"{prefix}.statements[{index}]"
            if not isinstance(statement, YamlMap):
                self.error(
                    statements.item_lines[index],
                    statement_item,
                    "must be a mapping with name and label",
                )
                continue
            drafts.append(
                self.read_statement(
                    statement, statement_item, page, grid, prefix, scale, grid_lines
                )
            )
        for draft in drafts:
            if required is not None:
                draft.required = required
            # The same tuples for every statement: the checker reads each once, for the first.
            draft.sources.update(shared)
        return drafts

    def grid_scale(self, data: YamlMap, prefix: str) -> str | None:
        if "scale" not in data:
            self.error(data.line, f"{prefix}.scale", "missing scale for likert_grid")
            return None
        scale = data.raw.get("scale") if not isinstance(data["scale"], YamlMap | YamlList) else None
        if scale not in self.scales:
            known = ", ".join(self.scales)
            self.error(
                data.key_lines["scale"],
                f"{prefix}.scale",
                f"unknown scale '{scale or ''}'; known scales are {known}",
            )
            return None
        return scale

    def read_statement(
        self,
        data: YamlMap,
        item: str,
        page: PageDraft,
        grid: Grid | None,
        grid_item: str,
        scale: str | None,
        grid_lines: dict[str, int],
    ) -> QuestionDraft:
        name = self.name(data, "name", item, "statement name")
        prefix = name or item
        if "type" in data:
            self.error(
                data.key_lines["type"],
                f"{prefix}.type",
                "a statement has no type of its own: it is answered on the grid's scale",
            )
        if "statements" in data:
            self.error(
                data.key_lines["statements"], f"{prefix}.statements", "a grid cannot be nested"
            )
        self.check_keys(data, _STATEMENT_KEYS | {"type", "statements"}, _STATEMENT_TEXTS, prefix)
        draft = QuestionDraft(name, prefix, "likert", data.line, page.name or "", page.index)
        draft.label = self.text(data, "label", prefix, required=True)
        draft.choices = (self.scales.get(scale) or ()) if scale is not None else ()
        draft.grid = grid
        draft.grid_item = grid_item
        draft.text_lines = _text_lines(data, _STATEMENT_TEXTS) | grid_lines
        return draft

    def question_type(self, data: YamlMap, prefix: str) -> tuple[str | None, str | None]:
        if "type" not in data:
            self.error(data.line, f"{prefix}.type", "missing type")
            return None, None
        value = data["type"]
        line = data.key_lines["type"]
        if not isinstance(value, str):
            self.error(line, f"{prefix}.type", "must be a question type")
            return None, None
        # XLSForm writes the list in the type: `select_one yrkesgruppe`.
        kind, _, list_name = value.strip().partition(" ")
        list_name = list_name.strip() or None
        if kind not in QUESTION_TYPES:
            close = difflib.get_close_matches(kind, QUESTION_TYPES, n=1)
            suggestion = f"did you mean '{close[0]}'? " if close else ""
            self.error(
                line,
                f"{prefix}.type",
                f"unknown type '{value}'; {suggestion}types are "
                + ", ".join((*QUESTION_TYPES, GRID_TYPE)),
            )
            return None, None
        if list_name is not None and kind not in SELECT_TYPES:
            self.error(line, f"{prefix}.type", f"unexpected '{list_name}' after {kind}")
        return kind, list_name

    def check_applicable(self, data: YamlMap, kind: str, prefix: str) -> None:
        for key, kinds in _ONLY_FOR.items():
            if key in data and kind not in kinds:
                self.error(
                    data.key_lines[key],
                    f"{prefix}.{key}",
                    f"{key} is only for " + ", ".join(sorted(kinds)) + " questions",
                )
        if kind == "note":
            for key in _NOT_FOR_NOTES:
                if key in data:
                    self.error(data.key_lines[key], f"{prefix}.{key}", "a note has no answer")

    def select_options(self, data: YamlMap, draft: QuestionDraft, list_name: str | None) -> None:
        prefix = draft.item
        choices: tuple[Choice, ...] | None = None
        if "choices" in data and list_name is not None:
            self.error(
                data.key_lines["choices"], f"{prefix}.choices", "the type already names a list"
            )
        elif "choices" in data or list_name is not None:
            value = data.get("choices", list_name)
            line = data.key_lines.get("choices", data.key_lines.get("type", data.line))
            if isinstance(value, str):
                if value not in self.choice_lists:
                    self.error(line, f"{prefix}.choices", f"unknown choice list '{value}'")
                else:
                    choices = self.choice_lists[value]
            else:
                choices = self.choices(value, line, f"{prefix}.choices")
        else:
            self.error(data.line, f"{prefix}.choices", f"missing choices for {draft.type}")
        draft.other = self.flag(data, "other", prefix) if "other" in data else False
        if choices is None:
            return
        if draft.other:
            if builtin.OTHER_VALUE in (choice.value for choice in choices):
                self.error(
                    data.key_lines["other"],
                    f"{prefix}.other",
                    f"the choices already have the value '{builtin.OTHER_VALUE}'",
                )
            else:
                choices = (*choices, builtin.OTHER_CHOICE)
        draft.choices = choices

    def employee_statements(self, data: YamlMap, draft: QuestionDraft) -> None:
        """`statement_employee: {value: {nb, nn, en}}`: for a question only the leader answers,
        what the employee reads instead of the question and the answer, for every value."""
        item = f"{draft.item}.statement_employee"
        line = data.key_lines["statement_employee"]
        if draft.type not in _STATEMENT_TYPES:
            kinds = ", ".join(sorted(_STATEMENT_TYPES))
            self.error(line, item, f"statement_employee is only for {kinds} questions")
            return
        statements = data["statement_employee"]
        if not isinstance(statements, YamlMap) or not statements:
            self.error(line, item, "must map each answer value to a text in nb, nn and en")
            return
        known = [choice.value for choice in draft.choices]
        found = []
        for value in statements:
            if known and value not in known:
                self.error(
                    statements.key_lines[value],
                    f"{item}.{value}",
                    f"unknown answer value '{value}'; the values are " + ", ".join(known),
                )
                continue
            text = self.employee_text(statements, value, item)
            if text is not None:
                found.append((value, text))
        missing = [value for value in known if value not in statements]
        if missing:
            self.error(line, item, "missing a statement for " + ", ".join(missing))
        draft.statement_employee = tuple(found)

    def likert_options(self, data: YamlMap, draft: QuestionDraft) -> None:
        if "scale" not in data:
            self.error(data.line, f"{draft.item}.scale", "missing scale for likert")
            return
        scale = data.raw.get("scale") if not isinstance(data["scale"], YamlMap | YamlList) else None
        if scale not in self.scales:
            known = ", ".join(self.scales)
            self.error(
                data.key_lines["scale"],
                f"{draft.item}.scale",
                f"unknown scale '{scale or ''}'; known scales are {known}",
            )
            return
        draft.choices = self.scales[scale] or ()

    def text_options(self, data: YamlMap, draft: QuestionDraft) -> None:
        draft.long = self.flag(data, "long", draft.item) if "long" in data else False
        draft.max_length = LONG_TEXT_MAX_LENGTH if draft.long else TEXT_MAX_LENGTH
        if "max_length" in data:
            value = data["max_length"]
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                self.error(
                    data.key_lines["max_length"],
                    f"{draft.item}.max_length",
                    "must be a positive whole number",
                )
            else:
                draft.max_length = value

    def number_options(self, data: YamlMap, draft: QuestionDraft) -> None:
        low = self.number(data, "min", draft.item)
        high = self.number(data, "max", draft.item)
        if draft.type == "percent":
            for key, value in (("min", low), ("max", high)):
                if value is not None and not 0 <= value <= 100:
                    self.error(
                        data.key_lines[key], f"{draft.item}.{key}", "a percent must be within 0–100"
                    )
            low = 0.0 if low is None else low
            high = 100.0 if high is None else high
        if low is not None and high is not None and low > high:
            line = data.key_lines.get("min", data.line)
            self.error(line, f"{draft.item}.min", f"min ({low:g}) is greater than max ({high:g})")
        draft.min = float(low) if low is not None else None
        draft.max = float(high) if high is not None else None

    def other_companion(self, select: QuestionDraft) -> QuestionDraft:
        name = f"{select.name}{builtin.OTHER_SUFFIX}"
        companion = QuestionDraft(
            name,
            name,
            "text",
            select.line,
            select.page,
            select.page_index,
            label=builtin.OTHER_LABEL,
            required=True,
            max_length=builtin.OTHER_MAX_LENGTH,
            other_of=select.name,
        )
        companion.sources["relevant"] = (
            f"selected(${{{select.name}}}, '{builtin.OTHER_VALUE}')",
            select.line,
        )
        return companion

    # --- building ---------------------------------------------------------------------------

    def build_page(self, page: PageDraft) -> Page:
        return Page(
            name=page.name,
            title=page.title,
            relevant=page.node,
            questions=tuple(self.build_question(question) for question in page.questions),
            line=page.line,
            title_employee=page.title_employee,
        )

    def build_question(self, draft: QuestionDraft) -> Question:
        return Question(
            name=draft.name,
            type=draft.type,
            label=draft.label,
            hint=draft.hint,
            required=draft.required,
            required_expr=draft.nodes.get("required"),
            relevant=draft.nodes.get("relevant"),
            constraint=draft.nodes.get("constraint"),
            constraint_message=draft.constraint_message,
            choices=draft.choices,
            other=draft.other,
            long=draft.long,
            max_length=draft.max_length,
            min=draft.min,
            max=draft.max,
            prefill=draft.prefill,
            page=draft.page,
            line=draft.line,
            other_of=draft.other_of,
            label_employee=draft.label_employee,
            hint_employee=draft.hint_employee,
            constraint_message_employee=draft.constraint_message_employee,
            statement_employee=draft.statement_employee,
            grid=draft.grid,
        )


def _text_lines(data: YamlMap, keys: set[str]) -> dict[str, int]:
    """The line of each text given (as `key` or as `key::nb`), by key."""
    lines = {}
    for key in keys:
        for written in (key, *(f"{key}::{language}" for language in LANGUAGES)):
            if written in data:
                lines[key] = data.key_lines[written]
                break
    return lines


def _fingerprint(data: Any) -> str:
    # Hash the data rather than the text, so comments and layout do not make a new version.
    canonical = json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
