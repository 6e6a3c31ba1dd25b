"""The answering flow: welcome → pages → review → submit → receipt.

The server decides the flow, so branching works without JavaScript. Every write is
post/redirect/get; a repeated or late post never makes a second response."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
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

from survey import engine
from survey.answering import presenting, services
from survey.answering.models import Response, Status
from survey.campaigns.models import Campaign
from survey.campaigns.services import campaign_by_id, find_campaign
from survey.db import today
from survey.extensions import db
from survey.i18n import current_language

bp = Blueprint("answering", __name__)


def _lang() -> str:
    return current_language()


def _campaign_or_404(slug: str) -> Campaign:
    campaign = find_campaign(slug)
    if campaign is None:
        abort(404)
    return campaign


def _remember(
    campaign: Campaign,
    response: Response,
    *,
    code: str | None = None,
    invitation_id: int | None = None,
) -> None:
    """The browser's signed session cookie is what ties it to a draft; nothing server-side."""
    drafts = dict(session.get("responses", {}))
    drafts[campaign.slug] = response.id
    session["responses"] = drafts
    codes = dict(session.get("resume_codes", {}))
    if code:
        codes[campaign.slug] = code
    else:
        codes.pop(campaign.slug, None)
    session["resume_codes"] = codes
    invitations = dict(session.get("invitations", {}))
    if invitation_id is not None:
        invitations[campaign.slug] = invitation_id
    session["invitations"] = invitations


def _response_in_session(campaign: Campaign) -> Response | None:
    response_id = session.get("responses", {}).get(campaign.slug)
    if not response_id:
        return None
    response = db.session.get(Response, response_id)
    if response is None or response.campaign_id != campaign.id:
        return None
    return response


def _response_id_in_session(slug: str) -> str | None:
    return session.get("responses", {}).get(slug)


def _draft_in_session(slug: str) -> services.Draft | None:
    response_id = _response_id_in_session(slug)
    if not response_id:
        return None
    return services.load_draft(response_id, slug)


def _closed(error: services.CampaignClosed, *, draft: bool = False):
    """The page of a campaign that takes no answers today, in the respondent's language: not
    open yet (403), or closed (410). `draft`: answers saved earlier are kept, not sendable."""
    return render_template(
        "answering/closed.html",
        opens_on=error.opens_on,
        closed_on=error.closed_on,
        draft=draft,
    ), (403 if error.opens_on is not None else 410)


def _draft_or_redirect(slug: str):
    """(campaign, response, questionnaire) for a draft in progress, or a redirect."""
    response = _draft_in_session(slug)
    if response is None:
        _campaign_or_404(slug)
        flash(_("Start or resume the questionnaire here."), "info")
        return None, redirect(url_for(".welcome", slug=slug))
    campaign = response.campaign
    if response.status is Status.SUBMITTED:
        if request.method == "POST":
            flash(
                _("This questionnaire has already been submitted. Your changes were not saved."),
                "error",
            )
        return None, redirect(url_for(".receipt", slug=slug))
    try:
        services.refuse_if_closed(campaign)
    except services.CampaignClosed as error:
        return None, _closed(error, draft=True)
    return (campaign, response, _definition_for(slug, response)), None


@bp.get("/s/<slug>")
def welcome(slug: str):
    campaign = _campaign_or_404(slug)
    response = _response_in_session(campaign)
    submitted = response is not None and response.status is Status.SUBMITTED
    if not submitted:
        try:
            services.refuse_if_closed(campaign)
        except services.CampaignClosed as error:
            return _closed(error, draft=response is not None)
    return render_template(
        "answering/welcome.html",
        campaign=_campaign_view(campaign),
        draft=response is not None and response.status is Status.DRAFT,
        submitted=submitted,
        start_url=url_for(".start", slug=slug),
        personal=False,
    )


@bp.post("/s/<slug>/start")
def start(slug: str):
    campaign = _campaign_or_404(slug)
    existing = _response_in_session(campaign)
    if existing is not None:
        return _continue(campaign, existing)
    if not campaign.accepts_open_link:
        abort(403)
    try:
        response, code = services.start_open_response(campaign)
    except services.CampaignClosed as error:
        return _closed(error)
    _remember(campaign, response, code=code)
    return _continue(campaign, response)


