"""The ansettelsesutvalg's pages: the case list, a case with its candidates and decisions, the
distribution of shares, and the candidate list as PDF. Everything works without JavaScript;
comparing a distribution is a GET form, because it changes nothing."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from survey.access.guard import may_see_case
from survey.access.policy import Scope
from survey.accounts.models import Person, Unit
from survey.accounts.services import find_by_email
from survey.audit.services import Action, record
from survey.committee import presenting, services
from survey.committee.forms import EquivalenceForm, VacancyForm
from survey.committee.models import CaseStatus, Vacancy, YrkesgruppeEquivalence
from survey.extensions import db

bp = Blueprint("committee", __name__, url_prefix="/utvalg")


def _lang() -> str:
    return str(get_locale() or "nb")


def _id(value: str) -> int | None:
    """A row id from a form field, or None (not digits, or too large for the database)."""
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) <= 9 else None


def _actor() -> Person:
    return current_user.person


def case_or_404(case_id: int) -> Vacancy:
    """The committee case (a vacancy), if the current user may see it; otherwise 404, as for
    `survey.access.guard.person_or_404`."""
    vacancy = db.session.get(Vacancy, case_id)
    if vacancy is None or not may_see_case(case_id):
        abort(404)
    return vacancy


def _visible_case_ids() -> set[int] | None:
    if Scope.ALL in g.get("scopes", set()):
        return None
    return services.case_ids_of(_actor())


@bp.get("/")
def index():
    lang = _lang()
    rows = [
        {
            "id": vacancy.id,
            "title": vacancy.title,
            "unit": vacancy.unit.name,
            "percent": presenting.percent(float(vacancy.percent), lang),
            "open": vacancy.status is CaseStatus.OPEN,
        }
        for vacancy in services.vacancies(_visible_case_ids())
    ]
    return render_template("committee/index.html", cases=rows)


# --- a new vacancy ----------------------------------------------------------------------------


def _yrkesgruppe_choices() -> list[SelectChoice]:
    from survey.living import presenting as living

    question = living.questions().get("yrkesgruppe")
    lang = _lang()
    if question is None or not question.choices:
        return []
    return [SelectChoice(choice.value, choice.label.get(lang)) for choice in question.choices]


def _read_members(text: str) -> tuple[list[Person], list[str]]:
    found, unknown = [], []
    for line in (text or "").replace(",", "\n").splitlines():
        email = line.strip()
        if not email:
            continue
        person = find_by_email(email)
        (found.append(person) if person is not None else unknown.append(email))
    return found, unknown


@bp.route("/ny", methods=["GET", "POST"])
def create():
    form = VacancyForm()
    form.unit.choices = [SelectChoice("", _("Choose a unit"))] + [
        SelectChoice(str(unit.id), unit.name)
        for unit in db.session.scalars(select(Unit).order_by(Unit.name))
    ]
    form.yrkesgruppe.choices = [SelectChoice("", _("Choose a yrkesgruppe"))] + (
        _yrkesgruppe_choices()
    )
    status = 200
    if form.validate_on_submit():
        members, unknown = _read_members(form.members.data)
        order = [
            value for value in (form.order_1.data, form.order_2.data, form.order_3.data) if value
        ]
        if unknown:
            form.members.errors.append(
                _("Nobody has the e-mail address %(emails)s.", emails=", ".join(unknown))
            )
        else:
            try:
                with db.session.begin_nested():
                    vacancy = services.create_vacancy(
                        unit=db.session.get(Unit, int(form.unit.data)),
                        yrkesgruppe=form.yrkesgruppe.data,
                        percent=form.percent.data,
                        title=form.title.data,
                        shares=(form.shares.data or "").replace(";", " ").split(),
                        divisible=not form.whole_shares.data,
                        permanent=form.permanent.data == "fast",
                        weekends_per_year=form.weekends_per_year.data,
                        long_shifts=form.long_shifts.data,
                        shift_types=form.shift_types.data or [],
                        other_units=form.other_units.data,
                        start_date=form.start_date.data,
                        order=order,
                        members=members,
                        actor=_actor(),
                    )
            except services.CommitteeError as error:
                field = {
                    "percent_invalid": form.percent,
                    "shares_must_add_up": form.shares,
                    "order_invalid": form.order_1,
                }.get(error.problem.code, form.percent)
                field.errors.append(error.problem.message())
            else:
                flash(_("The vacancy is created."), "info")
                return redirect(url_for(".case", case_id=vacancy.id))
        status = 422
    elif request.method == "POST":
        status = 422
    return render_template("committee/create.html", form=form), status


# --- a case -----------------------------------------------------------------------------------


def _record_reads(vacancy: Vacancy, person_ids, action: str) -> None:
    actor = _actor()
    for person_id in person_ids:
        if person_id != actor.id:
            record(
                action,
                actor_id=actor.id,
                subject_id=person_id,
                object_type="vacancy",
                object_id=vacancy.id,
            )


@bp.get("/<int:case_id>")
def case(case_id: int):
    vacancy = case_or_404(case_id)
    lang = _lang()
    found = services.candidates_for(vacancy)
    views = presenting.candidate_views(found, lang, services.current_decisions(vacancy))
    _record_reads(vacancy, [c.person_id for c in found], Action.READ)
    return render_template(
        "committee/case.html",
        vacancy=presenting.vacancy_view(vacancy, services.members(vacancy), lang),
        candidates=views,
        outcomes=list(presenting.DECISION_LABELS.items()),
    )


@bp.post("/<int:case_id>/beslutning")
def decide(case_id: int):
    vacancy = case_or_404(case_id)
    person_id = request.form.get("person_id", "")
    anchor = f"kandidat-{person_id}" if person_id.isdigit() else None
    try:
        if not person_id.isdigit():
            raise services.CommitteeError("not_a_candidate")
        with db.session.begin_nested():
            decision = services.record_decision(
                vacancy,
                int(person_id),
                request.form.get("outcome", ""),
                reason=request.form.get("reason", ""),
                percent=request.form.get("percent", "").strip() or None,
                actor=_actor(),
            )
    except services.CommitteeError as error:
        flash(error.problem.message(), "error")
    else:
        flash(
            _(
                "Recorded for %(name)s: %(outcome)s.",
                name=decision.person.name,
                outcome=presenting.DECISION_LABELS[decision.outcome],
            ),
            "info",
        )
    return redirect(url_for(".case", case_id=vacancy.id, _anchor=anchor))


@bp.post("/<int:case_id>/medlemmer")
def add_member(case_id: int):
    vacancy = case_or_404(case_id)
    email = request.form.get("email", "").strip()
    person = find_by_email(email) if email else None
    if not email:
        flash(_("Write the e-mail address of the new member."), "error")
    elif person is None:
        flash(_("Nobody has the e-mail address %(emails)s.", emails=email), "error")
    elif not services.add_member(vacancy, person, actor=_actor()):
        flash(_("%(name)s is already a member of this committee.", name=person.name), "error")
    else:
        flash(_("%(name)s is added to the committee.", name=person.name), "info")
    return redirect(url_for(".case", case_id=vacancy.id, _anchor="members"))


@bp.post("/<int:case_id>/medlemmer/fjern")
def remove_member(case_id: int):
    vacancy = case_or_404(case_id)
    person_id = _id(request.form.get("person_id", ""))
    person = db.session.get(Person, person_id) if person_id is not None else None
    try:
        with db.session.begin_nested():
            removed = person is not None and services.remove_member(vacancy, person, actor=_actor())
    except services.CommitteeError as error:
        flash(error.problem.message(), "error")
    else:
        if removed:
            flash(_("%(name)s is removed from the committee.", name=person.name), "info")
        else:
            flash(_("That person is not a member of this committee."), "error")
    return redirect(url_for(".case", case_id=vacancy.id, _anchor="members"))


@bp.post("/<int:case_id>/status")
def set_status(case_id: int):
    vacancy = case_or_404(case_id)
    closing = request.form.get("action") == "close"
    if services.set_status(
        vacancy, CaseStatus.CLOSED if closing else CaseStatus.OPEN, actor=_actor()
    ):
        flash(_("The case is closed.") if closing else _("The case is reopened."), "info")
    return redirect(url_for(".case", case_id=vacancy.id))


@bp.get("/<int:case_id>/kandidatliste.pdf")
def pdf(case_id: int):
    from survey.committee import pdf as candidate_pdf

    vacancy = case_or_404(case_id)
    lang = _lang()
    found = services.candidates_for(vacancy)
    views = presenting.candidate_views(found, lang, services.current_decisions(vacancy))
    report = candidate_pdf.build_report(
        presenting.vacancy_view(vacancy, services.members(vacancy), lang), views, lang
    )
    body = candidate_pdf.render(report, lang, current_app.config.get("REPORT_AUTHOR", "Heltid"))
    _record_reads(vacancy, [c.person_id for c in found], Action.DOWNLOAD)
    record(
        Action.DOWNLOAD,
        actor_id=_actor().id,
        object_type="candidate_list",
        object_id=vacancy.id,
        detail={"lang": lang, "candidates": len(found), "via": "web"},
    )
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="kandidatliste-{vacancy.id}-konfidensielt.pdf"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:case_id>/fordeling")
def allocation(case_id: int):
    from survey.committee import distribution
    from survey.db import today

    vacancy = case_or_404(case_id)
    lang = _lang()
    found = services.candidates_for(vacancy)
    compared = request.args.get("sammenlign") == "1"
    view = distribution.page(
        vacancy,
        found,
        services.current_decisions(vacancy),
        request.args if compared else None,
        lang,
        today(),
    )
    _record_reads(vacancy, [c.person_id for c in found], Action.READ)
    return render_template(
        "committee/allocation.html",
        vacancy=presenting.vacancy_view(vacancy, services.members(vacancy), lang),
        page=view,
        compared=compared,
    )


# --- yrkesgruppe equivalences -----------------------------------------------------------------


@bp.route("/likestillinger", methods=["GET", "POST"])
def equivalences():
    """Which yrkesgrupper count as qualified for vacancies asking for another (a vernepleier
    for a helsefagarbeider position, say): a list, and a form to add one."""
    choices = _yrkesgruppe_choices()
    labels = {choice.value: choice.label for choice in choices}
    form = EquivalenceForm()
    blank = [SelectChoice("", _("Choose a yrkesgruppe"))]
    form.required.choices = blank + choices
    form.qualifying.choices = blank + choices
    status = 200
    if form.validate_on_submit():
        try:
            with db.session.begin_nested():
                added = services.add_equivalence(
                    form.required.data, form.qualifying.data, actor=_actor()
                )
        except services.CommitteeError as error:
            form.qualifying.errors.append(error.problem.message())
        else:
            names = {
                "qualifying": labels.get(form.qualifying.data, form.qualifying.data),
                "required": labels.get(form.required.data, form.required.data),
            }
            if added:
                flash(
                    _("%(qualifying)s now qualifies for %(required)s vacancies.", **names), "info"
                )
            else:
                flash(
                    _("%(qualifying)s already qualifies for %(required)s vacancies.", **names),
                    "info",
                )
            return redirect(url_for(".equivalences"))
        status = 422
    elif request.method == "POST":
        status = 422
    rows = [
        {
            "id": equivalence.id,
            "required": labels.get(equivalence.required, equivalence.required),
            "qualifying": labels.get(equivalence.qualifying, equivalence.qualifying),
        }
        for equivalence in services.equivalences()
    ]
    return render_template("committee/equivalences.html", form=form, rows=rows), status


@bp.post("/likestillinger/fjern")
def remove_equivalence():
    equivalence_id = _id(request.form.get("equivalence_id", ""))
    equivalence = (
        db.session.get(YrkesgruppeEquivalence, equivalence_id)
        if equivalence_id is not None
        else None
    )
    if equivalence is None:
        flash(_("That equivalence does not exist (any longer)."), "error")
    else:
        services.remove_equivalence(equivalence.id, actor=_actor())
        flash(_("The equivalence is removed."), "info")
    return redirect(url_for(".equivalences"))
