"""The upload form: a YAML or XLSForm file, and the questionnaire's id for an XLSForm."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import StringField
from wtforms.validators import Optional, Regexp

MAX_BYTES = 2 * 1024 * 1024
EXTENSIONS = ("yaml", "yml", "xlsx")


class UploadForm(FlaskForm):
    file = FileField(
        _l("Questionnaire file (YAML or XLSForm)"),
        validators=[
            FileRequired(_l("Choose a file to upload.")),
            FileAllowed(EXTENSIONS, _l("Upload a .yaml, .yml or .xlsx file.")),
            FileSize(MAX_BYTES, message=_l("The file is larger than 2 MB.")),
        ],
    )
    questionnaire_id = StringField(
        _l("Questionnaire id (for an XLSForm)"),
        description=_l(
            "Letters, digits, _ and -, for example arbeidsmiljo-2027. Leave it empty to use the form_id of the XLSForm's settings sheet."
        ),
        validators=[
            Optional(),
            Regexp(
                r"^[A-Za-z_][A-Za-z0-9_-]{0,99}$",
                message=_l("Use letters, digits, _ and -, starting with a letter."),
            ),
        ],
    )
