"""User-facing text: catalogs in ``templates/<lang>/*.yaml``, rendered with Jinja2.

A catalog file ``templates/nl/invite.yaml`` with ``title: "..."`` provides the key
``invite.title``.  Nested mappings give dotted keys.  Dutch is the reference
language; a key missing in another language falls back to Dutch.

Values passed to :func:`t` are *raw* user data.  The caller says how to escape
them for the surface the text lands on (Slack mrkdwn, Teams markdown, plain CLI
output) with ``escape``; the catalog text itself is trusted.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import jinja2
import yaml

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
DEFAULT_LANGUAGE = "nl"
LANGUAGES = ("nl", "en")

# libyaml's loader when PyYAML has it: the same data, ten times faster (the catalogs are
# 400 kB, read on the first text the process renders).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False)


class Raw(str):
    """A value that is already safe for the target surface (not escaped again)."""


def _flatten(prefix: str, node: Any, out: dict[str, Any]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), value, out)
    else:
        out[prefix] = node


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, Any]:
    """All keys of one language (dotted), loaded once."""
    out: dict[str, Any] = {}
    folder = TEMPLATES_DIR / lang
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
        _flatten(path.stem, data, out)
    return out


_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*\}\}")
_PLAIN = re.compile(r"(?:[^{}]|\{\{\s*[A-Za-z_]\w*\s*\}\})*")


class _Fill:
    """A text whose only markup is ``{{ name }}``: filled by joining, the way Jinja would
    render it (``str`` of each value; a missing one raises ``UndefinedError``), at a
    tenth of the cost.  Most catalog texts are like this, and a summary renders hundreds."""

    def __init__(self, source: str):
        pieces = _PLACEHOLDER.split(source[:-1] if source.endswith("\n") else source)  # Jinja drops one trailing newline
        self.literals, self.names = pieces[::2], pieces[1::2]

    def render(self, **params: Any) -> str:
        out = [self.literals[0]]
        for name, literal in zip(self.names, self.literals[1:]):
            if name not in params:
                raise jinja2.UndefinedError(f"{name!r} is undefined")
            out += (str(params[name]), literal)
        return "".join(out)


# Names Jinja does not read as variables (its constants and globals), and carriage
# returns (Jinja turns \r\n into \n): texts with them stay with Jinja.
_NOT_VARIABLES = {"true", "false", "none", "True", "False", "None", *_env.globals}


def _fills(source: str) -> bool:
    return bool(_PLAIN.fullmatch(source)) and "\r" not in source and not _NOT_VARIABLES.intersection(_PLACEHOLDER.findall(source))


@lru_cache(maxsize=4096)
def _compiled(source: str) -> jinja2.Template | _Fill:
    return _Fill(source) if _fills(source) else _env.from_string(source)


def normalise_language(lang: str | None) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def _escape_value(value: Any, escape: Callable[[str], str]) -> Any:
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, (list, tuple)):
        return [_escape_value(v, escape) for v in value]
    if isinstance(value, dict):
        return {k: _escape_value(v, escape) for k, v in value.items()}
    return value


def _identity(text: str) -> str:
    return text


def lookup(lang: str, key: str) -> Any:
    lang = normalise_language(lang)
    value = catalog(lang).get(key)
    if value is None and lang != DEFAULT_LANGUAGE:
        value = catalog(DEFAULT_LANGUAGE).get(key)
    if value is None:
        raise KeyError(f"missing text {key!r} for language {lang!r}")
    return value


def t(lang: str | None, key: str, escape: Callable[[str], str] = _identity, /, **params: Any) -> str:
    """Render the text ``key`` in ``lang`` with ``params`` escaped by ``escape``."""
    source = lookup(normalise_language(lang), key)
    if not isinstance(source, str):
        raise TypeError(f"text {key!r} is not a string")
    if "{" not in source:
        return source.strip()
    safe = {name: _escape_value(value, escape) for name, value in params.items()}
    return _compiled(source).render(**safe).strip()


class Translator:
    """``t`` bound to one language and one escaping rule."""

    def __init__(self, lang: str | None, escape: Callable[[str], str] = _identity):
        self.lang = normalise_language(lang)
        self.escape = escape

    def __call__(self, key: str, /, **params: Any) -> str:
        return t(self.lang, key, self.escape, **params)
