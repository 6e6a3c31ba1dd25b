"""The three sheets of an XLSForm workbook as rows of canonical columns.

A column is known by what it means: `label::Norsk bokmål (nb)`, `label::nb` and `label` (a form
in one language) are all `label::nb`; KoboToolbox's own `$` columns are left out; a column the
product does not know is kept aside, to be reported where a row fills it.
"""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass, field

from survey.questionnaires.xlsform_format import (
    CHOICES,
    EMPLOYEE_TEXT_COLUMNS,
    PRODUCT_BIND_PREFIX,
    PRODUCT_PROPERTIES,
    SETTINGS,
    SURVEY,
    TEXT_COLUMNS,
    language_code,
)

_TEXT_BASES = frozenset(TEXT_COLUMNS + EMPLOYEE_TEXT_COLUMNS)
_CHOICE_TEXT_BASES = frozenset({"label", "label_employee"})
_COLUMN_ALIASES = {
    "constraint message": "constraint_message",
    "list name": "list_name",
    "bind::relevant": "relevant",
    "bind::required": "required",
    "bind::constraint": "constraint",
}
_PLAIN_SURVEY_COLUMNS = frozenset({"type", "name", "required", "relevant", "constraint"})
_PLAIN_SURVEY_COLUMNS |= {"appearance"}
# Columns with a meaning the product cannot keep: a filled cell is reported.
UNSUPPORTED_COLUMNS = {
    "choice_filter": "cascading selects (choice_filter) are not supported",
    "default": "default answers are not supported",
    "calculation": "calculations are not supported",
    "read_only": "read-only questions are not supported",
    "repeat_count": "repeat groups are not supported",
    "trigger": "triggers are not supported",
    "parameters": "question parameters are not supported",
    "required_message": "custom required messages are not supported; the product words them",
    "guidance_hint": "guidance hints are not supported",
    "image": "media (images) are not supported",
    "audio": "media (audio) are not supported",
    "video": "media (video) are not supported",
    "big-image": "media (images) are not supported",
    "media": "media are not supported",
}
_MAX_ROWS = 5001  # the header and 5 000 rows
_MAX_COLUMNS = 200


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).strip()


@dataclass
class Row:
    number: int
    cells: dict[str, str]  # canonical column key -> text, filled cells only
    unknown: dict[str, str] = field(default_factory=dict)  # header as written -> text

    def get(self, key: str) -> str:
        return self.cells.get(key, "")


@dataclass
class Sheet:
    name: str  # as written in the workbook
    rows: list[Row]
    columns: set[str]


