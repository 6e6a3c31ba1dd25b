import datetime
import math

import pytest

from survey.engine.expressions import (
    Binary,
    Call,
    Current,
    ExpressionError,
    Literal,
    Negate,
    Ref,
    evaluate,
    infer_type,
    parse,
    references,
    to_json,
    to_text,
)

TODAY = datetime.date(2025, 3, 14)


def value(text, values=None, current=None):
    return evaluate(parse(text), values or {}, current=current, today=TODAY)


# --- Parsing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", "(1 + (2 * 3))"),
        ("1 - 2 - 3", "((1 - 2) - 3)"),
        ("-2 * 3", "(-(2) * 3)"),
        ("8 div 2 mod 3", "((8 div 2) mod 3)"),
        ("${a} = 1 or ${b} = 2 and ${c} = 3", "((${a} = 1) or ((${b} = 2) and (${c} = 3)))"),
        ("${a} + 1 > ${b} * 2", "((${a} + 1) > (${b} * 2))"),
        ("(${a} or ${b}) and ${c}", "((${a} or ${b}) and ${c})"),
        ("not(${a} = 'x')", "not((${a} = 'x'))"),
        ("count-selected(${m})>=2", "(count-selected(${m}) >= 2)"),
        ("string-length(.) <= 10", "(string-length(.) <= 10)"),
        ('"it\'s"', '"it\'s"'),
        (". > 0", "(. > 0)"),
        ("${a}-1", "(${a} - 1)"),
        ("5 mod-1", "(5 mod -(1))"),
    ],
)
def test_precedence_and_associativity(text, expected):
    assert to_text(parse(text)) == expected


def test_parse_builds_plain_comparable_nodes():
    assert parse("${x} = 'ja'") == Binary("=", Ref("x"), Literal("ja"))
    assert parse("selected(${m}, 'helg')") == Call("selected", (Ref("m"), Literal("helg")))
    assert parse("-.") == Negate(Current())
    assert parse("62.5") == Literal(62.5)
    assert parse("  ( ( 3 ) )  ") == Literal(3)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("(1 + 2", "expected ')'"),
        ("1 + 2)", "after the end"),
        ("1 2", "after the end"),
        ("1 +", "ended too early"),
        ("foo(1)", "unknown function foo()"),
        ("ja", "write text in quotes"),
        ("selected(${a})", "selected() takes 2 arguments, got 1"),
        ("today(1)", "today() takes 0 arguments"),
        ("not", "must be followed by '('"),
        ("'open", "closing quote"),
        ("${abc", "closing '}'"),
        ("${1abc} = 1", "not a valid question name"),
        ("1 # 2", "unexpected character '#'"),
        ("1 = = 2", "unexpected '='"),
        ("if(1, 2, 3", "expected ')'"),
    ],
)
def test_syntax_errors_are_explained(text, message):
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert message in str(caught.value)
    assert caught.value.position >= 0


def test_error_position_points_at_the_problem():
    with pytest.raises(ExpressionError) as caught:
        parse("${a} = 1 and foo(2)")
    assert caught.value.position == 13
    assert "at character 14" in str(caught.value)


@pytest.mark.parametrize(
    "text",
    ["(" * 5000 + "1" + ")" * 5000, "-" * 4000 + "1", "1" + " + 1" * 1200, "x" * 6000],
)
def test_hostile_input_gives_expression_error(text):
    with pytest.raises(ExpressionError):
        parse(text)


def test_moderate_nesting_is_fine():
    assert value("(" * 40 + "1" + ")" * 40) == 1
    assert value(" + ".join(["1"] * 60)) == 60


def test_references():
    node = parse("${a} = 1 and selected(${b}, 'x') or if(${c}, ${a}, .)")
    assert references(node) == {"a", "b", "c"}


def test_to_json():
    node = parse("selected(${m}, 'helg') and -${n} != 2.5 or .")
    assert to_json(node) == [
        "op",
        "or",
        [
            "op",
            "and",
            ["call", "selected", [["ref", "m"], ["lit", "helg"]]],
            ["op", "!=", ["neg", ["ref", "n"]], ["lit", 2.5]],
        ],
        ["cur"],
    ]


# --- Evaluation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${x} = ''", True),
        ("${x} != ''", False),
        ("${x} = 0", False),
        ("${x} < 5", False),
        ("${x} >= 5", False),
        ("${x} + 1", None),
        ("-${x}", None),
        ("${x} * 2 = ''", True),
        ("${m} = ''", True),
        ("string-length(${x})", 0),
        ("count-selected(${x})", 0),
        ("selected(${x}, 'a')", False),
        ("coalesce(${x}, 'fallback')", "fallback"),
    ],
)
def test_empty_answers(text, expected):
    for empty in (None, "", []):
        assert value(text, {"x": empty, "m": []}) == expected


@pytest.mark.parametrize("empty", [None, "", [], 0, False, 0.0])
def test_falsy_conditions(empty):
    assert value("if(${x}, 'y', 'n')", {"x": empty}) == "n"
    assert value("not(${x})", {"x": empty}) is True


