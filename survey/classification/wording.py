"""The definitions in words: thresholds and population groups as pages and reports state them.

Plain text in the language asked for, no Flask: the labels of the statuses are gettext
strings and live with the pages that show them (`survey.living.presenting`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from survey.classification.definitions import ExclusionGroup, HeltidThreshold, load_definitions


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
    found = load_definitions()
    for choice in found.heltid_thresholds:
        if text == str(choice):
            return choice
    return found.default_heltid_threshold
