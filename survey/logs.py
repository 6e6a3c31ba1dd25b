"""Logging: one handler for the app's loggers, one line per request, and no secret in any log.

`init_app` (called by the app factory) puts one handler on the "survey" logger, so the app's
own records and every module logger below it (`logging.getLogger(__name__)` in a service)
share one format: readable lines by default, one JSON object a line with LOG_FORMAT=json, at
LOG_LEVEL. The root logger is left alone, so records still propagate to whatever the host
(pytest's caplog, a platform's log collector) has put there.

Every request gets an id: the proxy's X-Request-ID when it is sane, a new one otherwise. It
is kept on `flask.g`, added to every record logged during the request, echoed in the
response's X-Request-ID header and shown on the error pages, so support can find the line a
user's screen points at. The request line names the Flask endpoint, never the path (which
may hold a token) nor the query string (which may hold a code).

Secrets: a personal link (`/i/<token>`), a login link (`/lenke/<token>`) or a password reset
link (`/nytt-passord/<token>`) in an access log line, next to the time, ties an invitee to the
moment they answered and lets anyone who reads the log use the link. The same goes for the
OpenID Connect callback's `code` and `state` and for a resume code in an old `?kode=` link.
One filter masks them all; it sits on the development server's logger (`survey serve`), on
gunicorn's error log (`deploy/gunicorn.conf.py` names `MaskingLogger`) and on the app's
handler."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
import sys
import time

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler
from flask_login import current_user
from gunicorn.glogging import Logger as GunicornLogger

MASK = "***"
# Every route with a secret in its path; tests/security/test_logs.py checks the URL map
# against it, so a new token route cannot be forgotten.
SECRET_PATHS = ("i", "lenke", "nytt-passord")
_PATH_NAMES = "|".join(map(re.escape, SECRET_PATHS))
_SECRET_PATH = re.compile(rf"(/(?:{_PATH_NAMES})/)[^/?#\s\"']+")
_SECRET_QUERY = re.compile(r"([?&;](?:code|kode|state|token)=)[^&#\s\"']+", re.IGNORECASE)

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = (
    "%(asctime)s %(levelname)s %(name)s request=%(request_id)s user=%(user_id)s %(message)s"
)
REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id is taken as it is only when it cannot forge a log line or flood one.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
ANONYMOUS = "anonym"
OUTSIDE_REQUEST = "-"
# The request line's own fields, kept apart in the JSON output.
REQUEST_FIELDS = ("method", "endpoint", "status", "duration_ms")

request_logger = logging.getLogger("survey.requests")


def mask_secrets(text: str) -> str:
    # A secret path needs a "/", a secret parameter one of "?&;": a line without any (the
    # request line names the endpoint, not the path) is kept as it is, without a regex.
    if "/" not in text and "?" not in text and "&" not in text and ";" not in text:
        return text
    return _SECRET_QUERY.sub(rf"\g<1>{MASK}", _SECRET_PATH.sub(rf"\g<1>{MASK}", text))


class MaskSecrets(logging.Filter):
    """Rewrites a record's message with its secrets masked (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


class RequestContext(logging.Filter):
    """Adds the request id and the user id (or «anonym») to every record; outside a request
    both are "-"."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            app_globals = g._get_current_object()
            record.request_id = app_globals.get("request_id", OUTSIDE_REQUEST)
            record.user_id = _user_id(app_globals)
        else:
            record.request_id = record.user_id = OUTSIDE_REQUEST
        return True


def _user_id(app_globals) -> str:
    # Only a user Flask-Login has already loaded (the access guard loads one at the start of
    # every routed request): a log call must not query the database. Not loaded: unknown.
    if "_login_user" not in app_globals:
        return OUTSIDE_REQUEST
    user = app_globals._login_user
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    return str(user.id)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets(super().format(record))  # a traceback too


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, request_id, user_id, the
    request line's fields and any exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_secrets(record.getMessage()),
            "request_id": getattr(record, "request_id", OUTSIDE_REQUEST),
            "user_id": getattr(record, "user_id", OUTSIDE_REQUEST),
        }
        for field in REQUEST_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = mask_secrets(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a record comes (a server's redirection, a test's
    capture), as logging's own last-resort handler does."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self):
        return sys.stderr


def configure(log_format: str, level: str) -> logging.Handler:
    """Put the one handler on the "survey" logger (replacing an earlier app's: logging is
    per process, and tests build many apps)."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
    numeric_level = logging.getLevelName(level.upper())
    if not isinstance(numeric_level, int):
        raise ValueError(f"LOG_LEVEL {level!r} is not a logging level (e.g. INFO, DEBUG)")
    logger = logging.getLogger("survey")
    for old in list(logger.handlers):
        if isinstance(old, _StderrHandler) or old is default_handler:
            logger.removeHandler(old)
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(RequestContext())
    handler.addFilter(_FILTER)
    logger.addHandler(handler)
    logger.setLevel(numeric_level)
    return handler


def _sane_request_id(value: str | None) -> str:
    if value and _SANE_REQUEST_ID.fullmatch(value):
        return value
    # 32 random hex digits, as a uuid4's hex (which spends a quarter of a request's id work
    # on the version bits nobody reads).
    return secrets.token_hex(16)


# The request hooks below run on every request: `g` and `request` are context-local proxies,
# looked up once each rather than on every use.


def _start_request() -> None:
    app_globals = g._get_current_object()
    app_globals.request_id = _sane_request_id(request.headers.get(REQUEST_ID_HEADER))
    app_globals.request_started = time.perf_counter()


def _finish_request(response):
    app_globals = g._get_current_object()
    current_request = request._get_current_object()
    started = app_globals.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000) if started else 0
    method = current_request.method
    endpoint = current_request.endpoint or OUTSIDE_REQUEST  # no route matched
    status = response.status_code
    fields = {"method": method, "endpoint": endpoint, "status": status, "duration_ms": duration_ms}
    if "_login_user" not in app_globals and status < 500:
        # A page the guard never saw (no route matched) still names who asked; after an
        # error the database session may be unusable, and the line is worth more than the
        # id (it says "-").
        current_user.is_authenticated  # noqa: B018  (loads the user onto g)
    request_logger.info("%s %s %s %d ms", method, endpoint, status, duration_ms, extra=fields)
    if "request_id" in app_globals:
        response.headers[REQUEST_ID_HEADER] = app_globals.request_id
    return response


_FILTER = MaskSecrets()
# The development server's request log and whatever gunicorn writes from a worker.
PRODUCT_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def _add_filter(logger: logging.Logger) -> None:
    if not any(isinstance(existing, MaskSecrets) for existing in logger.filters):
        logger.addFilter(_FILTER)


def init_app(app: Flask) -> None:
    configure(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    # Before every other before_request function (the rate limiter's, the access guard's), so
    # a request they refuse still has its id and its time.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    app.after_request(_finish_request)
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
