"""XLSForm expressions: parse, evaluate, check types and export for the browser.

Expressions come from definition files written by administrators, so they are parsed here into a
small tree of frozen dataclasses and interpreted; nothing is ever handed to Python's eval().
The syntax and the handling of empty answers follow XLSForm/XPath closely enough that relevance
conditions from real XLSForm files behave the same here.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# Bounds that keep a hostile or broken expression from exhausting the Python stack or memory.
MAX_LENGTH = 5000
MAX_DEPTH = 100
_MAX_PARSER_FRAMES = 300
_MAX_NUMBER_DIGITS = 400  # enough to write out any float in full

NUMBER = "number"
STRING = "string"
DATE = "date"
LIST = "list"
BOOL = "bool"
ANY = "any"

NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
_NUMERIC_TEXT = re.compile(r"\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*\Z")


class ExpressionError(Exception):
    """A syntax, type or evaluation problem in an expression.

    `position` is the 0-based offset in the expression text, or -1 when it is not known.
    """

    def __init__(self, message: str, position: int = -1) -> None:
        super().__init__(message)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        if self.position >= 0:
            return f"{self.message} (at character {self.position + 1})"
        return self.message


# --- The tree -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    # Where the node starts in the source text; not part of equality so that trees parsed from
    # differently spaced text compare equal.
    position: int = field(default=-1, compare=False, repr=False, kw_only=True)

    @property
    def depth(self) -> int:
        return 1


@dataclass(frozen=True)
class Literal(Node):
    value: str | int | float


@dataclass(frozen=True)
class Ref(Node):
    name: str


@dataclass(frozen=True)
class Current(Node):
    pass


@dataclass(frozen=True)
class Negate(Node):
    operand: Node
    # Stored rather than computed on demand: walking a degenerate tree to measure it would be
    # the very recursion the limit exists to avoid.
    _depth: int = field(default=0, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_depth", self.operand.depth + 1)

    @property
    def depth(self) -> int:
        return self._depth


@dataclass(frozen=True)
class Binary(Node):
    op: str
    left: Node
    right: Node
    _depth: int = field(default=0, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_depth", max(self.left.depth, self.right.depth) + 1)

    @property
    def depth(self) -> int:
        return self._depth


@dataclass(frozen=True)
class Call(Node):
    name: str
    args: tuple[Node, ...] = ()
    _depth: int = field(default=0, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_depth", max((a.depth for a in self.args), default=0) + 1)

    @property
    def depth(self) -> int:
        return self._depth


FUNCTIONS: Mapping[str, int] = {
    "selected": 2,
    "count-selected": 1,
    "if": 3,
    "coalesce": 2,
    "string-length": 1,
    "today": 0,
    "not": 1,
    "true": 0,
    "false": 0,
}

COMPARISONS = frozenset({"=", "!=", "<", "<=", ">", ">="})
ARITHMETIC = frozenset({"+", "-", "*", "div", "mod"})
_PRECEDENCE = {"or": 1, "and": 2, **dict.fromkeys(COMPARISONS, 3), "+": 4, "-": 4}
_PRECEDENCE.update({"*": 5, "div": 5, "mod": 5})
_WORD_OPERATORS = frozenset({"or", "and", "div", "mod"})


# --- Parsing --------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)
    | (?P<ref>\$\{(?P<refname>[^}]*)\})
    | (?P<string>'[^']*'|"[^"]*")
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z_][A-Za-z0-9_]*)*)
    | (?P<op><=|>=|!=|[=<>+\-*(),.])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Token:
    kind: str  # number, string, ref, name, op, end
    text: str
    position: int


def _tokenize(text: str) -> list[_Token]:
    tokens = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            char = text[position]
            if char in "'\"":
                raise ExpressionError("text is missing its closing quote", position)
            if text.startswith("${", position):
                raise ExpressionError("'${' is missing its closing '}'", position)
            raise ExpressionError(f"unexpected character {char!r}", position)
        kind = match.lastgroup
        if kind == "refname":  # lastgroup names the innermost group that matched
            kind = "ref"
        if kind == "ref":
            name = match.group("refname").strip()
            if not NAME_PATTERN.match(name):
                raise ExpressionError(f"${{{name}}} is not a valid question name", position)
            tokens.append(_Token("ref", name, position))
        elif kind != "space":
            tokens.append(_Token(kind, match.group(), position))
        position = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.index = 0
        self.frames = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, text: str) -> None:
        if self.token.kind == "end":
            raise ExpressionError(
                f"expected {text!r} but the expression ended", self.token.position
            )
        if self.token.text != text or self.token.kind != "op":
            raise ExpressionError(
                f"expected {text!r}, found {self.token.text!r}", self.token.position
            )
        self.advance()

    def enter(self) -> None:
        self.frames += 1
        if self.frames > _MAX_PARSER_FRAMES:
            raise ExpressionError("the expression is nested too deeply", self.token.position)

    def checked(self, node: Node) -> Node:
        if node.depth > MAX_DEPTH:
            raise ExpressionError("the expression is nested too deeply", node.position)
        return node

    def binary_operator(self) -> str | None:
        token = self.token
        if token.kind == "op" and token.text in _PRECEDENCE:
            return token.text
        if token.kind == "name" and token.text in _WORD_OPERATORS:
            return token.text
        return None

    def parse(self) -> Node:
        if self.token.kind == "end":
            raise ExpressionError("the expression is empty", 0)
        node = self.expression(1)
        if self.token.kind != "end":
            raise ExpressionError(
                f"unexpected {self.token.text!r} after the end of the expression",
                self.token.position,
            )
        return node

    def expression(self, min_precedence: int) -> Node:
        # Precedence climbing: one call per precedence step instead of one function per level
        # keeps the Python stack shallow for deeply parenthesised input.
        self.enter()
        left = self.unary()
        while (op := self.binary_operator()) is not None and _PRECEDENCE[op] >= min_precedence:
            token = self.advance()
            right = self.expression(_PRECEDENCE[op] + 1)
            left = self.checked(Binary(op, left, right, position=token.position))
        self.frames -= 1
        return left

    def unary(self) -> Node:
        if self.token.kind == "op" and self.token.text == "-":
            self.enter()
            token = self.advance()
            node = self.checked(Negate(self.unary(), position=token.position))
            self.frames -= 1
            return node
        return self.primary()

    def primary(self) -> Node:
        token = self.token
        if token.kind == "number":
            self.advance()
            return Literal(_number_literal(token), position=token.position)
        if token.kind == "string":
            self.advance()
            return Literal(token.text[1:-1], position=token.position)
        if token.kind == "ref":
            self.advance()
            return Ref(token.text, position=token.position)
        if token.kind == "op" and token.text == ".":
            self.advance()
            return Current(position=token.position)
        if token.kind == "op" and token.text == "(":
            self.advance()
            node = self.expression(1)
            self.expect(")")
            return node
        if token.kind == "name":
            return self.call()
        if token.kind == "end":
            raise ExpressionError("the expression ended too early", token.position)
        raise ExpressionError(f"unexpected {token.text!r}", token.position)

    def call(self) -> Node:
        token = self.advance()
        name = token.text
        is_call = self.token.kind == "op" and self.token.text == "("
        if name not in FUNCTIONS:
            if is_call:
                raise ExpressionError(f"unknown function {name}()", token.position)
            raise ExpressionError(
                f"unexpected word {name!r}: write text in quotes ('{name}') "
                f"and answers as ${{{name}}}",
                token.position,
            )
        if not is_call:
            raise ExpressionError(f"{name} must be followed by '('", token.position)
        self.advance()
        args: list[Node] = []
        if not (self.token.kind == "op" and self.token.text == ")"):
            args.append(self.expression(1))
            while self.token.kind == "op" and self.token.text == ",":
                self.advance()
                args.append(self.expression(1))
        self.expect(")")
        expected = FUNCTIONS[name]
        if len(args) != expected:
            plural = "" if expected == 1 else "s"
            raise ExpressionError(
                f"{name}() takes {expected} argument{plural}, got {len(args)}", token.position
            )
        return self.checked(Call(name, tuple(args), position=token.position))


def _number_literal(token: _Token) -> int | float:
    if len(token.text) > _MAX_NUMBER_DIGITS:
        raise ExpressionError("the number is too long", token.position)
    if "." in token.text:
        return float(token.text)
    return int(token.text)


def parse(text: str) -> Node:
    """Parse an expression; raise ExpressionError for anything that is not valid syntax."""
    if not isinstance(text, str):
        raise ExpressionError("an expression must be text")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_LENGTH} characters")
    return _Parser(text).parse()


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Negate):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.args
    return ()


def walk(node: Node) -> list[Node]:
    """All nodes of the tree, parents before children."""
    found = []
    stack = [node]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(reversed(_children(current)))
    return found


def references(node: Node) -> set[str]:
    """The question names the expression refers to as ${...}."""
    return {n.name for n in walk(node) if isinstance(n, Ref)}


# --- Values ---------------------------------------------------------------------------------


def is_empty(value: Any) -> bool:
    """An unanswered question: None, '' or an empty selection."""
    if value is None:
        return True
    if isinstance(value, str):
        return value == ""
    if isinstance(value, list | tuple):
        return len(value) == 0
    return False


def truthy(value: Any) -> bool:
    """Truth of a value used as a condition (XPath boolean())."""
    if is_empty(value):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0 and not (isinstance(value, float) and math.isnan(value))
    return True


def as_text(value: Any) -> str:
    """The XPath string() of a value; a selection is its values separated by spaces."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return " ".join(as_text(item) for item in value)
    return str(value)


