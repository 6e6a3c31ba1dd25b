"""Language choice: the respondent's explicit choice, else Accept-Language, else bokmål."""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

from babel import Locale
from flask import Flask, current_app, g, has_app_context, request, session
from flask_babel import get_locale, get_translations
from jinja2 import pass_context
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

LANGUAGE_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}


def select_locale() -> Locale:
    """The request's locale (flask-babel's `locale_selector`, once per request)."""
    return _locale(_language_code(current_app.config))


def _language_code(config) -> str:
    languages = config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    header = request.headers.get("Accept-Language", "")
    if len(header) > _KEPT_HEADER_LENGTH:
        return _best_language(header, tuple(languages), config["BABEL_DEFAULT_LOCALE"])
    return _kept_best_language(header, tuple(languages), config["BABEL_DEFAULT_LOCALE"])


# A browser sends the same Accept-Language on every request, and a population's browsers send
# a few dozen different ones: the choice is kept per header (parsing and matching one took
# ~11 µs on every page view, the look-up takes 0,1 µs). Bounded, and only short headers, so
# odd clients cannot fill memory.
_KEPT_HEADER_LENGTH = 200


def _best_language(header: str, languages: tuple[str, ...], default: str) -> str:
    """The best of `languages` for an Accept-Language header, as
    `request.accept_languages.best_match` finds it; `default` when none fits."""
    # Browsers often send plain "no" for Norwegian; treat it as bokmål.
    best = parse_accept_header(header, LanguageAccept).best_match([*languages, "no"])
    if best == "no":
        return "nb"
    return best or default


_kept_best_language = lru_cache(maxsize=256)(_best_language)


@cache
def _locale(code: str) -> Locale:
    # flask-babel parses what the selector gives on every request; a Locale it is handed as
    # it is. Locales are values, and the codes are the few of LANGUAGES.
    return Locale.parse(code)


def _babel_state():
    """flask-babel's namespace on `g` for the app context, None before it has one (or
    outside an app context). One look-up of `g` (a context-local proxy) instead of several."""
    if not has_app_context():
        return None
    return getattr(g._get_current_object(), "_flask_babel", None)


def current_language() -> str:
    """The request's language code, as `str(get_locale() or "nb")` gives it, kept beside
    flask-babel's locale for the rest of the request (a page asks for it many times)."""
    state = _babel_state()
    locale = getattr(state, "babel_locale", None)
    cached = getattr(state, "survey_language", None)
    if locale is None or cached is None or cached[0] is not locale:
        locale = get_locale()
        if locale is None:
            return "nb"
        g._flask_babel.survey_language = cached = (locale, str(locale))
    return cached[1]


def request_translations():
    """flask-babel's translations for the request's locale, looked up once per request and
    locale rather than on every gettext call of a template (a page makes a dozen).

    The lookup is kept beside the locale in flask-babel's own per-request namespace, and used
    only while that locale object is the one flask-babel holds: `force_locale` and `refresh`
    replace it, and a new locale finds its translations again."""
    state = _babel_state()
    locale = getattr(state, "babel_locale", None)
    if locale is None:
        return get_translations()
    cached = getattr(state, "survey_translations", None)
    if cached is None or cached[0] is not locale:
        cached = state.survey_translations = (locale, get_translations())
    return cached[1]


def install_template_gettext(app: Flask) -> None:
    """The templates' `_()`, `ngettext()`, `pgettext()` as flask-babel installs them, over
    `request_translations` (the answering flow renders a page on every submit)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
    )
    # `_()` is jinja's alias that looks `gettext` up in the context on every call, for a context
    # that brings its own; none of ours does. The call goes to the gettext directly.
    gettext = _kept_texts(app.jinja_env.globals["gettext"])
    app.jinja_env.globals["gettext"] = app.jinja_env.globals["_"] = gettext


# A template's texts without variables, as jinja's newstyle gettext gives them (Markup of the
# translation, formatted with no variables), per translations object (flask-babel keeps one
# per locale for the life of the process) and autoescape. Every `_()` of our templates names a
# literal string, so this holds the templates' texts once per language; bounded all the same.
_TEMPLATE_TEXTS: dict[Any, dict[tuple[str, bool], str]] = {}
_TEMPLATE_TEXTS_MAX = 4096


def _kept_texts(newstyle_gettext):
    """The templates' gettext: `newstyle_gettext` (jinja's) made once per text and language.
    A page view calls it 11 times, the review 19; the kept text saves ~2 µs of each call (the
    catalog look-up, Markup, and the formatting with no variables that newstyle gettext
    always does)."""

    @pass_context
    def gettext(context, string, /, **variables):
        if variables:
            return newstyle_gettext(context, string, **variables)
        translations = request_translations()
        texts = _TEMPLATE_TEXTS.get(translations)
        if texts is None:
            texts = _TEMPLATE_TEXTS[translations] = {}
        key = (string, context.eval_ctx.autoescape)
        text = texts.get(key)
        if text is None:
            text = newstyle_gettext(context, string)
            if len(texts) < _TEMPLATE_TEXTS_MAX:
                texts[key] = text
        return text

    return gettext
