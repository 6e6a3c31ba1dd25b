"""A respondent's phone: a 360×740 Chromium context, with checks run on every page."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.browser.html_validation import require_vnu, vnu_errors

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Best-practice rules checked as well: two landmarks with one name can't be told apart.
EXTRA_RULES = ["landmark-unique"]
# A tag or an HTML entity in the text a person reads («Side 2 < 3» is fine, «<span» is not).
VISIBLE_MARKUP = re.compile(r"</?[A-Za-z!][^<>]{0,60}>?|&(?:[A-Za-z]+|#\d+|#x[0-9a-fA-F]+);")
PHONE = {"width": 360, "height": 740}
TABLET = {"width": 820, "height": 1180}
# WCAG 2.2, 2.5.8: a link or control standing on its own (not a link inside a sentence, which
# the criterion exempts) is at least 24 CSS pixels tall. axe's target-size flags targets that
# crowd each other; a lone 18 px footer link passes it but not a thumb. (A short name in a
# table, «Jon», may be narrower: axe's spacing check covers it.)
SMALL_TARGETS = """() => [...document.querySelectorAll('a[href], button, summary, select')]
  .filter(el => el.getClientRects().length && !el.closest('.visually-hidden, .skip-link'))
  .filter(el => el.parentElement.textContent.trim() === el.textContent.trim())
  .map(el => [el, el.getBoundingClientRect()])
  .filter(([el, box]) => box.height < 24)
  .map(([el, box]) => `${el.textContent.trim()} (${Math.round(box.width)}×${Math.round(box.height)})`)
