"""The aggregate tables of a report as CSV or XLSX: the same cells as the PDF, suppressed
cells as «–», percentages as numbers with one decimal."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from reports.formatting import SUPPRESSED
from reports.model import PERCENT, TEXT, Cell, Report, Table


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


def to_csv(report: Report) -> str:
    """Every table one after the other: its title and N, the header, the rows, a blank line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    for table in report.tables():
        writer.writerow([table.title, f"N = {_n(table)}"])
        writer.writerow(table.columns)
        for row in table.rows:
            writer.writerow([_value(cell) for cell in row.cells])
        writer.writerow([])
    writer.writerow([f"{SUPPRESSED}: {report.suppression_note}"])
    return buffer.getvalue()


def write_xlsx(report: Report, path: Path | io.BytesIO) -> None:
    """One sheet per table, named by the table's id."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in report.tables():
        sheet = workbook.create_sheet(table.id[:31])
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True)
        sheet.append(["N", _n(table)])
        sheet.append(list(table.columns))
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_value(cell) for cell in row.cells])
        if table.has_suppressed:
            sheet.append([])
            sheet.append([f"{SUPPRESSED}: {report.suppression_note}"])
        sheet.column_dimensions["A"].width = 42
    workbook.save(path)
