"""Numbers as people read them in the report's language: «66,1 %» in nb/nn, «66.1%» in en.

A value of None is a suppressed (or unknown) cell and is shown as «–"."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern

from reports.model import COUNT, DECIMAL, PERCENT, Cell

SUPPRESSED = "–"


# A report prints hundreds of numbers: the locales and patterns are parsed once, then
# applied (what babel's format_decimal and format_percent do on every call).
@lru_cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


@lru_cache
def _pattern(pattern: str) -> NumberPattern:
    return parse_pattern(pattern)


@lru_cache
def _percent_pattern(lang: str) -> NumberPattern:
    """The locale's percent pattern with exactly one decimal ("#,##0,0 %" in nb)."""
    pattern = _locale(lang).percent_formats[None].pattern
    return parse_pattern(pattern.replace("#,##0", "#,##0.0", 1))


def count(value: int | None, lang: str) -> str:
    if value is None:
        return SUPPRESSED
    return _pattern("#,##0").apply(value, _locale(lang))


def percent(value: float | None, lang: str) -> str:
    """`value` is a percentage (66.1 for 66,1 %), shown with one decimal."""
    if value is None:
        return SUPPRESSED
    return _percent_pattern(lang).apply(value / 100, _locale(lang))


def decimal(value: float | None, lang: str, digits: int = 1) -> str:
    if value is None:
        return SUPPRESSED
    return _pattern("#,##0" + ("." + "0" * digits if digits else "")).apply(value, _locale(lang))


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
