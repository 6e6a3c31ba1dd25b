"""Reading tables exported by HR systems: CSV (`;` or `,`, UTF-8 or Windows-1252) and XLSX.

No database, no request: the CLI and the web preview both read through here."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from survey import tabular
from survey.problems import Problem, ProblemError

XLSX_MAGIC = b"PK\x03\x04"
UTF8_BOM = b"\xef\xbb\xbf"


class UnreadableFile(ProblemError):
    """The file is not a table we can read; `problem` says why."""


class InvalidValue(ProblemError):
    """A cell that cannot be read as its field's value."""

    def __init__(self, code: str, /, **params: Any):
        super().__init__(Problem(code, params))


@dataclasses.dataclass
class Sheet:
    """A table as read: the header row and the data rows, each with its line in the file."""

    file: str
    header_line: int
    header: list[str]
    rows: list[tuple[int, list[Any]]]


def read_file(path: Path | str, display_name: str | None = None) -> Sheet:
    path = Path(path)
    name = display_name or str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        raise UnreadableFile(
            Problem("file_not_opened", {"reason": reason}, name, 0, "file")
        ) from None
    return read_bytes(data, name)


def read_bytes(data: bytes, name: str) -> Sheet:
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data, name)
    return _read_csv(decode(data), name)


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) when it decodes as such, else Windows-1252."""
    if data.startswith(UTF8_BOM):
        return data[len(UTF8_BOM) :].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Windows-1252 leaves five bytes undefined; no HR export uses them.
        return data.decode("cp1252", errors="replace")


def _delimiter(header_line: str) -> str:
    counts = {candidate: header_line.count(candidate) for candidate in (";", ",", "\t")}
    best = max(counts, key=lambda candidate: counts[candidate])
    return best if counts[best] else ";"


def _read_csv(text: str, name: str) -> Sheet:
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    header: list[str] | None = None
    header_line = 0
    rows: list[tuple[int, list[Any]]] = []
    previous_end = 0
    try:
        for record in reader:
            # A quoted value may span lines: a record starts on the line after the last one.
            start, previous_end = previous_end + 1, reader.line_num
            if not any(value.strip() for value in record):
                continue
            if header is None:
                header, header_line = [value.strip() for value in record], start
            else:
                rows.append((start, record))
    except csv.Error as error:
        problem = Problem("file_not_csv", {"reason": str(error)}, name, reader.line_num, "file")
        raise UnreadableFile(problem) from None
    if header is None:
        raise UnreadableFile(Problem("file_empty", file=name, line=1, item="file"))
    return Sheet(name, header_line, header, rows)


def _read_xlsx(data: bytes, name: str) -> Sheet:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        problem = Problem("file_not_xlsx", {"reason": str(error)}, name, 0, "file")
        raise UnreadableFile(problem) from None
    try:
        sheet = workbook.worksheets[0]
        header: list[str] | None = None
        header_line = 0
        rows: list[tuple[int, list[Any]]] = []
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            values = [_cell_value(cell) for cell in cells]
            if not any(_blank(value) is False for value in values):
                continue
            if header is None:
                header = ["" if value is None else str(value).strip() for value in values]
                header_line = number
            else:
                rows.append((number, values))
    finally:
        workbook.close()
    if header is None:
        raise UnreadableFile(Problem("first_sheet_empty", file=name, line=1, item="file"))
    return Sheet(name, header_line, header, rows)


def _cell_value(cell) -> Any:
    value = getattr(cell, "value", None)
    number_format = getattr(cell, "number_format", "") or ""
    if isinstance(value, int | float) and not isinstance(value, bool) and "%" in number_format:
        # A cell shown as «80 %» holds 0.8.
        return round(value * 100, 6)
    return value


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    """A cell as trimmed text: whole floats without «.0», dates as ISO, and text our own
    exports neutralised against formulas («'=…») read back as written."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return tabular.restore(" ".join(str(value).split()))


# --- header mapping -------------------------------------------------------------------------

_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "_": " "})


def normalise_header(text: str) -> str:
    """«Stillingsprosent %», « stillingsprosent» and «STILLINGSPROSENT (%)» are one column."""
    folded = str(text).lower().translate(_FOLD)
    folded = re.sub(r"\(%\)|%", " ", folded)
    folded = re.sub(r"\s*([/.-])\s*", r"\1", folded)
    folded = " ".join(folded.split())
    return folded.strip(" .:")