@bp.post("/kampanjer/<int:campaign_id>/papirsvar")
def start_paper(campaign_id: int):
    """«Registrer et papirsvar» (project leaders, the access policy): the answering pages for
    a paper form, on a new response marked paper and tied to nobody; this browser's session
    finds it as it finds a respondent's draft. A paper draft not yet sent is continued."""
    campaign = campaign_by_id(campaign_id)
    if campaign is None:
        abort(404)
    existing = _response_in_session(campaign)
    if (
        existing is not None
        and existing.status is Status.DRAFT
        and existing.channel == services.PAPER
        and _typing_in_paper(campaign.slug, existing)
    ):
        return _continue(campaign, existing)
    try:
        response = services.start_paper_response(campaign)
    except services.CampaignClosed:
        flash(
            _("The survey takes no answers now: paper answers can be typed in while it is open."),
            "error",
        )
        return redirect(url_for("campaigns.detail", campaign_id=campaign.id))
    _remember(campaign, response)
    papers = dict(session.get("paper", {}))
    papers[campaign.slug] = response.id
    session["paper"] = papers
    flash(_("A new paper answer: type in the answers exactly as they are on the form."), "info")
    return _continue(campaign, response)


def _typing_in_paper(slug: str, response) -> bool:
    """Whether `response` is the paper form this browser types in for the campaign."""
    return session.get("paper", {}).get(slug) == response.id


def _definition_for(slug: str, response):
    """The questionnaire as this browser answers it: a paper form typed in requires nothing."""
    if _typing_in_paper(slug, response):
        return services.paper_definition(response.questionnaire)
    return response.questionnaire


@bp.get("/i/<token>")
def invitation(token: str):
    link = services.personal_link(token, current_app.config["SECRET_KEY"])
    if link is None:
        return render_template("answering/invalid_link.html"), 404
    campaign = link.campaign
    services.mark_opened(link)
    status = link.response_status
    if link.used_on is not None or status is Status.SUBMITTED:
        return render_template(
            "answering/already_answered.html",
            campaign=_campaign_view(campaign, link.latest_definition),
        )
    try:
        services.refuse_if_closed(campaign)
    except services.CampaignClosed as error:
        return _closed(error, draft=status is not None)
    return render_template(
        "answering/welcome.html",
        campaign=_campaign_view(campaign, link.latest_definition),
        draft=status is not None,
        submitted=False,
        start_url=url_for(".start_invitation", token=token),
        personal=True,
    )


@bp.post("/i/<token>")
def start_invitation(token: str):
    link = services.personal_link(token, current_app.config["SECRET_KEY"])
    if link is None:
        return render_template("answering/invalid_link.html"), 404
    if link.used_on is not None:
        return redirect(url_for(".invitation", token=token))
    try:
        draft = services.response_for_invitation(link)
    except services.CampaignClosed as error:
        return _closed(error)
    _remember(link.campaign, draft, invitation_id=link.invitation_id)
    return _continue(link.campaign, draft)


@bp.route("/s/<slug>/fortsett", methods=["GET", "POST"])
def resume(slug: str):
    campaign = _campaign_or_404(slug)
    # Only by POST: a code in a query string would land in every access log. An old
    # `?kode=` link (or a bare GET) gets the welcome page with the form.
    code = request.form.get("code", "") if request.method == "POST" else ""
    if not code:
        return redirect(url_for(".welcome", slug=slug))
    response = services.response_by_resume_code(campaign, code)
    try:
        services.refuse_if_closed(campaign)
    except services.CampaignClosed as error:
        return _closed(error, draft=response is not None)
    if response is None:
        flash(
            _(
                "We did not find a questionnaire in progress with that code. Check the code and try again."
            ),
            "error",
        )
        return redirect(url_for(".welcome", slug=slug))
    _remember(campaign, response, code=services.normalise_resume_code(code))
    return _continue(campaign, response)


def _continue(campaign: Campaign | services.CampaignInfo, response: Response | services.Draft):
    """To the receipt, or to the page the respondent left (the first relevant one)."""
    if response.status is Status.SUBMITTED:
        return redirect(url_for(".receipt", slug=campaign.slug))
    questionnaire = services.questionnaire_of(response)
    answers = services.stored_answers(response, questionnaire)
    pages = engine.relevant_pages(questionnaire, answers, today())
    names = [p.name for p in pages]
    target = response.last_page if response.last_page in names else names[0]
    return redirect(url_for(".page", slug=campaign.slug, name=target))


