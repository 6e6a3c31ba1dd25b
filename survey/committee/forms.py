from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from survey.committee.presenting import CRITERIA_LABELS, SHIFT_LABELS


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _criteria_choices(blank: bool):
    choices = [SelectChoice(key, label) for key, label in CRITERIA_LABELS.items()]
    return ([SelectChoice("", _l("(none)"))] if blank else []) + choices


class VacancyForm(FlaskForm):
    title = StringField(
        _l("Title"),
        description=_l("Optional, e.g. «Helsefagarbeider natt, avdeling 2»."),
        validators=[Optional(), Length(max=200)],
    )
    # Both start on an empty «Choose …» option (filled in by the view), so that a case is never
    # created for whichever unit happens to sort first.
    unit = SelectField(
        _l("Unit"), coerce=str, validators=[DataRequired(message=_l("Choose a unit."))]
    )
    yrkesgruppe = SelectField(
        _l("Yrkesgruppe required"),
        validators=[DataRequired(message=_l("Choose a yrkesgruppe."))],
    )
    percent = StringField(
        _l("Percent of a full position"),
        description=_l("The whole vacancy, e.g. 60 or 62,5."),
        validators=[DataRequired(), Length(max=10)],
    )
    shares = StringField(
        _l("Split into shares (optional)"),
        description=_l(
            "Percentages that add up to the vacancy, separated by spaces, e.g. «40 20». "
            "Leave empty for one share."
        ),
        validators=[Optional(), Length(max=100)],
    )
    whole_shares = BooleanField(_l("Each share goes whole to one candidate"))
    permanent = RadioField(
        _l("Permanent or temporary"),
        choices=[
            SelectChoice("fast", _l("Permanent")),
            SelectChoice("midlertidig", _l("Temporary")),
        ],
        default="fast",
    )
    weekends_per_year = IntegerField(
        _l("Weekends a year (optional)"),
        description=_l("Every 3rd weekend is about 17, every 2nd about 26."),
        validators=[Optional(), NumberRange(min=0, max=52)],
    )
    long_shifts = BooleanField(_l("Long shifts (12.5 to 14 hours)"))
    shift_types = MultiCheckboxField(
        _l("Shifts"), choices=[SelectChoice(key, label) for key, label in SHIFT_LABELS.items()]
    )
    other_units = BooleanField(_l("Includes work in other units"))
    start_date = DateField(_l("Start date (optional)"), validators=[Optional()])
    # Defaults: survey.committee.candidates.DEFAULT_ORDER.
    order_1 = SelectField(
        _l("Order within the groups: first"),
        choices=_criteria_choices(False),
        default="involuntary",
    )
    order_2 = SelectField(_l("then"), choices=_criteria_choices(True), default="ansiennitet")
    order_3 = SelectField(_l("then"), choices=_criteria_choices(True), default="size")
    members = TextAreaField(
        _l("Committee members for this case"),
        description=_l(
            "E-mail addresses, one a line: the members, the relevant leader and the tillitsvalgt."
        ),
        validators=[Optional(), Length(max=4000)],
    )


class EquivalenceForm(FlaskForm):
    required = SelectField(
        _l("Yrkesgruppe the vacancy asks for"),
        validators=[DataRequired(message=_l("Choose a yrkesgruppe."))],
    )
    qualifying = SelectField(
        _l("Yrkesgruppe that also qualifies"),
        validators=[DataRequired(message=_l("Choose a yrkesgruppe."))],
    )