"""


class Phone:
    def __init__(
        self,
        browser,
        base_url: str,
        axe_source: str,
        artifacts: Path,
        *,
        javascript: bool,
        viewport: dict[str, int] = PHONE,
    ):
        self.browser = browser
        self.base_url = base_url
        self.axe_source = axe_source
        self.artifacts = artifacts
        self.javascript = javascript
        self.viewport = viewport
        self.shots = 0
        self.checked_pages: list[str] = []
        # Each page's HTML as the server sent it, validated in one batch when the phone closes.
        self.pages_to_validate: dict[str, str] = {}
        self.scratch_context = None  # where axe checks the pages of a phone without JavaScript
        require_vnu()
        shutil.rmtree(artifacts, ignore_errors=True)
        self.open()

    def open(self) -> None:
        """A new browser session: closing it loses cookies, as closing a phone browser would."""
        self.context = self.browser.new_context(
            viewport=self.viewport,
            java_script_enabled=self.javascript,
            locale="nb-NO",
            device_scale_factor=1,
            is_mobile=self.viewport["width"] < 1024,
            has_touch=True,
            # axe is injected with new Function(); our CSP (rightly) forbids eval for page scripts.
            bypass_csp=True,
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        # Only our own server: anything else would be a leak of the respondent's visit.
        self.page.route(re.compile(r"^(?!http://127\.0\.0\.1).*"), lambda route: route.abort())
        self.documents: list = []
        self.page.on("response", self._document_response)

    def _document_response(self, response) -> None:
        if response.request.resource_type == "document" and response.frame == self.page.main_frame:
            self.documents.append(response)

    def close(self) -> None:
        self.context.close()
        if self.scratch_context is not None:
            self.scratch_context.close()
            self.scratch_context = None
        pages, self.pages_to_validate = self.pages_to_validate, {}
        errors = vnu_errors(pages)
        assert errors == {}, f"HTML validation errors (vnu): {errors}"

    def _served_html(self) -> str:
        """The HTML of the page on screen as the server sent it (the DOM would hide parse errors)."""
        url = self.page.url.split("#")[0]
        for response in reversed(self.documents):
            if response.url.split("#")[0] == url and response.status == 200:
                try:
                    return response.text()
                except Exception:  # a body Chromium has let go of: the DOM is the next best thing
                    break
        return self.page.content()

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)
        self.inspect()

    def click(self, name: str) -> None:
        self.page.get_by_role("button", name=name, exact=True).click()
        self.page.wait_for_load_state("load")
        self.inspect()

    def menu(self, name: str) -> None:
        """Follow a link in the staff menu, opening «Meny» first where it is folded (phones)."""
        summary = self.page.locator(".site-menu > summary")
        if summary.count() and summary.is_visible():
            summary.click()
        self.page.locator(".site-nav").get_by_role("link", name=name, exact=True).click()
        self.page.wait_for_load_state("load")

    def choose(self, question: str, value: str) -> None:
        """Tap an option's box, as a thumb would (the whole box is the label's target)."""
        option = self.page.locator(f'input[name="{question}"][value="{value}"]')
        self.page.locator(f'label[for="{option.get_attribute("id")}"]').click()
        assert option.is_checked()

    def fill(self, question: str, text: str) -> None:
        self.page.locator(f'[name="{question}"]').fill(text)

    def fill_page(self, answers: dict) -> None:
        """Answer every question the page shows, from `answers` (others are skipped)."""
        for name, value in answers.items():
            block = self.page.locator(f"#q-{name}")
            if block.count() == 0 or not block.is_visible():
                continue
            if isinstance(value, list):
                for item in value:
                    box = self.page.locator(f'input[name="{name}"][value="{item}"]')
                    if not box.is_checked():
                        self.choose(name, item)
            elif self.page.locator(f'input[type="radio"][name="{name}"]').count():
                self.choose(name, value)
            else:
                self.fill(name, value)

    @property
    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url).split("#")[0]

    def text(self) -> str:
        return self.page.locator("main").inner_text()

    def visible(self, question: str) -> bool:
        return self.page.locator(f"#q-{question}").is_visible()

    def inspect(self) -> None:
        """Screenshot, no horizontal scrolling at 360 px, no axe WCAG 2.2 A/AA violations, and
        the HTML kept for validation."""
        self.shots += 1
        name = self.path.rstrip("/").rsplit("/", 1)[-1] or "start"
        if "/i/" in self.path or "/lenke/" in self.path:
            name = "link"  # never a token in a file name
        self.artifacts.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=self.artifacts / f"{self.shots:02d}-{name}.png", full_page=True)
        widths = self.page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert widths[0] <= widths[1], f"horizontal scrolling on {self.path}: {widths}"
        # Markup escaped on its way to the page shows as text («<span …>», «&lt;»): issue #10.
        shown = self.page.title() + "\n" + self.page.locator("body").inner_text()
        leaked = VISIBLE_MARKUP.findall(shown)
        assert not leaked, f"markup shown as text on {self.path}: {leaked}"
        small = self.page.evaluate(SMALL_TARGETS)
        assert small == [], f"lone tap targets under 24 px tall on {self.path}: {small}"
        violations = self._axe_violations()
        assert violations == [], f"WCAG violations on {self.path}: {violations}"
        self.checked_pages.append(self.path)
        self.pages_to_validate[f"{self.shots:02d} {self.path}"] = self._served_html()

    def _axe_violations(self) -> list:
        script = (
            "async ([tags, extra]) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " rules: Object.fromEntries(extra.map(id => [id, {enabled: true}]))}))"
            ".violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))}))"
        )
        if self.javascript:
            self.page.evaluate(
                "(src) => { if (!window.axe) new Function(src).call(window); }", self.axe_source
            )
            return self.page.evaluate(script, [WCAG_TAGS, EXTRA_RULES])
        # axe needs timers, which a page without JavaScript doesn't run: check an exact copy of
        # the page's HTML, with the same stylesheet, in a scratch page that runs scripts.
        # The scratch tab is opened once per phone; going to the stylesheet first gives every
        # copy a fresh document and window (and the server's origin for its links).
        html = self.page.content()
        scratch = self._scratch_page()
        scratch.goto(self.base_url + "/static/style.css")
        scratch.set_content(html, wait_until="load")
        scratch.evaluate("(src) => { new Function(src).call(window); }", self.axe_source)
        return scratch.evaluate(script, [WCAG_TAGS, EXTRA_RULES])

    def _scratch_page(self):
        if self.scratch_context is None:
            self.scratch_context = self.browser.new_context(
                viewport=self.viewport, java_script_enabled=True, bypass_csp=True
            )
            self.scratch = self.scratch_context.new_page()
            self.scratch.route(
                re.compile(r"^(?!http://127\.0\.0\.1).*"), lambda route: route.abort()
            )
        return self.scratch
