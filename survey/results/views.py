"""The results page: every campaign's results report on screen, the same tables with the same
numbers and suppression as its PDF, within the units the person may see."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_babel import get_locale

from survey.access.guard import visible_unit_ids
from survey.reporting.campaign_report import build_campaign_report, reported_campaigns
from survey.reporting.scope import Scope

bp = Blueprint("results", __name__, url_prefix="/resultater")


@bp.get("/")
def index():
    lang = str(get_locale() or "nb")
    minimum = current_app.config["SMALL_GROUP_MINIMUM"]
    scope = Scope.visible(visible_unit_ids())
    results = [
        {
            "id": campaign.id,
            "report": build_campaign_report(campaign, lang=lang, minimum=minimum, scope=scope),
        }
        for campaign in reported_campaigns()
    ]
    return render_template(
        "results/index.html", results=results, minimum=minimum, whole=scope.is_whole
    )
