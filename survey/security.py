"""Response headers every page gets."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, Response, request

from survey.access.policy import rule_for

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


# What every response carries unless its view set the header itself.
DEFAULT_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    # A page's address (which may hold a personal link's token) never goes to another site;
    # this site gets it, because Flask-WTF refuses a form posted over HTTPS without a
    # Referer from the same host (WTF_CSRF_SSL_STRICT).
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)
# Over HTTPS (or where the cookies say it is), HSTS as well.
SECURE_HEADERS = (*DEFAULT_HEADERS, ("Strict-Transport-Security", "max-age=31536000"))


def _add_missing(response: Response, headers: Iterable[tuple[str, str]]) -> None:
    """`headers.setdefault` for several headers, with one pass over the response's headers
    (every request runs this, and setdefault walks them twice a header)."""
    present = {key.lower() for key, _ in response.headers}
    for key, value in headers:
        if key.lower() not in present:
            response.headers.add(key, value)


def init_app(app: Flask) -> None:
    @app.after_request
    def set_security_headers(response: Response) -> Response:
        current_request = request._get_current_object()
        secure = current_request.is_secure or app.config.get("SESSION_COOKIE_SECURE")
        _add_missing(response, SECURE_HEADERS if secure else DEFAULT_HEADERS)
        rule = rule_for(current_request.endpoint)
        if rule is None or not rule.cacheable:
            # Personal data must not outlive the visit in a shared browser's or a proxy's cache.
            response.headers["Cache-Control"] = "no-store"
        return response
