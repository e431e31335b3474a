"""The ``evaluation_forms`` section: forms, their questions and answer options."""

from __future__ import annotations

from yaml.nodes import ScalarNode

from bot.trajectory_format.checker import Checker
from bot.trajectory_format.model import (
    DEFAULT_SCALE, MAX_OPTION_LENGTH, MAX_OPTIONS, MIN_OPTIONS, QUESTION_TYPES, SCALE_RANGE, FormSpec, QuestionSpec,
)
from bot.trajectory_format.nodes import PathNode
from bot.trajectory_format.references import Known

_FORM_FIELDS = ("anonymous", "questions")
_QUESTION_FIELDS = ("key", "type", "question", "scale", "options", "optional")


def read_forms(c: Checker, n: PathNode | None, known: Known) -> dict[str, FormSpec]:
    forms: dict[str, FormSpec] = {}
    if n is None:
        known.forms = forms
        return forms
    if not n.is_mapping:
        c.error(n, "not_mapping")
        return forms
    c.spend(len(n.node.value))
    for key_node, value_node in n.node.value:
        name_node = PathNode(key_node, n.child(key_node.value if isinstance(key_node, ScalarNode) else "?"))
        key = c.key(name_node)
        form_node = PathNode(value_node, name_node.path, name_node.line)
        form = _read_form(c, form_node, key)
        if key is not None and form is not None:
            forms[key] = form
    known.forms = forms
    return forms


def _read_form(c: Checker, n: PathNode, key: str | None) -> FormSpec | None:
    """A form is a list of questions, or ``{anonymous: bool, questions: [...]}``."""
    anonymous = False
    questions_node: PathNode | None = n
    if n.is_mapping:
        f = c.fields(n, _FORM_FIELDS, required=("questions",))
        anonymous = c.boolean(f["anonymous"]) if "anonymous" in f else False
        questions_node = f.get("questions")
    items = c.items(questions_node)
    if items is None:
        return None
    if not items:
        c.error(questions_node, "empty_list")
    seen: dict[str, int] = {}
    questions = [q for q in (_read_question(c, item, seen) for item in items) if q is not None]
    return FormSpec(key=key, anonymous=anonymous, questions=questions)


def _read_question(c: Checker, n: PathNode, seen: dict[str, int]) -> QuestionSpec | None:
    f = c.fields(n, _QUESTION_FIELDS, required=("key", "type", "question"))
    if f is None:
        return None
    key = c.key(f.get("key"))
    if "key" in f and not c.unique(f["key"], key, seen):
        key = None
    kind = c.choice(f.get("type"), QUESTION_TYPES)
    question = QuestionSpec(
        key=key,
        type=kind,
        question=c.text(f.get("question")),
        optional=c.boolean(f["optional"]) if "optional" in f else False,
    )
    if kind == "rating":
        question.scale = c.integer(f["scale"], *SCALE_RANGE) if "scale" in f else DEFAULT_SCALE
    elif "scale" in f and kind is not None:
        c.error(f["scale"], "field_not_for_type", name="scale", type=kind)
    if kind in ("choice", "multi"):
        if "options" in f:
            question.options = _read_options(c, f["options"])
        else:
            c.error(n, "required", field=n.child("options"))
    elif "options" in f and kind is not None:
        c.error(f["options"], "field_not_for_type", name="options", type=kind)
    return question


def _read_options(c: Checker, n: PathNode) -> list[str]:
    """Answer options.  A plain ``Yes``/``No``/``3`` counts as text, as written."""
    items = c.items(n)
    if items is None:
        return []
    options: list[str] = []
    seen: dict[str, int] = {}
    for item in items:
        value = item.value
        if isinstance(value, (bool, int, float)) and item.node.style is None:
            value = item.source
        if not isinstance(value, str):
            c.error(item, "not_text")
            continue
        value = value.strip()
        if not value:
            c.error(item, "empty")
        elif len(value) > MAX_OPTION_LENGTH:
            c.error(item, "option_too_long", length=len(value), max=MAX_OPTION_LENGTH)
        elif c.unique(item, value.casefold(), seen, code="duplicate_option"):
            options.append(value)
    if len(items) > MAX_OPTIONS:
        c.error(n, "too_many_options", count=len(items), max=MAX_OPTIONS)
    elif len(items) < MIN_OPTIONS:
        c.error(n, "too_few_options", count=len(items), min=MIN_OPTIONS)
    return options
