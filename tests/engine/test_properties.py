"""Property tests: nothing in a definition, stored data or a form crashes the engine."""

import contextlib
import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.engine import ExpressionError, Node, infer_type, parse, read_page, to_text
from survey.engine.expressions import (
    COMPARISONS,
    FUNCTIONS,
    Binary,
    Call,
    Current,
    Literal,
    Negate,
    Ref,
    evaluate,
)

NAMES = ["a", "b", "c"]
TYPES = ["number", "string", "date", "list", "bool", "any"]
TODAY = datetime.date(2025, 3, 14)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

EXPRESSION_ALPHABET = "${}()'\". =<>!+-*,abcdelmnostuvfi0123456789_\n"
WORDS = ["and", "or", "div", "mod", "selected(", "count-selected(", "if(", "coalesce(", "${a}"]


@FAST
@given(st.text(max_size=200))
def test_parse_arbitrary_text(text):
    try:
        assert isinstance(parse(text), Node)
    except ExpressionError as error:
        assert error.message and isinstance(error.position, int)


@FAST
@given(st.lists(st.sampled_from(list(EXPRESSION_ALPHABET) + WORDS), max_size=60).map("".join))
def test_parse_expression_like_text(text):
    try:
        node = parse(text)
    except ExpressionError:
        return
    # Whatever parses also prints back to the same tree.
    assert parse(to_text(node)) == node


def _quotable(text):
    return not ("'" in text and '"' in text)


literals = st.one_of(
    st.integers(min_value=0, max_value=10**300),
    st.floats(min_value=0, allow_nan=False, allow_infinity=False),
    st.text(max_size=8).filter(_quotable),
).map(Literal)
leaves = st.one_of(literals, st.sampled_from(NAMES).map(Ref), st.just(Current()))
operators = sorted(COMPARISONS | {"and", "or", "+", "-", "*", "div", "mod"})


def _extend(children):
    calls = st.sampled_from(sorted(FUNCTIONS)).flatmap(
        lambda name: st.tuples(*[children] * FUNCTIONS[name]).map(lambda args: Call(name, args))
    )
    return st.one_of(
        children.map(Negate),
        st.builds(Binary, st.sampled_from(operators), children, children),
        calls,
    )


expressions = st.recursive(leaves, _extend, max_leaves=12)
answer_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=10),
    st.lists(st.text(max_size=5), max_size=3),
    st.dates(),
)
answers = st.dictionaries(st.sampled_from(NAMES), answer_values)


@FAST
@given(expressions, answers, answer_values)
def test_generated_expressions_print_parse_and_evaluate(node, values, current):
    parsed = parse(to_text(node))
    assert parsed == node
    with contextlib.suppress(ExpressionError):
        evaluate(parsed, values, current=current, today=TODAY)


@FAST
@given(
    expressions,
    st.fixed_dictionaries({name: st.sampled_from(TYPES) for name in NAMES}),
    st.sampled_from([None, "number", "string", "date", "list"]),
)
def test_type_inference_raises_only_expression_errors(node, types, current_type):
    try:
        kind = infer_type(node, types, current_type)
    except ExpressionError:
        return
    assert kind in TYPES


def _forms(question_names):
    keys = st.one_of(st.sampled_from(question_names), st.text(max_size=5))
    raw = st.one_of(
        st.text(max_size=20),
        st.sampled_from(["", "annet", "helg", "yes", "62,5", "1e5", "2025-02-29", "4", "\x00"]),
    )
    return st.dictionaries(keys, st.lists(raw, max_size=3), max_size=8)


def _read_page_never_raises(q):
    names = [question.name for question in q.questions]
    stored = st.dictionaries(st.sampled_from(names), answer_values, max_size=6)

    @FAST
    @given(
        st.sampled_from([page.name for page in q.pages]),
        _forms(names),
        stored,
        st.sets(st.sampled_from(names)),
    )
    def check(page_name, form, answers, shown):
        result = read_page(q, q.page(page_name), form, answers, shown, TODAY)
        assert set(result.values) == {question.name for question in q.page(page_name).questions}
        assert set(result.errors) <= set(shown)

    check()


def test_read_page_with_arbitrary_forms_never_raises(full):
    _read_page_never_raises(full)
