"""Forms that only the administration pages use; account forms live in survey.accounts.forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from survey.accounts.forms import CreateUserForm
from survey.accounts.models import Role
from survey.accounts.presenting import ROLE_LABELS


class NewPersonForm(CreateUserForm):
    """CreateUserForm without wtforms' Email(), which needs the email_validator package that
    is not among our dependencies; a plain shape check is enough here, since the address
    only has to reach the person's inbox and the database keeps it unique."""

    email = EmailField(
        _l("E-mail address"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            DataRequired(),
            Length(max=320),
            Regexp(
                r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                message=_l("Write a valid e-mail address, like name@kommune.no."),
            ),
        ],
    )
    # The least power by default: a slip of the hand should not make an administrator.
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(r.value, ROLE_LABELS[r]) for r in Role],
        default=Role.ANSATT.value,
    )


class LoginLinkForm(FlaskForm):
    send = BooleanField(_l("Also send the link by e-mail"), false_values=(False, "", "0", "false"))


class EraseForm(FlaskForm):
    confirmation = StringField(
        _l("Type the person's e-mail address to confirm"),
        validators=[
            DataRequired(message=_l("Type the e-mail address to confirm.")),
            Length(max=320),
        ],
    )


class AuditSearchForm(FlaskForm):
    """A GET form: searching changes nothing, so it needs no CSRF token."""

    class Meta:
        csrf = False

    person = StringField(
        _l("Whose data (person number or e-mail address)"),
        validators=[Optional(), Length(max=320)],
    )
    actor = StringField(
        _l("Done by (person number or e-mail address)"), validators=[Optional(), Length(max=320)]
    )
    action = SelectField(_l("Action"), choices=[], validators=[Optional()])
    # Plain strings, parsed in the view, so a bad date gets our own clear message.
    since = StringField(
        _l("From date"),
        description=_l("For example 2025-03-31"),
        validators=[Optional(), Length(max=20)],
        render_kw={"type": "date"},
    )
    until = StringField(
        _l("To date"),
        description=_l("For example 2025-03-31"),
        validators=[Optional(), Length(max=20)],
        render_kw={"type": "date"},
    )
