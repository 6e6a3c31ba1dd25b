"""Administration for HR: people, roles, login links, erasure and the audit log.

Every endpoint here is ADMIN_ONLY in the policy table; survey.access.guard enforces it before
the view runs, so the views check no roles themselves."""

from __future__ import annotations

import datetime as dt
import smtplib
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from survey.accounts import services as accounts
from survey.accounts.forms import ConfirmForm, GrantRoleForm
from survey.accounts.models import Person, Role
from survey.accounts.presenting import ROLE_LABELS
from survey.accounts.services import AccountError
from survey.admin import services
from survey.admin.erasure import erase_person
from survey.admin.forms import AuditSearchForm, EraseForm, LoginLinkForm, NewPersonForm
from survey.audit.services import Action, search
from survey.db import utcnow
from survey.extensions import db
from survey.mail import mail_configured, send_mail
from survey.people.services import identified_responses

bp = Blueprint("admin", __name__, url_prefix="/admin")

ACCOUNT_MESSAGES = {
    "email_taken": lambda: _("Someone already has this e-mail address. Search for them instead."),
    "invalid_email": lambda: _("Write a valid e-mail address, like name@kommune.no."),
    "unit_required": lambda: _("A unit leader must have a unit. Choose the unit they lead."),
    "own_admin_role": lambda: _(
        "You cannot remove your own administrator role. Ask another administrator to do it."
    ),
}

ACTION_LABELS = {
    Action.LOGIN: _l("Logged in"),
    Action.LOGIN_FAILED: _l("Failed log-in"),
    Action.LOGIN_LOCKED: _l("Log-in locked"),
    Action.LOGOUT_EVERYWHERE: _l("Logged out on all devices"),
    Action.PASSWORD_RESET: _l("Password reset"),
    Action.READ: _l("Read personal data"),
    Action.CHANGE: _l("Changed data"),
    Action.EXPORT: _l("Exported personal data"),
    Action.DOWNLOAD: _l("Downloaded"),
    Action.ROLE_GRANTED: _l("Role granted"),
    Action.ROLE_REVOKED: _l("Role removed"),
    Action.PERSON_CREATED: _l("Person created"),
    Action.LOGIN_LINK_CREATED: _l("Login link made"),
    Action.ERASE: _l("Person erased"),
    Action.RETENTION: _l("Expired data removed"),
}

AUDIT_LIMIT = 200
PEOPLE_LIMIT = 200


def _all_actions() -> list[str]:
    """Every action code, including any added to Action after this list of labels."""
    known = list(ACTION_LABELS)
    codes = [value for key, value in vars(Action).items() if key.isupper()]
    return sorted(codes, key=lambda code: known.index(code) if code in known else len(known))


def _action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


def _unit_choices() -> list[SelectChoice]:
    return [SelectChoice("", "—")] + [
        SelectChoice(str(unit.id), unit.name) for unit in services.units()
    ]


def _grant_form(**kwargs) -> GrantRoleForm:
    form = GrantRoleForm(**kwargs)
    # No role chosen in advance: a slip of the hand should not make an administrator.
    form.role.choices = [SelectChoice("", _("Choose a role")), *form.role.choices]
    form.unit.choices = _unit_choices()
    return form


