"""The campaign pages: the list, a new campaign and its schedule, inviting people from the
roster (a preview first, then one POST), the texts of invitations and reminders with a
preview, the letters to print, a reminder now, and how the messages went out.

Everything works without JavaScript. Every POST redirects (POST/redirect/GET), so reloading a
page or pressing a button twice sends nothing twice; inviting the roster is idempotent as
well. The pages behind the list are the project leader's (the access policy); unit leaders
see the list, counted for their units, and the response rates."""

from __future__ import annotations

import dataclasses
import logging
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
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from survey.access.guard import visible_unit_ids
from survey.answering.models import Response as SurveyResponse
from survey.answering.models import Status
from survey.audit.services import Action, record
from survey.campaigns import presenting, services
from survey.campaigns.forms import CampaignForm, ScheduleForm, TextsForm, mode_choices
from survey.campaigns.models import Campaign, Mode
from survey.db import today
from survey.extensions import db
from survey.outbox import services as outbox
from survey.outbox.models import OutboxMessage
from survey.problems import ProblemError

bp = Blueprint("campaigns", __name__, url_prefix="/kampanjer")
logger = logging.getLogger(__name__)

TEXT_LANGUAGES = services.MESSAGE_LANGUAGES  # the languages messages can be written in
# Statuses of a campaign in which nobody may answer any more: no invitations, no reminders.
FINISHED = ("closed", "ended")
FAILURES_SHOWN = 200  # the newest; the rest wait in `survey outbox status`


def _lang() -> str:
    return str(get_locale() or "nb")


def campaign_or_404(campaign_id: int) -> Campaign:
    campaign = services.campaign_by_id(campaign_id)
    if campaign is None:
        abort(404)
    return campaign


def _flush_outbox() -> None:
    """Send what a page just queued after the response (when so configured)."""
    from survey.outbox.sending import flush_soon

    flush_soon()


def _plain(value: Any) -> Any:
    """A service's dataclass result as plain dicts and lists, for a template."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


def _rates_url(campaign_id: int) -> str | None:
    """The response-rate page, once it is part of the app."""
    if "rates.campaign" not in current_app.view_functions:
        return None
    return url_for("rates.campaign", campaign_id=campaign_id)


# --- the list ---------------------------------------------------------------------------------


@bp.get("/")
def index():
    unit_ids = visible_unit_ids()
    rows = presenting.campaign_rows(
        _lang(), unit_ids, minimum=current_app.config["SMALL_GROUP_MINIMUM"]
    )
    for row in rows:
        row["rates_url"] = _rates_url(row["id"])
    return render_template(
        "campaigns/index.html",
        campaigns=rows,
        all_units=unit_ids is None,
        small_group_minimum=current_app.config["SMALL_GROUP_MINIMUM"],
    )


# --- a new campaign and its schedule ----------------------------------------------------------


def _schedule_problems(form: ScheduleForm, problems) -> None:
    """Show the service's problems under the fields they are about."""
    fields = {
        "opens_on": form.opens_on,
        "closes_on": form.closes_on,
        "reminder_days": form.reminders,
        "language": form.language,
    }
    for problem in problems:
        field = fields.get(problem.item or "", form.closes_on)
        field.errors = [*field.errors, problem.message()]


@bp.route("/ny", methods=["GET", "POST"])
def create():
    form = CampaignForm()
    form.mode.choices = mode_choices()
    form.questionnaire.choices = [SelectChoice("", _("Choose a questionnaire"))] + [
        SelectChoice(qid, title) for qid, title in presenting.questionnaire_choices(_lang())
    ]
    if form.validate_on_submit():
        try:
            campaign = services.create_campaign(
                form.questionnaire.data,
                form.mode.data,
                form.title.data or None,
                title_nn=form.title_nn.data or None,
                title_en=form.title_en.data or None,
                opens_on=form.opens_on.data,
                closes_on=form.closes_on.data,
                reminder_days=form.reminder_days,
                language=form.language.data,
            )
        except ProblemError as error:
            _schedule_problems(form, [error.problem])
        else:
            flash(_("The survey is created."), "info")
            return redirect(url_for(".detail", campaign_id=campaign.id))
    status = 422 if request.method == "POST" else 200
    return render_template("campaigns/create.html", form=form), status


