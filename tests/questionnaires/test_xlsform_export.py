"""A questionnaire as an XLSForm: pyxform, the reference implementation, converts every one."""

from __future__ import annotations

import pytest

from survey import engine
from survey.questionnaires.xlsform import questionnaire_to_xlsform, xlsform_to_yaml

from .conftest import (
    GOOD_FIXTURES,
    ODK_VALIDATE,
    SHIPPED,
    fixture_bytes,
    pyxform_convert,
    sheets,
)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.stem)
def test_pyxform_converts_every_shipped_questionnaire(path, tmp_path):
    definition = engine.load(path)
    data = questionnaire_to_xlsform(definition)
    result = pyxform_convert(data, tmp_path, validate=ODK_VALIDATE)
    assert f'<data id="{definition.id}" version="{definition.version}">' in result.xform
    # Every question and page is in the XForm's instance.
    for question in definition.questions:
        if question.other_of is None:
            assert f"<{question.name}/>" in result.xform or f"<{question.name}>" in result.xform


@pytest.mark.parametrize("name", sorted(GOOD_FIXTURES))
def test_pyxform_converts_the_fixtures_and_their_export(name, tmp_path):
    pyxform_convert(fixture_bytes(name), tmp_path, "original.xlsx", validate=ODK_VALIDATE)
    text = xlsform_to_yaml(fixture_bytes(name), name, GOOD_FIXTURES[name])
    exported = questionnaire_to_xlsform(engine.load_text(text, "f.yaml"))
    pyxform_convert(exported, tmp_path, "exported.xlsx", validate=ODK_VALIDATE)


def test_product_properties_go_where_pyxform_keeps_or_ignores_them(tmp_path):
    definition = engine.load(next(p for p in SHIPPED if p.stem == "kartleggingssamtale"))
    exported = questionnaire_to_xlsform(definition)
    xform = pyxform_convert(exported, tmp_path).xform
    assert 'xmlns:heltid="https://heltid.no/xlsform"' in xform
    assert 'heltid:type="percent"' in xform
    assert 'heltid:prefill="stillingsprosent"' in xform
    survey = {row.get("name"): row for row in sheets(exported)["survey"]}
    prosent = survey["stillingsprosent"]
    assert prosent["type"] == "decimal"
    assert prosent["bind::heltid:type"] == "percent"
    assert prosent["label_employee::nb"] == "Hvor stor stilling har du i dag?"
    assert survey["yrkesgruppe"]["type"] == "select_one yrkesgruppe or_other"
    assert survey["leder"]["type"] == "select_one yes_no"
    assert survey["stillinger_detaljer"]["relevant"] == "${flere_stillinger} = 'yes'"


def test_the_export_lays_out_pages_grids_and_lists(tmp_path):
    text = xlsform_to_yaml(fixture_bytes("every_feature.xlsx"), "e.xlsx", "every-feature")
    exported = questionnaire_to_xlsform(engine.load_text(text, "e.yaml"))
    book = sheets(exported)
    types = [(row["type"], row.get("name", "")) for row in book["survey"]]
    assert types[0] == ("begin_group", "stilling")
    assert ("begin_group", "ledelse") in types
    ledelse = next(row for row in book["survey"] if row.get("name") == "ledelse")
    assert ledelse["appearance"] == "table-list"
    assert ledelse["relevant"] == "${trivsel} >= 3"
    stotte = next(row for row in book["survey"] if row.get("name") == "ledelse_stotte")
    assert stotte["type"] == "select_one skala_1_6" and stotte["required"] == "yes"
    lists = {row["list_name"] for row in book["choices"]}
    builtin_lists = {"yes_no", "skala_1_5", "skala_1_6", "skala_grad"}
    assert lists == {"enhet", "yrke", "vakter", "tilfreds"} | builtin_lists
    settings = book["settings"][0]
    assert settings["form_id"] == "every-feature"
    assert settings["title_en"] == "Everything that can be imported"
    assert settings["default_mode"] == "identified"
    assert settings["default_language"] == "Norsk bokmål (nb)"


def test_a_list_named_like_a_builtin_one_is_renamed():
    source = """\
id: navn
version: 1
title: Navn
default_mode: anonymous
choice_lists:
  yes_no:
    - {value: ja, label: Ja}
    - {value: nei, label: Nei}
pages:
  - name: side
    title: Side
    questions:
      - {name: a, type: select_one, choices: yes_no, label: A}
      - {name: b, type: yes_no, label: B}
"""
    book = sheets(questionnaire_to_xlsform(engine.load_text(source, "n.yaml")))
    types = {row["name"]: row["type"] for row in book["survey"] if "name" in row}
    assert types["a"] == "select_one yes_no_2"
    assert types["b"] == "select_one yes_no"
