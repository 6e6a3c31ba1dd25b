"""A report as CSV or XLSX: what the report says in words (title, scope, facts, paragraphs),
then its aggregate tables with the same cells as the PDF, suppressed cells as «–»,
percentages as numbers with one decimal. Written through survey.tabular, so the CSV opens in
Norwegian Excel and no text from users can become a formula."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from reports.formatting import SUPPRESSED
from reports.model import PERCENT, TEXT, Cell, Facts, Paragraph, Report, Table
from survey.tabular import Sheet, csv_bytes
from survey.tabular import write_xlsx as write_sheets


def _value(cell: Cell):
    if cell.kind == TEXT:
        return "" if cell.value is None else cell.value
    if cell.value is None:
        return SUPPRESSED
    if cell.kind == PERCENT or isinstance(cell.value, float):
        return round(float(cell.value), 1)
    return cell.value


def _n(table: Table):
    return SUPPRESSED if table.n is None else table.n


def _words(report: Report) -> tuple[list[list[Any]], set[int]]:
    """The title, the subtitle and every section's facts and paragraphs (tables and charts
    left out); with the indexes of the headings. A report with too few answers has only this
    to say, and says it."""
    rows: list[list[Any]] = [[report.title], [report.subtitle]]
    headings = {0}
    for section in report.sections:
        blocks = [block for block in section.blocks if isinstance(block, Facts | Paragraph)]
        if not blocks:
            continue
        rows.append([])
        headings.add(len(rows))
        rows.append([section.title])
        for block in blocks:
            if isinstance(block, Facts):
                rows.extend([label, value] for label, value in block.items)
            else:
                rows.append([block.text])
    return rows, headings


def _table_rows(table: Table) -> list[list[Any]]:
    return [list(table.columns), *([_value(cell) for cell in row.cells] for row in table.rows)]


def to_csv(report: Report) -> bytes:
    """The words, then every table: its title and N, the header, the rows, a blank line."""
    rows, _headings = _words(report)
    rows.append([])
    for table in report.tables():
        rows.append([table.title, f"N = {_n(table)}"])
        rows.extend(_table_rows(table))
        rows.append([])
    if any(table.has_suppressed for table in report.tables()):
        rows.append([f"{SUPPRESSED}: {report.suppression_note}"])
    return csv_bytes(rows)


def write_xlsx(report: Report, path: Path | io.BytesIO, lang: str) -> None:
    """A first sheet with the words, then one sheet per table, named by the table's id."""
    words, headings = _words(report)
    with force_locale(lang):
        first = _("Report")
    sheets = [Sheet(first, words, bold_rows=headings, widths={"A": 42, "B": 60})]
    for table in report.tables():
        rows: list[list[Any]] = [[table.title], ["N", _n(table)], *_table_rows(table)]
        if table.has_suppressed:
            rows += [[], [f"{SUPPRESSED}: {report.suppression_note}"]]
        sheets.append(Sheet(table.id, rows, bold_rows={0, 2}, widths={"A": 42}))
    write_sheets(sheets, path)
