"""Classifications as people read them: in plain words on a record, side by side on a page."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l

from survey.classification import (
    FULL_TIME,
    INVOLUNTARY,
    NOT_ENOUGH_DATA,
    STATUSES,
    VOLUNTARY,
    Definitions,
    ExclusionGroup,
    HeltidThreshold,
    classify,
    classify_many,
    load_definitions,
)
from survey.living.relevance import counted

STATUS_LABELS = {
    FULL_TIME: _l("Full time"),
    VOLUNTARY: _l("Voluntary part time"),
    INVOLUNTARY: _l("Involuntary part time"),
    NOT_ENOUGH_DATA: _l("Not enough data"),
}

# In tables with a column per definition.
SHORT_STATUS_LABELS = {
    FULL_TIME: _l("Full time"),
    VOLUNTARY: _l("Voluntary"),
    INVOLUNTARY: _l("Involuntary"),
    NOT_ENOUGH_DATA: _l("No data"),
}

OUTCOME_LABELS = {
    "met": _l("met"),
    "failed": _l("not met"),
    "missing": _l("no answer"),
}


def definitions() -> Definitions:
    """The definitions file, parsed again only when it changes (see load_definitions)."""
    return load_definitions()


def threshold_text(threshold: HeltidThreshold) -> str:
    """«100 %», «≥ 80 %» or «> 90 %»."""
    number = f"{threshold.value:g}"
    if threshold.operator == ">":
        return f"> {number} %"
    return f"{number} %" if threshold.value >= 100 else f"≥ {number} %"


def groups_text(
    groups: Sequence[ExclusionGroup],
    counts: Mapping[str, int],
    lang: str,
    fmt: Callable[[int], str] = str,
) -> str:
    """«Students (1); Managers (2); Pensioners (0)»: every group of the population rule with
    the people in it, zeros included, so that the rule itself is stated; «–» for none."""
    return "; ".join(f"{g.names.get(lang)} ({fmt(counts.get(g.id, 0))})" for g in groups) or "–"


def threshold_from(text: str | None) -> HeltidThreshold:
    """The threshold chosen on a page, if it is one of the definitions' choices."""
    found = definitions()
    for choice in found.heltid_thresholds:
        if text == str(choice):
            return choice
    return found.default_heltid_threshold


def record_view(data: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """One record under the active profile, criterion by criterion, and under the others."""
    data = counted(data)
    found = definitions()
    threshold = found.default_heltid_threshold
    active = found.active_profile
    result = classify(data, active, heltid_threshold=threshold)
    excluded = [group.names.get(lang) for group in found.population.left_out_groups(data)]
    return {
        "profile": active.names.get(lang),
        "threshold": threshold_text(threshold),
        "status": result.status,
        "status_label": str(STATUS_LABELS[result.status]),
        "criteria": [
            {
                "label": criterion.label.get(lang),
                "outcome": criterion.outcome,
                "outcome_label": str(OUTCOME_LABELS[criterion.outcome]),
            }
            for criterion in result.criteria
        ],
        "excluded": excluded,
        "others": [
            {
                "profile": profile.names.get(lang),
                "status_label": str(
                    STATUS_LABELS[classify(data, profile, heltid_threshold=threshold).status]
                ),
            }
            for profile in found.profiles
            if profile.id != active.id
        ],
    }


def side_by_side(
    people: Sequence[tuple[Any, Mapping[str, Any]]], threshold: HeltidThreshold, lang: str
) -> dict[str, Any]:
    """Every person under every profile, and the counts per profile over the same population
    (the population rule, `Definitions.population`, applied as in `survey classify`)."""
    found = definitions()
    population = found.population
    people = [(person, counted(data)) for person, data in people]
    rows = []
    for person, data in people:
        excluded = [group.names.get(lang) for group in population.left_out_groups(data)]
        rows.append(
            {
                "person": person,
                "stillingsprosent": data.get("stillingsprosent"),
                "excluded": excluded,
                "statuses": [
                    classify(data, profile, heltid_threshold=threshold).status
                    for profile in found.profiles
                ],
            }
        )
    records = [data for _person, data in people]
    table = classify_many(records, found.profiles, threshold, exclude=population.left_out)
    in_groups = population.group_counts(records)
    return {
        "profiles": [
            {"id": p.id, "name": p.names.get(lang), "active": p.id == found.active_profile_id}
            for p in found.profiles
        ],
        "rows": rows,
        "totals": [
            {"profile": row.profile.names.get(lang), "counts": [row[s] for s in STATUSES]}
            for row in table.rows
        ],
        "statuses": [(status, str(STATUS_LABELS[status])) for status in STATUSES],
        "n": table.n,
        "in_scope": len(records),
        "left_out_total": table.excluded_total,
        "left_out": groups_text(population.left_out, table.excluded, lang),
        "counted_groups": groups_text(population.counted, in_groups, lang),
        "threshold": str(threshold),
        "threshold_text": threshold_text(threshold),
        "thresholds": [(str(choice), threshold_text(choice)) for choice in found.heltid_thresholds],
    }
