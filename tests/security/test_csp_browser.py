"""Every page works in real Chromium under the Content Security Policy, with JavaScript on and
the policy enforced (no bypass_csp), and not one CSP violation is reported.

Violations are caught two ways: a `securitypolicyviolation` listener added with an init script
(init scripts run in the page's main world before its own scripts, and CSP does not apply to
them) that reports through an exposed function, so violations on a page the browser has
already left are not lost; and Chromium's console, where it logs each refusal."""

from __future__ import annotations

import re

import pytest
from flask import url_for

from tests.conftest import STAFF_PASSWORD, make_person
from tests.web.helpers import make_campaign

pytestmark = pytest.mark.browser

LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__reportCspViolation({
    page: location.pathname,
    directive: event.effectiveDirective || event.violatedDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
  });
}, true);
"""
OWN_SERVER = re.compile(r"^(?!http://127\.0\.0\.1[:/]).*")


class Visitor:
    """A Chromium context with JavaScript and the CSP in force, recording what could go wrong."""

    def __init__(self, browser, base_url: str):
        self.base_url = base_url
        self.violations: list[dict] = []
        self.console: list[tuple[str, str, str]] = []
        self.page_errors: list[str] = []
        self.documents: list[tuple[str, int, str | None]] = []
        self.context = browser.new_context(
            java_script_enabled=True, bypass_csp=False, locale="nb-NO"
        )
        self.context.expose_function(
            "__reportCspViolation", lambda violation: self.violations.append(violation)
        )
        self.context.add_init_script(LISTENER)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        # Only our own server: anything else would be a third party seeing the visit.
        self.page.route(OWN_SERVER, lambda route: route.abort())
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        self.page.on("response", self._response)

    def _console(self, message) -> None:
        if message.type in ("error", "warning"):
            self.console.append((message.type, message.text, self.page.url))

    def _response(self, response) -> None:
        if response.request.resource_type == "document":
            self.documents.append(
                (response.url, response.status, response.headers.get("content-security-policy"))
            )

    @property
    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url)

    def goto(self, path: str) -> None:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        self.settle()

    def submit(self, button: str = "form button[type=submit]") -> None:
        with self.page.expect_navigation():
            self.page.locator(button).first.click()
        self.settle()

    def settle(self) -> None:
        """Let queued violation events and reports arrive before looking."""
        self.page.wait_for_load_state("load")
        self.page.evaluate("() => new Promise((done) => setTimeout(done, 50))")

    def log_in(self, email: str, password: str) -> None:
        self.goto("/logg-inn")
        self.page.fill('input[name="email"]', email)
        self.page.fill('input[name="password"]', password)
        self.submit()
        assert self.path.startswith("/meg/"), self.path

    def log_out(self) -> None:
        self.goto("/meg/")
        self.submit('form[action="/logg-ut"] button')
        assert self.path == "/", self.path

    def choose(self, question: str, value: str) -> None:
        option = self.page.locator(f'input[name="{question}"][value="{value}"]')
        self.page.locator(f'label[for="{option.get_attribute("id")}"]').click()
        assert option.is_checked()

    def assert_clean(self) -> None:
        self.settle()
        assert self.violations == [], f"CSP violations: {self.violations}"
        csp_console = [m for m in self.console if "Content Security Policy" in m[1]]
        assert csp_console == [], f"CSP refusals in the console: {csp_console}"
        assert self.console == [], f"console errors and warnings: {self.console}"
        assert self.page_errors == [], f"script errors: {self.page_errors}"
        assert self.documents, "no page was loaded"
        for url, status, policy in self.documents:
            assert status < 400, (url, status)
            assert policy and "script-src 'self'" in policy, f"no CSP header on {url}"

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(chromium, live_url):
    """`visit(steps)` runs `steps(visitor)` in Chromium's thread with a fresh context."""

    def run(steps):
        def scenario(browser):
            visitor = Visitor(browser, live_url)
            try:
                return steps(visitor)
            finally:
                visitor.close()

        return chromium(scenario)

    return run


