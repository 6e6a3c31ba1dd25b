"""The questionnaire pages (/skjema): the list, uploading a file, its checks and what
activating it will do, the preview and activating it.

The preview stores nothing: the answers given so far travel in the form, as JSON signed with
the app's secret key (a hidden field), so «Next» and «Back» work without JavaScript and
without a draft. A changed or foreign state is refused with a message and the preview starts
again."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_datetime, refresh
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import RequestEntityTooLarge

from survey import engine
from survey.answering import presenting
from survey.authoring import services
from survey.authoring.forms import UploadForm
from survey.db import today
from survey.extensions import db
from survey.i18n import LANGUAGE_NAMES, current_language
from survey.questionnaires.services import definition_of, latest_version

bp = Blueprint("questionnaires", __name__, url_prefix="/skjema")

STATE_SALT = "questionnaire-preview"
END = ""  # the state's page name after the last page: the preview's summary


def _person_id() -> int | None:
    person = getattr(current_user, "person", None)
    return person.id if person is not None else None


# --- the list -------------------------------------------------------------------------------


def _paper_urls(endpoint: str, **values) -> list[dict[str, str]]:
    return [
        {"lang": code, "name": LANGUAGE_NAMES[code], "url": url_for(endpoint, lang=code, **values)}
        for code in ("nb", "nn", "en")
    ]


@bp.get("/")
def index():
    lang = current_language()
    rows = [
        {
            "id": stored.questionnaire_id,
            "title": stored.definition.title.get(lang),
            "version": stored.version,
            "loaded_at": format_datetime(stored.loaded_at, "short"),
            "campaigns": stored.campaigns,
            "preview_url": url_for(".preview", questionnaire_id=stored.questionnaire_id),
            "xlsform_url": url_for(".xlsform", questionnaire_id=stored.questionnaire_id),
            "paper_urls": _paper_urls(".paper", questionnaire_id=stored.questionnaire_id),
        }
        for stored in services.stored_questionnaires()
    ]
    pending = [
        {
            "url": url_for(".upload_detail", upload_id=upload.id),
            "filename": upload.filename,
            "questionnaire_id": upload.questionnaire_id,
            "uploaded_at": format_datetime(upload.uploaded_at, "short"),
        }
        for upload in services.pending_uploads()
    ]
    return render_template("questionnaires/index.html", rows=rows, pending=pending)


@bp.get("/<questionnaire_id>/xlsform")
def xlsform(questionnaire_id: str):
    version = latest_version(questionnaire_id)
    if version is None:
        abort(404)
    from survey.questionnaires.xlsform import questionnaire_to_xlsform  # heavy: openpyxl

    data = questionnaire_to_xlsform(definition_of(version))
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": (
                f'attachment; filename="{questionnaire_id}-v{version.version}.xlsx"'
            )
        },
    )


def _paper(definition: engine.Questionnaire, filename: str):
    """The paper version in `?lang=` nb, nn or en (the page's language by default)."""
    from survey.questionnaires.paper import PAPER_LANGUAGES, paper_pdf  # heavy: WeasyPrint

    lang = request.args.get("lang") or current_language()
    if lang not in PAPER_LANGUAGES:
        abort(404)
    body = paper_pdf(definition, lang, current_app.config.get("REPORT_AUTHOR", "Heltid"))
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}-{lang}.pdf"'},
    )


@bp.get("/<questionnaire_id>/papir.pdf")
def paper(questionnaire_id: str):
    version = latest_version(questionnaire_id)
    if version is None:
        abort(404)
    return _paper(definition_of(version), f"papir-{questionnaire_id}-v{version.version}")


@bp.get("/opplasting/<int:upload_id>/papir.pdf")
def upload_paper(upload_id: int):
    upload = _upload_or_404(upload_id)
    return _paper(services.definition_of_upload(upload), f"papir-opplasting-{upload.id}")


# --- uploading ------------------------------------------------------------------------------


def _display_name(filename: str) -> str:
    """The file's own name, without any folder a browser sent."""
    name = PurePath(filename.replace("\\", "/")).name.strip()
    return name[:200] or "questionnaire"


