"""Single cells of an HR export read as roster values: percentages, dates, forms of
employment, genders, birth years, e-mail addresses and mobile numbers. A cell that cannot be read raises
InvalidValue with the problem's code."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from survey.roster.models import Ansettelsesform, Kjonn
from survey.roster.reading import InvalidValue, cell_text

_FORMS = {
    "fast": Ansettelsesform.FAST,
    "f": Ansettelsesform.FAST,
    "fast ansatt": Ansettelsesform.FAST,
    "midlertidig": Ansettelsesform.MIDLERTIDIG,
    "m": Ansettelsesform.MIDLERTIDIG,
    "midlertidig ansatt": Ansettelsesform.MIDLERTIDIG,
    "vikar": Ansettelsesform.MIDLERTIDIG,
    "vikariat": Ansettelsesform.MIDLERTIDIG,
    "engasjement": Ansettelsesform.MIDLERTIDIG,
}
_GENDERS = {
    "k": Kjonn.KVINNE,
    "kvinne": Kjonn.KVINNE,
    "m": Kjonn.MANN,
    "mann": Kjonn.MANN,
    "annet": Kjonn.ANNET,
    "a": Kjonn.ANNET,
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NORWEGIAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T][\d:.]+)?$")
_HUNDREDTH = Decimal("0.01")
FIRST_BIRTH_YEAR = 1930


def parse_percent(value: Any) -> Decimal:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        text = cell_text(value).replace("%", "").replace(" ", "").replace("\u00a0", "")
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise InvalidValue("not_a_number", value=repr(cell_text(value))) from None
    if not number.is_finite() or not 0 <= number <= 100:
        raise InvalidValue("not_between", value=cell_text(value), min=0, max=100)
    return number.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    try:
        if match := _NORWEGIAN_DATE.match(text):
            day, month, year = map(int, match.groups())
            return dt.date(year, month, day)
        if match := _ISO_DATE.match(text):
            year, month, day = map(int, match.groups())
            return dt.date(year, month, day)
    except ValueError:
        raise InvalidValue("not_a_date", value=repr(text)) from None
    raise InvalidValue("not_a_date", value=repr(text))


def parse_form(value: Any) -> Ansettelsesform:
    text = cell_text(value).lower()
    if text not in _FORMS:
        raise InvalidValue("not_a_form", value=repr(cell_text(value)))
    return _FORMS[text]


def parse_gender(value: Any) -> Kjonn:
    text = cell_text(value).lower()
    if text not in _GENDERS:
        raise InvalidValue("not_a_gender", value=repr(cell_text(value)))
    return _GENDERS[text]


def parse_birth_year(value: Any, today: dt.date | None = None) -> int:
    text = cell_text(value)
    this_year = (today or dt.date.today()).year
    if not re.fullmatch(r"\d{4}", text) or not FIRST_BIRTH_YEAR <= int(text) <= this_year:
        raise InvalidValue(
            "not_a_birth_year", value=repr(text), first=FIRST_BIRTH_YEAR, last=this_year
        )
    return int(text)


def parse_email(value: Any) -> str:
    text = cell_text(value).lower()
    if len(text) > 320 or not _EMAIL.match(text):
        raise InvalidValue("not_an_email", value=repr(cell_text(value)))
    return text


def parse_mobile(value: Any) -> str:
    """A mobile number in E.164 («+4791234567»): Norwegian numbers with or without +47/0047
    and spaces, foreign ones with their country code. Landlines cannot receive SMS."""
    import phonenumbers  # heavy: imported where used, not by every process (docs/architecture.md)

    # Some countries (the United States, Canada) do not tell mobile numbers from others.
    mobile_types = {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
    text = cell_text(value)
    try:
        number = phonenumbers.parse(text, "NO")
    except phonenumbers.NumberParseException:
        raise InvalidValue("not_a_mobile", value=repr(text)) from None
    if not phonenumbers.is_valid_number(number) or (
        phonenumbers.number_type(number) not in mobile_types
    ):
        raise InvalidValue("not_a_mobile", value=repr(text))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_percent(number: Decimal) -> str:
    return f"{number:.2f}".rstrip("0").rstrip(".")
