"""Reading answer fields of a JSON column in SQL, the same way on SQLite and PostgreSQL.

Two steps, so the JSON document is searched once per field: `raw(column, key)` takes the
field's JSON value (SQLite: its JSON text, `->`; PostgreSQL: jsonb, `->`), and the readers
turn a raw value into a typed one only when it has the expected JSON type, NULL otherwise.
SQL therefore reads answers exactly as `survey.classification` does in Python: a number
stored as text is not a number, `true` is not the number 1, a list is not a choice.

SQLite renders JSON values minified (`["a","b"]`), so list membership is a search for
`,"value",` in `,` + the inner text + `,`; inside a JSON string every `"` is escaped, so the
pattern matches whole elements only. Field names and choice values are inlined as SQL
literals: they come from our own definitions and must match a strict pattern."""

from __future__ import annotations

import re

from sqlalchemy import Float, Integer, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

_SAFE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

RAW = "raw"
TEXT = "text"
NUMBER = "number"
BOOLEAN = "boolean"
ARRAY_HAS = "array_has"


def _check(name: str | None) -> None:
    if name is not None and not _SAFE.match(name):
        raise ValueError(f"not a plain field or choice name: {name!r}")


class JsonValue(ColumnElement):
    """RAW: `column[key]` as JSON; the other kinds read a RAW value (`column`)."""

    inherit_cache = False

    def __init__(self, column, kind: str, key: str | None = None, item: str | None = None):
        _check(key)
        _check(item)
        self.column = column
        self.kind = kind
        self.key = key
        self.item = item
        self.type = {TEXT: String(), NUMBER: Float(), RAW: String()}.get(kind, Integer())


def raw(column, key: str) -> JsonValue:
    return JsonValue(column, RAW, key=key)


def text(value) -> JsonValue:
    return JsonValue(value, TEXT)


def number(value) -> JsonValue:
    return JsonValue(value, NUMBER)


def boolean(value) -> JsonValue:
    return JsonValue(value, BOOLEAN)


def array_has(value, item: str) -> JsonValue:
    return JsonValue(value, ARRAY_HAS, item=item)


_DIGITS = "('-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9')"


@compiles(JsonValue, "sqlite")
def _sqlite(element: JsonValue, compiler, **kw) -> str:
    v = compiler.process(element.column, **kw)
    if element.kind == RAW:
        return f"({v} -> '$.{element.key}')"
    first = f"substr({v}, 1, 1)"
    if element.kind == TEXT:
        return f"(CASE WHEN {first} = '\"' THEN json_extract({v}, '$') END)"
    if element.kind == NUMBER:
        return f"(CASE WHEN {first} IN {_DIGITS} THEN CAST({v} AS REAL) END)"
    if element.kind == BOOLEAN:
        return f"(CASE {v} WHEN 'true' THEN 1 WHEN 'false' THEN 0 END)"
    return (
        f"(CASE WHEN {first} = '[' THEN "
        f"instr(',' || substr({v}, 2, length({v}) - 2) || ',', ',\"{element.item}\",') > 0 END)"
    )


@compiles(JsonValue, "postgresql")
def _postgresql(element: JsonValue, compiler, **kw) -> str:
    v = compiler.process(element.column, **kw)
    if element.kind == RAW:
        return f"({v} -> '{element.key}')"
    kind = f"jsonb_typeof({v})"
    if element.kind == TEXT:
        return f"(CASE WHEN {kind} = 'string' THEN {v} #>> '{{}}' END)"
    if element.kind == NUMBER:
        return f"(CASE WHEN {kind} = 'number' THEN ({v} #>> '{{}}')::float8 END)"
    if element.kind == BOOLEAN:
        return f"(CASE {kind} WHEN 'boolean' THEN (CASE WHEN {v} = 'true'::jsonb THEN 1 ELSE 0 END) END)"
    return (
        f"(CASE WHEN {kind} = 'array' THEN "
        f"(CASE WHEN {v} @> '[\"{element.item}\"]'::jsonb THEN 1 ELSE 0 END) END)"
    )