def _yaml_of(form: UploadForm, data: bytes, filename: str) -> tuple[str | None, list[str]]:
    """The upload as YAML text, or the problems that stop it (FILE:SHEET:ROW or FILE:LINE)."""
    if filename.lower().endswith(".xlsx"):
        from survey.questionnaires.xlsform import (
            XLSFormError,
            settings_form_id,
            xlsform_to_yaml,
        )

        questionnaire_id = form.questionnaire_id.data or settings_form_id(data, filename)
        if not questionnaire_id:
            form.questionnaire_id.errors = [
                *form.questionnaire_id.errors,
                _("The XLSForm has no form_id in its settings sheet: give the id here."),
            ]
            return None, []
        try:
            return xlsform_to_yaml(data, filename, questionnaire_id), []
        except XLSFormError as error:
            return None, list(error.problems)
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as error:
        return None, [f"{filename}:1: file: is not UTF-8 text ({error.reason})"]


@bp.route("/last-opp", methods=["GET", "POST"])
def upload():
    form = UploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        data = form.file.data.read()
        filename = _display_name(form.file.data.filename or "")
        text, problems = _yaml_of(form, data, filename)
        if text is not None:
            try:
                definition = engine.load_text(text, filename)
            except engine.InvalidDefinition as invalid:
                problems = [str(error) for error in invalid.errors]
            else:
                stored = services.store_upload(definition, filename, _person_id())
                flash(_("The file passed every check. Preview it, then activate it."), "info")
                return redirect(url_for(".upload_detail", upload_id=stored.id))
    status = 422 if request.method == "POST" else 200
    return _render_upload(form, problems, status)


def _render_upload(form: UploadForm, problems: list[str], status: int):
    return render_template(
        "questionnaires/upload.html", form=form, problems=problems, filename=_posted_name()
    ), status


def _posted_name() -> str | None:
    if request.method != "POST":
        return None
    posted = request.files.get("file")
    return _display_name(posted.filename) if posted is not None and posted.filename else None


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge):
    """The request's size limit is hit while the form is read, before the view runs."""
    form = UploadForm(formdata=None)
    form.file.errors = [_("The file is larger than 2 MB.")]
    return render_template("questionnaires/upload.html", form=form, problems=[], filename=None), 413


# --- an upload: what activating it does, and activating it ------------------------------------


def _upload_or_404(upload_id: int):
    upload = services.upload_by_id(upload_id)
    if upload is None:
        abort(404)
    return upload


def _plan_text(plan: services.Plan) -> str:
    if plan.action == "added":
        return _(
            "A new questionnaire: activating it stores it as version %(version)s.",
            version=plan.version,
        )
    if plan.action == "unchanged":
        return _(
            "Identical to version %(version)s, which is active already: activating it changes nothing.",
            version=plan.version,
        )
    if plan.action == "updated":
        return _(
            "It replaces version %(latest)s, which nobody has answered yet (as version %(version)s). Surveys that use it show the new text from now on.",
            latest=plan.latest,
            version=plan.version,
        )
    return _(
        "It becomes a new version, version %(version)s. Version %(latest)s has answers and is kept for them; surveys created from now on use version %(version)s.",
        latest=plan.latest,
        version=plan.version,
    )


@bp.get("/opplasting/<int:upload_id>")
def upload_detail(upload_id: int):
    upload = _upload_or_404(upload_id)
    definition = services.definition_of_upload(upload)
    lang = current_language()
    shipped = definition.id in services.shipped_ids(current_app.config["QUESTIONNAIRE_DIR"])
    return render_template(
        "questionnaires/upload_detail.html",
        upload={
            "id": upload.id,
            "filename": upload.filename,
            "uploaded_at": format_datetime(upload.uploaded_at, "short"),
            "activated_at": format_datetime(upload.activated_at, "short")
            if upload.activated_at
            else None,
        },
        questionnaire={
            "id": definition.id,
            "title": definition.title.get(lang),
            "description": definition.description.get(lang),
            "pages": len(definition.pages),
            "questions": sum(1 for q in definition.questions if q.type != "note"),
        },
        plan=None if upload.activated_at else _plan_text(services.plan_activation(definition)),
        shipped=shipped,
        preview_url=url_for(".preview_upload", upload_id=upload.id),
        paper_urls=_paper_urls(".upload_paper", upload_id=upload.id),
    )


