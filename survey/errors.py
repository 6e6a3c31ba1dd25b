"""Error pages in the respondent's language that give nothing away."""

from __future__ import annotations

from flask import Flask, g, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: (_l("Something was wrong with the request"), _l("Go back and try again.")),
    403: (
        _l("You do not have access to this page"),
        _l("If you think you should, contact the person who sent you the link."),
    ),
    404: (
        _l("We could not find the page"),
        _l("Check the address, or go back to the link you were given."),
    ),
    405: (_l("Something was wrong with the request"), _l("Go back and try again.")),
    413: (_l("What you sent is too large"), _l("Shorten your answer and try again.")),
    429: (
        _l("Too many attempts"),
        _l("Wait a minute and try again. Nothing was saved from this attempt."),
    ),
    500: (
        _l("Something went wrong on our side"),
        _l("Your saved answers are not lost. Try again in a little while."),
    ),
}


def _error_page(title, message, status: int):
    # The request id (survey/logs.py) lets support find the request's log lines.
    page = render_template(
        "errors/error.html", title=title, message=message, request_id=g.get("request_id")
    )
    return page, status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _error_page(
            _l("The page had expired"),
            _l(
                "For your security the form could not be sent. Nothing was saved. Go back, reload the page and send again."
            ),
            400,
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        title, message = MESSAGES.get(code, MESSAGES[400] if code < 500 else MESSAGES[500])
        return _error_page(title, message, code)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if app.testing:
            raise error
        app.logger.exception("Unhandled error")
        title, message = MESSAGES[500]
        return _error_page(title, message, 500)
