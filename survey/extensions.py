"""Extensions created once at import time and bound to an app in the factory."""

import logging

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from itsdangerous import URLSafeTimedSerializer

from survey.db import db

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
# Per-address limits on the log-in forms; lock-out per account is in accounts.services.
# The counters are in RATELIMIT_STORAGE_URI (Redis when there are several workers or app
# servers), under RATELIMIT_KEY_PREFIX. When Redis does not answer, the limiter logs it and
# counts in the process's memory until Redis is back: log-in stays possible, and the
# per-account lock-out (in the database) holds across servers all the same.
limiter = Limiter(key_func=get_remote_address, default_limits=[], in_memory_fallback_enabled=True)


class _NoClientAddresses(logging.Filter):
    """The limiter logs every refused request with its key, the client's address; the app's
    log names no addresses (the request line says 429 and the endpoint already)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "exceeded at endpoint" not in str(record.msg)


# Its warnings ("storage unreachable", "recovered") go to the app's log handler (survey.logs).
limiter.logger = logging.getLogger("survey.ratelimit")
limiter.logger.addFilter(_NoClientAddresses())


def warn_if_limits_are_per_process(app: Flask) -> None:
    """In production the limits must hold across workers and servers; in memory they count
    per process, so N workers allow N times the limit."""
    uri = app.config.get("RATELIMIT_STORAGE_URI", "memory://")
    if app.config["SURVEY_ENV"] == "production" and uri.startswith("memory://"):
        app.logger.warning(
            "RATELIMIT_STORAGE_URI is memory://: rate limits count per worker process, so "
            "several workers or app servers each allow the full limit. Set "
            "RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379 (one Redis for all app servers)."
        )


class SignedCookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer made once per key rather
    than twice a request (it holds only the keys and settings; signing is per call)."""

    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if key not in self._serializers:
            self._serializers[key] = super().get_signing_serializer(app)
        return self._serializers[key]


def limit_only_decorated_routes(app: Flask) -> None:
    """Drop the limiter's hooks on every request (called once the blueprints are
    registered). There are no default, application or blueprint limits, only the ones
    `@limiter.limit` puts on the log-in routes, and that decorator checks them itself when
    its view runs; the check before every request found nothing to count on any other
    route, at a cost on each (issue 13: the answering flow). Its hook after every request
    adds the rate-limit headers (RATELIMIT_HEADERS_ENABLED, off) and counts the limits
    with a `deduct_when` (there are none), and its teardown clears what those two read: with
    neither, both do nothing, and go too."""
    manager = limiter.limit_manager
    if manager._default_limits or manager._application_limits or manager._blueprint_limits:
        return  # limits for every route or a blueprint: keep the check that applies them
    _drop(app.before_request_funcs, lambda hook: hook == limiter._check_request_limit)
    if limiter._headers_enabled or _deducts_conditionally(manager):
        return
    _drop(app.after_request_funcs, _injects_headers)
    _drop(app.teardown_request_funcs, lambda hook: hook == limiter._Limiter__release_context)


def _injects_headers(func) -> bool:
    # The limiter registers `partial(Limiter.__inject_headers, limiter)`.
    return getattr(func, "func", None) is Limiter._Limiter__inject_headers and func.args == (
        limiter,
    )


def _deducts_conditionally(manager) -> bool:
    return any(
        getattr(limit, "deduct_when", None) is not None
        for limits in manager._decorated_limits.values()
        for limit in limits
    )


def _drop(hooks: dict, is_limiters) -> None:
    """Take the app-wide hooks that `is_limiters` picks out of `hooks`."""
    funcs = hooks.get(None, [])
    funcs[:] = [hook for hook in funcs if not is_limiters(hook)]


__all__ = [
    "babel",
    "csrf",
    "db",
    "limit_only_decorated_routes",
    "limiter",
    "login_manager",
    "SignedCookieSessions",
    "warn_if_limits_are_per_process",
]
