"""Counting answers per choice, with small cells suppressed so nobody can be recognised."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select

from survey import engine
from survey.answering.models import Answer, Response, Status
from survey.campaigns.models import Campaign
from survey.extensions import db
from survey.questionnaires.services import definition_of

COUNTED_TYPES = ("select_one", "select_multiple", "likert", "yes_no")


def suppress(counts: list[int], minimum: int) -> list[int | None]:
    """Hide cells below `minimum` (but above 0). When exactly one cell would be hidden, the
    total would give it away by subtraction, so the next smallest cell is hidden too."""
    shown: list[int | None] = [None if 0 < c < minimum else c for c in counts]
    hidden = [i for i, c in enumerate(shown) if c is None]
    if len(hidden) == 1:
        candidates = [i for i, c in enumerate(shown) if c not in (None, 0)]
        if candidates:
            shown[min(candidates, key=lambda i: counts[i])] = None
    return shown


def campaign_results(campaign: Campaign, lang: str, minimum: int) -> dict[str, Any]:
    responses = db.session.scalars(
        select(Response).where(
            Response.campaign_id == campaign.id, Response.status == Status.SUBMITTED
        )
    ).all()
    total = len(responses)
    result: dict[str, Any] = {
        "id": campaign.id,
        "title": campaign.title,
        "n": total,
        "questions": [],
    }
    if total < minimum:
        result["too_few"] = True
        return result
    by_version: dict[int, list[str]] = {}
    for response in responses:
        by_version.setdefault(response.questionnaire_version_id, []).append(response.id)
    questionnaire = None
    counters: dict[str, Counter] = {}
    answered: Counter = Counter()
    for response_ids in by_version.values():
        version = db.session.get(Response, response_ids[0]).questionnaire_version
        questionnaire = definition_of(version)
        rows = db.session.execute(
            select(Answer.question, Answer.value).where(Answer.response_id.in_(response_ids))
        )
        for name, value in rows:
            answered[name] += 1
            values = value if isinstance(value, list) else [value]
            counter = counters.setdefault(name, Counter())
            for item in values:
                counter[str(item)] += 1
    if questionnaire is None:
        return result
    for question in questionnaire.questions:
        if question.type not in COUNTED_TYPES or question.name not in counters:
            continue
        choices = question.choices or (
            engine.Choice("yes", engine.Text.same("yes")),
            engine.Choice("no", engine.Text.same("no")),
        )
        counts = [counters[question.name][choice.value] for choice in choices]
        shown = suppress(counts, minimum)
        n = answered[question.name]
        result["questions"].append(
            {
                "label": question.label.get(lang),
                "n": n if n >= minimum else None,
                "rows": [
                    {
                        "label": choice.label.get(lang),
                        "count": count,
                        "percent": None if count is None or not n else round(100 * count / n, 1),
                    }
                    for choice, count in zip(choices, shown, strict=True)
                ],
            }
        )
    return result
