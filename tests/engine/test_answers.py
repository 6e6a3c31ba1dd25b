import datetime
import json
import math

import pytest

from survey.engine import (
    FieldError,
    check_range,
    deserialize,
    load_text,
    parse_input,
    prefill_values,
    serialize,
)


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("stillingsprosent", ["62,5"], 62.5),
        ("stillingsprosent", ["62.5 %"], 62.5),
        ("stillingsprosent", ["", " 100 "], 100.0),
        ("stillingsprosent", [], None),
        ("timer", [",5"], 0.5),
        ("antall_helger", ["+7"], 7),
        ("startdato", ["2025-12-24"], datetime.date(2025, 12, 24)),
        ("startdato", ["24.12.2025"], datetime.date(2025, 12, 24)),
        ("tilfredshet", ["5"], 5),
        ("helg_grad", ["1"], 1),
        ("onsker_storre", ["no"], "no"),
        ("arbeidsformer", ["kombi", "helg"], ["helg", "kombi"]),
        ("arbeidsformer", [""], None),
        ("kommentar", ["  linje 1\r\nlinje 2\x00  "], "linje 1\nlinje 2"),
        ("intro", ["anything"], None),
    ],
)
def test_parse_input(full, name, raw, expected):
    assert parse_input(full.question(name), raw) == (expected, None)


@pytest.mark.parametrize(
    ("name", "raw", "code"),
    [
        ("antall_helger", ["7,0"], "invalid_integer"),
        ("antall_helger", ["1 000"], "invalid_integer"),
        ("antall_helger", ["9" * 40], "invalid_integer"),
        ("antall_helger", ["٣"], "invalid_integer"),
        ("timer", ["1,000.5"], "invalid_number"),
        ("timer", ["1e3"], "invalid_number"),
        ("timer", ["nan"], "invalid_number"),
        ("startdato", ["2025-13-01"], "invalid_date"),
        ("startdato", ["i morgen"], "invalid_date"),
        ("tilfredshet", ["3", "4"], "too_many_values"),
        ("yrkesgruppe_annet", ["x" * 501], "too_long"),
    ],
)
def test_parse_input_errors(full, name, raw, code):
    value, error = parse_input(full.question(name), raw)
    assert value is None and error.code == code


def test_check_range(full):
    percent = full.question("stillingsprosent")
    assert check_range(percent, 100.0) is None
    assert check_range(percent, 100.5) == FieldError("out_of_range", {"min": 0.0, "max": 100.0})
    assert check_range(full.question("timer"), 10**6) is None
    assert check_range(full.question("timer"), -1.0).code == "out_of_range"


@pytest.mark.parametrize(
    ("name", "value", "stored"),
    [
        ("startdato", datetime.date(2025, 1, 31), "2025-01-31"),
        ("arbeidsformer", ["helg", "kombi"], ["helg", "kombi"]),
        ("stillingsprosent", 62.5, 62.5),
        ("antall_helger", 3, 3),
        ("tilfredshet", 4, 4),
        ("onsker_storre", "yes", "yes"),
        ("kommentar", "Hei", "Hei"),
        ("kommentar", None, None),
        ("kommentar", "", None),
    ],
)
def test_serialize_round_trip(full, name, value, stored):
    question = full.question(name)
    data = serialize(question, value)
    assert data == stored
    assert json.loads(json.dumps(data)) == data
    assert deserialize(question, data) == (value or None)


def test_serialize_refuses_what_json_cannot_hold(full):
    assert serialize(full.question("timer"), math.nan) is None
    assert serialize(full.question("timer"), math.inf) is None


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("startdato", "yesterday", None),
        ("startdato", 20250101, None),
        ("startdato", "2025-02-30", None),
        ("antall_helger", "12", 12),
        ("antall_helger", 12.0, 12),
        ("antall_helger", 12.5, None),
        ("antall_helger", True, None),
        ("antall_helger", [1], None),
        ("stillingsprosent", "62,5", 62.5),
        ("stillingsprosent", 50, 50.0),
        ("stillingsprosent", {"x": 1}, None),
        ("stillingsprosent", "NaN", None),
        ("arbeidsformer", "helg kombi", ["helg", "kombi"]),
        ("arbeidsformer", ["helg", 3, None], ["helg"]),
        ("arbeidsformer", 7, None),
        ("onsker_storre", True, "yes"),
        ("onsker_storre", "ja", None),
        ("kommentar", 42, None),
        ("intro", "anything", None),
    ],
)
def test_deserialize_tolerates_garbage(full, name, data, expected):
    assert deserialize(full.question(name), data) == expected


def test_prefill_values(full):
    prefill = {"yrkesgruppe": "assistent", "stillingsprosent": 62.5, "enhet": "Sentrum"}
    assert prefill_values(full, prefill) == {"yrkesgruppe": "assistent", "stillingsprosent": 62.5}
    assert prefill_values(full, {"stillingsprosent": "75,5"}) == {"stillingsprosent": 75.5}


@pytest.mark.parametrize(
    "prefill",
    [
        {"yrkesgruppe": "direktør"},
        {"stillingsprosent": 140},
        {"stillingsprosent": "full"},
        {"stillingsprosent": math.nan},
        {"stillingsprosent": None},
        {"stillingsprosent": [50]},
        {"yrkesgruppe": True},
    ],
)
def test_invalid_prefill_values_are_dropped(full, prefill):
    assert prefill_values(full, prefill) == {}


def test_prefill_of_every_type():
    q = load_text(
        """
id: p
version: 1
title: P
default_mode: identified
pages:
  - name: s
    title: S
    questions:
      - {name: a, type: integer, label: A, prefill: a}
      - {name: b, type: date, label: B, prefill: b}
      - {name: c, type: yes_no, label: C, prefill: c}
      - {name: d, type: select_multiple, label: D, prefill: d, choices: [{value: x, label: X}]}
""",
        "p.yaml",
    )
    prefill = {"a": 3.0, "b": datetime.date(2025, 1, 2), "c": False, "d": ["x"]}
    assert prefill_values(q, prefill) == {
        "a": 3,
        "b": datetime.date(2025, 1, 2),
        "c": "no",
        "d": ["x"],
    }