def _as_number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, str) and _NUMERIC_TEXT.match(value):
        text = value.strip()
        if len(text) > _MAX_NUMBER_DIGITS:
            return None
        return float(text) if "." in text else int(text)
    return None


def _as_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        match = _ISO_DATE.match(value.strip())
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_date(value: Any) -> bool:
    return isinstance(value, datetime.date)


def _equal(left: Any, right: Any) -> bool:
    if is_empty(left) or is_empty(right):
        return is_empty(left) and is_empty(right)
    if isinstance(left, bool) or isinstance(right, bool):
        return truthy(left) == truthy(right)
    if _is_number(left) or _is_number(right):
        a, b = _as_number(left), _as_number(right)
        return a is not None and b is not None and a == b
    if _is_date(left) or _is_date(right):
        a_date, b_date = _as_date(left), _as_date(right)
        return a_date is not None and b_date is not None and a_date == b_date
    return as_text(left) == as_text(right)


_ORDER: Mapping[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _ordered(op: str, left: Any, right: Any) -> bool:
    if is_empty(left) or is_empty(right):
        return False
    if isinstance(left, list | tuple) or isinstance(right, list | tuple):
        raise ExpressionError(f"cannot use {op} on a list of choices; use count-selected()")
    compare = _ORDER[op]
    if isinstance(left, bool | int | float) or isinstance(right, bool | int | float):
        a, b = _as_number(left), _as_number(right)
        return a is not None and b is not None and compare(a, b)
    if _is_date(left) or _is_date(right):
        a_date, b_date = _as_date(left), _as_date(right)
        return a_date is not None and b_date is not None and compare(a_date, b_date)
    if isinstance(left, str) and isinstance(right, str):
        a, b = _as_number(left), _as_number(right)
        if a is not None and b is not None:
            return compare(a, b)
        return compare(left, right)
    raise ExpressionError(f"cannot compare {as_text(left)!r} with {as_text(right)!r}")


def _number_operand(op: str, value: Any) -> int | float:
    number = _as_number(value)
    if number is None:
        raise ExpressionError(f"{op} needs numbers, not {as_text(value)!r}")
    return number


def _shift_date(day: datetime.date, days: Any, sign: int) -> datetime.date | None:
    number = _number_operand("date arithmetic", days)
    try:
        return day + datetime.timedelta(days=sign * math.floor(number))
    except (OverflowError, ValueError):
        return None  # outside the calendar: treated as no value, like XPath's NaN


def _arithmetic(op: str, left: Any, right: Any) -> Any:
    if is_empty(left) or is_empty(right):
        return None
    left_date, right_date = _is_date(left), _is_date(right)
    # 'YYYY-MM-DD' text next to a date is a date, as in comparisons.
    if left_date and isinstance(right, str) and _as_date(right) is not None:
        right, right_date = _as_date(right), True
    elif right_date and isinstance(left, str) and _as_date(left) is not None:
        left, left_date = _as_date(left), True
    if left_date or right_date:
        # Days, as in ODK: date - date is a number of days, date +/- n is another date.
        if op == "-" and left_date and right_date:
            return (_as_date(left) - _as_date(right)).days
        if op in ("+", "-") and left_date and not right_date:
            return _shift_date(_as_date(left), right, 1 if op == "+" else -1)
        if op == "+" and right_date:
            return _shift_date(_as_date(right), left, 1)
        raise ExpressionError(f"cannot use {op} with a date")
    a = _number_operand(op, left)
    b = _number_operand(op, right)
    try:
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if b == 0:
            return None  # division by zero has no answer; treating it as empty keeps forms usable
        if op == "div":
            return a / b
        if isinstance(a, int) and isinstance(b, int):
            remainder = abs(a) % abs(b)  # XPath mod takes the sign of the dividend
            return remainder if a >= 0 else -remainder
        try:
            return math.fmod(a, b)
        except ValueError:
            return math.nan
    except OverflowError:
        raise ExpressionError("a number in the calculation is too large") from None


def _selected(selection: Any, value: Any) -> bool:
    if is_empty(selection):
        return False
    wanted = as_text(value)
    if isinstance(selection, list | tuple):
        return any(as_text(item) == wanted for item in selection)
    return wanted in as_text(selection).split()


def _count_selected(selection: Any) -> int:
    if is_empty(selection):
        return 0
    if isinstance(selection, list | tuple):
        return len(selection)
    if isinstance(selection, str):
        return len(selection.split())
    raise ExpressionError(f"count-selected() needs a selection, not {as_text(selection)!r}")


class _Evaluator:
    def __init__(self, values: Mapping[str, Any], current: Any, today: datetime.date) -> None:
        self.values = values
        self.current = current
        self.today = today

    def value(self, node: Node) -> Any:
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, Ref):
            return self.values.get(node.name)
        if isinstance(node, Current):
            return self.current
        if isinstance(node, Negate):
            operand = self.value(node.operand)
            if is_empty(operand):
                return None
            return -_number_operand("-", operand)
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Call):
            return self.call(node)
        raise ExpressionError(f"not an expression node: {type(node).__name__}")

    def binary(self, node: Binary) -> Any:
        if node.op == "and":
            return truthy(self.value(node.left)) and truthy(self.value(node.right))
        if node.op == "or":
            return truthy(self.value(node.left)) or truthy(self.value(node.right))
        left = self.value(node.left)
        right = self.value(node.right)
        if node.op == "=":
            return _equal(left, right)
        if node.op == "!=":
            return not _equal(left, right)
        if node.op in _ORDER:
            return _ordered(node.op, left, right)
        if node.op in ARITHMETIC:
            return _arithmetic(node.op, left, right)
        raise ExpressionError(f"unknown operator {node.op!r}", node.position)

    def call(self, node: Call) -> Any:
        name, args = node.name, node.args
        if FUNCTIONS.get(name) != len(args):
            raise ExpressionError(f"{name}() with {len(args)} arguments", node.position)
        if name == "true":
            return True
        if name == "false":
            return False
        if name == "today":
            return self.today
        if name == "not":
            return not truthy(self.value(args[0]))
        if name == "if":
            return self.value(args[1] if truthy(self.value(args[0])) else args[2])
        if name == "coalesce":
            first = self.value(args[0])
            return self.value(args[1]) if is_empty(first) else first
        if name == "selected":
            return _selected(self.value(args[0]), self.value(args[1]))
        if name == "count-selected":
            return _count_selected(self.value(args[0]))
        if name == "string-length":
            return len(as_text(self.value(args[0])))
        raise ExpressionError(f"unknown function {name}()", node.position)