class WorkbookReader:
    """Reads the three sheets; `problems` are `FILE:SHEET:ROW: message`."""

    def __init__(self, data: bytes, filename: str) -> None:
        self.filename = filename
        self.problems: list[str] = []
        self.sheets: dict[str, Sheet] = {}
        self._read(data)

    def error(self, sheet: str, row: int, message: str) -> None:
        self.problems.append(f"{self.filename}:{sheet}:{row}: {message}")

    def _read(self, data: bytes) -> None:
        import zipfile  # noqa: PLC0415

        # heavy: imported where used
        from openpyxl import load_workbook  # noqa: PLC0415

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            reason = "not an .xlsx workbook" if isinstance(exc, zipfile.BadZipFile) else exc
            self.error(SURVEY, 1, f"cannot be read as an XLSForm ({reason})")
            return
        try:
            names = {name.strip().lower(): name for name in workbook.sheetnames}
            for wanted, texts in (
                (SURVEY, _TEXT_BASES),
                (CHOICES, _CHOICE_TEXT_BASES),
                (SETTINGS, frozenset({"title", "description"})),
            ):
                if wanted in names:
                    worksheet = workbook[names[wanted]]
                    rows = self._rows(wanted, worksheet)
                    self.sheets[wanted] = self._sheet(wanted, rows, texts)
        finally:
            workbook.close()
        if SURVEY not in self.sheets:
            sheets = ", ".join(workbook.sheetnames) or "none"
            self.error(SURVEY, 1, f"the workbook has no 'survey' sheet (its sheets: {sheets})")

    def _rows(self, sheet: str, worksheet) -> list[tuple]:
        # A questionnaire has tens of rows; a workbook of millions (or a crafted one) is
        # refused before it fills the memory of a web worker.
        rows: list[tuple] = []
        filled = 0
        for number, values in enumerate(
            worksheet.iter_rows(max_col=_MAX_COLUMNS, values_only=True), start=1
        ):
            if all(value is None for value in values):
                rows.append(())  # kept, so that row numbers stay the sheet's
                continue
            filled += 1
            if filled > _MAX_ROWS:
                self.error(sheet, number, f"the sheet has more than {_MAX_ROWS - 1} filled rows")
                break
            rows.append(values)
        return rows

    def _sheet(self, sheet: str, rows: list[tuple], texts: frozenset[str]) -> Sheet:
        if not rows:
            return Sheet(sheet, [], set())
        keys: list[str | None] = []
        seen: dict[str, str] = {}
        by_base: dict[str, set[str]] = {}
        for header in rows[0]:
            key = self._column_key(sheet, _cell_text(header), texts)
            if key is not None and not key.startswith("?"):
                if key in seen:
                    self.error(
                        sheet, 1, f"columns '{seen[key]}' and '{header}' are the same column"
                    )
                    key = None
                else:
                    seen[key] = str(header)
                    base, separator, language = key.partition("::")
                    if separator:
                        by_base.setdefault(base, set()).add(language)
            keys.append(key)
        for base, languages in by_base.items():
            if sheet == SETTINGS and base == "title":
                continue  # form_title is the bokmål title
            if "nb" not in languages:
                given = ", ".join(seen[f"{base}::{language}"] for language in sorted(languages))
                self.error(
                    sheet,
                    1,
                    f"the language column {given} has no bokmål column beside it; "
                    f"add '{base}::Norsk bokmål (nb)' (nb is required, nn and en are optional)",
                )
        result = []
        for number, values in enumerate(rows[1:], start=2):
            cells: dict[str, str] = {}
            unknown: dict[str, str] = {}
            for key, value in zip(keys, values, strict=False):
                text = _cell_text(value)
                if not text or key is None:
                    continue
                if key.startswith("?"):
                    unknown[key[1:]] = text
                else:
                    cells[key] = text
            if cells or unknown:
                result.append(Row(number, cells, unknown))
        return Sheet(sheet, result, set(seen))

    def _column_key(self, sheet: str, header: str, texts: frozenset[str]) -> str | None:
        """The canonical key of a column (`label::nb`, `type`, `heltid:min`); None for a column
        to ignore; `?header` for one the product does not know (reported where filled)."""
        if not header or header.startswith(("$", "_")):
            return None  # KoboToolbox's own columns ($kuid, $autoname, ...)
        if header.lower().startswith(PRODUCT_BIND_PREFIX):
            prop = header[len(PRODUCT_BIND_PREFIX) :].strip().lower()
            return f"heltid:{prop}" if prop in PRODUCT_PROPERTIES else f"?{header}"
        lowered = _COLUMN_ALIASES.get(header.lower(), header.lower())
        base, separator, language = lowered.partition("::")
        base = base.strip()
        base = _COLUMN_ALIASES.get(base, base)
        if sheet == CHOICES:
            # The product's choice texts: `label_employee_nb` (see xlsform_format).
            match = re.fullmatch(r"(label_employee)_(nb|nn|en)", lowered)
            if match:
                return f"{match.group(1)}::{match.group(2)}"
        if sheet == SETTINGS:
            match = re.fullmatch(r"(title|description)_(nb|nn|en)", lowered)
            if match:
                return f"{match.group(1)}::{match.group(2)}"
            return lowered
        if base in texts:
            if not separator:
                return f"{base}::nb"  # a form in one language: its texts are the bokmål ones
            code = language_code(header.partition("::")[2])
            if code is None:
                self.error(
                    sheet,
                    1,
                    f"column '{header}': unknown language; use nb, nn or en, "
                    f"e.g. '{base}::Norsk bokmål (nb)'",
                )
                return None
            return f"{base}::{code}"
        if sheet == CHOICES:
            if lowered in ("list_name", "name", "value"):
                return "name" if lowered == "value" else lowered
            if base in UNSUPPORTED_COLUMNS or lowered.startswith("media::"):
                return f"?{header}"
            return None  # extra columns only serve choice_filter, which is refused
        if lowered in _PLAIN_SURVEY_COLUMNS:
            return lowered
        return f"?{header}"


def settings_form_id(data: bytes, filename: str) -> str | None:
    """The `form_id` of the workbook's settings sheet, read as the import reads the sheet;
    None when there is none (or the workbook cannot be read: the import names the problem)."""
    settings = WorkbookReader(data, filename).sheets.get(SETTINGS)
    if settings is None or not settings.rows:
        return None
    return settings.rows[0].get("form_id") or None