def _person_or_404(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    return person


def _actor_id() -> int:
    return current_user.person.id


def _roles(person: Person) -> list[dict[str, Any]]:
    return [
        {
            "id": assignment.id,
            "role": assignment.role.value,
            "label": str(ROLE_LABELS[assignment.role]),
            "unit": assignment.unit.name if assignment.unit is not None else None,
        }
        for assignment in sorted(person.roles, key=lambda a: (list(Role).index(a.role), a.id))
    ]


# --- people ------------------------------------------------------------------------------------


@bp.get("/brukere")
def users():
    search_text = request.args.get("q", "").strip()[:100]
    people = services.find_people(search_text, limit=PEOPLE_LIMIT)
    return render_template(
        "admin/users.html",
        people=[
            {
                "id": person.id,
                "name": person.name,
                "email": person.email,
                "roles": _roles(person),
                "last_login_at": person.last_login_at,
            }
            for person in people
        ],
        search=search_text,
        limited=len(people) >= PEOPLE_LIMIT,
    )


@bp.route("/brukere/ny", methods=["GET", "POST"])
def create_user():
    form = NewPersonForm()
    form.unit.choices = _unit_choices()
    status = 200
    if form.validate_on_submit():
        try:
            with db.session.begin_nested():
                person, _assignment = services.create_user(
                    form.email.data,
                    form.name.data.strip(),
                    Role(form.role.data),
                    services.unit_by_id(form.unit.data),
                    actor_id=_actor_id(),
                )
        except (AccountError, IntegrityError) as error:
            # Two admins creating the same person at once: the database's unique index decides.
            reason = error.reason if isinstance(error, AccountError) else "email_taken"
            field = form.unit if reason == "unit_required" else form.email
            field.errors.append(ACCOUNT_MESSAGES[reason]())
            status = 422
        else:
            flash(_("%(name)s is created.", name=person.name), "info")
            return redirect(url_for(".user", person_id=person.id))
    elif request.method == "POST":
        status = 422
    return render_template("admin/create_user.html", form=form), status


def _render_user(
    person: Person,
    *,
    grant_form: GrantRoleForm | None = None,
    erase_form: EraseForm | None = None,
    error: str | None = None,
    status: int = 200,
):
    if grant_form is None:
        grant_form = _grant_form(formdata=None)
    if erase_form is None:
        erase_form = EraseForm(formdata=None)
    if not person.email:
        erase_form.confirmation.label.text = _("Type the person's name to confirm")
    is_self = person.id == _actor_id()
    details = {
        "id": person.id,
        "name": person.name,
        "email": person.email,
        "ansattnummer": person.ansattnummer,
        "unit": person.unit.name if person.unit is not None else None,
        "created_at": person.created_at,
        "last_login_at": person.last_login_at,
        "has_password": person.password_hash is not None,
        "identified_responses": len(identified_responses(person)),
    }
    return render_template(
        "admin/user.html",
        person=details,
        roles=_roles(person),
        grant_form=grant_form,
        link_form=LoginLinkForm(formdata=None),
        erase_form=erase_form,
        confirm_form=ConfirmForm(formdata=None),
        can_email=mail_configured() and bool(person.email),
        link_days=current_app.config["LOGIN_LINK_DAYS"],
        is_self=is_self,
        error=error,
    ), status


@bp.get("/brukere/<int:person_id>")
def user(person_id: int):
    return _render_user(_person_or_404(person_id))


@bp.post("/brukere/<int:person_id>/roller")
def grant_role(person_id: int):
    person = _person_or_404(person_id)
    form = _grant_form()
    if not form.validate_on_submit() or not form.role.data:
        if not form.role.data:
            form.role.errors.append(_("Choose a role."))
        return _render_user(person, grant_form=form, status=422)
    role = Role(form.role.data)
    try:
        with db.session.begin_nested():
            assignment = services.grant(
                person, role, services.unit_by_id(form.unit.data), actor_id=_actor_id()
            )
    except AccountError as error:
        form.unit.errors.append(ACCOUNT_MESSAGES[error.reason]())
        return _render_user(person, grant_form=form, status=422)
    if assignment is None:
        flash(_("%(name)s already has this role.", name=person.name), "info")
    else:
        flash(_("%(role)s is granted.", role=ROLE_LABELS[role]), "info")
    return redirect(url_for(".user", person_id=person.id))


@bp.post("/brukere/<int:person_id>/roller/<int:assignment_id>/fjern")
def revoke_role(person_id: int, assignment_id: int):
    person = _person_or_404(person_id)
    try:
        with db.session.begin_nested():
            assignment = services.revoke(person, assignment_id, actor_id=_actor_id())
    except AccountError as error:
        return _render_user(person, error=ACCOUNT_MESSAGES[error.reason](), status=409)
    if assignment is None:
        abort(404)
    flash(_("%(role)s is removed.", role=ROLE_LABELS[assignment.role]), "info")
    return redirect(url_for(".user", person_id=person.id))


@bp.post("/brukere/<int:person_id>/innloggingslenke")
def login_link(person_id: int):
    """Shown once and never redirected to: only the token's hash is stored, so this response
    is the only place the link exists (besides the e-mail, when asked for)."""
    person = _person_or_404(person_id)
    form = LoginLinkForm()
    by_email = bool(form.send.data) and mail_configured() and bool(person.email)
    days = current_app.config["LOGIN_LINK_DAYS"]
    lifetime = dt.timedelta(days=days)
    token = services.issue_login_link(person, lifetime, actor_id=_actor_id(), by_email=by_email)
    expires_at = utcnow() + lifetime

    url = url_for("auth.login_link", token=token, _external=True)
    sent = None
    if by_email:
        sent = _send_login_link(person, url, expires_at)
    import segno  # heavy: imported where used, not by every process (docs/architecture.md)

    # segno's inline SVG has no style attribute, which the CSP (style-src 'self') would block.
    qr_svg = segno.make(url, error="m").svg_inline(
        scale=4, omitsize=True, svgclass="qr-code", title=_("QR code with the login link")
    )
    response = make_response(
        render_template(
            "admin/login_link.html",
            person={"id": person.id, "name": person.name, "email": person.email},
            url=url,
            qr_svg=Markup(qr_svg),
            expires_at=expires_at,
            sent=sent,
        )
    )
    # The page holds a working credential: keep it out of every cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _send_login_link(person: Person, url: str, expires_at: dt.datetime) -> bool:
    body = (
        _("Hello %(name)s,", name=person.name)
        + "\n\n"
        + _(
            "Use this personal link to log in to Heltid. It works once, until %(date)s:",
            date=format_date(expires_at, "long"),
        )
        + f"\n\n{url}\n\n"
        + _("Do not share the link: anyone who has it can log in as you.")
        + "\n"
    )
    try:
        return send_mail(
            person.email, _("Your login link for Heltid"), body, recipient_id=person.id
        )
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("sending a login link failed")
        return False


def _confirmation_matches(person: Person, typed: str) -> bool:
    if person.email:
        return accounts.normalise_email(typed) == person.email
    return typed.strip().casefold() == person.name.strip().casefold()


@bp.post("/brukere/<int:person_id>/slett")
def erase(person_id: int):
    person = _person_or_404(person_id)
    form = EraseForm()
    if person.id == _actor_id():
        return _render_user(
            person,
            error=_("You cannot erase yourself. Ask another administrator to do it."),
            status=409,
        )
    if form.validate_on_submit():
        if _confirmation_matches(person, form.confirmation.data):
            counts = erase_person(person, actor_id=_actor_id())
            flash(
                _(
                    "Person #%(id)s is erased. %(responses)s identified responses are now anonymous; %(texts)s free-text answers are deleted.",
                    id=person_id,
                    responses=counts["identified_responses_anonymised"],
                    texts=counts["free_text_answers_deleted"],
                ),
                "info",
            )
            return redirect(url_for(".users"))
        form.confirmation.errors.append(
            _("This is not the person's e-mail address. Nothing was erased.")
            if person.email
            else _("This is not the person's name. Nothing was erased.")
        )
    return _render_user(person, erase_form=form, status=422)


# --- the audit log -----------------------------------------------------------------------------


def _person_filter(field) -> int | None:
    """A person number, or the id of the person with that e-mail address. Adds an error to
    the field when neither fits."""
    text = (field.data or "").strip()
    if not text:
        return None
    if text.lstrip("#").isdigit():
        return int(text.lstrip("#"))
    if "@" in text:
        found = accounts.find_by_email(text)
        if found is not None:
            return found.id
        field.errors.append(
            _("Nobody has this e-mail address. An erased person can only be found by number.")
        )
        return None
    field.errors.append(_("Write a person number or an e-mail address."))
    return None


def _date_filter(field) -> dt.date | None:
    text = (field.data or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        field.errors.append(_("Write the date as year-month-day, for example 2025-03-31."))
        return None


def _describe(entry, names: dict[int, str]) -> dict[str, Any]:
    def who(person_id: int | None) -> dict[str, Any] | None:
        if person_id is None:
            return None
        exists = person_id in names
        return {
            "id": person_id,
            "name": names[person_id] if exists else _("erased person #%(id)s", id=person_id),
            "exists": exists,
        }

    detail = entry.detail or {}
    return {
        "at": entry.at,
        "action": _action_label(entry.action),
        "actor": who(entry.actor_id),
        "subject": who(entry.subject_id),
        "object": f"{entry.object_type} {entry.object_id}" if entry.object_type else None,
        "detail": ", ".join(f"{key}: {value}" for key, value in detail.items()),
    }


@bp.get("/logg")
def audit():
    form = AuditSearchForm(formdata=request.args)
    form.action.choices = [SelectChoice("", _("All actions"))] + [
        SelectChoice(code, _action_label(code)) for code in _all_actions()
    ]
    form.validate()
    filters = {
        "person_id": _person_filter(form.person),
        "actor_id": _person_filter(form.actor),
        "action": form.action.data or None,
        "since": _date_filter(form.since),
        "until": _date_filter(form.until),
    }
    since, until = filters["since"], filters["until"]
    if since is not None and until is not None and since > until:
        form.until.errors.append(_("The to date is before the from date."))
    has_errors = any(field.errors for field in form)
    entries = [] if has_errors else search(**filters, limit=AUDIT_LIMIT)
    ids = {i for entry in entries for i in (entry.actor_id, entry.subject_id) if i is not None}
    names = (
        dict(db.session.execute(select(Person.id, Person.name).where(Person.id.in_(ids))).all())
        if ids
        else {}
    )
    status = 422 if has_errors else 200
    return render_template(
        "admin/audit.html",
        form=form,
        entries=[_describe(entry, names) for entry in entries],
        has_errors=has_errors,
        limited=len(entries) >= AUDIT_LIMIT,
        limit=AUDIT_LIMIT,
        retention_days=current_app.config["AUDIT_RETENTION_DAYS"],
    ), status
