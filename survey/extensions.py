"""Extensions created once at import time and bound to an app in the factory."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from survey.db import db

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
# Per-address limits on the log-in forms; lock-out per account is in accounts.services.
limiter = Limiter(key_func=get_remote_address, default_limits=[])

__all__ = ["babel", "csrf", "db", "limiter", "login_manager"]
