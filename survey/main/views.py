from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)

from survey.navigation import may
from survey.urls import safe_local_path

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    # Project leaders, administrators and unit leaders start at the year at a glance.
    if may("overview.index"):
        return redirect(url_for("overview.index"))
    return render_template("main/index.html")


@bp.get("/personvern")
def privacy():
    from flask_babel import get_locale

    return render_template(f"main/privacy_{get_locale() or 'nb'}.html")


@bp.get("/tilgjengelighet")
def accessibility():
    """The tilgjengelighetserklæring the uu-forskriften asks of every public web solution."""
    from flask_babel import format_date, get_locale

    from survey.main.accessibility import checked_criteria

    lang = str(get_locale() or "nb")
    checked = dt.date.fromisoformat(str(current_app.config["ACCESSIBILITY_CHECKED"]))
    return render_template(
        f"main/accessibility_{lang}.html",
        criteria=checked_criteria(lang),
        checked=format_date(checked, format="long"),
        contact=current_app.config.get("ACCESSIBILITY_CONTACT"),
    )


@bp.get("/favicon.ico")
def favicon():
    """Browsers and feed readers ask for /favicon.ico whatever the page links to."""
    return send_from_directory(
        current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon"
    )


@bp.get("/sprak/<code>")
def set_language(code: str):
    """A plain link, so the language can be switched without JavaScript."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(_safe_next(request.args.get("next")))


def _safe_next(target: str | None) -> str:
    local = safe_local_path(target)
    return local.rstrip("?") if local else url_for(".index")
