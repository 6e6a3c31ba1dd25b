"""The committee's case as people read it: plain dicts with labels in the reader's language,
for the case page, the PDF and the command line. Built from `Candidate`s only, so nothing
outside survey.committee.candidates.FIELDS_READ can reach a committee member."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from reports import formatting
from survey.committee import candidates as logic
from survey.committee.models import CommitteeDecision, Outcome, Vacancy
from survey.living import presenting as living

OUTCOME_LABELS = {
    logic.MET: _l("Met"),
    logic.NOT_MET: _l("Not met"),
    logic.UNKNOWN: _l("Unknown"),
}
FORTRINNSRETT_LABELS = {
    logic.FORTRINNSRETT: _l("Fortrinnsrett (aml. § 14-3)"),
    logic.UNCLEAR: _l("Fortrinnsrett to be assessed: qualification not assessed"),
    logic.NO_FORTRINNSRETT: _l("No fortrinnsrett"),
}
DECISION_LABELS = {
    Outcome.OFFERED: _l("Offered"),
    Outcome.ACCEPTED: _l("Accepted"),
    Outcome.DECLINED: _l("Declined"),
    Outcome.NOT_CONSIDERED: _l("Not considered"),
}
CRITERIA_LABELS = {
    "involuntary": _l("Involuntary part time under the chosen definition first"),
    "ansiennitet": _l("Longest seniority first"),
    "size": _l("Largest position today first"),
    "conditions": _l("Fewest conditions not met first"),
}
SHIFT_LABELS = {"dag": _l("day"), "kveld": _l("evening"), "natt": _l("night")}


def percent(value: float | None, lang: str) -> str:
    """«62,5 %» (no decimals when whole), with a non-breaking space."""
    if value is None:
        return "–"
    digits = 0 if float(value).is_integer() else 1
    return formatting.decimal(float(value), lang, digits) + "\u00a0%"


def date(value: dt.date | None, lang: str) -> str:
    return formatting.date(value, lang) if value is not None else "–"


def _shifts(values: Sequence[str]) -> str:
    return ", ".join(str(SHIFT_LABELS.get(value, value)) for value in values)


def _yes_no(value: bool | None) -> str:
    if value is None:
        return _("Not answered")
    return _("Yes") if value else _("No")


def _check_view(check: logic.Check, questions: dict, lang: str) -> dict[str, str]:
    if check.id == "qualified":
        label = _("Qualified (the project leader's assessment)")
        stated = _("Yes") if check.stated else _("Not assessed")
    elif check.id == "weekends":
        label = _("Weekends: %(count)s a year", count=check.required)
        stated = living.display(questions, "villig_helger", check.stated, lang) or _("Not answered")
    elif check.id == "long_shifts":
        label = _("Long shifts (12.5 to 14 hours)")
        stated = _yes_no(check.stated)
    elif check.id == "shifts":
        label = _("Shifts: %(shifts)s", shifts=_shifts(check.required))
        if check.stated is None:
            stated = _("Not answered")
        elif check.stated:
            stated = _("Not: %(shifts)s", shifts=_shifts(check.stated))
        else:
            stated = _("Yes")
    elif check.id == "other_units":
        label = (
            _("Work in other units")
            if check.required
            else _("In another unit or avdeling than their own")
        )
        stated = living.display(questions, "villig_andre_enheter", check.stated, lang) or _(
            "Not answered"
        )
    elif check.id == "start":
        label = _("Can start by %(date)s", date=date(check.required, lang))
        stated = (
            _("Not answered")
            if check.stated is None
            else _("%(weeks)s weeks after an offer", weeks=f"{check.stated:g}")
        )
    else:  # permanent
        label = _("Accepts a temporary increase")
        stated = (
            _("Not answered")
            if check.stated is None
            else (_("Wants it permanent") if check.stated else _("Yes"))
        )
    return {
        "id": check.id,
        "label": label,
        "stated": stated,
        "outcome": check.outcome,
        "outcome_label": str(OUTCOME_LABELS[check.outcome]),
    }


def past_decision_view(past: logic.PastDecision, lang: str) -> dict[str, str]:
    return {
        "title": past.title,
        "vacancy_id": str(past.vacancy_id),
        "outcome": past.outcome,
        "outcome_label": str(DECISION_LABELS[Outcome(past.outcome)]),
        "date": date(past.decided_on, lang),
        "reason": past.reason,
    }


def decision_view(decision: CommitteeDecision | None, lang: str) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {
        "outcome": decision.outcome.value,
        "outcome_label": str(DECISION_LABELS[decision.outcome]),
        "percent": percent(float(decision.percent), lang) if decision.percent else "",
        "percent_value": f"{float(decision.percent):g}" if decision.percent else "",
        "reason": decision.reason,
        "date": date(decision.decided_at.date(), lang),
    }


def candidate_view(
    candidate: logic.Candidate,
    number: int,
    lang: str,
    *,
    questions: dict | None = None,
    decision: CommitteeDecision | None = None,
) -> dict[str, Any]:
    questions = living.questions() if questions is None else questions
    return {
        "number": number,
        "person_id": candidate.person_id,
        "name": candidate.name,
        "unit": candidate.unit_name,
        "yrkesgruppe": living.display(questions, "yrkesgruppe", candidate.yrkesgruppe, lang),
        "employment": (
            _("Permanent")
            if candidate.permanent
            else (_("Temporary") if candidate.permanent is False else _("Not known"))
        ),
        "current": percent(candidate.current, lang),
        "current_value": candidate.current,
        "desired_value": candidate.desired,
        "desired": percent(candidate.desired, lang)
        if candidate.desired is not None
        else _("More, not said how much"),
        "increase": percent(candidate.wanted_increase, lang)
        if candidate.wanted_increase is not None
        else "–",
        "status": candidate.status,
        "status_label": str(living.STATUS_LABELS.get(candidate.status, candidate.status)),
        "fortrinnsrett": candidate.fortrinnsrett,
        "fortrinnsrett_label": str(FORTRINNSRETT_LABELS[candidate.fortrinnsrett]),
        "checks": [_check_view(check, questions, lang) for check in candidate.checks],
        "employed_since": date(candidate.employed_since, lang),
        "last_confirmed": date(candidate.last_confirmed, lang)
        if candidate.last_confirmed
        else _("Never confirmed"),
        "stale": candidate.stale,
        "history": [past_decision_view(past, lang) for past in candidate.history],
        "decision": decision_view(decision, lang),
    }


def vacancy_view(vacancy: Vacancy, members: Sequence[Any], lang: str) -> dict[str, Any]:
    questions = living.questions()
    pattern = []
    if vacancy.weekends_per_year:
        pattern.append(_("%(count)s weekends a year", count=vacancy.weekends_per_year))
    if vacancy.long_shifts:
        pattern.append(_("long shifts"))
    if vacancy.shift_types:
        pattern.append(_("shifts: %(shifts)s", shifts=_shifts(vacancy.shift_types)))
    if vacancy.other_units:
        pattern.append(_("work in other units"))
    return {
        "id": vacancy.id,
        "title": vacancy.title,
        "unit": vacancy.unit.name,
        "yrkesgruppe": living.display(questions, "yrkesgruppe", vacancy.yrkesgruppe, lang),
        "percent": percent(float(vacancy.percent), lang),
        "shares": [percent(float(share.percent), lang) for share in vacancy.shares],
        "employment": _("Permanent") if vacancy.permanent else _("Temporary"),
        "pattern": ", ".join(pattern) if pattern else _("No particular requirements"),
        "start_date": date(vacancy.start_date, lang),
        "order": [str(CRITERIA_LABELS[c]) for c in (vacancy.order_criteria or logic.DEFAULT_ORDER)],
        "open": vacancy.status.value == "open",
        "status_label": _("Open") if vacancy.status.value == "open" else _("Closed"),
        "members": [member.name for member in members],
        "member_rows": [{"id": member.id, "name": member.name} for member in members],
    }


def candidate_views(
    candidates: Sequence[logic.Candidate],
    lang: str,
    decisions: dict[int, CommitteeDecision] | None = None,
) -> list[dict[str, Any]]:
    questions = living.questions()
    decisions = decisions or {}
    return [
        candidate_view(
            candidate,
            number,
            lang,
            questions=questions,
            decision=decisions.get(candidate.person_id),
        )
        for number, candidate in enumerate(candidates, start=1)
    ]
