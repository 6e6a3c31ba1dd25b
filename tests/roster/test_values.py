"""Reading single values and headers as HR exports write them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from survey.roster.reading import InvalidValue, decode, normalise_header, read_bytes
from survey.roster.values import parse_birth_year, parse_date, parse_form, parse_percent


@pytest.mark.parametrize(
    ("text", "expected"),
    [("80,5", "80.50"), ("100 %", "100.00"), ("0", "0.00"), ("33,333", "33.33"), (75.0, "75.00")],
)
def test_percent(text, expected):
    assert parse_percent(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["130", "-5", "abc", "1.000,5"])
def test_bad_percent(text):
    with pytest.raises(InvalidValue):
        parse_percent(text)


def test_dates_forms_and_years():
    assert parse_date("1.2.2015") == parse_date("2015-02-01") == dt.date(2015, 2, 1)
    assert parse_date(dt.datetime(2015, 2, 1)) == dt.date(2015, 2, 1)
    assert {parse_form(v) for v in ("F", "fast", "Fast")} == {"fast"}
    assert {parse_form(v) for v in ("M", "Midlertidig", "vikar", "Vikariat")} == {"midlertidig"}
    assert parse_birth_year("1980", dt.date(2026, 1, 1)) == 1980
    with pytest.raises(InvalidValue):
        parse_birth_year("2030", dt.date(2026, 1, 1))


def test_headers_match_ignoring_case_space_and_percent():
    assert normalise_header(" Stillingsprosent % ") == "stillingsprosent"
    assert normalise_header("Enhet / Avdeling") == "enhet/avdeling"
    assert normalise_header("FØDSELSÅR") == "fodselsar"


def test_windows_1252_and_semicolons():
    sheet = read_bytes("navn;enhet\r\nÅse Ødegård;Hjemmetjenesten\r\n".encode("cp1252"), "x.csv")
    assert sheet.header == ["navn", "enhet"]
    assert sheet.rows == [(2, ["Åse Ødegård", "Hjemmetjenesten"])]
    assert decode(b"\xef\xbb\xbfa") == "a"


def test_line_numbers_count_blank_lines_and_quoted_newlines():
    text = 'navn,merknad\n\n"Kari","to\nlinjer"\nPer,x\n'
    sheet = read_bytes(text.encode(), "x.csv")
    assert [line for line, _ in sheet.rows] == [3, 5]


def test_text_our_exports_neutralised_reads_back_as_written():
    """A living-document CSV opened in Excel and imported again keeps «=…» and «-1» as typed:
    the «'» our exports put before formula-like text is not part of the value."""
    from survey.roster.reading import cell_text
    from survey.tabular import csv_bytes

    written = csv_bytes([["kommentar", "notater"], ['=HYPERLINK("x")', "'vanlig tekst"]])
    sheet = read_bytes(written, "eksport.csv")
    assert sheet.header == ["kommentar", "notater"]
    _line, values = sheet.rows[0]
    assert [cell_text(value) for value in values] == [
        '=HYPERLINK("x")',
        "'vanlig tekst",
    ]
