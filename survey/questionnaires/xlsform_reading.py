"""An XLSForm workbook (`survey`, `choices`, `settings`) into the product's YAML.

Every problem is collected as `FILE:SHEET:ROW: message` before giving up, so an administrator
fixes a workbook in one round; the YAML is then checked by the engine's own loader and its
errors are reported at the sheet and row the offending line came from.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from survey import engine
from survey.engine import builtin
from survey.engine.definition import LANGUAGES
from survey.engine.expressions import NAME_PATTERN
from survey.questionnaires.xlsform_format import (
    BUILTIN_SCALES,
    BUILTIN_YES_NO,
    CHOICES,
    PERCENT_MARKER,
    PRODUCT_BIND_PREFIX,
    SCALE_OF_LIST,
    SETTINGS,
    SURVEY,
    XLSFORM_OTHER_SUFFIX,
    YES_NO_LIST,
    XLSFormError,
)
from survey.questionnaires.xlsform_sheets import UNSUPPORTED_COLUMNS, Row, WorkbookReader
from survey.questionnaires.xlsform_yaml import YamlWriter

Origin = tuple[str, int]  # (sheet, row)

# Metadata a survey tool records by itself; the product records submission times on its own
# and collects nothing about the device, so these rows are dropped.
_METADATA = "start end today deviceid subscriberid simserial phonenumber username email audit"
_METADATA_TYPES = frozenset(f"{_METADATA} start-geopoint background-audio imei".split())
_UNSUPPORTED_TYPES = {
    "calculate": "calculations",
    "hidden": "hidden fields",
    "geopoint": "locations (geopoint)",
    "geotrace": "locations (geotrace)",
    "geoshape": "locations (geoshape)",
    "background-geopoint": "locations (background-geopoint)",
    "image": "photos (image)",
    "audio": "audio recordings",
    "video": "video recordings",
    "file": "file uploads",
    "barcode": "barcodes",
    "acknowledge": "acknowledge questions",
    "range": "range sliders",
    "rank": "ranking questions",
    "time": "times of day (time)",
    "datetime": "date and time (datetime)",
    "dateTime": "date and time (datetime)",
    "select_one_from_file": "choices from a file (select_one_from_file)",
    "select_multiple_from_file": "choices from a file (select_multiple_from_file)",
    "select_one_external": "external choices (select_one_external)",
    "xml-external": "external data (xml-external)",
    "csv-external": "external data (csv-external)",
    "begin_repeat": "repeat groups",
    "end_repeat": "repeat groups",
}
_SIMPLE_TYPES = {
    "integer": "integer",
    "int": "integer",
    "decimal": "decimal",
    "text": "text",
    "string": "text",
    "date": "date",
    "note": "note",
}
_KNOWN_TYPES = (
    "begin_group",
    "end_group",
    "select_one",
    "select_multiple",
    *_SIMPLE_TYPES,
)
_TRUE = frozenset({"yes", "true", "true()", "1"})
_FALSE = frozenset({"no", "false", "false()", "0", ""})
_MODES = ("anonymous", "confidential", "identified")
_DEFAULT_MODE = "anonymous"
# A grid's statement has a name and a label; what it shares with the others is the grid's.
_STATEMENT_COLUMNS = frozenset({"type", "name", "label", "required", "relevant", "appearance"})


# --- the questionnaire as read ----------------------------------------------------------------


@dataclass
class ChoiceRow:
    origin: Origin
    value: str
    label: dict[str, str]
    label_employee: dict[str, str]


@dataclass
class ChoiceList:
    name: str
    origin: Origin
    choices: list[ChoiceRow] = field(default_factory=list)

    @property
    def values(self) -> list[str]:
        return [choice.value for choice in self.choices]


@dataclass
class QuestionEntry:
    origin: Origin
    fields: list[tuple[str, object]]  # YAML keys in order


@dataclass
class GridEntry:
    origin: Origin
    name: str
    label: dict[str, str]
    hint: dict[str, str]
    relevant: str
    statements: list[tuple[Origin, str, dict[str, str], Row]] = field(default_factory=list)
    list_name: str | None = None
    list_origin: Origin | None = None


@dataclass
class PageEntry:
    origin: Origin
    name: str
    title: dict[str, str]
    title_employee: dict[str, str]
    relevant: str
    items: list[QuestionEntry | GridEntry] = field(default_factory=list)


class XLSFormReader:
    def __init__(self, data: bytes, filename: str, questionnaire_id: str) -> None:
        self.filename = filename
        self.questionnaire_id = questionnaire_id
        self.workbook = WorkbookReader(data, filename)
        self.problems = self.workbook.problems
        self.lists: dict[str, ChoiceList] = {}
        self.used_lists: list[str] = []
        self.used_scales: list[str] = []
        self.names: dict[str, int] = {}
        self.pages: list[PageEntry] = []
        self.or_other: set[str] = set()
        self.settings_origin: Origin = (SETTINGS, 2)
        self.settings: dict[str, str] = {}

    def error(self, origin: Origin, message: str) -> None:
        self.problems.append(f"{self.filename}:{origin[0]}:{origin[1]}: {message}")

    # --- texts and flags

    def texts(self, row: Row, base: str, origin: Origin, what: str) -> dict[str, str]:
        values = {
            language: self.other_names(row.cells[f"{base}::{language}"])
            for language in LANGUAGES
            if f"{base}::{language}" in row.cells
        }
        if values and "nb" not in values:
            self.error(origin, f"{what}: {base} has no bokmål (nb) text")
        return values

    def flag(self, text: str) -> bool | str:
        lowered = text.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        return text

    # --- sheets

    def read(self) -> str:
        if not NAME_PATTERN.match(self.questionnaire_id):
            # The id is given with the import, not read from the workbook.
            raise XLSFormError(
                [
                    f"{self.filename}:{SETTINGS}:1: the id '{self.questionnaire_id}' is not "
                    "valid: use letters, digits, '_' and '-', starting with a letter or '_'"
                ]
            )
        if SURVEY not in self.workbook.sheets:
            raise XLSFormError(self.problems)
        self.read_settings()
        self.read_choices()
        self.read_survey()
        if self.problems:
            raise XLSFormError(self.problems)
        writer = self.write_yaml()
        if self.problems:
            raise XLSFormError(self.problems)
        text = writer.document()
        self.check(text, writer)
        if self.problems:
            raise XLSFormError(self.problems)
        return text

    def read_settings(self) -> None:
        sheet = self.workbook.sheets.get(SETTINGS)
        if sheet is None or not sheet.rows:
            return
        row = sheet.rows[0]
        self.settings_origin = (SETTINGS, row.number)
        self.settings = row.cells

    def read_choices(self) -> None:
        sheet = self.workbook.sheets.get(CHOICES)
        if sheet is None:
            return
        if sheet.rows and "list_name" not in sheet.columns:
            self.error((CHOICES, 1), "the choices sheet has no 'list_name' column")
            return
        if sheet.rows and "name" not in sheet.columns:
            self.error((CHOICES, 1), "the choices sheet has no 'name' column")
            return
        first_row: dict[tuple[str, str], int] = {}
        for row in sheet.rows:
            origin = (CHOICES, row.number)
            for header in row.unknown:
                self.error(origin, f"column '{header}' is not supported on the choices sheet")
            list_name = row.get("list_name")
            value = row.get("name")
            if not list_name:
                self.error(origin, "missing list_name")
                continue
            if not value:
                self.error(origin, f"a choice of the list '{list_name}' has no name (its value)")
                continue
            if any(char.isspace() for char in value):
                self.error(origin, f"choice name '{value}' must not contain spaces")
                continue
            key = (list_name, value)
            if key in first_row:
                self.error(
                    origin,
                    f"duplicate choice '{value}' in the list '{list_name}' "
                    f"(first on row {first_row[key]})",
                )
                continue
            first_row[key] = row.number
            label = self.texts(row, "label", origin, f"choice '{value}'")
            if not label:
                self.error(origin, f"choice '{value}' of the list '{list_name}' has no label")
            choice_list = self.lists.setdefault(list_name, ChoiceList(list_name, origin))
            choice_list.choices.append(
                ChoiceRow(
                    origin,
                    value,
                    label,
                    self.texts(row, "label_employee", origin, f"choice '{value}'"),
                )
            )

    def read_survey(self) -> None:
        sheet = self.workbook.sheets[SURVEY]
        if "type" not in sheet.columns:
            self.error((SURVEY, 1), "the survey sheet has no 'type' column")
            return
        if "name" not in sheet.columns:
            self.error((SURVEY, 1), "the survey sheet has no 'name' column")
            return
        self.or_other = {
            row.get("name")
            for row in sheet.rows
            if re.fullmatch(r"select[_ ](one|multiple)\s+\S+\s+or_other", row.get("type"))
        }
        stack: list[tuple[str, object]] = []  # ("page", PageEntry) / ("grid", GridEntry) / ...
        loose: PageEntry | None = None
        skipping_repeat = 0
        for row in sheet.rows:
            origin = (SURVEY, row.number)
            kind, arguments = self.row_type(row, origin)
            if skipping_repeat:
                if kind == "begin_repeat":
                    skipping_repeat += 1
                elif kind == "end_repeat":
                    skipping_repeat -= 1
                continue
            if kind is None:
                continue
            if kind == "begin_repeat":
                self.error(origin, "repeat groups (begin_repeat) are not supported")
                skipping_repeat = 1
                continue
            if kind == "end_repeat":
                self.error(origin, "end_repeat without a begin_repeat")
                continue
            if kind == "begin_group":
                loose = None
                self.begin_group(row, origin, stack)
                continue
            if kind == "end_group":
                if not stack:
                    self.error(origin, "end_group without a begin_group")
                    continue
                role, entry = stack.pop()
                if role == "grid":
                    self.finish_grid(entry)
                continue
            self.check_columns(row, origin, kind)
            if stack and stack[-1][0] == "grid":
                self.statement(row, origin, kind, arguments, stack[-1][1])
                continue
            page = next((entry for role, entry in reversed(stack) if role == "page"), None)
            if page is None:
                if loose is None:
                    loose = self.loose_page(origin)
                page = loose
            question = self.question(row, origin, kind, arguments)
            if question is not None:
                page.items.append(question)
        for role, entry in stack:
            self.error(entry.origin, f"{role_name(role)} '{entry.name}' has no end_group")

    def row_type(self, row: Row, origin: Origin) -> tuple[str | None, list[str]]:
        text = row.get("type")
        if not text:
            if row.get("name") or any(k.startswith("label::") for k in row.cells):
                self.error(origin, "missing type")
            return None, []
        words = text.split()
        kind = words[0]
        if kind.lower() in ("begin", "end", "select") and len(words) > 1:
            kind = f"{kind}_{words[1]}"
            words = [kind, *words[2:]]
        lowered = kind.lower()
        if lowered in _METADATA_TYPES:
            return None, []
        if kind in _UNSUPPORTED_TYPES or lowered in _UNSUPPORTED_TYPES:
            if lowered in ("begin_repeat", "end_repeat"):
                return lowered, words[1:]
            what = _UNSUPPORTED_TYPES.get(kind) or _UNSUPPORTED_TYPES[lowered]
            self.error(origin, f"type '{text}': {what} are not supported")
            return None, []
        if lowered in ("begin_group", "end_group", "select_one", "select_multiple"):
            return lowered, words[1:]
        if lowered in _SIMPLE_TYPES:
            if len(words) > 1:
                self.error(origin, f"type '{text}': unexpected '{' '.join(words[1:])}'")
            return _SIMPLE_TYPES[lowered], []
        close = difflib.get_close_matches(lowered, _KNOWN_TYPES, n=1)
        suggestion = f"; did you mean '{close[0]}'?" if close else ""
        self.error(origin, f"unknown type '{text}'{suggestion}")
        return None, []

    def check_columns(self, row: Row, origin: Origin, kind: str) -> None:
        for header in row.unknown:
            base = header.lower().partition("::")[0].strip()
            if base in UNSUPPORTED_COLUMNS:
                self.error(origin, f"column '{header}': {UNSUPPORTED_COLUMNS[base]}")
            elif header.lower().startswith(PRODUCT_BIND_PREFIX):
                self.error(origin, f"column '{header}' is not a property the product knows")
            else:
                self.error(origin, f"column '{header}' is not supported")

    def check_name(self, row: Row, origin: Origin, what: str) -> str:
        name = row.get("name")
        if not name:
            self.error(origin, f"{what} has no name")
            return ""
        if not NAME_PATTERN.match(name):
            self.error(origin, f"name '{name}' is not a valid name (letters, digits, _ and -)")
        if name in self.names:
            self.error(origin, f"duplicate name '{name}' (first on row {self.names[name]})")
        else:
            self.names[name] = origin[1]
        return name

    def loose_page(self, origin: Origin) -> PageEntry:
        """Questions outside any group: a page of their own, titled as the form."""
        number = 1 + sum(1 for page in self.pages if page.name.startswith("page_"))
        name = f"page_{number}"
        while name in self.names:
            number += 1
            name = f"page_{number}"
        page = PageEntry(origin, name, self.form_title(), {}, "")
        self.pages.append(page)
        return page

    def form_title(self) -> dict[str, str]:
        title = {}
        if self.settings.get("form_title"):
            title["nb"] = self.settings["form_title"]
        for language in LANGUAGES:
            if f"title::{language}" in self.settings:
                title[language] = self.settings[f"title::{language}"]
        return title or {"nb": self.questionnaire_id}

    # --- groups

    def begin_group(self, row: Row, origin: Origin, stack: list) -> None:
        appearance = row.get("appearance").split()
        for header in row.unknown:
            self.error(origin, f"column '{header}' is not supported on a group")
        page_level = not stack
        grid_level = not page_level and "table-list" in appearance
        allowed = {"type", "name", "label", "relevant", "appearance"}
        allowed |= {"label_employee"} if page_level else {"hint"} if grid_level else set()
        refused = []
        for key in row.cells:
            column = key.partition("::")[0]
            shown = f"bind::{column}" if column.startswith("heltid:") else column
            if column not in allowed and shown not in refused:
                refused.append(shown)
        where = "a page's group" if page_level else "a table-list group" if grid_level else ""
        for column in refused if where else ():
            self.error(origin, f"{column} is not supported on {where}")
        if not stack:
            name = self.check_name(row, origin, "the group")
            title = self.texts(row, "label", origin, f"group '{name}'")
            if not title:
                self.error(origin, f"group '{name}' has no label (the page's title)")
            page = PageEntry(
                origin,
                name,
                title,
                self.texts(row, "label_employee", origin, f"group '{name}'"),
                row.get("relevant"),
            )
            self.pages.append(page)
            stack.append(("page", page))
            return
        if "table-list" in appearance and stack[-1][0] == "page":
            name = self.check_name(row, origin, "the group")
            label = self.texts(row, "label", origin, f"group '{name}'")
            if not label:
                self.error(origin, f"table-list group '{name}' has no label (the grid's lead)")
            grid = GridEntry(
                origin, name, label, self.texts(row, "hint", origin, name), row.get("relevant")
            )
            stack[-1][1].items.append(grid)
            stack.append(("grid", grid))
            return
        self.check_name(row, origin, "the group")
        self.error(
            origin,
            "a group inside a group is supported only as a Likert grid "
            "(appearance table-list, directly inside a page)",
        )
        stack.append(("nested", PageEntry(origin, row.get("name"), {}, {}, "")))

    def statement(
        self, row: Row, origin: Origin, kind: str, arguments: list[str], grid: GridEntry
    ) -> None:
        if "label" in row.get("appearance").split():
            return  # the header row older forms put in a table-list; pyxform makes its own
        name = self.check_name(row, origin, "the statement")
        if kind != "select_one" or len(arguments) != 1:
            self.error(
                origin,
                f"a table-list grid holds select_one questions of one list; '{name}' is "
                f"{row.get('type')}",
            )
            return
        list_name = arguments[0]
        if grid.list_name is None:
            grid.list_name = list_name
            grid.list_origin = origin
        elif list_name != grid.list_name:
            self.error(
                origin,
                f"every statement of the table-list grid '{grid.name}' must use the list "
                f"'{grid.list_name}', not '{list_name}'",
            )
        refused: list[str] = []
        for key in row.cells:
            column = key.partition("::")[0]
            shown = f"bind::{column}" if column.startswith("heltid:") else column
            if column not in _STATEMENT_COLUMNS and shown not in refused:
                refused.append(shown)
        for column in refused:
            self.error(origin, f"{column} is not supported on a statement of a grid")
        label = self.texts(row, "label", origin, f"statement '{name}'")
        if not label:
            self.error(origin, f"statement '{name}' has no label")
        grid.statements.append((origin, name, label, row))

    def finish_grid(self, grid: GridEntry) -> None:
        if not grid.statements:
            self.error(grid.origin, f"the table-list grid '{grid.name}' has no statements")
            return
        for key in ("required", "relevant"):
            values = {self.normal(row.get(key)) for _, _, _, row in grid.statements}
            if len(values) > 1:
                self.error(
                    grid.statements[0][0],
                    f"the statements of the table-list grid '{grid.name}' must share {key}; "
                    f"put it on the group's row",
                )
        statement_relevant = grid.statements[0][3].get("relevant")
        if statement_relevant:
            if grid.relevant:
                self.error(
                    grid.statements[0][0],
                    f"relevant is given both on the grid '{grid.name}' and on its statements",
                )
            else:
                grid.relevant = statement_relevant
        if grid.list_name is not None:
            self.scale_for(grid.list_name, grid.list_origin, strict=True)

    def normal(self, text: str) -> object:
        flag = self.flag(text)
        return flag if isinstance(flag, bool) else text.strip()

    # --- questions

    def question(
        self, row: Row, origin: Origin, kind: str, arguments: list[str]
    ) -> QuestionEntry | None:
        name = self.check_name(row, origin, "the question")
        appearance = row.get("appearance").split()
        if any("search(" in word for word in appearance):
            self.error(origin, "appearance search() (choices from a file) is not supported")
        product = {key[7:]: value for key, value in row.cells.items() if key.startswith("heltid:")}
        fields: list[tuple[str, object]] = [("name", name)]
        yaml_type = kind
        choices: list[tuple[str, object]] = []
        other = False
        if kind in ("select_one", "select_multiple"):
            if not arguments:
                self.error(origin, f"type {kind} needs a list name, e.g. '{kind} yrkesgruppe'")
                return None
            list_name = arguments[0]
            extra = arguments[1:]
            if extra == ["or_other"]:
                other = True
            elif extra:
                self.error(origin, f"type '{row.get('type')}': unexpected '{' '.join(extra)}'")
            if list_name not in self.lists:
                where = (
                    "the choices sheet" if CHOICES in self.workbook.sheets else "a choices sheet"
                )
                self.error(origin, f"choice list '{list_name}' is missing: add it to {where}")
                return None
            choice_list = self.lists[list_name]
            yes_no = [choice.value for choice in BUILTIN_YES_NO]
            if kind == "select_one" and list_name == YES_NO_LIST and not other:
                yaml_type = "yes_no" if choice_list.values == yes_no else yaml_type
            if yaml_type == "select_one" and "likert" in appearance and not other:
                scale = self.scale_for(list_name, origin, strict=False)
                if scale is not None:
                    yaml_type = "likert"
                    choices.append(("scale", scale))
            if yaml_type in ("select_one", "select_multiple"):
                self.use_list(list_name)
                choices.append(("choices", list_name))
        if product.get("type"):
            if product["type"] == PERCENT_MARKER and kind == "decimal":
                yaml_type = "percent"
            else:
                self.error(
                    origin,
                    f"bind::heltid:type '{product['type']}' is only '{PERCENT_MARKER}' "
                    f"on a decimal question",
                )
        fields.append(("type", yaml_type))
        fields.extend(choices)
        if other:
            fields.append(("other", True))
        what = f"question '{name}'"
        label = self.texts(row, "label", origin, what)
        if not label:
            self.error(origin, f"{what} has no label")
        fields.append(("label", label))
        for key in ("hint", "label_employee", "hint_employee"):
            values = self.texts(row, key, origin, what)
            if values:
                fields.append((key, values))
        if row.get("required"):
            fields.append(("required", self.flag(row.get("required"))))
        for key in ("relevant", "constraint"):
            if row.get(key):
                fields.append((key, self.other_names(row.get(key))))
        for key in ("constraint_message", "constraint_message_employee"):
            values = self.texts(row, key, origin, what)
            if values:
                fields.append((key, values))
        if kind == "text" and "multiline" in appearance:
            fields.append(("long", True))
        for key in ("min", "max", "max_length"):
            if key in product:
                number = self.number(product[key], origin, f"bind::heltid:{key}")
                if number is not None:
                    fields.append((key, number))
        if product.get("prefill"):
            fields.append(("prefill", product["prefill"]))
        statements = self.employee_statements(row, origin)
        if statements:
            fields.append(("statement_employee", statements))
        return QuestionEntry(origin, fields)

    def other_names(self, text: str) -> str:
        """`${q_other}` of an `or_other` select is the product's `${q_annet}`."""

        def rename(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.endswith(XLSFORM_OTHER_SUFFIX):
                base = name[: -len(XLSFORM_OTHER_SUFFIX)]
                if base in self.or_other:
                    return "${" + base + builtin.OTHER_SUFFIX + "}"
            return match.group(0)

        return re.sub(r"\$\{([^}]*)\}", rename, text)

    def number(self, text: str, origin: Origin, column: str) -> int | float | None:
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            self.error(origin, f"{column} '{text}' is not a number")
            return None
        return int(value) if value.is_integer() else value

    def employee_statements(self, row: Row, origin: Origin) -> dict[str, dict[str, str]]:
        statements: dict[str, dict[str, str]] = {}
        for language in LANGUAGES:
            text = row.get(f"statement_employee::{language}")
            for line in text.splitlines():
                if not line.strip():
                    continue
                value, separator, statement = line.partition(":")
                if not separator or not value.strip():
                    self.error(
                        origin,
                        f"statement_employee: each line is 'value: text', not '{line.strip()}'",
                    )
                    continue
                statements.setdefault(value.strip(), {})[language] = statement.strip()
        return statements

    # --- lists

    def use_list(self, list_name: str) -> None:
        if list_name not in self.used_lists:
            self.used_lists.append(list_name)

    def scale_for(self, list_name: str, origin: Origin | None, strict: bool) -> str | None:
        """The scale a likert list stands for: a built-in one, or the list as a scale of its
        own when every value is a whole number; None (a plain select_one) otherwise."""
        choice_list = self.lists.get(list_name)
        if choice_list is None:
            where = "the choices sheet" if CHOICES in self.workbook.sheets else "a choices sheet"
            self.error(origin, f"choice list '{list_name}' is missing: add it to {where}")
            return None
        builtin_scale = SCALE_OF_LIST.get(list_name)
        if builtin_scale is not None and self.same_as_builtin(
            choice_list, BUILTIN_SCALES[builtin_scale]
        ):
            return builtin_scale
        if all(re.fullmatch(r"-?\d+", value) for value in choice_list.values):
            if list_name not in self.used_scales:
                self.used_scales.append(list_name)
            return list_name
        if strict:
            self.error(
                origin,
                f"a table-list grid needs a Likert scale: the list '{list_name}' has values "
                "that are not whole numbers",
            )
        return None

    @staticmethod
    def same_as_builtin(choice_list: ChoiceList, builtin_choices: Iterable) -> bool:
        expected = [(c.value, dict(c.label.values)) for c in builtin_choices]
        found = [(c.value, c.label) for c in choice_list.choices]
        if any(c.label_employee for c in choice_list.choices):
            return False
        return expected == found

    # --- writing and checking

    def write_yaml(self) -> YamlWriter:
        out = YamlWriter()
        out.comment(f"Converted from {self.filename} (XLSForm) by `survey questionnaires import`.")
        origin = self.settings_origin
        out.scalar(0, "id", self.questionnaire_id, origin)
        version = self.settings.get("version", "1")
        if not re.fullmatch(r"\d+", version) or int(version) < 1:
            self.error(
                origin,
                f"version '{version}' must be a positive whole number "
                "(write one, or empty the cell to start at 1)",
            )
        else:
            out.raw(0, "version", str(int(version)), origin)
        out.text(0, "title", self.form_title(), origin)
        description = {
            language: self.settings[f"description::{language}"]
            for language in LANGUAGES
            if f"description::{language}" in self.settings
        }
        if description:
            out.text(0, "description", description, origin)
        mode = self.settings.get("default_mode", _DEFAULT_MODE)
        if mode not in _MODES:
            self.error(origin, f"default_mode '{mode}' is not one of " + ", ".join(_MODES))
        out.scalar(0, "default_mode", mode, origin)
        if self.used_lists:
            out.blank()
            out.key(0, "choice_lists", None)
            for list_name in self.used_lists:
                self.write_list(out, self.lists[list_name])
        if self.used_scales:
            out.blank()
            out.key(0, "scales", None)
            for list_name in self.used_scales:
                self.write_list(out, self.lists[list_name])
        out.blank()
        out.key(0, "pages", None)
        for index, page in enumerate(self.pages):
            if index:
                out.blank()
            out.item(1, "name", page.name, page.origin)
            out.text(2, "title", page.title, page.origin)
            if page.title_employee:
                out.text(2, "title_employee", page.title_employee, page.origin)
            if page.relevant:
                out.scalar(2, "relevant", self.other_names(page.relevant), page.origin)
            if not page.items:
                out.raw(2, "questions", "[]", page.origin)
                continue
            out.key(2, "questions", page.origin)
            for item in page.items:
                if isinstance(item, GridEntry):
                    self.write_grid(out, item)
                else:
                    self.write_question(out, item)
        return out

    def write_list(self, out: YamlWriter, choice_list: ChoiceList) -> None:
        out.key(1, choice_list.name, choice_list.origin, quote=True)
        for choice in choice_list.choices:
            parts: list[tuple[str, object]] = [("value", choice.value), ("label", choice.label)]
            if choice.label_employee:
                parts.append(("label_employee", choice.label_employee))
            out.flow_item(2, parts, choice.origin)

    def write_question(self, out: YamlWriter, question: QuestionEntry) -> None:
        origin = question.origin
        first = True
        for key, value in question.fields:
            if first:
                out.item(3, key, value, origin)
                first = False
                continue
            if key == "statement_employee":
                out.key(4, key, origin)
                for answer, texts in value.items():
                    out.text(5, answer, texts, origin, quote_key=True)
            elif isinstance(value, dict):
                out.text(4, key, value, origin)
            elif isinstance(value, bool):
                out.raw(4, key, "true" if value else "false", origin)
            elif isinstance(value, int | float):
                out.raw(4, key, repr(value), origin)
            else:
                out.scalar(4, key, str(value), origin)

    def write_grid(self, out: YamlWriter, grid: GridEntry) -> None:
        origin = grid.origin
        out.item(3, "name", grid.name, origin)
        out.scalar(4, "type", "likert_grid", origin)
        scale = None
        if grid.list_name is not None:
            scale = SCALE_OF_LIST.get(grid.list_name)
            if scale is None or not self.same_as_builtin(
                self.lists[grid.list_name], BUILTIN_SCALES[scale]
            ):
                scale = grid.list_name
        out.scalar(4, "scale", scale or "", grid.list_origin or origin)
        out.text(4, "label", grid.label, origin)
        if grid.hint:
            out.text(4, "hint", grid.hint, origin)
        if grid.statements:
            statement_origin, _, _, row = grid.statements[0]
            required = self.flag(row.get("required"))
            if required is True:
                out.raw(4, "required", "true", statement_origin)
            elif required is not False:
                out.scalar(4, "required", required, statement_origin)
        if grid.relevant:
            out.scalar(4, "relevant", self.other_names(grid.relevant), origin)
        out.key(4, "statements", origin)
        for statement_origin, name, label, _ in grid.statements:
            out.item(5, "name", name, statement_origin)
            out.text(6, "label", label, statement_origin)

    def check(self, text: str, writer: YamlWriter) -> None:
        try:
            engine.load_text(text, self.filename)
        except engine.InvalidDefinition as invalid:
            for error in invalid.errors:
                sheet, row = writer.origin(error.line) or (SURVEY, 1)
                self.problems.append(
                    f"{self.filename}:{sheet}:{row}: {error.item}: {error.message}"
                )


def role_name(role: str) -> str:
    return {"page": "group", "grid": "table-list group"}.get(role, "group")


def xlsform_to_yaml(data: bytes, filename: str, questionnaire_id: str) -> str:
    """The questionnaire in an XLSForm workbook as the product's YAML; XLSFormError lists
    every problem as `FILE:SHEET:ROW: message`."""
    return XLSFormReader(data, filename, questionnaire_id).read()
