"""Distributing a vacancy's shares: the case's candidates and unit as the optimizer
(survey.committee.allocation) reads them, and its proposals as the page shows them.

Who takes part: candidates who have said how large a position they want (the optimizer never
passes it) and whom the committee has not recorded as declined or not considered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from survey.access.guard import descendants
from survey.classification import load_definitions
from survey.committee import allocation
from survey.committee import candidates as logic
from survey.committee.models import Outcome, Vacancy
from survey.committee.presenting import FORTRINNSRETT_LABELS, percent
from survey.extensions import db
from survey.roster.models import Position

PRIORITY = {logic.FORTRINNSRETT: 0, logic.UNCLEAR: 1, logic.NO_FORTRINNSRETT: 2}
LEFT_OUT = frozenset({Outcome.DECLINED, Outcome.NOT_CONSIDERED})


def field_name(share_id: int, person_id: int) -> str:
    return f"a-{share_id}-{person_id}"


def shares_of(vacancy: Vacancy) -> list[allocation.Share]:
    return [
        allocation.Share(id=share.id, percent=share.percent, divisible=share.divisible)
        for share in vacancy.shares
    ]


def taking_part(
    found: Sequence[logic.Candidate], decisions: Mapping[int, Any]
) -> list[logic.Candidate]:
    return [
        candidate
        for candidate in found
        if candidate.desired is not None
        and not (
            candidate.person_id in decisions and decisions[candidate.person_id].outcome in LEFT_OUT
        )
    ]


def optimizer_candidates(
    found: Sequence[logic.Candidate], today: dt.date
) -> list[allocation.Candidate]:
    result = []
    for candidate in found:
        years = Decimal(0)
        if candidate.employed_since is not None:
            years = Decimal(max((today - candidate.employed_since).days, 0)) / Decimal("365.25")
        result.append(
            allocation.Candidate(
                id=candidate.person_id,
                current=Decimal(str(candidate.current)),
                desired=Decimal(str(candidate.desired)),
                priority=PRIORITY[candidate.fortrinnsrett],
                involuntary=candidate.status == logic.INVOLUNTARY,
                ansiennitet_years=round(years, 2),
            )
        )
    return result


def unit_state(vacancy: Vacancy) -> allocation.UnitState:
    """The roster sizes of everyone in the vacancy's unit and its sub-units."""
    units = descendants([vacancy.unit_id])
    sizes: dict[int, Decimal] = {}
    rows = db.session.execute(
        select(Position.person_id, Position.stillingsprosent).where(Position.unit_id.in_(units))
    )
    for person_id, size in rows:
        sizes[person_id] = sizes.get(person_id, Decimal(0)) + Decimal(size)
    threshold = load_definitions().default_heltid_threshold
    return allocation.UnitState(sizes=sizes, heltid=threshold)


def manual_rows(form: Mapping[str, str], shares, candidates) -> list[tuple[int, int, str]]:
    rows = []
    for share in shares:
        for candidate in candidates:
            value = (form.get(field_name(share.id, candidate.id)) or "").strip()
            if value:
                rows.append((share.id, candidate.id, value))
    return rows


def _number(value: Decimal | None, lang: str, digits: int = 1) -> str:
    from reports import formatting

    return formatting.decimal(float(value), lang, digits) if value is not None else "–"


def effect_view(effect: allocation.Effect, lang: str) -> dict[str, str]:
    def share(value: Decimal | None) -> str:
        return percent(round(float(value) * 100, 1), lang) if value is not None else "–"

    return {
        "population": str(effect.population),
        "average_before": _number(effect.average_before, lang) + "\u00a0%",
        "average_after": _number(effect.average_after, lang) + "\u00a0%",
        "heltid_before": share(effect.heltid_share_before),
        "heltid_after": share(effect.heltid_share_after),
        "lifted": str(effect.lifted),
        "reached": str(effect.reached_desired),
    }