@bp.post("/opplasting/<int:upload_id>/aktiver")
def activate(upload_id: int):
    upload = _upload_or_404(upload_id)
    try:
        # A savepoint: when another upload of the same id is activated at the same moment,
        # the database refuses the second version number and nothing of this one is kept.
        with db.session.begin_nested():
            result = services.activate(upload.id, _person_id())
    except IntegrityError:
        flash(
            _(
                "Another version of this questionnaire was activated at the same moment, so nothing was changed. Check what activating will do now, and try again."
            ),
            "error",
        )
        return redirect(url_for(".upload_detail", upload_id=upload.id))
    if result is None:
        flash(_("This file is activated already. Nothing more was changed."), "info")
        return redirect(url_for(".upload_detail", upload_id=upload.id))
    if result.action == "unchanged":
        flash(
            _(
                "Nothing changed: version %(version)s of «%(id)s» is the same.",
                version=result.version,
                id=result.questionnaire_id,
            ),
            "info",
        )
    else:
        flash(
            _(
                "«%(id)s» version %(version)s is active. You can choose it when you create a survey.",
                version=result.version,
                id=result.questionnaire_id,
            ),
            "info",
        )
    return redirect(url_for(".index"))


# --- the preview ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Source:
    """What a preview shows: an upload or a stored questionnaire's latest version."""

    key: str  # in the signed state: a state from one preview is refused by another
    definition: engine.Questionnaire
    url: str
    detail_url: str | None  # the upload's page, with «Activate»


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=STATE_SALT)


def _state(source: Source, page_name: str, answers: Mapping[str, Any]) -> str:
    definition = source.definition
    data = {
        name: engine.serialize(definition.question(name), value)
        for name, value in answers.items()
        if value is not None
    }
    return _serializer().dumps(
        {"k": source.key, "f": definition.fingerprint, "p": page_name, "a": data}
    )


def _read_state(source: Source, token: str) -> tuple[str, dict[str, Any]] | None:
    """(page name, answers) of a state this preview made, or None."""
    try:
        state = _serializer().loads(token)
    except BadSignature:
        return None
    if (
        not isinstance(state, dict)
        or state.get("k") != source.key
        or state.get("f") != source.definition.fingerprint
        or not isinstance(state.get("p"), str)
        or not isinstance(state.get("a"), dict)
    ):
        return None
    answers = {}
    for name, data in state["a"].items():
        try:
            question = source.definition.question(name)
        except KeyError:
            return None
        value = engine.deserialize(question, data)
        if value is not None:
            answers[name] = value
    return state["p"], answers


@bp.route("/<questionnaire_id>/forhandsvis", methods=["GET", "POST"])
def preview(questionnaire_id: str):
    version = latest_version(questionnaire_id)
    if version is None:
        abort(404)
    source = Source(
        key=f"version:{version.id}",
        definition=definition_of(version),
        url=url_for(".preview", questionnaire_id=questionnaire_id),
        detail_url=None,
    )
    return _preview(source)


@bp.route("/opplasting/<int:upload_id>/forhandsvis", methods=["GET", "POST"])
def preview_upload(upload_id: int):
    upload = _upload_or_404(upload_id)
    source = Source(
        key=f"upload:{upload.id}",
        definition=services.definition_of_upload(upload),
        url=url_for(".preview_upload", upload_id=upload.id),
        detail_url=url_for(".upload_detail", upload_id=upload.id),
    )
    return _preview(source)


