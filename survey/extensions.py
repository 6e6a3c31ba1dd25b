"""Extensions created once at import time and bound to an app in the factory."""

from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

from survey.db import db

babel = Babel()
csrf = CSRFProtect()

__all__ = ["babel", "csrf", "db"]
