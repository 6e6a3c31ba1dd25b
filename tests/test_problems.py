"""Errors as codes (survey/problems.py): every code has its text in bokmål and nynorsk, and a
page and the command line say the same problem from the same code."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po
from flask import has_app_context

from survey.problems import CLI_MESSAGES, MESSAGES, Problem, ProblemError
from tests.conftest import ROOT

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def catalog(lang: str):
    path = ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as file:
        return read_po(file, locale=lang)


def msgid(code: str) -> str:
    # Outside an application there are no translations: a lazy text is its msgid.
    assert not has_app_context()
    return str(MESSAGES[code])


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_every_problem_code_has_a_translation(lang):
    messages = catalog(lang)
    missing = []
    for code in MESSAGES:
        entry = messages.get(msgid(code))
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(code)
    assert missing == [], f"codes without a {lang} text in messages.po: {missing}"


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_translations_name_the_same_values_as_the_english(lang):
    """A translation that drops or misspells a %(name)s would show the wrong value, or fail."""
    messages = catalog(lang)
    for code in MESSAGES:
        english = msgid(code)
        entry = messages.get(english)
        if entry is not None and entry.string:
            found = set(PLACEHOLDER.findall(entry.string))
            assert found == set(PLACEHOLDER.findall(english)), (code, entry.string)


def test_a_problem_reads_the_same_on_a_page_and_on_the_command_line(app):
    problem = Problem(
        "unknown_unit_in_roster", {"unit": "'Legevakta'"}, "ansatte.csv", 3, "Enhet/avdeling"
    )
    with app.test_request_context(headers={"Accept-Language": "nb"}):
        page = problem.message()
    with app.test_request_context(headers={"Accept-Language": "nn"}):
        nynorsk = problem.message()
    with app.app_context():
        command_line = str(problem)
        in_english = str(Problem("case_closed"))
    assert page.startswith("Ukjent enhet 'Legevakta'.")
    assert nynorsk.startswith("Ukjend eining 'Legevakta'.")
    assert command_line == (
        "ansatte.csv:3: Enhet/avdeling: unknown unit 'Legevakta' (use --create-units to add it)"
    )
    # Without a text of its own, the command line says the page's text in English.
    assert in_english == "The case is closed. Reopen it to record decisions."


def test_every_command_line_text_belongs_to_a_code():
    assert set(CLI_MESSAGES) - set(MESSAGES) == set()


def test_an_unregistered_code_is_refused_where_it_is_raised():
    with pytest.raises(KeyError, match="no_such_code"):
        Problem("no_such_code")
    error = ProblemError(Problem("missing_value", {}, "x.csv", 2, "navn"))
    assert str(error) == "x.csv:2: navn: missing value"
