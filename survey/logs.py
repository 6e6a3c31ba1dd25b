"""Secrets out of the logs: every log the product writes or configures masks link tokens.

A personal link (`/i/<token>`), a login link (`/lenke/<token>`) or a password reset link
(`/nytt-passord/<token>`) in an access log line, next to the time, ties an invitee to the moment
they answered and lets anyone who reads the log use the link. The same goes for the OpenID
Connect callback's `code` and `state` and for a resume code in an old `?kode=` link. One filter
masks them all; it sits on the development server's logger (`survey serve`), on the app's
logger and on gunicorn's access and error logs (`gunicorn.conf.py` names `MaskingLogger`)."""

from __future__ import annotations

import logging
import re

from flask import Flask
from gunicorn.glogging import Logger as GunicornLogger

MASK = "***"
# Every route with a secret in its path; tests/security/test_logs.py checks the URL map
# against it, so a new token route cannot be forgotten.
SECRET_PATHS = ("i", "lenke", "nytt-passord")
_PATH_NAMES = "|".join(map(re.escape, SECRET_PATHS))
_SECRET_PATH = re.compile(rf"(/(?:{_PATH_NAMES})/)[^/?#\s\"']+")
_SECRET_QUERY = re.compile(r"([?&;](?:code|kode|state|token)=)[^&#\s\"']+", re.IGNORECASE)


def mask_secrets(text: str) -> str:
    return _SECRET_QUERY.sub(rf"\g<1>{MASK}", _SECRET_PATH.sub(rf"\g<1>{MASK}", text))


class MaskSecrets(logging.Filter):
    """Rewrites a record's message with its secrets masked (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


_FILTER = MaskSecrets()
# The development server's request log and whatever gunicorn writes from a worker.
PRODUCT_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def _add_filter(logger: logging.Logger) -> None:
    if not any(isinstance(existing, MaskSecrets) for existing in logger.filters):
        logger.addFilter(_FILTER)


def init_app(app: Flask) -> None:
    # Flask logs an unhandled error as "Exception on /i/<token> [GET]".
    _add_filter(app.logger)
    for name in PRODUCT_LOGGERS:
        _add_filter(logging.getLogger(name))


class MaskingLogger(GunicornLogger):
    """gunicorn's logger with the mask on its access and error logs, set up before any worker
    loads the app (so the master's own lines are masked too)."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        _add_filter(self.access_log)
        _add_filter(self.error_log)
