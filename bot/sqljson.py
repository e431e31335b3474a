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
    sqlite_types: tuple[str, ...]  # json_type() of the values kept
    postgresql_type: str  # json_typeof() of the values kept
    postgresql_cast: str | None = None  # the SQL type the text of ``->>`` is cast to

    def __init__(self, column: ColumnElement, key: str):
        super().__init__(column, literal(key, String()))


class number(_Typed):
    inherit_cache = True
    type = Float()
    name = "json_number"
    sqlite_types = ("integer", "real")
    postgresql_type = "number"
    postgresql_cast = "FLOAT"


class string(_Typed):
    inherit_cache = True
    type = String()
    name = "json_string"
    sqlite_types = ("text",)
    postgresql_type = "string"


def _parts(element: _Typed, compiler, **kw) -> tuple[str, str]:
    column, key = element.clauses.clauses
    return compiler.process(column, **kw), compiler.process(key, **kw)


def _sqlite(element: _Typed, compiler, **kw) -> str:
    column, key = _parts(element, compiler, **kw)
    path = f"'$.' || json_quote({key})"
    kinds = ", ".join(f"'{kind}'" for kind in element.sqlite_types)
    return f"CASE WHEN json_type({column}, {path}) IN ({kinds}) THEN json_extract({column}, {path}) END"


def _postgresql(element: _Typed, compiler, **kw) -> str:
    column, key = _parts(element, compiler, **kw)
    value = f"({column})::json ->> CAST({key} AS TEXT)"
    if element.postgresql_cast:
        value = f"CAST({value} AS {element.postgresql_cast})"
    return f"CASE WHEN json_typeof(({column})::json -> CAST({key} AS TEXT)) = '{element.postgresql_type}' THEN {value} END"


for _kind in (number, string):
    compiles(_kind, "sqlite")(_sqlite)
    compiles(_kind, "postgresql")(_postgresql)
