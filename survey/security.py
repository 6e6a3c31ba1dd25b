"""Response headers every page gets."""

from __future__ import annotations

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


def init_app(app: Flask) -> None:
    @app.after_request
    def set_security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # A page's address (which may hold a personal link's token) never goes to another
        # site; this site gets it, because Flask-WTF refuses a form posted over HTTPS
        # without a Referer from the same host (WTF_CSRF_SSL_STRICT).
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure or app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        rule = rule_for(request.endpoint)
        if rule is None or not rule.cacheable:
            # Personal data must not outlive the visit in a shared browser's or a proxy's cache.
            response.headers["Cache-Control"] = "no-store"
        return response