@bp.route("/s/<slug>/side/<name>", methods=["GET", "POST"])
def page(slug: str, name: str):
    context, redirect_response = _draft_or_redirect(slug)
    if redirect_response is not None:
        return redirect_response
    campaign, response, questionnaire = context
    try:
        current = questionnaire.page(name)
    except KeyError:
        abort(404)
    answers = services.stored_answers(response, questionnaire)
    relevant_names = [p.name for p in engine.relevant_pages(questionnaire, answers, today())]
    if name not in relevant_names:
        return render_template(
            "answering/not_relevant.html",
            back_url=url_for(".page", slug=slug, name=relevant_names[0]),
        ), 409 if request.method == "POST" else 404

    if request.method == "GET":
        return _render_page(campaign, response, questionnaire, current, answers, _lang())

    form = request.form  # one look-up of the request proxy for the form's several reads
    action = form.get("action", "next")
    shown = set(form.get("shown", "").split())
    result = engine.read_page(
        questionnaire, current, form.to_dict(flat=False), answers, shown, today()
    )

    if action == "back":
        # Going back keeps whatever was valid on this page; nothing typed is thrown away silently.
        valid = {k: v for k, v in result.values.items() if k not in result.errors}
        merged = {**answers, **{k: v for k, v in valid.items() if v is not None}}
        previous = engine.previous_page(questionnaire, merged, name, today())
        services.save_page(
            response,
            questionnaire,
            current,
            valid,
            answers=answers,
            resume_at=previous.name if previous else None,
        )
        if previous is None:
            return redirect(url_for(".welcome", slug=slug))
        return redirect(url_for(".page", slug=slug, name=previous.name))

    if result.errors:
        raw = presenting.raw_form_values(current, form)
        merged = {**answers, **{k: v for k, v in result.values.items() if v is not None}}
        return _render_page(
            campaign,
            response,
            questionnaire,
            current,
            merged,
            _lang(),
            raw=raw,
            errors=result.errors,
            status=422,
        )

    merged = {**answers, **{k: v for k, v in result.values.items() if v is not None}}
    following = None if result.revealed else engine.next_page(questionnaire, merged, name, today())
    services.save_page(
        response,
        questionnaire,
        current,
        result.values,
        answers=answers,
        resume_at=following.name if following else None,
    )
    if result.revealed:
        flash(_("Your answer brought up more questions on this page."), "info")
        return redirect(url_for(".page", slug=slug, name=name, _anchor=f"q-{result.revealed[0]}"))
    if form.get("return_to") == "review" or following is None:
        return redirect(url_for(".review", slug=slug))
    return redirect(url_for(".page", slug=slug, name=following.name))


def _render_page(
    campaign, response, questionnaire, current, answers, lang, *, raw=None, errors=None, status=200
):
    on = today()
    position, total, settled = engine.progress(questionnaire, answers, current.name, on)
    questions = presenting.page_questions(
        questionnaire, current, answers, lang, today=on, raw=raw, errors=errors
    )
    error_list = [(q["name"], q["label"], q["error"]) for q in questions if q["error"]]
    return render_template(
        "answering/page.html",
        campaign=_campaign_heading(campaign, questionnaire, lang),
        page={"name": current.name, "title": current.title.get(lang)},
        questions=questions,
        shown=presenting.visible_names(questions),
        errors=error_list,
        position=position,
        total=total,
        settled=settled,
        answers_json=_answers_json(questionnaire, answers),
        return_to=request.values.get("return_to", ""),
        resume=_resume_info(campaign),
        paper=_typing_in_paper(campaign.slug, response),
    ), status


def _answers_json(questionnaire: engine.Questionnaire, answers: dict[str, Any]) -> dict[str, Any]:
    return {
        name: engine.serialize(questionnaire.question(name), value)
        for name, value in answers.items()
    }


@bp.get("/s/<slug>/oppsummering")
def review(slug: str):
    context, redirect_response = _draft_or_redirect(slug)
    if redirect_response is not None:
        return redirect_response
    campaign, response, questionnaire = context
    lang = _lang()
    answers = services.stored_answers(response, questionnaire)
    sections = presenting.review_sections(
        questionnaire,
        engine.relevant_pages(questionnaire, answers, today()),
        answers,
        lang,
        today=today(),
        edit_url=lambda name: url_for(".page", slug=slug, name=name, return_to="review"),
    )
    missing = engine.missing_required(questionnaire, answers, today())
    return render_template(
        "answering/review.html",
        campaign=_campaign_heading(campaign, questionnaire, lang),
        sections=sections,
        missing=len(missing),
        resume=_resume_info(campaign),
        paper=_typing_in_paper(slug, response),
    )


