"""Answer values: reading them from form input and invitation data, and storing them as JSON.

Python values by question type: select_one str, select_multiple list[str], integer int,
decimal/percent float, text str, date datetime.date, likert int, yes_no 'yes' | 'no'.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from survey.engine.definition import NUMBER_TYPES, Question, Questionnaire
from survey.engine.expressions import is_empty

# Longer input cannot be a sensible number and would only cost time to convert.
_MAX_NUMBER_LENGTH = 30
_INTEGER = re.compile(r"[+-]?[0-9]{1,15}\Z")
# Decimal comma or point; no thousands separators, since "1,500" would be ambiguous.
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)\Z")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})\Z")
_NORWEGIAN_DATE = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})\Z")
_SINGLE_CHOICE_TYPES = frozenset({"select_one", "likert", "yes_no"})


@dataclass(frozen=True)
class FieldError:
    """Why an answer was refused; the web layer turns `code` and `params` into a message.

    Codes: required, invalid_integer, invalid_number, invalid_date, out_of_range (min, max),
    unknown_choice (value), too_long (max), constraint (message: Text | None), too_many_values.
    """

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


def _clean(text: str) -> str:
    # Browsers send CRLF from text areas, and PostgreSQL refuses NUL characters in text.
    return text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _parse_date(text: str) -> datetime.date | None:
    match = _ISO_DATE.match(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = _NORWEGIAN_DATE.match(text)
        if not match:
            return None
        day, month, year = (int(part) for part in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _parse_decimal(text: str, question: Question) -> float | None:
    if question.type == "percent" and text.endswith("%"):
        text = text[:-1].rstrip()
    if len(text) > _MAX_NUMBER_LENGTH or not _DECIMAL.match(text):
        return None
    return float(text.replace(",", "."))


def parse_input(question: Question, raw: Sequence[str]) -> tuple[Any, FieldError | None]:
    """The answer in the raw form strings for one question, or the error that refuses it.

    An empty answer is (None, None); whether that is allowed is decided by the caller.
    """
    if question.type == "note":
        return None, None
    texts = [_clean(text) for text in raw if isinstance(text, str)]
    given = [text for text in texts if text]
    if question.type == "select_multiple":
        return _parse_selection(question, given)
    if not given:
        return None, None
    if question.type in _SINGLE_CHOICE_TYPES and len(set(given)) > 1:
        return None, FieldError("too_many_values")
    text = given[0]
    if question.type in _SINGLE_CHOICE_TYPES:
        if text not in question.choice_values:
            return None, FieldError("unknown_choice", {"value": text})
        return (int(text) if question.type == "likert" else text), None
    if question.type == "integer":
        if not _INTEGER.match(text):
            return None, FieldError("invalid_integer")
        return int(text), None
    if question.type in ("decimal", "percent"):
        number = _parse_decimal(text, question)
        if number is None:
            return None, FieldError("invalid_number")
        return number, None
    if question.type == "date":
        day = _parse_date(text)
        if day is None:
            return None, FieldError("invalid_date")
        return day, None
    if question.max_length is not None and len(text) > question.max_length:
        return None, FieldError("too_long", {"max": question.max_length})
    return text, None


def _parse_selection(question: Question, given: list[str]) -> tuple[Any, FieldError | None]:
    chosen = set(given)
    unknown = sorted(chosen - set(question.choice_values))
    if unknown:
        return None, FieldError("unknown_choice", {"value": unknown[0]})
    # Stored in the order of the choices, so equal selections always compare equal.
    selection = [value for value in question.choice_values if value in chosen]
    return (selection or None), None


def check_range(question: Question, value: Any) -> FieldError | None:
    """out_of_range when a number is outside min/max (and 0–100 for a percent)."""
    if question.type not in NUMBER_TYPES or not isinstance(value, int | float):
        return None
    low, high = question.min, question.max
    if question.type == "percent":
        low = 0.0 if low is None else max(low, 0.0)
        high = 100.0 if high is None else min(high, 100.0)
    too_low = low is not None and value < low
    too_high = high is not None and value > high
    if too_low or too_high or (isinstance(value, float) and math.isnan(value)):
        return FieldError("out_of_range", {"min": low, "max": high})
    return None


# --- Storage --------------------------------------------------------------------------------


def serialize(question: Question, value: Any) -> Any:
    """The JSON form of an answer: dates as ISO strings, empty answers as None."""
    if is_empty(value) or question.type == "note":
        return None
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON (and PostgreSQL's jsonb) has no NaN or infinity
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return value


def _whole_number(data: Any) -> int | None:
    if isinstance(data, bool):
        return None
    if isinstance(data, int):
        return data
    if isinstance(data, float) and math.isfinite(data) and data.is_integer():
        return int(data)
    if isinstance(data, str) and _INTEGER.match(data.strip()):
        return int(data.strip())
    return None


def _deserialize(question: Question, data: Any) -> Any:
    kind = question.type
    if kind in ("select_one", "text"):
        return data if isinstance(data, str) and data else None
    if kind == "select_multiple":
        if isinstance(data, str):
            data = data.split()  # XLSForm exports store selections space-separated
        if isinstance(data, list):
            return [item for item in data if isinstance(item, str)] or None
        return None
    if kind in ("integer", "likert"):
        return _whole_number(data)
    if kind in ("decimal", "percent"):
        if isinstance(data, int | float) and not isinstance(data, bool):
            return float(data) if math.isfinite(data) else None
        if isinstance(data, str):
            return _parse_decimal(data.strip(), question)
        return None
    if kind == "date":
        return _parse_date(data.strip()) if isinstance(data, str) else None
    if kind == "yes_no":
        if isinstance(data, bool):
            return "yes" if data else "no"
        return data if data in ("yes", "no") else None
    return None


def deserialize(question: Question, data: Any) -> Any:
    """The answer stored as `data`, or None when it does not fit the question.

    Stored data may come from an older definition or a hand edit; it must never break a page.
    """
    try:
        return _deserialize(question, data)
    except (ValueError, TypeError, OverflowError):
        return None


# --- Prefill --------------------------------------------------------------------------------


def _prefill_strings(question: Question, value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return [("yes" if value else "no")] if question.type == "yes_no" else None
    if isinstance(value, int):
        return [str(value)]
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return [str(int(value)) if value.is_integer() else repr(value)]
    if isinstance(value, datetime.datetime):
        return [value.date().isoformat()]
    if isinstance(value, datetime.date):
        return [value.isoformat()]
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, str)]
    return None


def prefill_values(q: Questionnaire, prefill: Mapping[str, Any]) -> dict[str, Any]:
    """Answers taken from an invitation's data for questions with a `prefill` key.

    Values that would be refused if typed in (unknown choice, out of range...) are dropped.
    """
    values: dict[str, Any] = {}
    for question in q.questions:
        if question.prefill is None or question.prefill not in prefill:
            continue
        raw = _prefill_strings(question, prefill[question.prefill])
        if raw is None:
            continue
        value, error = parse_input(question, raw)
        if error is None and not is_empty(value) and check_range(question, value) is None:
            values[question.name] = value
    return values
