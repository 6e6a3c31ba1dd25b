"""Language choice: the respondent's explicit choice, else Accept-Language, else bokmål."""

from __future__ import annotations

from flask import current_app, request, session

LANGUAGE_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    # Browsers often send plain "no" for Norwegian; treat it as bokmål.
    best = request.accept_languages.best_match([*languages, "no"])
    if best == "no":
        return "nb"
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]
