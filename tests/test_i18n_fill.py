"""Texts whose only markup is ``{{ name }}`` are filled without Jinja (``i18n._Fill``):
every such text of both catalogs, with odd values, comes out exactly as Jinja renders
it, and a missing value fails the same way."""

from __future__ import annotations

import jinja2
import pytest

from bot import i18n

VALUES = ["Sessie 1", 3, None, 2.5, ["a"], "}} {{ y }}", "  spaced  ", i18n.Raw("*vet*"), ""]


def plain_texts():
    for lang in i18n.LANGUAGES:
        for key, value in i18n.catalog(lang).items():
            if isinstance(value, str) and "{" in value and i18n._fills(value):
                yield lang, key, value


def test_most_texts_take_the_fast_path_and_the_others_jinja():
    assert sum(1 for _ in plain_texts()) > 500
    assert isinstance(i18n._compiled("Hallo {{ name }}!"), i18n._Fill)
    for markup in ("{% if n %}x{% endif %}", "{{ n | default('') }}", "{{ n.x }}", "{# c #}", "a { b", "{{ none }}", "{{ range }}", "a\r\n{{ n }}"):
        assert isinstance(i18n._compiled(markup), jinja2.Template), markup


def test_every_plain_text_fills_as_jinja_renders_it():
    for lang, key, source in plain_texts():
        names = set(i18n._PLACEHOLDER.findall(source))
        for value in VALUES:
            params = {name: value for name in names}
            assert i18n._Fill(source).render(**params) == i18n._env.from_string(source).render(**params), (lang, key, value)


def test_a_missing_value_fails_as_in_jinja():
    with pytest.raises(jinja2.UndefinedError):
        i18n._env.from_string("Hallo {{ name }}").render()
    with pytest.raises(jinja2.UndefinedError):
        i18n._Fill("Hallo {{ name }}").render()
    assert i18n._Fill("{{ a }}{{a}}-{{  b }}\n").render(a=1, b="x") == "11-x"
