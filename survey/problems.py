"""Errors a user or an administrator can cause, as a code with parameters.

A service or an importer raises or returns a `Problem`; the page shows `problem.message()` in
the reader's language, the command line prints `str(problem)` (`FILE:LINE: ITEM: message`) in
English. Both come from the one entry in `MESSAGES`, so a text is changed, and translated, in
one place. `tests/test_problems.py` fails when a code has no bokmål or nynorsk text.

A code in `CLI_MESSAGES` has its own words on the command line; any other code prints the
page's English text there."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

# The page's text in the reader's language; the msgid is the English.
MESSAGES: dict[str, LazyString] = {
    # reading a table (roster/reading.py)
    "file_not_opened": _l("The file could not be opened (%(reason)s)."),
    "file_not_csv": _l("The file is not a readable CSV file (%(reason)s)."),
    "file_not_xlsx": _l("The file is not a readable XLSX file."),
    "file_empty": _l("The file is empty."),
    "first_sheet_empty": _l("The file is empty."),
    "no_rows": _l("The file has no rows after the header."),
    "unknown_field": _l("%(field)s is not a field. The fields are %(fields)s."),
    "no_such_column": _l("There is no such column in the file."),
    "field_mapped_twice": _l(
        "%(field)s is already read from the column %(column)s. Choose another field."
    ),
    "columns_mean_the_same": _l(
        "The columns %(names)s both mean %(field)s. Ignore one of them below."
    ),
    "missing_column": _l("The file has no such column. Map a column to it below."),
    # cells (roster, units, mappings)
    "missing_value": _l("The cell is empty."),
    "too_long": _l("At most %(count)s characters."),
    "not_a_number": _l("%(value)s is not a number."),
    "not_a_whole_number": _l("%(value)s is not a whole number."),
    "not_between": _l("%(value)s is not between %(min)s and %(max)s."),
    "below_minimum": _l("%(value)s is less than %(min)s."),
    "above_maximum": _l("%(value)s is more than %(max)s."),
    "not_a_date": _l("%(value)s is not a date. Write dd.mm.yyyy or yyyy-mm-dd."),
    "not_a_choice": _l("%(value)s is not one of %(choices)s."),
    "one_value_only": _l("Only one value is allowed."),
    "not_a_valid_value": _l("%(value)s is not a valid value."),
    "already_on_line": _l("%(code)s is already on line %(line)s."),
    # the roster (roster/importing.py)
    "not_a_form": _l("%(value)s is neither fast nor midlertidig."),
    "not_a_gender": _l("%(value)s is not k, m or annet."),
    "not_a_birth_year": _l("%(value)s is not a year between %(first)s and %(last)s."),
    "not_an_email": _l("%(value)s is not an e-mail address."),
    "not_a_mobile": _l(
        "%(value)s is not a mobile number. Write 8 digits, like 912 34 567, or +country code."
    ),
    "unit_name_ambiguous": _l(
        "Several units are named %(name)s (%(codes)s). Write the unit's code."
    ),
    "unknown_unit_in_roster": _l(
        "Unknown unit %(unit)s. Import it under «Import units» first, or choose «Create unknown units»."
    ),
    "new_unit_code_too_long": _l("A new unit's code can be at most %(count)s characters."),
    "name_differs": _l("%(value)s differs from %(earlier)s on line %(line)s."),
    "value_differs": _l("%(value)s differs from %(earlier)s given earlier for %(number)s."),
    "email_repeated": _l("%(email)s is also given for %(number)s on line %(line)s."),
    "position_repeated": _l(
        "%(number)s is already on line %(line)s with the same unit and occupation."
    ),
    "email_taken": _l("%(email)s belongs to another person (%(who)s)."),
    # units (roster/unit_import.py)
    "unknown_unit": _l("Unknown unit %(unit)s."),
    "units_cycle": _l("The units form a cycle: %(cycle)s."),
    # historical mappings (living/importing.py)
    "questionnaire_not_loaded": _l("The questionnaire %(questionnaire)s is not loaded."),
    "not_in_roster": _l("Nobody on the roster has the ansattnummer %(number)s."),
    # the ansettelsesutvalg (committee/services.py)
    "percent_invalid": _l("Write a percentage greater than 0 and at most 100, like 40 or 62,5."),
    "shares_must_add_up": _l("The shares must add up to the vacancy's percentage."),
    "shift_type_invalid": _l("Choose shifts from the list."),
    "weekends_invalid": _l("Write a number of weekends from 0 to 52."),
    "order_invalid": _l("Choose each order criterion once."),
    "yrkesgruppe_required": _l("Choose a yrkesgruppe."),
    "case_closed": _l("The case is closed. Reopen it to record decisions."),
    "outcome_invalid": _l("Choose a decision."),
    "not_a_candidate": _l("That person is not a candidate in this case."),
    "reason_required": _l("Give a reason when a candidate declines or is not considered."),
    "percent_above_vacancy": _l("The percentage is larger than the vacancy."),
    "equivalence_invalid": _l("Choose two different yrkesgrupper."),
    "last_member": _l("The case must keep at least one committee member."),
    # roster invitations (campaigns/inviting.py)
    "campaign_has_closed": _l(
        "The campaign closed on %(date)s. Move its closing date to invite more people."
    ),
    # campaign schedule and message texts (campaigns/services.py, campaigns/messaging.py)
    "closes_before_opens": _l("The closing date is before the opening date."),
    "reminder_day_invalid": _l(
        "Reminder days are whole days before the closing date, like 7 and 3."
    ),
    "reminders_need_close_date": _l(
        "Reminders are counted back from the closing date. Set a closing date."
    ),
    "campaign_language_invalid": _l("Choose bokmål, nynorsk or English for the messages."),
    "text_unknown_placeholder": _l(
        "%(placeholder)s is not a placeholder. The placeholders are %(placeholders)s."
    ),
    "text_stray_brace": _l("Write { and } only around a placeholder, like {link}."),
    "text_missing_link": _l("The text must contain {link}: the personal link."),
    "text_needs_close_date": _l(
        "The campaign has no closing date, so {closes_on} cannot be filled in."
    ),
    "sms_too_long": _l(
        "The SMS is %(length)s characters with the link; at most %(max)s fit in one message."
    ),
    "sms_not_gsm": _l(
        "%(chars)s makes the SMS a long one: with it at most %(max)s characters fit in one "
        "message, and this one is %(length)s."
    ),
}

# The command line's English where it differs from the page's: it names an option instead of
# a button, or keeps the short form HR scripts already read.
CLI_MESSAGES: dict[str, str] = {
    "file_not_opened": "%(reason)s",
    "file_not_csv": "%(reason)s",
    "file_not_xlsx": "not a readable XLSX file (%(reason)s)",
    "file_empty": "the file is empty",
    "first_sheet_empty": "the first sheet is empty",
    "no_rows": "no rows after the header",
    "unknown_field": "unknown field %(field)s; fields are %(fields)s",
    "no_such_column": "no such column in the file",
    "field_mapped_twice": "%(field)s is already mapped to column %(column)s",
    "columns_mean_the_same": "columns %(names)s both mean %(field)s; choose one with --map",
    "missing_column": "missing column",
    "missing_value": "missing value",
    "too_long": "at most %(count)s characters",
    "not_a_number": "%(value)s is not a number",
    "not_a_whole_number": "%(value)s is not a whole number",
    "not_between": "%(value)s is not between %(min)s and %(max)s",
    "below_minimum": "%(value)s is not at least %(min)s",
    "above_maximum": "%(value)s is not at most %(max)s",
    "not_a_date": "%(value)s is not a date (use dd.mm.yyyy or yyyy-mm-dd)",
    "not_a_choice": "%(value)s is not one of %(choices)s",
    "one_value_only": "only one value is allowed",
    "not_a_valid_value": "%(value)s is not a valid value",
    "already_on_line": "%(code)s is already on line %(line)s",
    "not_a_form": "%(value)s is neither fast nor midlertidig",
    "not_a_gender": "%(value)s is not k, m or annet",
    "not_a_birth_year": "%(value)s is not a year between %(first)s and %(last)s",
    "not_an_email": "%(value)s is not an e-mail address",
    "not_a_mobile": "%(value)s is not a mobile number (8 digits, or +country code)",
    "unit_name_ambiguous": "%(count)s units are named %(name)s (%(codes)s); use the code",
    "unknown_unit_in_roster": "unknown unit %(unit)s (use --create-units to add it)",
    "new_unit_code_too_long": "a new unit's code can be at most %(count)s characters",
    "name_differs": "%(value)s differs from %(earlier)s on line %(line)s",
    "value_differs": "%(value)s differs from %(earlier)s given earlier for %(number)s",
    "email_repeated": "%(email)s is also given for %(number)s on line %(line)s",
    "position_repeated": "%(number)s has the same enhet and yrkesgruppe on line %(line)s",
    "email_taken": "%(email)s belongs to another person (%(who)s)",
    "unknown_unit": "unknown unit %(unit)s",
    "units_cycle": "the units form a cycle: %(cycle)s",
    "questionnaire_not_loaded": "questionnaire %(questionnaire)s is not loaded; run `survey questionnaires load`",
    "not_in_roster": "no person with ansattnummer %(number)s in the roster",
    "percent_invalid": "a percentage must be greater than 0 and at most 100",
    "shares_must_add_up": "the shares must add up to --percent",
    "shift_type_invalid": "--shift must be dag, kveld or natt",
    "weekends_invalid": "--weekends must be 0 to 52",
    "order_invalid": "--order: criteria are involuntary, ansiennitet, size, conditions, each once",
    "yrkesgruppe_required": "--yrkesgruppe is required",
    "equivalence_invalid": "give two different yrkesgrupper",
    "closes_before_opens": "--closes is before --opens",
    "reminder_day_invalid": "--remind takes whole days before --closes, greater than 0",
    "reminders_need_close_date": "--remind needs --closes",
    "campaign_language_invalid": "--language must be nb, nn or en",
}


@dataclasses.dataclass(frozen=True)
class Problem:
    """One error: its code, the values its message names, and where it is when it is in a
    file (`item` is the column, the field or the key)."""

    code: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    file: str | None = None
    line: int | None = None
    item: str | None = None

    def __post_init__(self) -> None:
        if self.code not in MESSAGES:
            raise KeyError(f"no message for the problem code {self.code!r}")

    def message(self) -> str:
        """The message in the current locale, for a page."""
        return str(MESSAGES[self.code]) % self.params

    def english(self) -> str:
        """The message for the command line."""
        if self.code in CLI_MESSAGES:
            return CLI_MESSAGES[self.code] % self.params
        with force_locale("en"):
            return str(MESSAGES[self.code]) % self.params

    def __str__(self) -> str:
        if self.file is None:
            return self.english()
        return f"{self.file}:{self.line}: {self.item}: {self.english()}"


class ProblemError(ValueError):
    """Raised with a problem; whoever catches it shows the problem, and nothing was saved."""

    def __init__(self, problem: Problem):
        super().__init__(problem.code)
        self.problem = problem

    def __str__(self) -> str:
        return str(self.problem)
