"""Template globals: the current language, language links, cache-busted static URLs; filters
that print report numbers as the PDFs do."""

from __future__ import annotations

import hashlib
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, current_app, request, url_for
from flask_babel import get_locale
from markupsafe import Markup

from reports import formatting
from survey.i18n import LANGUAGE_NAMES, current_language, install_template_gettext
from survey.logs import mask_secrets


@cache
def _static_hash(static_folder: str, filename: str) -> str:
    return hashlib.sha256((Path(static_folder) / filename).read_bytes()).hexdigest()[:10]


def static_url(filename: str) -> str:
    """A URL that changes with the file, so static files can be cached for a year."""
    return _static_url(request.script_root, current_app.static_folder, filename)


@cache
def _static_url(script_root: str, static_folder: str, filename: str) -> str:
    # Every page links three static files: built once per process and mount point. The
    # files do not change while the app runs (a deploy restarts it), as for _static_hash.
    return url_for("static", filename=filename, v=_static_hash(static_folder, filename))


def fixed_url(endpoint: str) -> str:
    """`url_for(endpoint)` of a page without arguments: the header's and footer's links,
    on every page. Built once per process and mount point, as static_url's (the URL map
    does not change while the app runs)."""
    return _fixed_url(request.script_root, endpoint)


@cache
def _fixed_url(script_root: str, endpoint: str) -> str:
    return url_for(endpoint)


def language_url(code: str) -> str:
    """The header's link to this page in another language: `url_for("main.set_language",
    code=code, next=request.full_path)`. Every page has two (~9 µs each): they are kept per
    mount point and page address, in a bounded cache of short addresses that hold no secret
    (a personal link's is made anew each time, never kept)."""
    current_request = request._get_current_object()
    full_path = current_request.full_path
    if len(full_path) > _KEPT_PATH_LENGTH or mask_secrets(full_path) != full_path:
        return url_for("main.set_language", code=code, next=full_path)
    return _language_url(current_request.script_root, code, full_path)


_KEPT_PATH_LENGTH = 200


@lru_cache(maxsize=1024)
def _language_url(script_root: str, code: str, full_path: str) -> str:
    return url_for("main.set_language", code=code, next=full_path)


def macro_of(template: str, name: str):
    """The macro `name` of `template`, as `{% from template import name %}` gives it: from
    the template's module made without the caller's context (once, and kept by jinja). An
    import in a template pays, on every render, jinja's check whether the page's context
    brings globals of its own (a set difference with the environment's globals, ~20 µs);
    `{% set name = macro_of(template, name) %}` does not."""
    return getattr(current_app.jinja_env.get_template(template).module, name)


FIELD_MACRO = ("answering/_fields.html", "field")


def field(q: dict[str, Any]) -> Markup:
    """A question's field: the `field` macro of answering/_fields.html for the view `q`
    (answering.presenting.question_view). An unanswered question without error, as every
    page shows them right after the redirect, renders the same for everyone who sees it
    in that language, required or not and shown or hidden alike: that HTML is made once and
    kept with the question's view of the definition, which never changes once stored."""
    template, name = FIELD_MACRO
    module = current_app.jinja_env.get_template(template).module
    html = _field_html(getattr(module, name), q)
    # A Likert grid's statements come one after the other: the first opens the grid's box
    # (its lead text and the scale's header row), the last closes it.
    if q.get("grid_start"):
        html = module.grid_start(q["grid_start"]) + html
    if q.get("grid_end"):
        html += Markup("</div>")
    return html


def _field_html(macro, q: dict[str, Any]) -> Markup:
    # None for a question whose texts show an answer (piping): its HTML is not the same for all.
    kept = q.get("unanswered_html")
    if kept is None or q["error"] or q["value"] not in ("", []):
        return macro(q)
    key = (q["required"], q["visible"])
    html = kept.get(key)
    if html is None:
        html = kept[key] = macro(q)
    return html


def report_cell(cell) -> str:
    """A `reports.model.Cell` as the PDF prints it, in the page's language («16,7 %», «–»)."""
    return formatting.cell(cell, str(get_locale() or "nb"))


def report_count(value: int | None) -> str:
    """A count as the PDF prints it («1 234»; «–» when hidden)."""
    return formatting.count(value, str(get_locale() or "nb"))


@cache
def _language_links(codes: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((code, LANGUAGE_NAMES[code]) for code in codes)


def init_app(app: Flask) -> None:
    install_template_gettext(app)
    app.add_template_filter(field, "field")
    app.add_template_global(macro_of, "macro_of")
    app.add_template_filter(report_cell, "cell")
    app.add_template_filter(report_count, "people")
    if app.config.get("SEND_FILE_MAX_AGE_DEFAULT") is None:  # Flask's default is None
        app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 365 * 24 * 3600

    @app.context_processor
    def inject_globals():
        lang = current_language()
        return {
            "current_lang": lang,
            "language_links": _language_links(tuple(app.config["LANGUAGES"])),
            "static_url": static_url,
            "fixed_url": fixed_url,
            "language_url": language_url,
        }
