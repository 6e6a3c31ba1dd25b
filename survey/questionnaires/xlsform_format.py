"""What the XLSForm import and export agree on: sheet and column names, the product's own
columns, and the lists that stand for the engine's built-in choices.

docs/questionnaires.md § XLSForm has the mapping as a table; this module is its single source.
"""

from __future__ import annotations

import re

from survey.engine import builtin
from survey.engine.definition import LANGUAGES, Choice

SURVEY = "survey"
CHOICES = "choices"
SETTINGS = "settings"

# The language columns the export writes, in KoboToolbox's `label::Name (code)` style.
LANGUAGE_NAMES = {"nb": "Norsk bokmål", "nn": "Norsk nynorsk", "en": "English"}
DEFAULT_LANGUAGE_COLUMN = "Norsk bokmål (nb)"

# Language names an XLSForm may use instead of `Name (code)` or the bare code.
_LANGUAGE_ALIASES = {
    "bokmål": "nb",
    "bokmal": "nb",
    "norsk": "nb",
    "norsk bokmål": "nb",
    "norsk bokmal": "nb",
    "norwegian": "nb",
    "norwegian bokmål": "nb",
    "norwegian bokmal": "nb",
    "nynorsk": "nn",
    "norsk nynorsk": "nn",
    "norwegian nynorsk": "nn",
    "english": "en",
    "engelsk": "en",
}
_CODE_IN_PARENTHESES = re.compile(r"\(([A-Za-z-]+)\)\s*\Z")

# Texts in several languages, standard XLSForm columns (`label::Norsk bokmål (nb)`).
TEXT_COLUMNS = ("label", "hint", "constraint_message")
# The product's own texts (the employee's wording of an interview, docs/questionnaires.md),
# written `label_employee::Norsk bokmål (nb)` on the survey sheet, which pyxform ignores. On the
# choices sheet pyxform turns every extra column into an element of the choice list, and a
# `::` there breaks it, so choice texts of the product use `label_employee_nb`.
EMPLOYEE_TEXT_COLUMNS = (
    "label_employee",
    "hint_employee",
    "constraint_message_employee",
    "statement_employee",
)
# Single-valued properties only the product knows, as `bind::heltid:<property>` columns:
# pyxform copies them onto the XForm's bind as attributes of the namespace declared in the
# settings (`namespaces`), where ODK Collect and KoboToolbox ignore them.
PRODUCT_NAMESPACE = "heltid"
PRODUCT_NAMESPACE_URI = "https://heltid.no/xlsform"
PRODUCT_BIND_PREFIX = f"bind::{PRODUCT_NAMESPACE}:"
PRODUCT_PROPERTIES = ("type", "min", "max", "max_length", "prefill")
PERCENT_MARKER = "percent"

# Lists that stand for the engine's built-in choices. `1-5` is not a valid XLSForm list name.
YES_NO_LIST = "yes_no"
BUILTIN_SCALE_LISTS = {"1-5": "skala_1_5", "1-6": "skala_1_6", "grad": "skala_grad"}
SCALE_OF_LIST = {list_name: scale for scale, list_name in BUILTIN_SCALE_LISTS.items()}
RESERVED_LISTS = frozenset({YES_NO_LIST, *BUILTIN_SCALE_LISTS.values()})

# XLSForm's «other» of `select_one L or_other` and the text question it adds.
XLSFORM_OTHER_SUFFIX = "_other"


class XLSFormError(Exception):
    """An XLSForm that cannot become a questionnaire; `problems` are `FILE:SHEET:ROW: message`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def language_column(base: str, language: str) -> str:
    return f"{base}::{LANGUAGE_NAMES[language]} ({language})"


def language_code(name: str) -> str | None:
    """nb, nn or en for a column's language part (`nb`, `Norsk bokmål (nb)`, `Nynorsk`)."""
    text = name.strip()
    if text.lower() in LANGUAGES:
        return text.lower()
    match = _CODE_IN_PARENTHESES.search(text)
    if match:
        code = match.group(1).lower()
        return code if code in LANGUAGES else None
    return _LANGUAGE_ALIASES.get(text.lower())


def same_choices(left: tuple[Choice, ...], right: tuple[Choice, ...]) -> bool:
    """The same values with the same texts (a scale's score follows from its value)."""
    return [(c.value, c.label, c.label_employee) for c in left] == [
        (c.value, c.label, c.label_employee) for c in right
    ]


BUILTIN_YES_NO = builtin.YES_NO_CHOICES
BUILTIN_SCALES = builtin.LIKERT_SCALES