def test_the_violation_detector_works(visit):
    """A canary: an inline style and an inline script are reported, so silence means something."""

    def steps(visitor):
        visitor.goto("/")
        visitor.page.evaluate(
            """() => {
              document.body.setAttribute("style", "color: red");
              const script = document.createElement("script");
              script.textContent = "window.__ran = true";
              document.body.append(script);
            }"""
        )
        visitor.settle()
        assert visitor.page.evaluate("() => window.__ran === undefined")
        directives = {v["directive"] for v in visitor.violations}
        assert {"style-src-attr", "script-src-elem"} <= directives, visitor.violations
        assert any("Content Security Policy" in text for _, text, _ in visitor.console)

    visit(steps)


def test_public_pages_and_a_survey_raise_no_csp_violations(app, visit):
    _, slug = make_campaign(app)

    def steps(visitor):
        for path in ("/", "/personvern", "/logg-inn", "/glemt-passord"):
            visitor.goto(path)

        visitor.goto(f"/s/{slug}")
        visitor.submit()
        assert visitor.path == f"/s/{slug}/side/stilling"
        for question, value in (
            ("enhet", "hjemmetjenesten"),
            ("yrkesgruppe", "sykepleier"),
            ("ansettelsesform", "fast"),
        ):
            visitor.choose(question, value)
        visitor.page.fill('input[name="stillingsprosent"]', "50")
        visitor.submit('button[name="action"][value="next"]')
        assert visitor.path == f"/s/{slug}/side/onske"
        # The page script shows a follow-up question at once: it runs under the policy.
        assert not visitor.page.locator("#q-onsket_prosent").is_visible()
        visitor.choose("fornoyd_storrelse", "no")
        visitor.choose("onsket_endring", "storre")
        assert visitor.page.locator("#q-onsket_prosent").is_visible()
        visitor.goto(f"/s/{slug}/oppsummering")
        assert visitor.page.locator("h1").count() == 1
        visitor.assert_clean()

    visit(steps)


def test_staff_pages_raise_no_csp_violations(app, visit):
    employee = make_person(
        app, "ansatt", unit="enhet_a", email="ansatt@example.no", name="Xenia Ansatt"
    )
    make_person(app, "prosjektleder", email="pl@example.no")

    def steps(visitor):
        visitor.log_in("ansatt@example.no", STAFF_PASSWORD)
        visitor.goto("/meg/")
        visitor.log_out()

        visitor.log_in("pl@example.no", STAFF_PASSWORD)
        visitor.goto("/personer/")
        visitor.goto(f"/personer/{employee}")
        assert "Xenia Ansatt" in visitor.page.locator("h1").inner_text()
        visitor.goto("/resultater/")
        visitor.log_out()
        visitor.assert_clean()

    visit(steps)


ADMIN_PAGES = ("admin.users", "admin.user", "admin.create_user", "admin.audit")


def test_admin_pages_raise_no_csp_violations(app, visit):
    endpoints = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    employee = make_person(app, "ansatt", email="ansatt@example.no", name="Xenia Ansatt")
    make_person(app, "admin", email="admin@example.no")

    paths = []
    with app.test_request_context():
        for endpoint in ADMIN_PAGES:
            # Every admin page exists and is visited: a renamed page fails here, not skips.
            rule = endpoints[endpoint]
            assert "GET" in rule.methods and len(rule.arguments) <= 1, rule
            paths.append(url_for(endpoint, **{name: employee for name in rule.arguments}))
    assert len(paths) == len(ADMIN_PAGES), paths

    def steps(visitor):
        visitor.log_in("admin@example.no", STAFF_PASSWORD)
        for path in paths:
            visitor.goto(path)
        visitor.log_out()
        visitor.assert_clean()

    visit(steps)