@bp.post("/s/<slug>/send")
def submit(slug: str):
    response = _draft_in_session(slug)
    if response is None:
        _campaign_or_404(slug)
        return redirect(url_for(".welcome", slug=slug))
    if response.status is Status.SUBMITTED:
        return redirect(url_for(".receipt", slug=slug))
    try:
        services.refuse_if_closed(response.campaign)
    except services.CampaignClosed as error:
        return _closed(error, draft=True)
    questionnaire = _definition_for(slug, response)
    answers = services.stored_answers(response, questionnaire)
    if engine.missing_required(questionnaire, answers, today()):
        flash(_("Some required questions are not answered yet."), "error")
        return redirect(url_for(".review", slug=slug))
    invitation_id = session.get("invitations", {}).get(slug)
    submission = services.submit(
        response, questionnaire, answers=answers, invitation_id=invitation_id
    )
    if submission.recorded is not None:
        # Identified only: which revision the answers became (ids, no answers), for the receipt.
        recorded = dict(session.get("recorded", {}))
        recorded[slug] = submission.recorded
        session["recorded"] = recorded
    codes = dict(session.get("resume_codes", {}))
    codes.pop(slug, None)
    session["resume_codes"] = codes
    # Sent: the invitation has served its purpose. Kept beside the response id, the cookie
    # would tie an anonymous or confidential response to the person invited.
    invitations = dict(session.get("invitations", {}))
    invitations.pop(slug, None)
    session["invitations"] = invitations
    return redirect(url_for(".receipt", slug=slug))


@bp.get("/s/<slug>/kvittering")
def receipt(slug: str):
    response_id = _response_id_in_session(slug)
    response = services.load_sent(response_id, slug) if response_id else None
    if response is None or response.status is not Status.SUBMITTED:
        _campaign_or_404(slug)
        return redirect(url_for(".welcome", slug=slug))
    recorded = services.recorded_changes(session.get("recorded", {}).get(slug))
    return render_template(
        "answering/receipt.html",
        # A paper answer just typed in: the receipt offers the next one.
        paper_campaign_id=response.campaign.id if _typing_in_paper(slug, response) else None,
        campaign=_campaign_view(response.campaign, response.questionnaire),
        submitted_on=response.submitted_on,
        recorded=None
        if recorded is None
        else presenting.recorded_view(
            recorded,
            response.questionnaire,
            services.guide_definition(),
            _lang(),
            answers=services.stored_answers(response, response.questionnaire),
            today=today(),
        ),
    )


def _resume_info(campaign: Campaign) -> dict[str, str] | None:
    code = session.get("resume_codes", {}).get(campaign.slug)
    if code:
        return {
            "code": services.format_resume_code(code),
            # The code rides in the fragment, which browsers never send: the welcome page's
            # script puts it in the form, which posts it.
            "url": url_for(".welcome", slug=campaign.slug, _external=True) + f"#kode={code}",
        }
    if session.get("invitations", {}).get(campaign.slug):
        return {"personal": "1"}
    return None


def _campaign_heading(campaign, definition: engine.Questionnaire, lang: str) -> dict[str, Any]:
    """What a questionnaire page and the review show of the campaign: its title (and slug).
    The rest of `_campaign_view` (the mode's explanation, a gettext) is for the welcome page
    and the receipt, not for every page view."""
    return {"slug": campaign.slug, "title": campaign.title_in(lang) or definition.title.get(lang)}


def _campaign_view(
    campaign: Campaign, definition: engine.Questionnaire | None = None
) -> dict[str, Any]:
    """The campaign as the templates need it; `definition` defaults to the latest version
    (pages inside a response pass the version the respondent answers)."""
    lang = _lang()
    if definition is None:
        definition = services.latest_definition(campaign.questionnaire_id)
    return {
        "slug": campaign.slug,
        "title": campaign.title_in(lang) or definition.title.get(lang),
        "description": definition.description.get(lang),
        "mode": campaign.mode.value,
        "mode_explanation": str(presenting.MODE_EXPLANATIONS[campaign.mode.value]),
        "accepts_open_link": campaign.accepts_open_link,
        "is_open": campaign.accepts_answers_on(today()),
    }