def evaluate(
    node: Node,
    values: Mapping[str, Any],
    current: Any = None,
    today: datetime.date | None = None,
) -> Any:
    """The value of the expression given the answers so far.

    Raises only ExpressionError: stored answers may not match what the expression expects, and
    the caller decides how to treat a condition it cannot evaluate.
    """
    if not isinstance(node, Node):
        raise ExpressionError("not an expression")
    if node.depth > MAX_DEPTH:
        raise ExpressionError("the expression is nested too deeply")
    if today is None:
        today = datetime.date.today()
    try:
        return _Evaluator(values, current, today).value(node)
    except ExpressionError:
        raise
    except RecursionError:
        raise ExpressionError("the expression is nested too deeply") from None
    except Exception as exc:  # noqa: BLE001 - the contract is that nothing else escapes
        raise ExpressionError(f"cannot evaluate the expression: {exc}") from exc


# --- Static types ---------------------------------------------------------------------------


def _describe(node: Node) -> str:
    if isinstance(node, Ref):
        return f"${{{node.name}}}"
    if isinstance(node, Literal):
        return f"'{node.value}'" if isinstance(node.value, str) else as_text(node.value)
    if isinstance(node, Current):
        return "the checked value (.)"
    if isinstance(node, Call):
        return f"{node.name}()"
    return "the expression"


