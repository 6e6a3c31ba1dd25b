from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from survey.followup.models import FollowUpStatus

STATUS_LABELS = {
    FollowUpStatus.NOT_CONTACTED: _l("Not contacted"),
    FollowUpStatus.BOOKED: _l("Conversation booked"),
    FollowUpStatus.HELD: _l("Conversation held"),
    FollowUpStatus.NOT_RELEVANT: _l("No longer relevant"),
}


class StatusForm(FlaskForm):
    # Booking has its own form (it needs a date and a place).
    status = RadioField(
        _l("Status"),
        choices=[
            SelectChoice(status.value, STATUS_LABELS[status])
            for status in (
                FollowUpStatus.NOT_CONTACTED,
                FollowUpStatus.HELD,
                FollowUpStatus.NOT_RELEVANT,
            )
        ],
        validators=[InputRequired(message=_l("Choose a status."))],
    )


class BookingForm(FlaskForm):
    day = DateField(
        _l("Date"),
        validators=[DataRequired(message=_l("Write the date as YYYY-MM-DD."))],
    )
    time = TimeField(
        _l("Time"),
        description=_l("Norwegian time, e.g. 10:00."),
        validators=[DataRequired(message=_l("Write the time as HH:MM."))],
    )
    minutes = SelectField(
        _l("Length"),
        choices=[
            SelectChoice("30", _l("30 minutes")),
            SelectChoice("45", _l("45 minutes")),
            SelectChoice("60", _l("1 hour")),
            SelectChoice("90", _l("1½ hours")),
        ],
        default="60",
    )
    place = StringField(
        _l("Place"),
        description=_l("Where you meet, e.g. «Møterom 2, Tunet» or «Teams»."),
        validators=[DataRequired(message=_l("Write where you meet.")), Length(max=200)],
    )
    note = TextAreaField(
        _l("Note (optional)"),
        description=_l("For you and other project leaders; not sent to the employee."),
        validators=[Optional(), Length(max=2000)],
    )