@bp.route("/<int:campaign_id>/rediger", methods=["GET", "POST"])
def edit(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    if request.method == "POST":
        form = ScheduleForm()
    else:
        form = ScheduleForm(
            data={
                "title": campaign.title,
                "title_nn": campaign.title_nn,
                "title_en": campaign.title_en,
                "opens_on": campaign.opens_on,
                "closes_on": campaign.closes_on,
                "reminders": ", ".join(str(day) for day in campaign.reminder_days or []),
                "language": campaign.language,
            }
        )
    if form.validate_on_submit():
        problems = services.set_schedule(
            campaign,
            form.opens_on.data,
            form.closes_on.data,
            form.reminder_days,
            form.language.data,
        )
        if problems:
            _schedule_problems(form, problems)
        else:
            campaign.title = form.title.data or None
            campaign.title_nn = form.title_nn.data or None
            campaign.title_en = form.title_en.data or None
            flash(_("The changes are saved."), "info")
            return redirect(url_for(".detail", campaign_id=campaign.id))
    status = 422 if request.method == "POST" else 200
    view = presenting.campaign_view(campaign, _lang())
    return render_template("campaigns/edit.html", form=form, campaign=view), status


# --- a campaign -------------------------------------------------------------------------------


def _open_link(campaign: Campaign) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/s/{campaign.slug}"


def _paper_answers(campaign: Campaign) -> int:
    """Submitted responses typed in from paper forms (a count only)."""
    return db.session.scalar(
        select(func.count())
        .select_from(SurveyResponse)
        .where(
            SurveyResponse.campaign_id == campaign.id,
            SurveyResponse.status == Status.SUBMITTED,
            SurveyResponse.channel == "paper",
        )
    )


def _answers_received(campaign: Campaign) -> int:
    """Submitted responses, through personal and open links alike (a count only)."""
    return db.session.scalar(
        select(func.count())
        .select_from(SurveyResponse)
        .where(SurveyResponse.campaign_id == campaign.id, SurveyResponse.status == Status.SUBMITTED)
    )


@bp.get("/<int:campaign_id>")
def detail(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    view = presenting.campaign_view(campaign, _lang())
    return render_template(
        "campaigns/detail.html",
        campaign=view,
        open_link=_open_link(campaign) if campaign.accepts_open_link else None,
        answers=_answers_received(campaign),
        paper_answers=_paper_answers(campaign),
        takes_answers=campaign.accepts_answers_on(today()),
        identified=campaign.mode is Mode.IDENTIFIED,
        delivery=dict(outbox.delivery_summary(campaign.id)),
        rates_url=_rates_url(campaign.id),
        finished=view["status"]["key"] in FINISHED,
    )


@bp.post("/<int:campaign_id>/status")
def set_status(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    action = request.form.get("action")
    if action not in ("close", "open"):
        abort(400)
    services.set_open(campaign, action == "open")
    flash(
        _("The survey is open for answers again.")
        if action == "open"
        else _("The survey is closed. Nobody can answer it, and nobody is reminded."),
        "info",
    )
    return redirect(url_for(".detail", campaign_id=campaign.id))


# --- inviting people from the roster ----------------------------------------------------------


def _selection(values) -> tuple[Any, str | None]:
    """The roster selection from a query string or form, and an error message for a unit
    that does not exist (never silently the whole roster instead)."""
    from survey.campaigns.inviting import RosterSelection

    unit = (values.get("enhet") or "").strip() or None
    error = None
    if unit is not None and unit not in {u["code"] for u in presenting.unit_choices()}:
        error = _("Choose a unit from the list.")
    yrkesgrupper = tuple(sorted({v.strip() for v in values.getlist("yrkesgruppe") if v.strip()}))
    selection = RosterSelection(
        unit_code=unit,
        with_subunits=bool(unit) and values.get("underenheter") == "1",
        yrkesgrupper=yrkesgrupper,
        part_time_only=values.get("deltid") == "1",
    )
    return selection, error


@bp.get("/<int:campaign_id>/inviter")
def invite(campaign_id: int):
    from survey.campaigns import inviting

    campaign = campaign_or_404(campaign_id)
    selection, error = _selection(request.args)
    view = presenting.campaign_view(campaign, _lang())
    preview = None
    if error is None:
        try:
            preview = _plain(inviting.preview(campaign, selection))
        except ProblemError as problem:
            error = problem.problem.message()
    return render_template(
        "campaigns/invite.html",
        campaign=view,
        units=presenting.unit_choices(),
        yrkesgrupper=presenting.roster_yrkesgrupper(),
        chosen=_plain(selection),
        error=error,
        preview=preview,
        finished=view["status"]["key"] in FINISHED,
    ), (422 if error else 200)


@bp.post("/<int:campaign_id>/inviter")
def invite_send(campaign_id: int):
    from survey.campaigns import inviting, messaging

    campaign = campaign_or_404(campaign_id)
    chosen = {k: v for k, v in request.form.to_dict(flat=False).items() if k != "csrf_token"}
    back = url_for(".invite", campaign_id=campaign.id, **chosen)
    selection, error = _selection(request.form)
    if error:
        flash(error, "error")
        return redirect(back)
    if presenting.status(campaign)["key"] in FINISHED:
        flash(_("The survey is closed. Open it again before inviting anyone."), "error")
        return redirect(back)
    try:
        result = inviting.invite_roster(campaign, selection)
    except ProblemError as problem:
        flash(problem.problem.message(), "error")
        return redirect(back)
    queued = messaging.queue_invitations(campaign, result.invitations)
    _flush_outbox()
    logger.info("campaign %s: %d invited from the web", campaign.id, len(result.invitations))
    created = len(result.invitations)
    if created:
        flash(
            ngettext(
                "%(num)d invitation created: %(email)d by e-mail, %(sms)d by SMS, "
                "%(letter)d letters to print.",
                "%(num)d invitations created: %(email)d by e-mail, %(sms)d by SMS, "
                "%(letter)d letters to print.",
                created,
                email=queued.email,
                sms=queued.sms,
                letter=queued.letter,
            ),
            "info",
        )
    else:
        flash(_("Nobody new to invite: everyone chosen has an invitation already."), "info")
    if result.already:
        flash(
            ngettext("%(num)d was invited before.", "%(num)d were invited before.", result.already),
            "info",
        )
    if result.marked_left:
        flash(
            ngettext(
                "%(num)d invitation belongs to someone no longer on the roster: marked as left.",
                "%(num)d invitations belong to people no longer on the roster: marked as left.",
                result.marked_left,
            ),
            "info",
        )
    return redirect(url_for(".detail", campaign_id=campaign.id))


# --- texts ------------------------------------------------------------------------------------


def _text_language(campaign: Campaign) -> str:
    lang = request.args.get("sprak") or campaign.language or "nb"
    if lang not in TEXT_LANGUAGES:
        abort(404)
    return lang


@bp.route("/<int:campaign_id>/tekster", methods=["GET", "POST"])
def texts(campaign_id: int):
    from survey.campaigns import messaging

    campaign = campaign_or_404(campaign_id)
    lang = _text_language(campaign)
    if request.method == "POST":
        form = TextsForm()
    else:
        form = TextsForm(data=messaging.texts_for(campaign, lang))
    status = 200
    unsaved = False
    general: list[str] = []
    preview = None
    if form.validate_on_submit():
        saved = campaign.texts
        problems = messaging.set_texts(campaign, lang, form.values())
        if problems:
            general = _attach_problems(form, problems)
            status = 422
        elif request.form.get("action") == "preview":
            # Shown as the employees would get it, then put back: nothing is saved.
            preview = messaging.preview(campaign, lang)
            campaign.texts = saved
            unsaved = True
        else:
            flash(_("The texts are saved."), "info")
            return redirect(url_for(".texts", campaign_id=campaign.id, sprak=lang))
    elif request.method == "POST":
        status = 422
    if preview is None:
        preview = messaging.preview(campaign, lang)
    return render_template(
        "campaigns/texts.html",
        campaign=presenting.campaign_view(campaign, _lang()),
        form=form,
        lang=lang,
        languages=[(code, str(presenting.TEXT_LANGUAGE_LABELS[code])) for code in TEXT_LANGUAGES],
        preview=presenting.text_preview(preview, messaging.KINDS),
        unsaved=unsaved,
        problems=general,
    ), status


def _attach_problems(form: TextsForm, problems) -> list[str]:
    """Put each problem under the text it is about; the rest above the form."""
    general = []
    for problem in problems:
        if problem.item in form.KEYS:
            field = form[problem.item]
            field.errors = [*field.errors, problem.message()]
        else:
            general.append(problem.message())
    return general


# --- letters, reminders, delivery -------------------------------------------------------------


@bp.get("/<int:campaign_id>/brev.pdf")
def letters(campaign_id: int):
    from survey.campaigns.letters import letters_pdf

    campaign = campaign_or_404(campaign_id)
    include_all = request.args.get("alle") == "1"
    body = letters_pdf(campaign, include_all)
    record(
        Action.EXPORT,
        actor_id=current_user.person.id,
        object_type="campaign_letters",
        object_id=campaign.id,
        detail={"all": include_all},
    )
    response = Response(body, mimetype="application/pdf")
    which = "alle" if include_all else "uten-epost-og-mobil"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="brev-{campaign.id}-{which}.pdf"'
    )
    return response


@bp.get("/<int:campaign_id>/papir.pdf")
def paper(campaign_id: int):
    """The paper version of the campaign's questionnaire (the version answered now), in
    `?lang=` nb, nn or en (default: the campaign's language)."""
    from survey.questionnaires.paper import PAPER_LANGUAGES, paper_pdf, stored_definition

    campaign = campaign_or_404(campaign_id)
    lang = request.args.get("lang") or campaign.language or "nb"
    if lang not in PAPER_LANGUAGES:
        flash(_("The paper version is made in bokmål, nynorsk or English."), "error")
        return redirect(url_for(".detail", campaign_id=campaign.id))
    definition = stored_definition(campaign.questionnaire_id)
    if definition is None:
        abort(404)
    body = paper_pdf(definition, lang, current_app.config.get("REPORT_AUTHOR", "Heltid"))
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="papir-{campaign.id}-{definition.id}-{lang}.pdf"'
    )
    return response


@bp.post("/<int:campaign_id>/paminnelse")
def remind(campaign_id: int):
    from survey.campaigns import messaging

    campaign = campaign_or_404(campaign_id)
    counts = messaging.remind_now(campaign)
    if counts.closed:
        flash(_("The survey takes no answers today: nobody is reminded."), "error")
        return redirect(url_for(".detail", campaign_id=campaign.id))
    _flush_outbox()
    sent = counts.email + counts.sms
    if sent:
        flash(
            ngettext(
                "%(num)d reminder queued: %(email)d by e-mail, %(sms)d by SMS.",
                "%(num)d reminders queued: %(email)d by e-mail, %(sms)d by SMS.",
                sent,
                email=counts.email,
                sms=counts.sms,
            ),
            "info",
        )
    else:
        flash(
            _(
                "Nobody to remind by e-mail or SMS: everyone reachable has answered or was "
                "reminded today."
            ),
            "info",
        )
    if counts.letter:
        flash(
            ngettext(
                "%(num)d person who has not answered can only be reached by letter.",
                "%(num)d people who have not answered can only be reached by letter.",
                counts.letter,
            ),
            "info",
        )
    return redirect(url_for(".detail", campaign_id=campaign.id))


@bp.get("/<int:campaign_id>/utsendelse")
def delivery(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    failures = presenting.failure_rows(outbox.failures(campaign.id, limit=FAILURES_SHOWN))
    return render_template(
        "campaigns/delivery.html",
        campaign=presenting.campaign_view(campaign, _lang()),
        summary=dict(outbox.delivery_summary(campaign.id)),
        failures=failures,
        cut_off=len(failures) >= FAILURES_SHOWN,
    )


@bp.post("/<int:campaign_id>/utsendelse/<int:message_id>/prov-igjen")
def retry(campaign_id: int, message_id: int):
    campaign = campaign_or_404(campaign_id)
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.campaign_id != campaign.id:
        abort(404)
    outbox.retry(message_id)
    _flush_outbox()
    flash(_("The message will be sent again."), "info")
    return redirect(url_for(".delivery", campaign_id=campaign.id))
