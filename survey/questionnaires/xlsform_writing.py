"""A questionnaire as an XLSForm workbook that pyxform converts, and that the import reads
back into the same questionnaire (docs/questionnaires.md § XLSForm)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from survey import engine
from survey.engine import builtin
from survey.engine.definition import LANGUAGES, Choice, Grid, Page, Question, Questionnaire, Text
from survey.engine.expressions import ExpressionError, Node
from survey.engine.reader import LONG_TEXT_MAX_LENGTH, TEXT_MAX_LENGTH
from survey.engine.yaml_source import YamlList, YamlMap, YamlProblem, read_yaml
from survey.questionnaires.xlsform_format import (
    BUILTIN_SCALE_LISTS,
    BUILTIN_SCALES,
    BUILTIN_YES_NO,
    CHOICES,
    DEFAULT_LANGUAGE_COLUMN,
    EMPLOYEE_TEXT_COLUMNS,
    PERCENT_MARKER,
    PRODUCT_BIND_PREFIX,
    PRODUCT_NAMESPACE,
    PRODUCT_NAMESPACE_URI,
    PRODUCT_PROPERTIES,
    RESERVED_LISTS,
    SETTINGS,
    SURVEY,
    TEXT_COLUMNS,
    YES_NO_LIST,
    language_column,
)

_EXPRESSION_KEYS = ("relevant", "required", "constraint")


@dataclass
class _Written:
    """What the definition file says beyond the parsed questionnaire: list names and the
    expressions as written, so that an exported form reads like the file it came from."""

    list_of: dict[str, str] = field(default_factory=dict)  # question -> choice list name
    scale_of: dict[str, str] = field(default_factory=dict)  # question -> scale name
    expressions: dict[tuple[str, str], str] = field(default_factory=dict)  # (name, key) -> text


def _written(source: str) -> _Written:
    written = _Written()
    try:
        data, _ = read_yaml(source)
    except YamlProblem:
        return written
    if not isinstance(data, YamlMap) or not isinstance(data.get("pages"), YamlList):
        return written
    for page in data["pages"]:
        if not isinstance(page, YamlMap):
            continue
        _note_expressions(written, page, str(page.get("name")))
        for question in page.get("questions") or ():
            if not isinstance(question, YamlMap):
                continue
            name = str(question.get("name"))
            kind = str(question.get("type") or "")
            _, _, list_name = kind.partition(" ")
            choices = question.get("choices")
            if isinstance(choices, str):
                written.list_of[name] = choices
            elif list_name.strip():
                written.list_of[name] = list_name.strip()
            if isinstance(question.get("scale"), str | int):
                written.scale_of[name] = str(question.raw.get("scale", question["scale"]))
            _note_expressions(written, question, name)
            for statement in question.get("statements") or ():
                if isinstance(statement, YamlMap):
                    for key in _EXPRESSION_KEYS:
                        if (name, key) in written.expressions:
                            written.expressions[(str(statement.get("name")), key)] = (
                                written.expressions[(name, key)]
                            )
    return written


def _note_expressions(written: _Written, data: YamlMap, name: str) -> None:
    for key in _EXPRESSION_KEYS:
        if isinstance(data.get(key), str):
            written.expressions[(name, key)] = data[key].strip()


def _list_name(text: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_-]", "_", text)
    return name if re.match(r"[A-Za-z_]", name) else f"list_{name}"


class _Lists:
    """Choice lists by their choices, each under one name; the engine's built-in choices under
    the reserved names the import recognises."""

    def __init__(self) -> None:
        self.by_key: dict[tuple, str] = {}
        self.lists: dict[str, tuple[Choice, ...]] = {}

    def name(self, kind: str, choices: tuple[Choice, ...], preferred: str) -> str:
        key = (kind, tuple((c.value, c.label, c.label_employee) for c in choices))
        if key in self.by_key:
            return self.by_key[key]
        base = preferred if kind == "builtin" else _list_name(preferred)
        name = base
        number = 1
        while name in self.lists or (kind != "builtin" and name in RESERVED_LISTS):
            number += 1
            name = f"{base}_{number}"
        self.by_key[key] = name
        self.lists[name] = choices
        return name


def _texts(row: dict[str, str], base: str, text: Text | None) -> None:
    if text is None:
        return
    for language in LANGUAGES:
        if language in text.values:
            row[language_column(base, language)] = text.values[language]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


class XLSFormWriter:
    def __init__(self, definition: Questionnaire) -> None:
        self.definition = definition
        self.written = _written(definition.source)
        self.lists = _Lists()
        self.survey: list[dict[str, str]] = []

    def expression(self, name: str, key: str, node: Node | None) -> str:
        if node is None:
            return ""
        text = self.written.expressions.get((name, key))
        if text is not None:
            try:
                if engine.parse(text) == node:
                    return text
            except ExpressionError:
                pass
        return engine.to_text(node)

    def required(self, question: Question) -> str:
        if question.required_expr is not None:
            return self.expression(question.name, "required", question.required_expr)
        return "yes" if question.required else ""

    # --- survey rows

    def rows(self) -> list[dict[str, str]]:
        for page in self.definition.pages:
            self.page(page)
        return self.survey

    def page(self, page: Page) -> None:
        row = {
            "type": "begin_group",
            "name": page.name,
            "relevant": self.expression(page.name, "relevant", page.relevant),
            "appearance": "field-list",
        }
        _texts(row, "label", page.title)
        _texts(row, "label_employee", page.title_employee)
        self.survey.append(row)
        questions = [question for question in page.questions if question.other_of is None]
        index = 0
        while index < len(questions):
            question = questions[index]
            if question.grid is None:
                self.survey.append(self.question(question))
                index += 1
                continue
            statements = []
            while index < len(questions) and questions[index].grid == question.grid:
                statements.append(questions[index])
                index += 1
            self.grid(question.grid, statements)
        self.survey.append({"type": "end_group"})

    def grid(self, grid: Grid, statements: list[Question]) -> None:
        first = statements[0]
        row = {
            "type": "begin_group",
            "name": grid.name,
            "appearance": "table-list",
            "relevant": self.expression(first.name, "relevant", first.relevant),
        }
        _texts(row, "label", grid.label)
        _texts(row, "hint", grid.hint)
        self.survey.append(row)
        list_name = self.scale_list(grid.scale, first.choices)
        for statement in statements:
            row = {
                "type": f"select_one {list_name}",
                "name": statement.name,
                "required": self.required(statement),
            }
            _texts(row, "label", statement.label)
            self.survey.append(row)
        self.survey.append({"type": "end_group"})

    def scale_list(self, scale: str | None, choices: tuple[Choice, ...]) -> str:
        for builtin_scale, builtin_choices in BUILTIN_SCALES.items():
            if choices == builtin_choices and (scale is None or scale == builtin_scale):
                return self.lists.name("builtin", choices, BUILTIN_SCALE_LISTS[builtin_scale])
        return self.lists.name("scale", choices, scale or "skala")

    def question(self, question: Question) -> dict[str, str]:
        name = question.name
        row: dict[str, str] = {"name": name}
        kind = question.type
        appearance = ""
        if kind in ("select_one", "select_multiple"):
            choices = question.choices
            if question.other and choices and choices[-1] == builtin.OTHER_CHOICE:
                choices = choices[:-1]
            list_name = self.lists.name("choices", choices, self.written.list_of.get(name, name))
            row["type"] = f"{kind} {list_name}" + (" or_other" if question.other else "")
        elif kind == "likert":
            scale = self.written.scale_of.get(name)
            row["type"] = f"select_one {self.scale_list(scale, question.choices)}"
            appearance = "likert"
        elif kind == "yes_no":
            row["type"] = f"select_one {self.lists.name('builtin', BUILTIN_YES_NO, YES_NO_LIST)}"
        elif kind == "percent":
            row["type"] = "decimal"
            row[f"{PRODUCT_BIND_PREFIX}type"] = PERCENT_MARKER
        elif kind == "text":
            row["type"] = "text"
            if question.long:
                appearance = "multiline"
            default = LONG_TEXT_MAX_LENGTH if question.long else TEXT_MAX_LENGTH
            if question.max_length is not None and question.max_length != default:
                row[f"{PRODUCT_BIND_PREFIX}max_length"] = str(question.max_length)
        else:
            row["type"] = kind
        if kind in ("integer", "decimal", "percent"):
            default_min, default_max = (0.0, 100.0) if kind == "percent" else (None, None)
            if question.min is not None and question.min != default_min:
                row[f"{PRODUCT_BIND_PREFIX}min"] = _number(question.min)
            if question.max is not None and question.max != default_max:
                row[f"{PRODUCT_BIND_PREFIX}max"] = _number(question.max)
        row["appearance"] = appearance
        if question.prefill:
            row[f"{PRODUCT_BIND_PREFIX}prefill"] = question.prefill
        if kind != "note":
            row["required"] = self.required(question)
        row["relevant"] = self.expression(name, "relevant", question.relevant)
        row["constraint"] = self.expression(name, "constraint", question.constraint)
        _texts(row, "label", question.label)
        _texts(row, "hint", question.hint)
        _texts(row, "constraint_message", question.constraint_message)
        _texts(row, "label_employee", question.label_employee)
        _texts(row, "hint_employee", question.hint_employee)
        _texts(row, "constraint_message_employee", question.constraint_message_employee)
        for language in LANGUAGES:
            lines = [
                f"{value}: {text.values[language]}"
                for value, text in question.statement_employee
                if language in text.values
            ]
            if lines:
                row[language_column("statement_employee", language)] = "\n".join(lines)
        return row

    # --- the workbook

    def workbook_bytes(self) -> bytes:
        # heavy: imported where used
        from openpyxl import Workbook  # noqa: PLC0415
        from openpyxl.styles import Font  # noqa: PLC0415

        survey_rows = self.rows()
        survey_columns = ["type", "name"]
        for base in TEXT_COLUMNS[:2]:
            survey_columns += [language_column(base, language) for language in LANGUAGES]
        survey_columns += ["required", "relevant", "constraint"]
        survey_columns += [language_column("constraint_message", lang) for lang in LANGUAGES]
        survey_columns += ["appearance"]
        optional = [f"{PRODUCT_BIND_PREFIX}{prop}" for prop in PRODUCT_PROPERTIES]
        optional += [
            language_column(base, language)
            for base in EMPLOYEE_TEXT_COLUMNS
            for language in LANGUAGES
        ]
        survey_columns += [c for c in optional if any(c in row for row in survey_rows)]

        choice_rows = []
        for list_name, choices in self.lists.lists.items():
            for choice in choices:
                row = {"list_name": list_name, "name": choice.value}
                _texts(row, "label", choice.label)
                if choice.label_employee is not None:
                    for language in LANGUAGES:
                        if language in choice.label_employee.values:
                            row[f"label_employee_{language}"] = choice.label_employee.values[
                                language
                            ]
                choice_rows.append(row)
        choice_columns = ["list_name", "name"]
        choice_columns += [language_column("label", language) for language in LANGUAGES]
        choice_columns += [
            f"label_employee_{language}"
            for language in LANGUAGES
            if any(f"label_employee_{language}" in row for row in choice_rows)
        ]

        definition = self.definition
        settings = {
            "form_title": definition.title.get("nb"),
            "form_id": definition.id,
            "version": str(definition.version),
            "default_language": DEFAULT_LANGUAGE_COLUMN,
            "namespaces": f'{PRODUCT_NAMESPACE}="{PRODUCT_NAMESPACE_URI}"',
            "default_mode": definition.default_mode,
        }
        for language in ("nn", "en"):
            if language in definition.title.values:
                settings[f"title_{language}"] = definition.title.values[language]
        for language in LANGUAGES:
            if language in definition.description.values:
                settings[f"description_{language}"] = definition.description.values[language]

        workbook = Workbook()
        sheets = (
            (SURVEY, survey_columns, survey_rows),
            (CHOICES, choice_columns, choice_rows),
            (SETTINGS, list(settings), [settings]),
        )
        for index, (title, columns, rows) in enumerate(sheets):
            sheet = workbook.active if index == 0 else workbook.create_sheet()
            sheet.title = title
            sheet.append(columns)
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for row in rows:
                sheet.append([row.get(column) or None for column in columns])
            sheet.freeze_panes = "A2"
            for number, column in enumerate(columns, start=1):
                letter = sheet.cell(row=1, column=number).column_letter
                width = 40 if "::" in column or column.startswith("label") else 18
                sheet.column_dimensions[letter].width = width
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()


def questionnaire_to_xlsform(definition: Questionnaire) -> bytes:
    """The questionnaire as an .xlsx XLSForm (sheets survey, choices and settings)."""
    return XLSFormWriter(definition).workbook_bytes()
