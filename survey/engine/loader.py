"""Load questionnaire definition files, reporting every problem as FILE:LINE: ITEM: message.

All problems in a file are collected before giving up, so an administrator can fix a file in one
round instead of one error per run.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from survey.engine import builtin
from survey.engine.definition import (
    EMPTY_TEXT,
    LANGUAGES,
    MODES,
    NUMBER_TYPES,
    QUESTION_TYPES,
    SELECT_TYPES,
    Choice,
    Page,
    Question,
    Questionnaire,
    Text,
)
from survey.engine.expressions import (
    ANY,
    DATE,
    LIST,
    NAME_PATTERN,
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
from survey.engine.yaml_source import YamlList, YamlMap, YamlProblem, read_yaml

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

TEXT_MAX_LENGTH = 500
LONG_TEXT_MAX_LENGTH = 4000

_TOP_KEYS = {"id", "version", "title", "description", "default_mode", "choice_lists", "scales"}
_TOP_KEYS |= {"pages"}
_TOP_TEXTS = {"title", "description"}
_PAGE_KEYS = {"name", "title", "relevant", "questions"}
_PAGE_TEXTS = {"title"}
_QUESTION_KEYS = {"name", "type", "label", "hint", "required", "relevant", "constraint"}
_QUESTION_KEYS |= {"constraint_message", "choices", "other", "long", "max_length", "min", "max"}
_QUESTION_KEYS |= {"scale", "prefill"}
_QUESTION_TEXTS = {"label", "hint", "constraint_message"}
_CHOICE_KEYS = {"value", "label"}
_CHOICE_TEXTS = {"label"}

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


@dataclass(frozen=True)
class DefinitionError:
    file: str
    line: int
    item: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.item}: {self.message}"


class InvalidDefinition(Exception):
    def __init__(self, errors: Iterable[DefinitionError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass
class _Draft:
    """A question while the file is being checked; becomes a Question when all is well."""

    name: str | None
    item: str
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
    # Expression texts with the line of their key, parsed once every name is known.
    sources: dict[str, tuple[Any, int]] = field(default_factory=dict)
    nodes: dict[str, Node | None] = field(default_factory=dict)
    index: int = -1


@dataclass
class _PageDraft:
    name: str | None
    item: str
    line: int
    index: int
    title: Text | None = None
    source: tuple[Any, int] | None = None
    node: Node | None = None
    questions: list[_Draft] = field(default_factory=list)


class _FileChecker:
    def __init__(self, text: str, filename: str) -> None:
        self.source = text
        self.filename = filename
        self.errors: list[DefinitionError] = []
        self.id: str | None = None
        self.id_line = 1
        self.choice_lists: dict[str, tuple[Choice, ...] | None] = {}
        self.scales: dict[str, tuple[Choice, ...] | None] = dict(builtin.LIKERT_SCALES)
        self.by_name: dict[str, _Draft] = {}
        self.page_by_name: dict[str, _PageDraft] = {}
        self.types: dict[str, str] = {}
        self.result: Questionnaire | None = None

    def error(self, line: int, item: str, message: str) -> None:
        self.errors.append(DefinitionError(self.filename, line, item, message))

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

    def name(self, data: YamlMap, key: str, prefix: str, what: str) -> str | None:
        if key not in data:
            self.error(data.line, prefix or key, f"missing {key}")
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

    def check(self) -> Questionnaire | None:
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
        self.check_names(pages)
        self.check_expressions(pages)
        if self.errors:
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
            result.append(Choice(value, label))
        return tuple(result) if ok else None

    def choice_value(self, choice: YamlMap, item: str) -> str | None:
        if "value" not in choice:
            self.error(choice.line, item, "missing value")
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
                scored.append(Choice(str(score), choice.label, score=score))
            self.scales[scale_name] = tuple(scored) if scored is not None else None

    # --- pages and questions ----------------------------------------------------------------

    def read_pages(self, data: YamlMap) -> list[_PageDraft]:
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

    def read_page(self, page: YamlMap, index: int, item: str) -> _PageDraft:
        name = self.name(page, "name", item, "page name")
        prefix = name or item
        self.check_keys(page, _PAGE_KEYS, _PAGE_TEXTS, prefix)
        draft = _PageDraft(name, prefix, page.line, index)
        draft.title = self.text(page, "title", prefix, required=True)
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
            draft.questions.extend(self.read_question(question, question_item, draft))
        return draft

    def read_question(self, data: YamlMap, item: str, page: _PageDraft) -> list[_Draft]:
        name = self.name(data, "name", item, "question name")
        prefix = name or item
        self.check_keys(data, _QUESTION_KEYS, _QUESTION_TEXTS, prefix)
        kind, list_name = self.question_type(data, prefix)
        draft = _Draft(name, prefix, kind, data.line, page.name or "", page.index)
        draft.label = self.text(data, "label", prefix, required=True)
        draft.hint = self.text(data, "hint", prefix, required=False)
        draft.constraint_message = self.text(data, "constraint_message", prefix, required=False)
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
        if draft.other and name is not None:
            return [draft, self.other_companion(draft)]
        return [draft]

    def question_type(self, data: YamlMap, prefix: str) -> tuple[str | None, str | None]:
        if "type" not in data:
            self.error(data.line, prefix, "missing type")
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
                f"unknown type '{value}'; {suggestion}types are " + ", ".join(QUESTION_TYPES),
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

    def select_options(self, data: YamlMap, draft: _Draft, list_name: str | None) -> None:
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
            self.error(data.line, prefix, f"missing choices for {draft.type}")
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

    def likert_options(self, data: YamlMap, draft: _Draft) -> None:
        if "scale" not in data:
            self.error(data.line, draft.item, "missing scale for likert")
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

    def text_options(self, data: YamlMap, draft: _Draft) -> None:
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

    def number_options(self, data: YamlMap, draft: _Draft) -> None:
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

    def other_companion(self, select: _Draft) -> _Draft:
        name = f"{select.name}{builtin.OTHER_SUFFIX}"
        companion = _Draft(
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

    # --- names and expressions --------------------------------------------------------------

    def check_names(self, pages: list[_PageDraft]) -> None:
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
            for question in page.questions:
                question.index = index
                index += 1
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

    def check_expressions(self, pages: list[_PageDraft]) -> None:
        for page in pages:
            if page.source is not None:
                page.node = self.expression(page.source, f"{page.item}.relevant", "page", page)
            for question in page.questions:
                for key in ("relevant", "required", "constraint"):
                    if key in question.sources:
                        question.nodes[key] = self.expression(
                            question.sources[key], f"{question.item}.{key}", key, question
                        )

    def expression(
        self, source: tuple[Any, int], item: str, kind: str, owner: _Draft | _PageDraft
    ) -> Node | None:
        text, line = source
        if isinstance(text, bool):
            return Call("true" if text else "false")
        if not isinstance(text, str):
            self.error(line, item, "must be an expression in quotes")
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
        if kind == "constraint" and isinstance(owner, _Draft):
            current_type = VALUE_TYPES.get(owner.type or "", ANY)
        try:
            infer_type(node, self.types, current_type)
        except ExpressionError as exc:
            self.error(line, item, str(exc))
        for problem in self.choice_problems(node):
            self.error(line, item, problem)
        return node

    def reference_problems(self, node: Node, kind: str, owner: _Draft | _PageDraft) -> list[str]:
        problems = []
        for name in sorted(references(node)):
            target = self.by_name.get(name)
            if target is None:
                problems.append(f"unknown name ${{{name}}}{self.name_hint(name)}")
            elif target.type == "note":
                problems.append(f"${{{name}}} is a note and has no answer")
            elif isinstance(owner, _PageDraft):
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

    # --- building ---------------------------------------------------------------------------

    def build_page(self, page: _PageDraft) -> Page:
        return Page(
            name=page.name,
            title=page.title,
            relevant=page.node,
            questions=tuple(self.build_question(question) for question in page.questions),
            line=page.line,
        )

    def build_question(self, draft: _Draft) -> Question:
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
        )


def _fingerprint(data: Any) -> str:
    # Hash the data rather than the text, so comments and layout do not make a new version.
    canonical = json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _sorted(errors: list[DefinitionError]) -> list[DefinitionError]:
    return sorted(errors, key=lambda error: (error.file, error.line))


def _check_text(text: str, filename: str) -> _FileChecker:
    checker = _FileChecker(text, filename)
    checker.result = checker.check()
    checker.errors = _sorted(checker.errors)
    return checker


def _check_file(path: str | os.PathLike[str]) -> _FileChecker:
    filename = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        checker = _FileChecker("", filename)
        checker.error(1, "file", f"is not UTF-8 text ({exc.reason})")
        return checker
    except OSError as exc:
        checker = _FileChecker("", filename)
        checker.error(1, "file", f"cannot be read: {exc.strerror or exc}")
        return checker
    return _check_text(text, filename)


def load_text(text: str, filename: str) -> Questionnaire:
    """The questionnaire in `text`; InvalidDefinition lists every problem found."""
    checker = _check_text(text, filename)
    if checker.errors:
        raise InvalidDefinition(checker.errors)
    return checker.result


def load(path: str | os.PathLike[str]) -> Questionnaire:
    """Load one file; errors name the file as `path` was given."""
    checker = _check_file(path)
    if checker.errors:
        raise InvalidDefinition(checker.errors)
    return checker.result


def _duplicate_ids(checkers: Sequence[_FileChecker]) -> list[DefinitionError]:
    errors = []
    first: dict[str, _FileChecker] = {}
    for checker in checkers:
        if checker.id is None:
            continue
        if checker.id in first:
            errors.append(
                DefinitionError(
                    checker.filename,
                    checker.id_line,
                    "id",
                    f"id '{checker.id}' is also used by {first[checker.id].filename}",
                )
            )
        else:
            first[checker.id] = checker
    return errors


def check(paths: Iterable[str | os.PathLike[str]]) -> list[DefinitionError]:
    """Every problem in the given files, including ids used by more than one of them."""
    checkers = [_check_file(path) for path in paths]
    errors = [error for checker in checkers for error in checker.errors]
    return errors + _duplicate_ids(checkers)


def definition_files(path: str | os.PathLike[str]) -> list[Path]:
    directory = Path(path)
    return sorted(
        entry
        for entry in directory.iterdir()
        if entry.suffix in (".yaml", ".yml") and entry.is_file()
    )


def load_directory(path: str | os.PathLike[str]) -> list[Questionnaire]:
    """All questionnaires in a directory (*.yaml, *.yml), sorted by file name."""
    checkers = [_check_file(file) for file in definition_files(path)]
    errors = [error for checker in checkers for error in checker.errors]
    errors += _duplicate_ids(checkers)
    if errors:
        raise InvalidDefinition(errors)
    return [checker.result for checker in checkers]
