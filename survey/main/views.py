from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for

from survey.urls import safe_local_path

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    return render_template("main/index.html")


@bp.get("/personvern")
def privacy():
    from flask_babel import get_locale

    return render_template(f"main/privacy_{get_locale() or 'nb'}.html")


@bp.get("/sprak/<code>")
def set_language(code: str):
    """A plain link, so the language can be switched without JavaScript."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(_safe_next(request.args.get("next")))


def _safe_next(target: str | None) -> str:
    local = safe_local_path(target)
    return local.rstrip("?") if local else url_for(".index")