def _merged(answers: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """The answers after a page: its values replace the earlier ones; an emptied or no longer
    relevant question has no answer."""
    merged = {**answers, **values}
    return {name: value for name, value in merged.items() if value is not None}


def _preview(source: Source):
    definition = source.definition
    now = today()
    if request.method == "GET":
        pages = engine.relevant_pages(definition, {}, now)
        if not pages:
            abort(404)  # every page has a condition no empty answer meets
        names = [page.name for page in pages]
        wanted = request.args.get("side")
        return _render_preview(source, pages[names.index(wanted) if wanted in names else 0], {})

    read = _read_state(source, request.form.get("state", ""))
    if read is None:
        flash(
            _(
                "The preview's answers were changed outside the page, or belong to another preview. The preview starts again; nothing was stored."
            ),
            "error",
        )
        return redirect(source.url, 303)
    name, answers = read
    action = request.form.get("action", "next")
    relevant = engine.relevant_pages(definition, answers, now)
    if not relevant:
        return redirect(source.url, 303)
    names = [page.name for page in relevant]

    if action.startswith("lang-"):
        code = action.removeprefix("lang-")
        if code in current_app.config["LANGUAGES"]:
            session["lang"] = code
            refresh()
        if name == END:
            return _render_end(source, answers)
        return _render_preview(source, _page_or_first(relevant, name), answers)

    if name == END:
        # «Back» from the summary: the last page that applies.
        return _render_preview(source, relevant[-1], answers)
    if name not in names:
        return _render_preview(source, relevant[0], answers)
    current = definition.page(name)
    shown = set(request.form.get("shown", "").split())
    result = engine.read_page(
        definition, current, request.form.to_dict(flat=False), answers, shown, now
    )
    if action == "back":
        valid = {k: v for k, v in result.values.items() if k not in result.errors}
        merged = _merged(answers, valid)
        previous = engine.previous_page(definition, merged, name, now)
        return _render_preview(source, previous or current, merged)
    if result.errors:
        raw = presenting.raw_form_values(current, request.form)
        merged = _merged(answers, result.values)
        return _render_preview(source, current, merged, raw=raw, errors=result.errors, status=422)
    merged = _merged(answers, result.values)
    if result.revealed:
        flash(_("Your answer brought up more questions on this page."), "info")
        return _render_preview(source, current, merged)
    following = engine.next_page(definition, merged, name, now)
    if following is None:
        return _render_end(source, merged)
    return _render_preview(source, following, merged)


def _page_or_first(pages: list[engine.Page], name: str) -> engine.Page:
    for page in pages:
        if page.name == name:
            return page
    return pages[0]


def _common(source: Source, page_name: str, answers: Mapping[str, Any]) -> dict[str, Any]:
    lang = current_language()
    return {
        "title": source.definition.title.get(lang),
        "state": _state(source, page_name, answers),
        "restart_url": source.url,
        "detail_url": source.detail_url,
        "languages": [
            {"code": code, "name": LANGUAGE_NAMES.get(code, code), "current": code == lang}
            for code in current_app.config["LANGUAGES"]
        ],
    }


def _render_preview(source, current, answers, *, raw=None, errors=None, status=200):
    definition = source.definition
    lang = current_language()
    now = today()
    position, total, settled = engine.progress(definition, answers, current.name, now)
    questions = presenting.page_questions(
        definition, current, answers, lang, today=now, raw=raw, errors=errors
    )
    return render_template(
        "questionnaires/preview_page.html",
        page={"name": current.name, "title": current.title.get(lang)},
        questions=questions,
        shown=presenting.visible_names(questions),
        errors=[(q["name"], q["label"], q["error"]) for q in questions if q["error"]],
        position=position,
        total=total,
        settled=settled,
        answers_json={
            name: engine.serialize(definition.question(name), value)
            for name, value in answers.items()
        },
        **_common(source, current.name, answers),
    ), status


def _render_end(source: Source, answers: Mapping[str, Any]):
    definition = source.definition
    now = today()
    sections = presenting.review_sections(
        definition,
        engine.relevant_pages(definition, answers, now),
        answers,
        current_language(),
        today=now,
        edit_url=lambda name: "",
    )
    return render_template(
        "questionnaires/preview_end.html",
        sections=sections,
        missing=len(engine.missing_required(definition, answers, now)),
        **_common(source, END, answers),
    )
