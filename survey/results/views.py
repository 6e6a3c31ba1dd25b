from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_babel import get_locale
from sqlalchemy import select

from survey.campaigns.models import Campaign, Mode
from survey.extensions import db
from survey.results.aggregates import campaign_results

bp = Blueprint("results", __name__, url_prefix="/resultater")


@bp.get("/")
def index():
    lang = str(get_locale() or "nb")
    minimum = current_app.config["SMALL_GROUP_MINIMUM"]
    campaigns = db.session.scalars(
        select(Campaign).where(Campaign.mode != Mode.IDENTIFIED).order_by(Campaign.id.desc())
    )
    return render_template(
        "results/index.html",
        results=[campaign_results(c, lang, minimum) for c in campaigns],
        minimum=minimum,
    )