_TYPE_NAMES = {
    NUMBER: "a number",
    STRING: "text",
    DATE: "a date",
    LIST: "a list of choices",
    BOOL: "true/false",
    ANY: "anything",
}


def _text_literal(node: Node) -> str | None:
    if isinstance(node, Literal) and isinstance(node.value, str):
        return node.value
    return None


class _TypeChecker:
    def __init__(self, types: Mapping[str, str], current_type: str | None) -> None:
        self.types = types
        self.current_type = current_type

    def type_of(self, node: Node) -> str:
        if isinstance(node, Literal):
            if isinstance(node.value, bool):
                return BOOL
            return STRING if isinstance(node.value, str) else NUMBER
        if isinstance(node, Ref):
            if node.name not in self.types:
                raise ExpressionError(f"unknown name ${{{node.name}}}", node.position)
            return self.types[node.name]
        if isinstance(node, Current):
            if self.current_type is None:
                raise ExpressionError(
                    "'.' (the value being checked) can only be used in a constraint", node.position
                )
            return self.current_type
        if isinstance(node, Negate):
            self.numeric("-", node.operand)
            return NUMBER
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Call):
            return self.call(node)
        raise ExpressionError(f"not an expression node: {type(node).__name__}")

    def numeric(self, op: str, node: Node) -> str:
        kind = self.type_of(node)
        if kind in (NUMBER, ANY, BOOL):
            return kind
        text = _text_literal(node)
        if text is not None and _NUMERIC_TEXT.match(text):
            return NUMBER
        raise ExpressionError(
            f"{op} needs numbers, but {_describe(node)} is {_TYPE_NAMES[kind]}", node.position
        )

    def binary(self, node: Binary) -> str:
        if node.op in ("and", "or"):
            self.type_of(node.left)
            self.type_of(node.right)
            return BOOL
        if node.op in COMPARISONS:
            self.comparison(node)
            return BOOL
        left, right = self.type_of(node.left), self.type_of(node.right)
        if left == DATE and _as_date(_text_literal(node.right)) is not None:
            right = DATE
        elif right == DATE and _as_date(_text_literal(node.left)) is not None:
            left = DATE
        if node.op in ("+", "-") and DATE in (left, right):
            if node.op == "-" and left == DATE and right == DATE:
                return NUMBER
            if left == DATE and right != DATE:
                self.numeric(node.op, node.right)
                return DATE
            if node.op == "+" and right == DATE and left != DATE:
                self.numeric(node.op, node.left)
                return DATE
            raise ExpressionError(f"cannot use {node.op} with these dates", node.position)
        self.numeric(node.op, node.left)
        self.numeric(node.op, node.right)
        return NUMBER

    def comparison(self, node: Binary) -> None:
        op = node.op
        sides = ((node.left, node.right), (node.right, node.left))
        kinds = {id(node.left): self.type_of(node.left), id(node.right): self.type_of(node.right)}
        for this, other in sides:
            kind, other_kind = kinds[id(this)], kinds[id(other)]
            other_text = _text_literal(other)
            if kind == LIST:
                if op in ("=", "!=") and other_text == "":
                    continue  # `${q} = ''` is the usual "nothing selected" test
                raise ExpressionError(
                    f"{_describe(this)} is a list of choices; "
                    "compare it with selected() or count-selected()",
                    node.position,
                )
            if other_text == "" or (other_text is None and other_kind in (ANY, BOOL)):
                continue
            if kind == NUMBER:
                if other_kind == DATE:
                    raise ExpressionError(
                        f"compares number {_describe(this)} with date {_describe(other)}",
                        node.position,
                    )
                if other_text is not None and not _NUMERIC_TEXT.match(other_text):
                    raise ExpressionError(
                        f"compares number {_describe(this)} with text '{other_text}'",
                        node.position,
                    )
            if kind == DATE and other_text is not None and _as_date(other_text) is None:
                raise ExpressionError(
                    f"compares date {_describe(this)} with '{other_text}', "
                    "which is not a date (YYYY-MM-DD)",
                    node.position,
                )

    def call(self, node: Call) -> str:
        name, args = node.name, node.args
        if FUNCTIONS.get(name) != len(args):
            raise ExpressionError(f"{name}() with {len(args)} arguments", node.position)
        kinds = [self.type_of(arg) for arg in args]
        if name in ("selected", "count-selected"):
            if kinds[0] not in (LIST, STRING, ANY):
                raise ExpressionError(
                    f"{name}() needs a select question, but {_describe(args[0])} is "
                    f"{_TYPE_NAMES[kinds[0]]}",
                    node.position,
                )
            return BOOL if name == "selected" else NUMBER
        if name in ("if", "coalesce"):
            first, second = kinds[-2], kinds[-1]
            if first == second:
                return first
            if _text_literal(args[-1]) == "":
                return first
            if _text_literal(args[-2]) == "":
                return second
            return ANY
        if name == "string-length":
            return NUMBER
        if name == "today":
            return DATE
        if name in ("not", "true", "false"):
            return BOOL
        raise ExpressionError(f"unknown function {name}()", node.position)