@dataclasses.dataclass
class Columns:
    """Which column in the file holds each field."""

    index: dict[str, int]
    ignored: list[str]
    errors: list[Problem]

    def header_of(self, sheet: Sheet, field: str) -> str:
        position = self.index.get(field)
        return sheet.header[position] if position is not None else field


def parse_mapping(options: Iterable[str]) -> dict[str, str]:
    """`--map kolonne=felt` options as a dict; raises ValueError on a malformed option."""
    mapping: dict[str, str] = {}
    for option in options:
        column, separator, field = option.rpartition("=")
        if not separator or not column.strip() or not field.strip():
            raise ValueError(f"--map {option!r}: expected COLUMN=FIELD")
        mapping[column.strip()] = field.strip()
    return mapping


def map_columns(
    sheet: Sheet,
    fields: Iterable[str],
    required: Iterable[str],
    synonyms: Mapping[str, Iterable[str]],
    explicit: Mapping[str, str] | None = None,
) -> Columns:
    fields = list(fields)
    known = {normalise_header(field): field for field in fields}
    for field, names in synonyms.items():
        for synonym in names:
            known[normalise_header(synonym)] = field
    headers = [normalise_header(text) for text in sheet.header]
    errors: list[Problem] = []

    def error(column: str, code: str, /, **params: Any) -> None:
        errors.append(Problem(code, params, sheet.file, sheet.header_line, column))

    chosen: dict[str, int] = {}
    for column, field in (explicit or {}).items():
        target = next((f for f in fields if normalise_header(f) == normalise_header(field)), None)
        if target is None:
            error(column, "unknown_field", field=repr(field), fields=", ".join(fields))
            continue
        matches = [i for i, header in enumerate(headers) if header == normalise_header(column)]
        if not matches:
            error(column, "no_such_column")
        elif target in chosen:
            error(
                column,
                "field_mapped_twice",
                field=target,
                column=repr(sheet.header[chosen[target]]),
            )
        else:
            chosen[target] = matches[0]

    candidates: dict[str, list[int]] = {}
    for position, header in enumerate(headers):
        field = known.get(header)
        if field is not None and field not in chosen and position not in chosen.values():
            candidates.setdefault(field, []).append(position)
    for field, positions in candidates.items():
        if len(positions) > 1:
            names = " and ".join(repr(sheet.header[p]) for p in positions)
            error(field, "columns_mean_the_same", names=names, field=field)
        else:
            chosen[field] = positions[0]

    for field in required:
        if field not in chosen:
            error(field, "missing_column")
    used = set(chosen.values())
    ignored = [text for i, text in enumerate(sheet.header) if i not in used and text.strip()]
    return Columns(chosen, ignored, errors)


class RowReader:
    """One data row read by field, its errors added to `errors` at the row's line, under the
    column the field is read from."""

    def __init__(self, sheet: Sheet, columns: Columns, line: int, values: list, errors: list):
        self.sheet, self.columns, self.line, self.values = sheet, columns, line, values
        self.errors = errors

    def error(self, field: str, code: str, /, **params: Any) -> None:
        self.add(field, Problem(code, params))

    def add(self, field: str, problem: Problem) -> None:
        """`problem` placed at this row, in the column `field` is read from."""
        column = self.columns.header_of(self.sheet, field)
        located = dataclasses.replace(problem, file=self.sheet.file, line=self.line, item=column)
        self.errors.append(located)

    def raw(self, field: str) -> Any:
        position = self.columns.index.get(field)
        if position is None or position >= len(self.values):
            return None
        value = self.values[position]
        return None if isinstance(value, str) and not value.strip() else value

    def text(self, field: str, required: bool = False) -> str:
        text = cell_text(self.raw(field))
        if not text and required and field in self.columns.index:
            self.error(field, "missing_value")
        return text

    def value(self, field: str, parse, required: bool = False):
        raw = self.raw(field)
        if raw is None:
            if required and field in self.columns.index:
                self.error(field, "missing_value")
            return None
        try:
            return parse(raw)
        except InvalidValue as invalid:
            self.add(field, invalid.problem)
            return None