def test_missing_name_is_empty():
    assert value("${nobody} = ''") is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${n} = 62.5", True),
        ("${i} = 3.0", True),
        ("${i} < ${n}", True),
        ("${n} = '62.5'", True),
        ("${i} > '2'", True),
        ("${i} = 'ja'", False),
        ("${i} != 'ja'", True),
        ("${i} < 'ja'", False),
        ("${s} = 'ja'", True),
        ("'10' > '9'", True),
        ("'b' > 'a'", True),
        ("${flag} = true()", True),
        ("${i} = true()", True),
    ],
)
def test_comparisons(text, expected):
    assert value(text, {"n": 62.5, "i": 3, "s": "ja", "flag": True}) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${d} = '2025-03-14'", True),
        ("${d} < '2025-04-01'", True),
        ("${d} > '2025-04-01'", False),
        ("${d} = today()", True),
        ("${d} > 'not a date'", False),
        ("today() - ${d}", 0),
        ("${d} + 1 = '2025-03-15'", True),
        ("${d} - 14 = '2025-02-28'", True),
        ("today() - '2025-03-01'", 13),
    ],
)
def test_dates(text, expected):
    assert value(text, {"d": datetime.date(2025, 3, 14)}) == expected


def test_today_defaults_to_the_real_date():
    assert evaluate(parse("today()"), {}) == datetime.date.today()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7 div 2", 3.5),
        ("7 mod 3", 1),
        ("-7 mod 3", -1),
        ("7 mod -3", 1),
        ("7.5 mod 2", 1.5),
        ("1 div 0", None),
        ("1 mod 0", None),
        ("(1 div 0) = ''", True),
        ("2 + 3 * 4 - 1", 13),
        ("'2' + 1", 3),
    ],
)
def test_arithmetic(text, expected):
    assert value(text) == expected


def test_selected_and_count_selected():
    values = {"m": ["helg", "langvakt"], "s": "helg langvakt", "one": "helg"}
    assert value("selected(${m}, 'helg')", values) is True
    assert value("selected(${m}, 'kombi')", values) is False
    assert value("selected(${s}, 'langvakt')", values) is True
    assert value("selected(${one}, 'helg')", values) is True
    assert value("selected(${one}, 'hel')", values) is False
    assert value("count-selected(${m})", values) == 2
    assert value("count-selected(${s})", values) == 2


def test_if_coalesce_string_length_and_current():
    assert value("if(${a} > 1, 'big', 'small')", {"a": 2}) == "big"
    assert value("coalesce(${a}, ${b})", {"a": "", "b": 5}) == 5
    assert value("coalesce(${a}, ${b})", {"a": "x", "b": 5}) == "x"
    assert value("string-length(${t})", {"t": "Ålesund"}) == 7
    assert value("string-length(${n})", {"n": 62.0}) == 2
    assert value(". > 0 and . <= 100", current=62.5) is True
    assert value("true() and not(false())") is True


def test_if_evaluates_only_the_chosen_branch():
    # The other branch would fail: arithmetic on text.
    assert value("if(true(), 1, 'x' * 2)") == 1


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("${t} + 1", {"t": "abc"}),
        ("${m} < 2", {"m": ["a"]}),
        ("count-selected(${n})", {"n": 5}),
        ("${d} * 2", {"d": datetime.date(2025, 1, 1)}),
        ("${big} + 0.5", {"big": 10**400}),
    ],
)
def test_evaluation_failures_raise_expression_error(text, values):
    with pytest.raises(ExpressionError):
        value(text, values)


def test_nan_and_infinity_do_not_crash():
    assert value("${x} > 1", {"x": math.nan}) is False
    assert value("${x} mod 2", {"x": math.inf}) != 0
    assert value("${x} + 1", {"x": math.inf}) == math.inf
    assert value("${d} + ${x} = ''", {"d": TODAY, "x": math.inf}) is True


# --- Static types ---------------------------------------------------------------------------

TYPES = {
    "percent": "number",
    "navn": "string",
    "dato": "date",
    "arbeidsform": "list",
    "yrke": "string",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${percent} > 50", "bool"),
        ("${percent} * 2", "number"),
        ("${percent} = ''", "bool"),
        ("${percent} = '50'", "bool"),
        ("selected(${arbeidsform}, 'helg')", "bool"),
        ("selected(${yrke}, 'x')", "bool"),
        ("count-selected(${arbeidsform}) >= 2", "bool"),
        ("${arbeidsform} = ''", "bool"),
        ("${dato} < '2025-01-01'", "bool"),
        ("${dato} + 7", "date"),
        ("today() - ${dato}", "number"),
        ("if(${percent} > 1, ${percent}, 0)", "number"),
        ("coalesce(${navn}, '')", "string"),
        ("if(true(), ${navn}, 3)", "any"),
        ("string-length(${navn})", "number"),
    ],
)
def test_infer_type(text, expected):
    assert infer_type(parse(text), TYPES) == expected


def test_current_value_type():
    assert infer_type(parse(". > 0"), TYPES, current_type="number") == "bool"
    assert infer_type(parse("string-length(.) < 10"), TYPES, current_type="string") == "bool"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("${percent} = 'ja'", "compares number ${percent} with text 'ja'"),
        ("'ja' != ${percent}", "compares number ${percent} with text 'ja'"),
        ("${nope} = 1", "unknown name ${nope}"),
        (". > 0", "'.' (the value being checked) can only be used in a constraint"),
        ("${navn} + 1", "+ needs numbers, but ${navn} is text"),
        ("-${arbeidsform}", "- needs numbers"),
        ("selected(${percent}, '1')", "selected() needs a select question"),
        ("count-selected(${dato})", "count-selected() needs a select question"),
        ("${arbeidsform} = 'helg'", "compare it with selected() or count-selected()"),
        ("${arbeidsform} > 1", "compare it with selected()"),
        ("${dato} > 'snart'", "not a date"),
        ("${dato} = ${percent}", "compares number ${percent} with date ${dato}"),
        ("${dato} * 2", "* needs numbers"),
    ],
)
def test_type_errors(text, message):
    with pytest.raises(ExpressionError) as caught:
        infer_type(parse(text), TYPES)
    assert message in str(caught.value)