def infer_type(node: Node, types: Mapping[str, str], current_type: str | None = None) -> str:
    """The static type of the expression; ExpressionError for unknown names and type mistakes.

    `types` maps question names to 'number', 'string', 'date', 'list', 'bool' or 'any';
    `current_type` is the type of '.', None outside a constraint.
    """
    if node.depth > MAX_DEPTH:
        raise ExpressionError("the expression is nested too deeply")
    return _TypeChecker(types, current_type).type_of(node)


# --- Export ---------------------------------------------------------------------------------


def to_json(node: Node) -> list[Any]:
    """A JSON form for the browser: ["lit", v], ["ref", name], ["cur"], ["neg", x],
    ["op", op, left, right] and ["call", name, [args]]."""
    if isinstance(node, Literal):
        return ["lit", node.value]
    if isinstance(node, Ref):
        return ["ref", node.name]
    if isinstance(node, Current):
        return ["cur"]
    if isinstance(node, Negate):
        return ["neg", to_json(node.operand)]
    if isinstance(node, Binary):
        return ["op", node.op, to_json(node.left), to_json(node.right)]
    if isinstance(node, Call):
        return ["call", node.name, [to_json(arg) for arg in node.args]]
    raise ExpressionError(f"not an expression node: {type(node).__name__}")


def _number_text(value: int | float) -> str:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ExpressionError(f"{value} cannot be written in an expression")
        # The syntax has no exponent, so write every digit out; keep a point so that the
        # literal stays a float when parsed again.
        text = format(Decimal(repr(value)), "f")
        return text if "." in text else text + ".0"
    return str(value)


def to_text(node: Node) -> str:
    """Expression text that parses back to an equal tree; binary operations are parenthesised."""
    if isinstance(node, Literal):
        value = node.value
        if isinstance(value, str):
            if "'" not in value:
                return f"'{value}'"
            if '"' not in value:
                return f'"{value}"'
            raise ExpressionError("a text containing both kinds of quote cannot be written")
        if isinstance(value, bool):
            return "true()" if value else "false()"
        return _number_text(value)
    if isinstance(node, Ref):
        return f"${{{node.name}}}"
    if isinstance(node, Current):
        return "."
    if isinstance(node, Negate):
        return f"-({to_text(node.operand)})"
    if isinstance(node, Binary):
        return f"({to_text(node.left)} {node.op} {to_text(node.right)})"
    if isinstance(node, Call):
        return f"{node.name}({', '.join(to_text(arg) for arg in node.args)})"
    raise ExpressionError(f"not an expression node: {type(node).__name__}")
