"""The definitions file: what an administrator sees when they get it wrong."""

from __future__ import annotations

import re

import pytest

from survey.classification import (
    DEFAULT_DEFINITIONS_FILE,
    HeltidThreshold,
    check_definitions,
    load_definitions,
    load_definitions_text,
)
from survey.engine import InvalidDefinition

LINE = re.compile(r"^(?P<file>[^:]+\.yaml):(?P<line>\d+): (?P<item>[\w.\[\]-]+): (?P<message>.+)$")
SHIPPED = DEFAULT_DEFINITIONS_FILE.read_text(encoding="utf-8")


def errors_in(text: str) -> list[dict]:
    with pytest.raises(InvalidDefinition) as caught:
        load_definitions_text(text, "definitions.yaml")
    lines = str(caught.value).splitlines()
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), lines
    return [match.groupdict() for match in parsed]


def line_of(text: str, fragment: str, after: str = "") -> int:
    start = text.index(after) if after else 0
    return text[: text.index(fragment, start)].count("\n") + 1


def test_the_shipped_file_is_valid():
    assert check_definitions() == []
    assert check_definitions(DEFAULT_DEFINITIONS_FILE) == []
    assert load_definitions().profile("surnadal").parameters.exceptions == (
        "venter_barnehageplass",
    )


def test_shipped_file_is_not_read_as_a_questionnaire():
    # Every *.yaml directly in questionnaires/ is loaded as a questionnaire.
    assert DEFAULT_DEFINITIONS_FILE.parent.name == "classification"
    assert DEFAULT_DEFINITIONS_FILE.parent.parent.name == "questionnaires"


def test_unknown_parameter_and_wrong_types_are_located():
    text = SHIPPED.replace(
        "      start_within_weeks: 13  # «innen tre måneder»",
        "      start_within_weeks: tre måneder\n      start_within_months: 3",
    ).replace(
        "requires_permanent: true",
        "requires_permanent: ja",
    )
    errors = errors_in(text)
    assert {(e["item"], e["message"]) for e in errors} == {
        (
            "drammen.parameters.start_within_weeks",
            "must be null or a number of weeks from 0 to 52",
        ),
        (
            "drammen.parameters.start_within_months",
            "unknown parameter 'start_within_months'; did you mean 'start_within_weeks'?",
        ),
        ("surnadal.parameters.requires_permanent", "must be true or false"),
    }
    by_item = {e["item"]: int(e["line"]) for e in errors}
    assert by_item["drammen.parameters.start_within_weeks"] == line_of(
        text, "start_within_weeks: tre", after="id: drammen"
    )
    assert by_item["drammen.parameters.start_within_months"] == line_of(text, "start_within_months")
    assert by_item["surnadal.parameters.requires_permanent"] == line_of(
        text, "requires_permanent: ja"
    )


def test_missing_parameter_unknown_flex_item_and_duplicate_id():
    text = SHIPPED.replace("      requires_qualified: true\n", "", 1)
    text = text.replace("ledige_vakter]", "ledige_stillinger]")
    text = text.replace("id: hamar", "id: drammen")
    errors = errors_in(text)
    messages = {(e["item"], e["message"]) for e in errors}
    assert ("drammen.parameters.requires_qualified", "missing parameter 'requires_qualified'") in (
        messages
    )
    assert (
        "songdalen.parameters.flex_items[4]",
        "unknown value 'ledige_stillinger'; use one of flere_helger, langvakter, kombijobbing, "
        "ubundet_tid, ledige_vakter",
    ) in messages
    duplicate = next(e for e in errors if e["item"] == "profiles[3].id")
    assert (
        duplicate["message"]
        == f"id 'drammen' is already used on line {line_of(text, 'id: drammen')}"
    )
    assert int(duplicate["line"]) == line_of(text, "id: drammen", after="id: surnadal")


def test_thresholds_and_exclusions_are_checked():
    text = SHIPPED.replace('choices: [100, ">= 80", "> 90"]', 'choices: [100, "minst 80", 150]')
    text = text.replace("default: 100", 'default: "> 90"')
    text = text.replace('when: {field: leder, equals: "yes"}', "when: {field: leder}")
    errors = errors_in(text)
    items = {e["item"]: e["message"] for e in errors}
    assert "'minst 80' is not a heltid threshold" in items["heltid_threshold.choices[1]"]
    assert "1-100" in items["heltid_threshold.choices[2]"]
    assert items["heltid_threshold.default"] == "must be one of choices"
    assert items["population.ledere.when"] == "give a field and one of equals or includes"


def test_yaml_syntax_error_and_unreadable_file(tmp_path):
    errors = errors_in("profiles: [\n  - id: x\n")
    assert errors[0]["item"] == "yaml"
    missing = tmp_path / "nowhere.yaml"
    [error] = check_definitions(missing)
    assert str(error).startswith(f"{missing}:1: file: cannot be read")
    with pytest.raises(InvalidDefinition):
        load_definitions(missing)


def test_exception_needs_a_time_limit():
    text = SHIPPED.replace("      start_within_weeks: 4\n", "      start_within_weeks: null\n", 1)
    [error] = errors_in(text)
    assert error["item"] == "surnadal.parameters.exceptions"
    assert "start_within_weeks" in error["message"]


@pytest.mark.parametrize(
    ("spec", "operator", "value"),
    [
        (100, ">=", 100),
        ("100", ">=", 100),
        (">= 80", ">=", 80),
        ("> 90", ">", 90),
        (">=62,5", ">=", 62.5),
    ],
)
def test_heltid_threshold_texts(spec, operator, value):
    threshold = HeltidThreshold.parse(spec)
    assert (threshold.operator, threshold.value) == (operator, value)


@pytest.mark.parametrize("spec", ["< 80", "minst 80", ">= 0", 0, 101, True, None])
def test_heltid_threshold_refuses_nonsense(spec):
    with pytest.raises(ValueError):
        HeltidThreshold.parse(spec)
