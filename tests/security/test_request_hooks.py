"""What runs on every request: the security headers a response gets, and no rate-limiter hook
where no limit applies (the log-in routes' limits are checked by their decorator)."""

from __future__ import annotations

from flask import Response

from survey.extensions import limiter
from survey.security import CONTENT_SECURITY_POLICY


def _limiters(hooks: list) -> list:
    return [
        hook
        for hook in hooks
        if getattr(hook, "__self__", None) is limiter or limiter in getattr(hook, "args", ())
    ]


def test_no_rate_limiter_hook_runs_on_every_request(app):
    assert _limiters(app.before_request_funcs.get(None, [])) == []
    assert _limiters(app.after_request_funcs.get(None, [])) == []
    assert _limiters(app.teardown_request_funcs.get(None, [])) == []


def test_every_response_gets_the_security_headers_once(app, client):
    page = client.get("/personvern")
    for name, value in [
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
    ]:
        assert page.headers.getlist(name) == [value]
    assert "Strict-Transport-Security" not in page.headers


def test_a_header_the_view_set_is_kept_whatever_its_case(app):
    own = Response("x", headers={"content-security-policy": "default-src 'none'"})
    with app.test_request_context("/personvern"):
        response = app.process_response(own)
    assert response.headers.getlist("Content-Security-Policy") == ["default-src 'none'"]
    assert response.headers.getlist("X-Frame-Options") == ["DENY"]
