"""The templates' helpers that every page calls: `_()` and the header's and footer's links
(the language links too) give what flask-babel's gettext and `url_for` give, in every language and under a mount
point; the language a request gets from its Accept-Language header is werkzeug's best match,
whether the header's choice is kept or not."""

from __future__ import annotations

import pytest
from flask import g, render_template_string, request, url_for
from flask_babel import force_locale, gettext
from markupsafe import Markup

from survey import i18n, templating
from survey.templating import fixed_url, language_url


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_underscore_in_a_template_is_flask_babels_gettext_escaped(app, lang):
    template = '{{ _("Skip to content") }}|{{ _("Page %(position)s of %(total)s", position="<b>", total=3) }}'
    with app.test_request_context("/"), force_locale(lang):
        rendered = render_template_string(template)
        expected = (
            f"{Markup.escape(gettext('Skip to content'))}|"
            f"{Markup.escape(gettext('Page %(position)s of %(total)s', position='<b>', total=3))}"
        )
    assert rendered == expected
    assert "&lt;b&gt;" in rendered


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_kept_template_texts_are_gettexts_in_each_language_and_escaping(app, lang):
    """`_()` without variables keeps its text per language: the second render (from the kept
    text) is the first, and each is flask-babel's gettext, escaped or not as the template."""
    escaped = '{{ _("Skip to content") }}|{{ _("Heltid") }}'
    unescaped = f"{{% autoescape false %}}{escaped}{{% endautoescape %}}"
    with app.test_request_context("/"), force_locale(lang):
        texts = (gettext("Skip to content"), gettext("Heltid"))
        for _ in range(2):
            assert render_template_string(escaped) == "|".join(map(Markup.escape, texts))
            assert render_template_string(unescaped) == "|".join(texts)


@pytest.mark.parametrize(
    "header",
    [
        "",
        "nb-NO,nb;q=0.9,no;q=0.8",
        "no",
        "nn-NO,nn;q=0.9,en;q=0.5",
        "en-GB,en;q=0.9",
        "de-DE,de;q=0.9",
        "sv;q=0.9,no;q=0.8,en;q=0.9",
        "*",
        "de, " * 60 + "en;q=0.1",  # longer than the headers whose choice is kept
    ],
)
def test_language_from_accept_language_is_werkzeugs_best_match(app, header):
    with app.test_request_context("/", headers={"Accept-Language": header}):
        best = request.accept_languages.best_match([*app.config["LANGUAGES"], "no"])
        expected = "nb" if best == "no" else best or app.config["BABEL_DEFAULT_LOCALE"]
        for _ in range(2):  # the second time from the kept choice, when it is kept
            assert i18n._language_code(app.config) == expected


@pytest.mark.parametrize("script_root", ["", "/heltid"])
def test_fixed_links_are_url_for_under_any_mount_point(app, script_root):
    with app.test_request_context("/", base_url=f"http://localhost{script_root}/"):
        for endpoint in ("main.index", "main.privacy", "main.accessibility"):
            assert fixed_url(endpoint) == url_for(endpoint)
            assert fixed_url(endpoint).startswith(f"{script_root}/")


@pytest.mark.parametrize("script_root", ["", "/heltid"])
@pytest.mark.parametrize(
    "path",
    ["/s/abc/side/stilling", "/s/abc/side/stilling?return_to=review", "/s/ab%C3%A6/oppsummering"],
)
def test_language_links_are_url_for_under_any_mount_point(app, script_root, path):
    with app.test_request_context(path, base_url=f"http://localhost{script_root}/"):
        for code in app.config["LANGUAGES"]:
            expected = url_for("main.set_language", code=code, next=request.full_path)
            for _ in range(2):  # the second time from the kept link
                assert language_url(code) == expected


def test_a_language_link_with_a_secret_in_its_address_is_not_kept(app):
    with app.test_request_context("/i/personal-token"):
        kept = templating._language_url.cache_info().currsize
        link = language_url("en")
        assert link == url_for("main.set_language", code="en", next=request.full_path)
        assert templating._language_url.cache_info().currsize == kept


def test_macro_of_is_what_a_from_import_gives(app):
    """page.html takes page_form with `macro_of`: the same macro as `{% from %}` imports."""
    arguments = (
        '{"name": "p", "title": "<Tittel>"}, [], [("q", "Spørsmål", "Svar mangler")], "Feil",'
        ' 2, 5, False, "a b", "review"'
    )
    imported = f'{{% from "_page_form.html" import page_form %}}{{{{ page_form({arguments}) }}}}'
    taken = (
        f'{{% set page_form = macro_of("_page_form.html", "page_form") %}}'
        f"{{{{ page_form({arguments}) }}}}"
    )
    for lang in ("nb", "nn", "en"):
        with app.test_request_context("/"), force_locale(lang):
            g.csrf_token = "token"  # the same token in both renders
            rendered = render_template_string(taken)
            assert rendered == render_template_string(imported)
            assert 'name="return_to" value="review"' in rendered
