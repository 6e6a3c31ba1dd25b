"""Logging in and out: staff with e-mail and password, employees with one-time links."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from survey.accounts import services
from survey.accounts.forms import ConfirmForm, ForgotPasswordForm, LoginForm, ResetPasswordForm
from survey.accounts.models import TokenPurpose
from survey.accounts.passwords import PasswordRejected
from survey.accounts.sessions import log_in, log_out
from survey.audit.services import Action, record
from survey.extensions import limiter
from survey.mail import send_mail
from survey.urls import safe_local_path

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _safe_next(target: str | None) -> str:
    return safe_local_path(target) or url_for("me.overview")


def _lockout_policy() -> services.LockoutPolicy:
    config = current_app.config
    return services.LockoutPolicy(
        free_attempts=config["LOCKOUT_FREE_ATTEMPTS"],
        base_seconds=config["LOCKOUT_BASE_SECONDS"],
        max_seconds=config["LOCKOUT_MAX_SECONDS"],
    )


PASSWORD_MESSAGES = {
    "too_short": lambda: _("The password must be at least 12 characters long."),
    "too_long": lambda: _("The password is too long."),
    "common": lambda: _("This password is too common and easy to guess. Choose another."),
}


@bp.route("/logg-inn", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        result = services.authenticate(
            form.email.data, form.password.data, policy=_lockout_policy()
        )
        person_id = result.person.id if result.person else None
        if result.status == "ok":
            record(
                Action.LOGIN,
                actor_id=person_id,
                subject_id=person_id,
                detail={"method": "password"},
            )
            log_in(result.person)
            return redirect(_safe_next(request.args.get("next")))
        if result.status == "locked":
            record(Action.LOGIN_LOCKED, subject_id=person_id)
            flash(
                _(
                    "Too many failed attempts. Try again after %(time)s, or reset your password.",
                    time=format_datetime(result.locked_until, "short"),
                ),
                "error",
            )
        else:
            record(Action.LOGIN_FAILED, subject_id=person_id)
            flash(_("Wrong e-mail address or password."), "error")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login.html", form=form, oidc_label=_oidc_label()), status


def _oidc_label() -> str | None:
    if current_app.config.get("OIDC_METADATA_URL"):
        return current_app.config["OIDC_LABEL"]
    return None


@bp.post("/logg-ut")
def logout():
    log_out()
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"))


@bp.post("/logg-ut-overalt")
def logout_everywhere():
    person = current_user.person
    services.log_out_everywhere(person)
    record(Action.LOGOUT_EVERYWHERE, actor_id=person.id, subject_id=person.id)
    log_out()
    flash(_("You are logged out on all devices."), "info")
    return redirect(url_for("main.index"))


@bp.route("/lenke/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login_link(token: str):
    """A GET only shows a button, so link previews and virus scanners don't use up the link."""
    form = ConfirmForm()
    if services.peek_token(token, TokenPurpose.LOGIN) is None:
        return render_template("accounts/link_invalid.html"), 404
    if form.validate_on_submit():
        person = services.redeem_token(token, TokenPurpose.LOGIN)
        if person is None:
            return render_template("accounts/link_invalid.html"), 404
        record(Action.LOGIN, actor_id=person.id, subject_id=person.id, detail={"method": "link"})
        log_in(person)
        return redirect(url_for("me.overview"))
    return render_template("accounts/login_link.html", form=form)


@bp.route("/glemt-passord", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        person = services.find_by_email(form.email.data)
        if person is not None and person.password_hash:
            hours = current_app.config["PASSWORD_RESET_HOURS"]
            token = services.issue_token(
                person, TokenPurpose.PASSWORD_RESET, dt.timedelta(hours=hours)
            )
            link = url_for("auth.reset_password", token=token, _external=True)
            send_mail(
                person.email,
                _("Reset your password"),
                _("Use this link within %(hours)s hours to choose a new password:", hours=hours)
                + f"\n\n{link}\n",
                recipient_id=person.id,
            )
        # The same answer whether or not the address is known.
        flash(
            _("If the address belongs to an account, we have sent a link to reset the password."),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/nytt-passord/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if services.peek_token(token, TokenPurpose.PASSWORD_RESET) is None:
        return render_template("accounts/link_invalid.html"), 404
    form = ResetPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            from survey.accounts.passwords import check_password

            check_password(form.password.data)
        except PasswordRejected as rejected:
            form.password.errors.append(PASSWORD_MESSAGES[rejected.reason]())
            status = 422
        else:
            person = services.redeem_token(token, TokenPurpose.PASSWORD_RESET)
            if person is None:
                return render_template("accounts/link_invalid.html"), 404
            services.set_password(person, form.password.data)
            person.session_epoch += 1  # a reset ends every other session ...
            services.revoke_tokens(person, TokenPurpose.PASSWORD_RESET)  # ... and older reset links
            record(Action.PASSWORD_RESET, actor_id=person.id, subject_id=person.id)
            log_in(person)
            flash(_("Your new password is saved."), "info")
            return redirect(url_for("me.overview"))
    elif request.method == "POST":
        status = 422
    return render_template("accounts/reset_password.html", form=form), status