def violation_text(violation: allocation.Violation, names: Mapping[Any, str], shares) -> str:
    who = names.get(violation.candidate_id, "")
    share = shares.get(violation.share_id, "")
    messages = {
        allocation.INVALID_PERCENT: _("%(name)s, %(share)s: not a number.", name=who, share=share),
        allocation.NOT_POSITIVE: _(
            "%(name)s, %(share)s: must be more than 0.", name=who, share=share
        ),
        allocation.NOT_IN_STEPS: _(
            "%(name)s, %(share)s: give the whole share or steps of 5 percentage points.",
            name=who,
            share=share,
        ),
        allocation.INDIVISIBLE_SPLIT: _(
            "%(share)s cannot be split: give all of it to one candidate.", share=share
        ),
        allocation.SHARE_EXCEEDED: _("More than %(share)s is given out.", share=share),
        allocation.ABOVE_DESIRED: _("%(name)s would get more than they want.", name=who),
        allocation.ABOVE_FULL_TIME: _("%(name)s would get more than 100 %%.", name=who),
        allocation.FORTRINNSRETT_PASSED_OVER: _(
            "%(name)s gets part of %(share)s although %(other)s has fortrinnsrett or comes "
            "first and could take it.",
            name=who,
            share=share,
            other=names.get(violation.passed_over_id, ""),
        ),
    }
    return messages.get(violation.code, _("The distribution has an error."))


def page(
    vacancy: Vacancy,
    found: Sequence[logic.Candidate],
    decisions: Mapping[int, Any],
    form: Mapping[str, str] | None,
    lang: str,
    today: dt.date,
) -> dict[str, Any]:
    """The proposal, the committee's version (from `form`, if sent) and both compared."""
    part = taking_part(found, decisions)
    shares = shares_of(vacancy)
    candidates = optimizer_candidates(part, today)
    state = unit_state(vacancy)
    proposal = allocation.propose(shares, candidates, unit=state)
    manual = None
    if form is not None and shares and candidates:
        rows = manual_rows(form, shares, candidates)
        manual = allocation.evaluate(rows, shares, candidates, unit=state)
    comparison = allocation.compare([proposal, manual]) if manual is not None else None

    share_labels = {
        share.id: _(
            "Share %(number)s (%(percent)s)",
            number=share.number,
            percent=percent(float(share.percent), lang),
        )
        for share in vacancy.shares
    }
    names = {c.person_id: c.name for c in part}
    proposed = {(a.share_id, a.candidate_id): a.percent for a in proposal.allocations}
    entered = (
        {(a.share_id, a.candidate_id): a.percent for a in manual.allocations} if manual else {}
    )
    rows = []
    for candidate in part:
        given = proposal.given.get(candidate.person_id, Decimal(0))
        row = {
            "person_id": candidate.person_id,
            "name": candidate.name,
            "fortrinnsrett": candidate.fortrinnsrett,
            "fortrinnsrett_label": str(FORTRINNSRETT_LABELS[candidate.fortrinnsrett]),
            "current": percent(candidate.current, lang),
            "desired": percent(candidate.desired, lang),
            "proposal_gives": percent(float(given), lang),
            "proposal_after": percent(candidate.current + float(given), lang),
            "inputs": [],
        }
        if manual is not None:
            mine = manual.given.get(candidate.person_id, Decimal(0))
            row["manual_gives"] = percent(float(mine), lang)
            row["manual_after"] = percent(candidate.current + float(mine), lang)
            row["differs"] = mine != given
        for share in vacancy.shares:
            key = (share.id, candidate.person_id)
            if form is not None:
                value = (form.get(field_name(*key)) or "").strip()
            else:
                value = f"{proposed[key]:g}".replace(".", ",") if key in proposed else ""
            row["inputs"].append(
                {
                    "name": field_name(*key),
                    "label": share_labels[share.id],
                    "value": value,
                    "proposed": f"{proposed[key]:g}" if key in proposed else "0",
                }
            )
        rows.append(row)
    left_out = [
        {
            "name": c.name,
            "why": _("has not said how large a position they want")
            if c.desired is None
            else _("declined or not considered in this case"),
        }
        for c in found
        if c not in part
    ]

    def summary(result: allocation.Proposal | None) -> dict[str, Any] | None:
        if result is None:
            return None
        return {
            "effect": effect_view(result.effect, lang),
            "unallocated": percent(float(sum(result.unallocated.values(), Decimal(0))), lang),
            "valid": result.valid,
            "violations": [violation_text(v, names, share_labels) for v in result.violations],
            "value": _number(result.value, lang),
        }

    best = None
    if comparison is not None:
        best = "proposal" if comparison.best == 0 else "manual"
        if manual is not None and manual.valid and manual.objective == proposal.objective:
            best = "equal"
    return {
        "rows": rows,
        "left_out": left_out,
        "shares": [share_labels[share.id] for share in vacancy.shares],
        "proposal": summary(proposal),
        "manual": summary(manual),
        "best": best,
        "method": proposal.method,
        "entered": bool(entered),
    }
