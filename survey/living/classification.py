"""The classification page: the same people under every definition of ufrivillig deltid,
side by side. The definitions and classify() are the pure core in `survey.classification`;
this page is the living documents' view of them."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from survey.access.guard import visible_unit_ids
from survey.audit.services import Action, record
from survey.classification.wording import threshold_from
from survey.db import today
from survey.living import exporting, presenting

bp = Blueprint("classification", __name__, url_prefix="/klassifisering")


@bp.get("/")
def overview():
    lang = str(get_locale() or "nb")
    as_of_text = request.args.get("dato", "").strip()
    as_of = today()
    status = 200
    if as_of_text:
        try:
            as_of = dt.date.fromisoformat(as_of_text)
        except ValueError:
            flash(_("Write the date as YYYY-MM-DD."), "error")
            status = 400
    threshold = threshold_from(request.args.get("heltid"))
    states = exporting.states(as_of, visible_unit_ids())
    view = presenting.side_by_side([(s, s.data) for s in states], threshold, lang)
    record(
        Action.READ,
        actor_id=current_user.person.id,
        object_type="classification",
        detail={"as_of": as_of.isoformat(), "count": len(states)},
    )
    return render_template(
        "classification/overview.html",
        view=view,
        as_of=as_of,
        short_labels=presenting.SHORT_STATUS_LABELS,
    ), status
