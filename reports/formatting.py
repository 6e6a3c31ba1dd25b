"""Numbers as people read them in the report's language: «66,1 %» in nb/nn, «66.1%» in en.

A value of None is a suppressed (or unknown) cell and is shown as «–"."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from babel.numbers import format_decimal

from reports.model import COUNT, DECIMAL, PERCENT, Cell

SUPPRESSED = "–"


@lru_cache
def _percent_pattern(lang: str) -> str:
    """The locale's percent pattern with exactly one decimal ("#,##0,0 %" in nb)."""
    pattern = Locale.parse(lang).percent_formats[None].pattern
    return pattern.replace("#,##0", "#,##0.0", 1)


def count(value: int | None, lang: str) -> str:
    if value is None:
        return SUPPRESSED
    return format_decimal(value, "#,##0", locale=lang)


def percent(value: float | None, lang: str) -> str:
    """`value` is a percentage (66.1 for 66,1 %), shown with one decimal."""
    if value is None:
        return SUPPRESSED
    from babel.numbers import format_percent

    return format_percent(value / 100, _percent_pattern(lang), locale=lang)


def decimal(value: float | None, lang: str, digits: int = 1) -> str:
    if value is None:
        return SUPPRESSED
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, pattern, locale=lang)


def date(value, lang: str) -> str:
    from babel.dates import format_date

    return format_date(value, "long" if lang == "en" else "d. MMMM y", locale=lang)


def cell(value: Cell, lang: str) -> str:
    """A table cell as printed: counts, percentages and decimals in `lang`, text as it is;
    «–» for a number that is hidden or has no base."""
    if value.kind == COUNT:
        return count(value.value, lang)
    if value.kind == PERCENT:
        return percent(value.value, lang)
    if value.kind == DECIMAL:
        return decimal(value.value, lang)
    return "" if value.value is None else str(value.value)
