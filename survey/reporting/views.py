"""Report downloads: the heltid report and campaign results (PDF, PDF/A, CSV, XLSX) within
the user's units, and a person's living document as PDF. Every download is audit-logged.

Forms use GET parameters and plain links, so everything works without JavaScript."""

from __future__ import annotations

import datetime as dt
import io

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from survey.access.guard import person_or_404, visible_unit_ids
from survey.accounts.models import Person
from survey.audit.services import Action, record
from survey.campaigns.models import Campaign, Mode
from survey.extensions import db
from survey.navigation import may
from survey.reporting.scope import Scope

bp = Blueprint("reporting", __name__, url_prefix="/rapporter")

LANGUAGES = ("nb", "nn", "en")
MIMETYPES = {
    "pdf": "application/pdf",
    "pdfa": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {"pdf": "pdf", "pdfa": "pdf", "csv": "csv", "xlsx": "xlsx"}
FORMAT_LABELS = {"pdf": "PDF", "pdfa": "PDF/A", "csv": "CSV", "xlsx": "XLSX"}


def _lang() -> str:
    chosen = request.args.get("lang", "")
    return chosen if chosen in LANGUAGES else str(get_locale() or "nb")


def _author() -> str:
    return current_app.config.get("REPORT_AUTHOR", "Heltid")


def report_bytes(report, kind: str, lang: str) -> bytes:
    """The report as a PDF (`pdfa`: PDF/A-1b), CSV or XLSX."""
    from reports import PdfMetadata, html_to_pdf, render_html
    from survey.reporting.exports import to_csv, write_xlsx

    if kind == "csv":
        return to_csv(report)
    if kind == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(report, buffer, lang)
        return buffer.getvalue()
    metadata = PdfMetadata(title=f"{report.title} – {report.subtitle}", author=_author(), lang=lang)
    html = render_html("report.html", {"report": report}, lang, metadata)
    return html_to_pdf(html, archival=kind == "pdfa")


def _download(body: bytes, kind: str, filename: str, *, private: bool = False) -> Response:
    response = Response(body, mimetype=MIMETYPES[kind])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if private:
        response.headers["Cache-Control"] = "no-store"
    return response


def _index(errors: dict[str, str] | None = None, status: int = 200):
    from survey.reporting.campaign_report import reported_campaign_choices
    from survey.reporting.raw_data import raw_data_summaries

    scope = Scope.visible(visible_unit_ids())
    raw_campaigns = None
    if may("reporting.raw_data"):
        minimum = current_app.config["SMALL_GROUP_MINIMUM"]
        raw_campaigns = raw_data_summaries(minimum, str(get_locale() or "nb"))
    return render_template(
        "reporting/index.html",
        raw_campaigns=raw_campaigns,
        whole_municipality=scope.is_whole,
        units=[{"id": unit.id, "name": unit.name} for unit in scope.units()],
        campaigns=reported_campaign_choices(str(get_locale() or "nb")),
        languages=LANGUAGES,
        lang=_lang(),
        formats=FORMAT_LABELS,
        campaign_formats={k: v for k, v in FORMAT_LABELS.items() if k != "pdfa"},
        chosen=request.args,
        errors=errors or {},
    ), status


@bp.get("/")
def index():
    return _index()


@bp.get("/heltid")
def heltid():
    from survey.classification import load_definitions
    from survey.db import today
    from survey.reporting.facts import Settings
    from survey.reporting.heltid_report import build_report, heltid_data

    kind = request.args.get("format", "")
    if kind not in MIMETYPES:
        return _index({"format": _("Choose a format.")}, 400)
    scope = Scope.chosen(request.args.get("scope", "kommune"), visible_unit_ids())
    if scope is None:
        abort(404)
    as_of_text = request.args.get("as_of", "").strip()
    try:
        as_of = dt.date.fromisoformat(as_of_text) if as_of_text else today()
    except ValueError:
        return _index({"as_of": _("Write the date as YYYY-MM-DD.")}, 400)
    lang = _lang()
    settings = Settings.from_definitions(load_definitions(), None, None)
    figures, points = heltid_data(scope, as_of, settings)
    minimum = current_app.config["SMALL_GROUP_MINIMUM"]
    report = build_report(figures, points, lang=lang, minimum=minimum, scope=scope)
    body = report_bytes(report, kind, lang)
    record(
        Action.EXPORT,
        actor_id=current_user.person.id,
        object_type="heltid_report",
        object_id=scope.key,
        detail={
            "as_of": as_of.isoformat(),
            "profile": settings.active.id,
            "lang": lang,
            "format": kind,
            "via": "web",
        },
    )
    name = "kommune" if scope.unit is None else scope.unit.code
    return _download(body, kind, f"heltid-{name}-{as_of.isoformat()}.{EXTENSIONS[kind]}")


@bp.get("/kampanjer/<int:campaign_id>")
def campaign(campaign_id: int):
    from survey.reporting.campaign_report import build_campaign_report

    found = db.session.get(Campaign, campaign_id)
    if found is None or found.mode is Mode.IDENTIFIED:
        abort(404)
    kind = request.args.get("format", "pdf")
    if kind not in MIMETYPES or kind == "pdfa":
        kind = "pdf"
    lang = _lang()
    free_text = request.args.get("fritekst") == "1"
    # A unit leader gets the answers from their own units only.
    scope = Scope.visible(visible_unit_ids())
    report = build_campaign_report(
        found,
        lang=lang,
        minimum=current_app.config["SMALL_GROUP_MINIMUM"],
        include_free_text=free_text,
        scope=scope,
    )
    body = report_bytes(report, kind, lang)
    record(
        Action.EXPORT,
        actor_id=current_user.person.id,
        object_type="campaign_report",
        object_id=found.id,
        detail={
            "lang": lang,
            "format": kind,
            "free_text": free_text,
            "units": scope.unit_codes(),
            "via": "web",
        },
    )
    return _download(body, kind, f"resultater-{found.id}.{EXTENSIONS[kind]}")


@bp.get("/kampanjer/<int:campaign_id>/radata")
def raw_data(campaign_id: int):
    """One row per response, one column per question, and the codebook (see raw_data.py):
    the project leader's and the administrator's, never below the small-group limit."""
    from survey.reporting import raw_formats
    from survey.reporting.raw_data import RawDataRefused
    from survey.reporting.raw_data import raw_data as campaign_raw_data

    found = db.session.get(Campaign, campaign_id)
    if found is None:
        abort(404)
    kind = request.args.get("format", "")
    if kind not in raw_formats.WRITERS:
        return _index({"raw": _("Choose a format.")}, 400)
    lang = _lang()
    minimum = current_app.config["SMALL_GROUP_MINIMUM"]
    try:
        raw = campaign_raw_data(found, lang=lang, minimum=minimum)
    except RawDataRefused as refused:
        if refused.code == "no_answers":
            message = _("This campaign has no submitted answers yet: there is no raw data.")
        else:
            message = _(
                "Fewer than %(minimum)s answers (outside units with fewer than %(minimum)s "
                "answers): no raw data, so that nobody can be recognised.",
                minimum=minimum,
            )
        return _index({"raw": message}, 409)
    body = raw_formats.WRITERS[kind](raw)
    record(
        Action.EXPORT,
        actor_id=current_user.person.id,
        object_type="campaign_raw_data",
        object_id=found.id,
        detail={
            "format": kind,
            "lang": lang,
            "mode": found.mode.value,
            "rows": len(raw.rows),
            "omitted": raw.omitted,
            "via": "web",
        },
    )
    response = Response(body, mimetype=raw_formats.MIMETYPES[kind])
    filename = raw_formats.FILENAMES[kind].format(id=found.id)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _person_pdf(person: Person, audience: str, *, with_history: bool) -> Response:
    from survey.reporting.person_report import build_person_report

    lang = _lang()
    report = build_person_report(person, audience=audience, lang=lang, with_history=with_history)
    body = report_bytes(report, "pdf", lang)
    record(
        Action.DOWNLOAD,
        actor_id=current_user.person.id,
        subject_id=person.id,
        object_type="person_report",
        object_id=person.id,
        detail={"audience": audience, "lang": lang, "via": "web"},
    )
    number = person.ansattnummer or str(person.id)
    suffix = "" if audience == "employee" else "-utvalg"
    return _download(body, "pdf", f"levende-dokument-{number}{suffix}.pdf", private=True)


@bp.get("/personer/<int:person_id>")
def person(person_id: int):
    found = person_or_404(person_id)
    audience = request.args.get("audience", "committee")
    if audience not in ("employee", "committee"):
        audience = "committee"
    # The history is the project leader's (people.history); others get the current record.
    return _person_pdf(found, audience, with_history=may("people.history"))


@bp.get("/meg")
def own():
    return _person_pdf(current_user.person, "employee", with_history=True)
