"""YAML → XLSForm → YAML gives the same questionnaire; XLSForm → YAML → XLSForm keeps the
cells the product maps."""

from __future__ import annotations

import pytest

from survey import engine
from survey.questionnaires.xlsform import questionnaire_to_xlsform, xlsform_to_yaml

from .conftest import GOOD_FIXTURES, SHIPPED, fixture_bytes, sheets, without_origin

# Rows a survey tool adds for itself: the import drops them (docs/questionnaires.md § XLSForm).
METADATA = {"start", "end"}


def through_xlsform(definition: engine.Questionnaire) -> engine.Questionnaire:
    data = questionnaire_to_xlsform(definition)
    return engine.load_text(xlsform_to_yaml(data, "form.xlsx", definition.id), "again.yaml")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.stem)
def test_shipped_questionnaires_survive_the_round_trip(path):
    definition = engine.load(path)
    assert without_origin(through_xlsform(definition)) == without_origin(definition)


@pytest.mark.parametrize("name", sorted(GOOD_FIXTURES))
def test_fixtures_survive_the_round_trip(name):
    text = xlsform_to_yaml(fixture_bytes(name), name, GOOD_FIXTURES[name])
    definition = engine.load_text(text, "first.yaml")
    assert without_origin(through_xlsform(definition)) == without_origin(definition)


def test_a_questionnaire_with_every_type_survives_the_round_trip():
    from tests.engine.conftest import DATA

    for path in sorted(DATA.glob("valid-*.yaml")):
        definition = engine.load(path)
        assert without_origin(through_xlsform(definition)) == without_origin(definition), path


def _mapped(data: bytes) -> dict:
    book = sheets(data)
    survey = [row for row in book["survey"] if row.get("type") not in METADATA]
    choices = {(row["list_name"], row["name"]): row for row in book["choices"]}
    return {"survey": survey, "choices": choices}


def test_every_feature_workbook_comes_back_cell_for_cell():
    original = fixture_bytes("every_feature.xlsx")
    text = xlsform_to_yaml(original, "every_feature.xlsx", "every_feature")
    again = questionnaire_to_xlsform(engine.load_text(text, "e.yaml"))
    before, after = _mapped(original), _mapped(again)
    assert after["survey"] == before["survey"]
    assert after["choices"] == before["choices"]
    assert sheets(again)["settings"] == sheets(original)["settings"]


def test_kobo_workbook_keeps_every_cell_the_product_maps():
    original = fixture_bytes("kobo_style.xlsx")
    text = xlsform_to_yaml(original, "kobo_style.xlsx", "kobo-style")
    again = _mapped(questionnaire_to_xlsform(engine.load_text(text, "k.yaml")))
    before = _mapped(original)
    # `required` comes back as `yes`; every other cell is as KoboToolbox wrote it (its `$kuid`
    # columns and start/end rows aside).
    for row in before["survey"]:
        if row.get("required") == "true":
            row["required"] = "yes"
    assert again["survey"] == before["survey"]
    assert again["choices"] == before["choices"]


def test_named_scales_and_lists_keep_their_names(tmp_path):
    from .conftest import pyxform_convert

    source = """\
id: navn
version: 3
title: {nb: Navn, en: Names}
default_mode: confidential
scales:
  enig-5:
    - {value: 1, label: Uenig}
    - {value: 2, label: {nb: Enig, nn: Samd}}
choice_lists:
  ja-nei:
    - {value: ja, label: Ja}
    - {value: "01", label: Null en}
pages:
  - name: side
    title: Side
    questions:
      - {name: a, type: select_one, choices: ja-nei, label: A}
      - name: g
        type: likert_grid
        scale: enig-5
        label: G
        required: "${a} = 'ja'"
        statements:
          - {name: s1, label: S1}
          - {name: s2, label: S2}
      - {name: l, type: likert, scale: enig-5, label: L}
      - {name: m, type: select_multiple, choices: [{value: x, label: X}], label: M}
"""
    definition = engine.load_text(source, "navn.yaml")
    data = questionnaire_to_xlsform(definition)
    pyxform_convert(data, tmp_path)
    again = engine.load_text(xlsform_to_yaml(data, "navn.xlsx", "navn"), "again.yaml")
    assert without_origin(again) == without_origin(definition)
    assert again.question("s1").grid.scale == "enig-5"
    assert again.question("a").choice_values == ("ja", "01")
