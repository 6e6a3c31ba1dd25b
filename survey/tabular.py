"""Every tabular download the product writes (CSV and XLSX) goes through here.

CSV is written for Norwegian Excel, which is what the municipalities open it in: `;` between
cells, UTF-8 with a byte order mark (without it Excel reads «ø» as «Ã¸») and decimal commas
(Excel in Norwegian reads `17.9` as a date or as text). XLSX keeps numbers as numbers.

Text from users (comments, names, free-text answers, unit names) can start like a formula:
`=HYPERLINK(...)`, `@SUM(...)`, `+1`, `-1+2`. A spreadsheet would run it. Such text is
neutralised: in CSV it gets a leading `'` (Excel's own mark for «this is text»); in XLSX it is
stored as a text cell with Excel's quote prefix, never as a formula. Real numbers, negative
ones included, stay numbers."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

DELIMITER = ";"
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters an XLSX file cannot hold (openpyxl refuses them).
_ILLEGAL_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ILLEGAL_IN_SHEET_TITLE = re.compile(r"[\[\]:*?/\\]")


def is_number(value: Any) -> bool:
    return isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool)


def neutralise(text: str) -> str:
    """Text that a spreadsheet would read as a formula, prefixed with `'`."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def restore(text: str) -> str:
    """The text `neutralise` was given: a file we wrote can be read back unchanged."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def _decimal_comma(value: int | float | decimal.Decimal) -> str:
    if isinstance(value, int):
        return str(value)
    text = format(value, "f") if isinstance(value, decimal.Decimal) else repr(float(value))
    if "e" in text or "E" in text:  # 1e-07: Excel would not read the exponent with a comma
        text = format(decimal.Decimal(repr(float(value))), "f")
    return text.replace(".", ",")


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if is_number(value):
        return _decimal_comma(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(str(value))


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    """The rows as `;`-separated text with decimal commas, starting with the byte order mark."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue()


def csv_bytes(rows: Iterable[Sequence[Any]]) -> bytes:
    return csv_text(rows).encode("utf-8")


@dataclass
class Sheet:
    """One worksheet: its rows, which of them (0-based) are bold, column widths by letter,
    and an optional cell to freeze the panes at."""

    title: str
    rows: list[Sequence[Any]]
    bold_rows: set[int] = field(default_factory=set)
    widths: dict[str, float] = field(default_factory=dict)
    freeze: str | None = None


def _sheet_title(title: str, taken: set[str]) -> str:
    # Excel refuses a sheet name that starts or ends with «'».
    base = _ILLEGAL_IN_SHEET_TITLE.sub(" ", title).strip(" '")[:31].strip(" '") or "Ark"
    name, number = base, 1
    while name.lower() in taken:
        number += 1
        name = f"{base[: 31 - len(str(number)) - 1]} {number}"
    taken.add(name.lower())
    return name


def write_xlsx(sheets: Sequence[Sheet], target: Any) -> None:
    """Write the sheets to a path or a binary file object. Text cells are always text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    bold = Font(bold=True)
    for spec in sheets:
        sheet = workbook.create_sheet(_sheet_title(spec.title, taken))
        for row_number, row in enumerate(spec.rows, start=1):
            for column, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = sheet.cell(row=row_number, column=column)
                if is_number(value) or isinstance(value, bool | dt.date):
                    cell.value = value
                else:
                    text = _ILLEGAL_IN_XLSX.sub("", str(value))
                    cell.value = text
                    # openpyxl makes any text starting with «=» a formula; this one is text.
                    cell.data_type = "s"
                    if text.startswith(FORMULA_STARTS):
                        cell.quotePrefix = True
                if row_number - 1 in spec.bold_rows:
                    cell.font = bold
        for letter, width in spec.widths.items():
            sheet.column_dimensions[letter].width = width
        if spec.freeze:
            sheet.freeze_panes = spec.freeze
    workbook.save(target)
