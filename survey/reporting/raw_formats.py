"""The raw data (`survey.reporting.raw_data`) as files: CSV (data and codebook as two files),
XLSX (a data sheet and a codebook sheet), SPSS `.sav` and Stata `.dta`, whose variable labels
and value labels carry the codebook.

CSV and XLSX go through `survey.tabular` like every other table the product writes (`;`,
UTF-8 with a byte order mark, decimal commas, no formula from a free-text answer). The
statistics files are written by pyreadstat from a pandas data frame; both are imported only
here, inside the functions (# heavy: imported where used)."""

from __future__ import annotations

import io
import math
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from flask_babel import force_locale, pgettext

from survey.reporting.raw_data import CODE, DATE, NUMBER, RawData, Variable
from survey.tabular import Sheet, csv_bytes, write_xlsx

# What the statistics formats accept (bytes for SPSS, characters for Stata).
SAV_LABEL_BYTES = 256
SAV_VALUE_LABEL_BYTES = 120
SAV_FILE_LABEL_BYTES = 64
SAV_DOCUMENT_LINE_BYTES = 80
DTA_LABEL_CHARS = 80


def data_rows(raw: RawData) -> list[Sequence[Any]]:
    """The header (variable names) and one row per response."""
    return [raw.names, *raw.rows]


def codebook_rows(raw: RawData) -> list[Sequence[Any]]:
    """One row per variable, and per code for a coded one; then the notes."""
    with force_locale(raw.lang):
        header = [
            pgettext("raw data", "Variable"),
            pgettext("raw data", "Question"),
            pgettext("raw data", "Label"),
            pgettext("raw data", "Type"),
            pgettext("raw data", "Code"),
            pgettext("raw data", "Answer value"),
            pgettext("raw data", "Value label"),
        ]
    rows: list[Sequence[Any]] = [header]
    for variable in raw.variables:
        start = [variable.name, variable.source, variable.label, variable.type]
        if variable.kind == CODE and variable.values:
            rows.extend([*start, code, value, label] for code, value, label in variable.values)
        else:
            rows.append([*start, None, None, None])
    rows.append([])
    rows.extend([note] for note in raw.notes)
    return rows


def csv_data(raw: RawData) -> bytes:
    return csv_bytes(data_rows(raw))


def csv_codebook(raw: RawData) -> bytes:
    return csv_bytes(codebook_rows(raw))


def xlsx(raw: RawData) -> bytes:
    with force_locale(raw.lang):
        data_title, codebook_title = pgettext("raw data", "Data"), pgettext("raw data", "Codebook")
    codebook = codebook_rows(raw)
    sheets = [
        Sheet(data_title, data_rows(raw), bold_rows={0}, freeze="B2"),
        Sheet(
            codebook_title,
            codebook,
            bold_rows={0},
            widths={"A": 24, "B": 24, "C": 60, "D": 16, "E": 8, "F": 20, "G": 40},
            freeze="A2",
        ),
    ]
    buffer = io.BytesIO()
    write_xlsx(sheets, buffer)
    return buffer.getvalue()


def _cut_bytes(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[: limit - 3].decode("utf-8", "ignore") + "..."


def _cut_chars(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _document_lines(text: str) -> list[str]:
    """An SPSS document holds lines of at most 80 bytes: the text wrapped between words."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if len(candidate.encode("utf-8")) <= SAV_DOCUMENT_LINE_BYTES:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = _cut_bytes(word, SAV_DOCUMENT_LINE_BYTES)
    if line:
        lines.append(line)
    return lines


def _columns(raw: RawData) -> Iterator[tuple[Variable, list[Any]]]:
    for index, variable in enumerate(raw.variables):
        yield variable, [row[index] for row in raw.rows]


def _frame(raw: RawData):
    import pandas  # heavy: imported where used

    data: dict[str, Any] = {}
    for variable, values in _columns(raw):
        if variable.kind in (CODE, NUMBER):
            data[variable.name] = pandas.Series(
                [math.nan if value is None else float(value) for value in values], dtype="float64"
            )
        elif variable.kind == DATE:
            data[variable.name] = pandas.Series(values, dtype="object")
        else:
            data[variable.name] = pandas.Series(
                ["" if value is None else str(value) for value in values], dtype="object"
            )
    return pandas.DataFrame(data, columns=raw.names)


def _written(write, suffix: str) -> bytes:
    # pyreadstat writes to a path only.
    with tempfile.TemporaryDirectory(prefix="heltid-raw-") as directory:
        path = Path(directory) / f"data.{suffix}"
        write(str(path))
        return path.read_bytes()


def _value_labels(raw: RawData, cut) -> dict[str, dict[float, str]]:
    return {
        variable.name: {float(code): cut(label) for code, label in variable.value_labels.items()}
        for variable in raw.variables
        if variable.kind == CODE and variable.values
    }


def sav(raw: RawData) -> bytes:
    import pyreadstat  # heavy: imported where used

    frame = _frame(raw)
    labels = {v.name: _cut_bytes(v.label, SAV_LABEL_BYTES) for v in raw.variables}
    measure = {v.name: "nominal" for v in raw.variables if v.kind == CODE}
    measure.update({v.name: "ordinal" for v in raw.variables if v.type == "likert"})
    measure.update({v.name: "scale" for v in raw.variables if v.kind == NUMBER})
    return _written(
        lambda path: pyreadstat.write_sav(
            frame,
            path,
            file_label=_cut_bytes(raw.title, SAV_FILE_LABEL_BYTES),
            column_labels=labels,
            note=[line for note in raw.notes for line in _document_lines(note)],
            variable_value_labels=_value_labels(
                raw, lambda label: _cut_bytes(label, SAV_VALUE_LABEL_BYTES)
            ),
            variable_measure=measure,
        ),
        "sav",
    )


def dta(raw: RawData) -> bytes:
    import pyreadstat  # heavy: imported where used

    frame = _frame(raw)
    labels = {v.name: _cut_chars(v.label, DTA_LABEL_CHARS) for v in raw.variables}
    return _written(
        lambda path: pyreadstat.write_dta(
            frame,
            path,
            file_label=_cut_chars(raw.title, DTA_LABEL_CHARS),
            column_labels=labels,
            variable_value_labels=_value_labels(raw, lambda label: label),
        ),
        "dta",
    )


WRITERS = {
    "csv": csv_data,
    "csv-kodebok": csv_codebook,
    "xlsx": xlsx,
    "sav": sav,
    "dta": dta,
}
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "csv-kodebok": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta",
}
FILENAMES = {
    "csv": "radata-{id}.csv",
    "csv-kodebok": "radata-{id}-kodebok.csv",
    "xlsx": "radata-{id}.xlsx",
    "sav": "radata-{id}.sav",
    "dta": "radata-{id}.dta",
}
