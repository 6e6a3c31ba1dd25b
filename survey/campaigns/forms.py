"""The campaign pages' forms: a new campaign, its schedule, and its texts."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from survey.campaigns.models import Mode
from survey.campaigns.presenting import LANGUAGE_LABELS, MODE_HINTS, MODE_LABELS

MAX_REMINDER_DAY = 365


def reminder_days(text: str | None) -> list[int]:
    """«7, 3» -> [7, 3]: whole days before the closing date, largest first, each once.
    Raises ValueError on anything else."""
    parts = [part for part in re.split(r"[\s,;]+", (text or "").strip()) if part]
    days = set()
    for part in parts:
        if not part.isdigit() or not 1 <= int(part) <= MAX_REMINDER_DAY:
            raise ValueError(part)
        days.add(int(part))
    return sorted(days, reverse=True)


class ScheduleForm(FlaskForm):
    """What may change after a campaign is created: titles, period, reminders, language."""

    title = StringField(
        _l("Title (bokmål)"),
        description=_l("Leave empty to use the questionnaire's title."),
        validators=[Optional(), Length(max=200)],
    )
    title_nn = StringField(_l("Title (nynorsk)"), validators=[Optional(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=200)])
    opens_on = DateField(
        _l("Opens on"),
        description=_l("The first day answers are taken. Leave empty to open at once."),
        validators=[Optional()],
    )
    closes_on = DateField(
        _l("Closes on"),
        description=_l("The last day answers are taken. Leave empty for no end."),
        validators=[Optional()],
    )
    reminders = StringField(
        _l("Reminder days"),
        description=_l(
            "Days before the closing date on which those who have not answered are reminded, "
            "e.g. «7, 3». Leave empty for no reminders."
        ),
        validators=[Optional(), Length(max=100)],
    )
    language = RadioField(
        _l("Language of invitations and reminders"),
        choices=[SelectChoice(code, label) for code, label in LANGUAGE_LABELS.items()],
        default="nb",
        validators=[DataRequired(message=_l("Choose a language."))],
    )

    def validate_closes_on(self, field) -> None:
        if field.data is None:
            return
        if self.opens_on.data is not None and field.data < self.opens_on.data:
            raise ValidationError(_("The closing date cannot be before the opening date."))

    def validate_reminders(self, field) -> None:
        try:
            days = reminder_days(field.data)
        except ValueError as error:
            raise ValidationError(
                _(
                    "«%(value)s» is not a number of days. Write whole days from 1 to %(max)s, "
                    "separated by commas, e.g. «7, 3».",
                    value=str(error),
                    max=MAX_REMINDER_DAY,
                )
            ) from None
        if days and self.closes_on.data is None:
            raise ValidationError(
                _("Reminders are counted back from the closing date: set a closing date.")
            )

    @property
    def reminder_days(self) -> list[int]:
        return reminder_days(self.reminders.data)


class CampaignForm(ScheduleForm):
    questionnaire = SelectField(
        _l("Questionnaire"), validators=[DataRequired(message=_l("Choose a questionnaire."))]
    )
    # Choices in the page's language: `mode_choices()`, set by the view.
    mode = RadioField(
        _l("Who can see who answered"),
        validators=[DataRequired(message=_l("Choose how answers relate to who gave them."))],
    )


def mode_choices() -> list[SelectChoice]:
    return [SelectChoice(mode.value, f"{MODE_LABELS[mode]}: {MODE_HINTS[mode]}") for mode in Mode]


class TextsForm(FlaskForm):
    """One language's texts. Field names are the text keys of `survey.campaigns.messaging`."""

    invitation_subject = StringField(
        _l("Invitation: e-mail subject"), validators=[Optional(), Length(max=300)]
    )
    invitation_body = TextAreaField(
        _l("Invitation: e-mail text"),
        validators=[Optional(), Length(max=5000)],
        render_kw={"rows": 12},
    )
    invitation_sms = TextAreaField(_l("Invitation: SMS"), validators=[Optional(), Length(max=500)])
    reminder_subject = StringField(
        _l("Reminder: e-mail subject"), validators=[Optional(), Length(max=300)]
    )
    reminder_body = TextAreaField(
        _l("Reminder: e-mail text"),
        validators=[Optional(), Length(max=5000)],
        render_kw={"rows": 12},
    )
    reminder_sms = TextAreaField(_l("Reminder: SMS"), validators=[Optional(), Length(max=500)])
    continue_subject = StringField(
        _l("Reminder to finish: e-mail subject"), validators=[Optional(), Length(max=300)]
    )
    continue_body = TextAreaField(
        _l("Reminder to finish: e-mail text"),
        validators=[Optional(), Length(max=5000)],
        render_kw={"rows": 12},
    )
    continue_sms = TextAreaField(
        _l("Reminder to finish: SMS"), validators=[Optional(), Length(max=500)]
    )

    KEYS = (
        "invitation_subject",
        "invitation_body",
        "invitation_sms",
        "reminder_subject",
        "reminder_body",
        "reminder_sms",
        "continue_subject",
        "continue_body",
        "continue_sms",
    )

    def values(self) -> dict[str, str]:
        return {key: (getattr(self, key).data or "").replace("\r\n", "\n") for key in self.KEYS}
