"""Typed reads from a JSON column in SQL, the same on SQLite and PostgreSQL.

``number(answers, "waarde")`` is the value under that key when it is a JSON number,
``string(answers, "doelen")`` when it is a JSON string; anything else (missing, null,
another type: a text, a list, true/false) is NULL.  So aggregates (``avg``, ``count``)
count only real numbers and texts, and PostgreSQL never fails on a cast of a wrong type.
"""

from __future__ import annotations

from sqlalchemy import Float, String, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement


class _Typed(FunctionElement):
    inherit_cache = True

    def __init__(self, column: ColumnElement, key: str):
        super().__init__(column, literal(key, String()))


class number(_Typed):
    inherit_cache = True
    type = Float()
    name = "json_number"


class string(_Typed):
    inherit_cache = True
    type = String()
    name = "json_string"


def _parts(element: _Typed, compiler, **kw) -> tuple[str, str]:
    column, key = element.clauses.clauses
    return compiler.process(column, **kw), compiler.process(key, **kw)


@compiles(number, "sqlite")
def _number_sqlite(element, compiler, **kw):
    column, key = _parts(element, compiler, **kw)
    path = f"'$.' || json_quote({key})"
    return f"CASE WHEN json_type({column}, {path}) IN ('integer', 'real') THEN json_extract({column}, {path}) END"


@compiles(string, "sqlite")
def _string_sqlite(element, compiler, **kw):
    column, key = _parts(element, compiler, **kw)
    path = f"'$.' || json_quote({key})"
    return f"CASE WHEN json_type({column}, {path}) = 'text' THEN json_extract({column}, {path}) END"


@compiles(number, "postgresql")
def _number_postgresql(element, compiler, **kw):
    column, key = _parts(element, compiler, **kw)
    return f"CASE WHEN json_typeof(({column})::json -> CAST({key} AS TEXT)) = 'number' THEN CAST(({column})::json ->> CAST({key} AS TEXT) AS FLOAT) END"


@compiles(string, "postgresql")
def _string_postgresql(element, compiler, **kw):
    column, key = _parts(element, compiler, **kw)
    return f"CASE WHEN json_typeof(({column})::json -> CAST({key} AS TEXT)) = 'string' THEN ({column})::json ->> CAST({key} AS TEXT) END"
