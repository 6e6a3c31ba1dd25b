"""Pages over many living documents: the «Endringer» inbox, the yearly re-confirmation list
and the export download."""

from __future__ import annotations

import datetime as dt
import io
import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey.access.guard import visible_unit_ids
from survey.audit.services import Action, record
from survey.living import exporting, inbox
from survey.living.presenting import reconfirmation_rows

bp = Blueprint("living", __name__, url_prefix="/levende")


@bp.get("/endringer", endpoint="inbox")
def inbox_page():
    show_all = request.args.get("alle") == "1"
    return render_template(
        "living/inbox.html", items=inbox.items(include_handled=show_all), show_all=show_all
    )


@bp.post("/endringer/<kind>/<int:item_id>")
def mark_handled(kind: str, item_id: int):
    if kind not in inbox.KINDS:
        abort(404)
    if inbox.mark_handled(kind, item_id, current_user.person):
        flash(_("Marked as handled."), "info")
    return redirect(url_for("living.inbox"))


@bp.get("/bekreftelser")
def reconfirmation():
    return render_template(
        "living/reconfirmation.html", rows=reconfirmation_rows(visible_unit_ids())
    )


FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.get("/eksport")
def export():
    output = request.args.get("format", "")
    if output not in FORMATS:
        return render_template("living/export.html", formats=list(FORMATS)), 200
    as_of_text = request.args.get("as_of", "").strip()
    as_of = None
    if as_of_text:
        try:
            as_of = dt.date.fromisoformat(as_of_text)
        except ValueError:
            flash(_("Write the date as YYYY-MM-DD."), "error")
            return render_template(
                "living/export.html", formats=list(FORMATS), as_of=as_of_text
            ), 400
    columns, rows = exporting.export_rows(exporting.states(as_of, visible_unit_ids()))
    if output == "xlsx":
        buffer = io.BytesIO()
        exporting.write_xlsx(columns, rows, buffer)
        body: bytes | str = buffer.getvalue()
    elif output == "json":
        body = json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    else:
        body = exporting.write_csv(columns, rows)
    record(
        Action.EXPORT,
        actor_id=current_user.person.id,
        object_type="living_documents",
        detail={"format": output, "count": len(rows), "as_of": as_of_text or None},
    )
    day = (as_of or dt.date.today()).isoformat()
    return Response(
        body,
        mimetype=FORMATS[output],
        headers={
            "Content-Disposition": f'attachment; filename="levende-dokumenter-{day}.{output}"'
        },
    )
