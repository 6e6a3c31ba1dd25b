"""Roster and unit imports in the browser: upload, preview with column mapping, import.

The same plan and apply as `survey roster import` / `survey units import`, and the same
problems (`survey.problems`), shown in the reader's language. The uploaded file waits in
`roster_staging` between the preview and the import."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import RequestEntityTooLarge

from survey.admin import roster_staging as staging
from survey.admin.views import bp
from survey.audit.services import Action, record
from survey.errors import MESSAGES
from survey.extensions import db
from survey.problems import Problem
from survey.roster.importing import (
    ROSTER_FIELDS,
    ROSTER_REQUIRED,
    RosterReport,
    apply_roster,
    plan_roster,
    roster_columns,
)
from survey.roster.reading import Sheet, UnreadableFile, normalise_header, read_bytes
from survey.roster.unit_import import (
    UNIT_FIELDS,
    UNIT_REQUIRED,
    UnitReport,
    apply_units,
    plan_units,
    unit_columns,
)

IGNORE = "-"  # the select value for «do not read this column»
ERROR_LIMIT = 200  # a file with thousands of broken rows needs correcting, not reading in full


@dataclasses.dataclass(frozen=True)
class ImportKind:
    """What differs between the roster import and the units import."""

    name: str  # the object_type in the audit log, and the session key
    fields: tuple[str, ...]
    required: tuple[str, ...]
    columns: Callable[[Sheet, dict[str, str]], Any]
    plan: Callable[[Sheet, dict[str, str], bool], Any]
    apply: Callable[[Any], Any]
    upload_endpoint: str
    preview_endpoint: str
    can_create_units: bool

    @property
    def pending_key(self) -> str:
        return f"import_{self.name}"

    @property
    def result_key(self) -> str:
        return f"import_{self.name}_result"


ROSTER = ImportKind(
    name="roster",
    fields=ROSTER_FIELDS,
    required=ROSTER_REQUIRED,
    columns=roster_columns,
    plan=lambda sheet, mapping, create_units: plan_roster(
        sheet, mapping=mapping, create_units=create_units
    ),
    apply=apply_roster,
    upload_endpoint="admin.roster_upload",
    preview_endpoint="admin.roster_preview",
    can_create_units=True,
)
UNITS = ImportKind(
    name="units",
    fields=UNIT_FIELDS,
    required=UNIT_REQUIRED,
    columns=unit_columns,
    plan=lambda sheet, mapping, create_units: plan_units(sheet, mapping=mapping),
    apply=apply_units,
    upload_endpoint="admin.units_upload",
    preview_endpoint="admin.units_preview",
    can_create_units=False,
)
KINDS = {kind.upload_endpoint: kind for kind in (ROSTER, UNITS)} | {
    kind.preview_endpoint: kind for kind in (ROSTER, UNITS)
}

FIELD_LABELS = {
    "ansattnummer": _l("Employee number"),
    "navn": _l("Name"),
    "enhet": _l("Unit"),
    "stillinger": _l("Positions"),
    "epost": _l("E-mail address"),
    "mobil": _l("Mobile number"),
    "kjonn": _l("Gender"),
    "fodselsar": _l("Year of birth"),
    "overordnet": _l("Parent unit"),
}


def _describe_error(problem: Problem) -> dict[str, Any]:
    return {"line": problem.line, "column": problem.item, "message": problem.message()}


# --- the pending upload -----------------------------------------------------------------------


def _pending(kind: ImportKind) -> dict[str, Any] | None:
    pending = session.get(kind.pending_key)
    if not isinstance(pending, dict) or not staging.is_token(pending.get("token")):
        return None
    return pending


# --- column mapping ---------------------------------------------------------------------------


def _mapped_sheet(sheet: Sheet, choices: dict[str, str]) -> tuple[Sheet, dict[str, str]]:
    """The sheet with ignored columns' headers blanked, and the mapping header: field.

    `choices` holds the preview's selects by column number; a column without a choice is read
    by its name as the CLI reads it."""
    header = list(sheet.header)
    mapping: dict[str, str] = {}
    for position, text in enumerate(sheet.header):
        choice = choices.get(str(position))
        if choice is None or not text.strip():
            continue
        if choice == IGNORE:
            header[position] = ""
        else:
            mapping[text] = choice
    return dataclasses.replace(sheet, header=header), mapping


def _posted_choices(kind: ImportKind, sheet: Sheet) -> dict[str, str]:
    choices = {}
    for position, text in enumerate(sheet.header):
        value = request.form.get(f"column-{position}")
        if value is None or not text.strip():
            continue
        if value != IGNORE and value not in kind.fields:
            abort(400)
        choices[str(position)] = value
    return choices


def _column_rows(kind: ImportKind, sheet: Sheet, choices: dict[str, str]) -> list[dict]:
    mapped, mapping = _mapped_sheet(sheet, choices)
    index = kind.columns(mapped, mapping).index
    field_of = {position: field for field, position in index.items()}
    rows = []
    for position, text in enumerate(sheet.header):
        if not text.strip():
            continue
        rows.append(
            {
                "position": position,
                "header": text,
                "standard": normalise_header(text) in kind.fields,
                "field": field_of.get(position, IGNORE),
            }
        )
    return rows


# --- the plan and its report ------------------------------------------------------------------


def _digest(plan) -> str:
    """What the preview showed: an import that would do anything else is refused."""
    lines = "\n".join(plan.report.lines())
    return hashlib.sha256(lines.encode()).hexdigest()[:32]


def _plan(kind: ImportKind, data: bytes, filename: str, choices, create_units):
    sheet = read_bytes(data, filename)
    mapped, mapping = _mapped_sheet(sheet, choices)
    plan = kind.plan(mapped, mapping, create_units and kind.can_create_units)
    # The columns ignored by choice were blanked out of the plan's sight; name them too.
    not_read = set(plan.report.ignored_columns)
    plan.report.ignored_columns = [
        text
        for position, text in enumerate(sheet.header)
        if text.strip() and (choices.get(str(position)) == IGNORE or text in not_read)
    ]
    return plan


def _report_data(report: RosterReport | UnitReport) -> dict[str, Any]:
    """The report as plain data for the template, and for keeping until the page is shown
    (field names untranslated: the page may be shown in another language)."""

    def changes(fields: dict[str, tuple[str, str]]) -> list[dict[str, str]]:
        return [{"field": field, "old": old, "new": new} for field, (old, new) in fields.items()]

    if isinstance(report, UnitReport):
        return {
            "kind": "units",
            "created": [{"title": line, "detail": ""} for line in report.created],
            "updated": [{"title": code, "changes": changes(c)} for code, c in report.updated],
            "unchanged": len(report.unchanged),
            "missing": [],
            "created_units": [],
            "ignored_columns": report.ignored_columns,
        }
    return {
        "kind": "roster",
        "created": [
            {
                "title": f"{change.ansattnummer} {change.navn}",
                "detail": change.changes["stillinger"][1],
            }
            for change in report.created
        ],
        "updated": [
            {"title": f"{change.ansattnummer} {change.navn}", "changes": changes(change.changes)}
            for change in report.updated
        ],
        "unchanged": len(report.unchanged),
        "missing": [f"{number} {name}" for number, name in report.missing],
        "created_units": report.created_units,
        "ignored_columns": report.ignored_columns,
    }


def _audit_detail(report: RosterReport | UnitReport, filename: str) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "file": filename,
        "created": len(report.created),
        "updated": len(report.updated),
    }
    if isinstance(report, RosterReport):
        detail["unchanged"] = len(report.unchanged)
        detail["created_units"] = len(report.created_units)
    return {**detail, "via": "web"}


def _summary(report: dict[str, Any]) -> str:
    if report["kind"] == "units":
        return _(
            "%(created)s new, %(updated)s changed, %(unchanged)s unchanged.",
            created=len(report["created"]),
            updated=len(report["updated"]),
            unchanged=report["unchanged"],
        )
    return _(
        "%(created)s new, %(updated)s changed, %(unchanged)s unchanged, %(missing)s not in the file (kept).",
        created=len(report["created"]),
        updated=len(report["updated"]),
        unchanged=report["unchanged"],
        missing=len(report["missing"]),
    )


# --- views ------------------------------------------------------------------------------------


def _render_upload(kind: ImportKind, error: str | None = None, status: int = 200):
    result = staging.result(session.get(kind.result_key))
    if result is None:
        session.pop(kind.result_key, None)
    return render_template(
        "admin/roster_upload.html",
        kind=kind.name,
        pending=_pending(kind),
        result=result,
        summary=_summary(result["report"]) if result else None,
        field_labels=FIELD_LABELS,
        error=error,
        max_size=_size_text(current_app.config.get("UPLOAD_MAX_BYTES")),
        required=kind.required,
        optional=[field for field in kind.fields if field not in kind.required],
    ), status


def _size_text(size: int | None) -> str:
    if not size:
        return ""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB"
    return f"{size // 1024} kB"


def _upload(kind: ImportKind):
    if request.method == "GET":
        return _render_upload(kind)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _render_upload(kind, _("Choose a file to upload."), 422)
    data = upload.read()
    filename = staging.display_name(upload.filename)
    try:
        read_bytes(data, filename)
    except UnreadableFile as unreadable:
        message = unreadable.problem.message()
        return _render_upload(
            kind, _("The file could not be read: %(reason)s", reason=message), 422
        )

    old = _pending(kind)
    if old is not None:
        staging.discard(old["token"])
    staging.discard(session.pop(kind.result_key, None))
    token = staging.stage(data)
    session[kind.pending_key] = {
        "token": token,
        "filename": filename,
        "create_units": kind.can_create_units and bool(request.form.get("create_units")),
        "choices": {},
    }
    return redirect(url_for(kind.preview_endpoint))


def _stale(kind: ImportKind):
    flash(
        _(
            "This file is already imported, or the preview is out of date. Nothing more was imported. Upload the file again if you need to."
        ),
        "error",
    )
    return redirect(url_for(kind.upload_endpoint))


def _preview_view(kind: ImportKind):
    pending = _pending(kind)
    if pending is None:
        return _stale(kind) if request.method == "POST" else redirect(url_for(kind.upload_endpoint))
    if request.method == "POST" and request.form.get("token") != pending["token"]:
        return _stale(kind)
    try:
        data = staging.read(pending["token"])
    except FileNotFoundError:
        session.pop(kind.pending_key, None)
        return _stale(kind)
    sheet = read_bytes(data, pending["filename"])

    if request.method == "POST":
        choices = _posted_choices(kind, sheet)
        create_units = kind.can_create_units and bool(request.form.get("create_units"))
        shown = {
            str(column["position"]): column["field"]
            for column in _column_rows(kind, sheet, pending["choices"])
            if not column["standard"]
        }
        changed = choices != shown or create_units != pending["create_units"]
        if request.form.get("action") == "import" and not changed:
            return _import(kind, pending, request.form.get("digest", ""))
        # Stored even when unchanged: a column shown as ignored may have been left unread
        # only because another column meant the same field.
        session[kind.pending_key] = {**pending, "choices": choices, "create_units": create_units}
        if request.form.get("action") == "import":
            flash(_("You changed the columns. Check the preview again, then import."), "info")
        return redirect(url_for(kind.preview_endpoint))

    plan = _plan(kind, data, pending["filename"], pending["choices"], pending["create_units"])
    report = None if plan.errors else _report_data(plan.report)
    return render_template(
        "admin/roster_preview.html",
        kind=kind.name,
        filename=pending["filename"],
        token=pending["token"],
        digest=_digest(plan),
        create_units=pending["create_units"],
        can_create_units=kind.can_create_units,
        columns=_column_rows(kind, sheet, pending["choices"]),
        fields=kind.fields,
        ignore=IGNORE,
        errors=[_describe_error(error) for error in plan.errors[:ERROR_LIMIT]],
        error_count=len(plan.errors),
        report=report,
        summary=_summary(report) if report else None,
        field_labels=FIELD_LABELS,
    ), (422 if plan.errors else 200)


def _import(kind: ImportKind, pending: dict[str, Any], digest: str):
    """All or nothing, once: the file is claimed by renaming it, so a second submit of the
    same preview (another tab, a double click) finds nothing to import."""
    token = pending["token"]
    data = staging.claim(token)
    if data is None:
        session.pop(kind.pending_key, None)
        return _stale(kind)
    try:
        plan = _plan(kind, data, pending["filename"], pending["choices"], pending["create_units"])
        if plan.errors or _digest(plan) != digest:
            staging.release(token)
            flash(
                _(
                    "The data changed since the preview, so nothing was imported. Check the preview again."
                ),
                "error",
            )
            return redirect(url_for(kind.preview_endpoint))
        # A savepoint: the request commits the import and its audit entry together, and a
        # refusal by the database leaves nothing of it (docs/unit-of-work.md).
        with db.session.begin_nested():
            report = kind.apply(plan)
            record(
                Action.CHANGE,
                actor_id=current_user.person.id,
                object_type=kind.name,
                detail=_audit_detail(report, pending["filename"]),
            )
    except IntegrityError:
        # Someone imported the same people at the same moment; the database refused ours.
        staging.release(token)
        flash(
            _(
                "Someone else changed the same data at the same time, so nothing was imported. Check the preview again."
            ),
            "error",
        )
        return redirect(url_for(kind.preview_endpoint))
    except BaseException:
        staging.release(token)  # the request rolls back as the exception passes
        raise
    session.pop(kind.pending_key, None)
    shown = _report_data(report)
    staging.finish(token, {"filename": pending["filename"], "report": shown})
    session[kind.result_key] = token
    flash(
        _("%(file)s is imported.", file=pending["filename"]) + " " + _summary(shown),
        "info",
    )
    return redirect(url_for(kind.upload_endpoint))


@bp.route("/ansatte/import", methods=["GET", "POST"])
def roster_upload():
    return _upload(ROSTER)


@bp.route("/ansatte/import/kontroll", methods=["GET", "POST"])
def roster_preview():
    return _preview_view(ROSTER)


@bp.route("/enheter/import", methods=["GET", "POST"])
def units_upload():
    return _upload(UNITS)


@bp.route("/enheter/import/kontroll", methods=["GET", "POST"])
def units_preview():
    return _preview_view(UNITS)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge):
    """The size limit is hit while the form is read, before the view runs."""
    kind = KINDS.get(request.endpoint or "")
    if kind is not None:
        size = _size_text(current_app.config.get("UPLOAD_MAX_BYTES"))
        return _render_upload(
            kind,
            _(
                "The file is larger than %(size)s. Export only the columns the import needs, or split the file.",
                size=size,
            ),
            413,
        )
    title, message = MESSAGES[413]
    return render_template("errors/error.html", title=title, message=message), 413
