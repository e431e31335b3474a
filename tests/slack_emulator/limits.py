"""Block Kit limit checks used by the Slack emulator (and callable from tests).

`check_message_blocks(blocks)` and `check_view(view)` return a list of
`Problem`s; an empty list means Slack would accept the payload. A `Problem`
is a `str` ("<json pointer>: <what>") that also carries `.path` and `.what`,
so tests can write `assert not check_view(view)` or
`assert any("/title/text" in p for p in problems)`.

The numbers are the ones in SLACK-FACTS.md (the platform facts the team keeps beside the design). Checks are table
driven: one small function per block type and per element type.
"""
from __future__ import annotations

import json
from typing import Any, Callable

# --- limits -----------------------------------------------------------------

MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100
MESSAGE_TEXT_MAX = 40_000
SECTION_TEXT_MAX = 3_000
SECTION_FIELDS_MAX = 10
SECTION_FIELD_TEXT_MAX = 2_000
HEADER_TEXT_MAX = 150
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2_000
URL_MAX = 3_000
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
OPTION_DESCRIPTION_MAX = 75
ID_MAX = 255  # block_id, action_id, callback_id, external_id
INPUT_LABEL_MAX = 2_000
INPUT_HINT_MAX = 2_000
PLACEHOLDER_MAX = 150
PLAIN_TEXT_INPUT_MAX_LENGTH = 3_000
CHECKBOXES_MAX_OPTIONS = 10
RADIO_MAX_OPTIONS = 10
SELECT_MAX_OPTIONS = 100
OVERFLOW_MAX_OPTIONS = 5
ACTIONS_MAX_ELEMENTS = 25
CONTEXT_MAX_ELEMENTS = 10
IMAGE_ALT_TEXT_MAX = 2_000
MODAL_TITLE_MAX = 24
MODAL_BUTTON_MAX = 24  # submit / close
PRIVATE_METADATA_MAX = 3_000
VIEW_JSON_MAX_BYTES = 250_000
CONFIRM_TITLE_MAX = 100
CONFIRM_TEXT_MAX = 300
CONFIRM_BUTTON_MAX = 30


class Problem(str):
    """One violation: a string "<path>: <what>" with `.path` and `.what`."""

    path: str
    what: str

    def __new__(cls, path: str, what: str) -> "Problem":
        obj = super().__new__(cls, f"{path}: {what}")
        obj.path = path
        obj.what = what
        return obj


class _Checker:
    """Collects problems while walking one message or view."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.block_ids: set[str] = set()

    def add(self, path: str, what: str) -> None:
        self.problems.append(Problem(path, what))

    # -- primitives -----------------------------------------------------------

    def max_len(self, value: Any, limit: int, path: str) -> None:
        """A string field must not exceed `limit` characters."""
        if value is None:
            return
        if not isinstance(value, str):
            self.add(path, f"must be a string, got {type(value).__name__}")
        elif len(value) > limit:
            self.add(path, f"must be at most {limit} characters (got {len(value)})")

    def text(self, obj: Any, path: str, limit: int, *, plain_only: bool = False,
             required: bool = True) -> None:
        """Check a composition text object ({"type": "plain_text"|"mrkdwn", "text": ...})."""
        if obj is None:
            if required:
                self.add(path, "is required")
            return
        if not isinstance(obj, dict):
            self.add(path, "must be a text object")
            return
        kind = obj.get("type")
        allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
        if kind not in allowed:
            self.add(f"{path}/type", f"must be one of {list(allowed)} (got {kind!r})")
        value = obj.get("text")
        if not isinstance(value, str) or value == "":
            self.add(f"{path}/text", "must be a non-empty string")
            return
        self.max_len(value, limit, f"{path}/text")

    def identifier(self, obj: dict, key: str, path: str) -> None:
        """block_id / action_id: a string of at most 255 characters."""
        if key in obj:
            value = obj[key]
            if not isinstance(value, str) or value == "":
                self.add(f"{path}/{key}", "must be a non-empty string")
            else:
                self.max_len(value, ID_MAX, f"{path}/{key}")

    def count(self, items: Any, limit: int, path: str, what: str, *, minimum: int = 0) -> list:
        """A list field: must be a list of at most `limit` items; returns it (or [])."""
        if items is None:
            if minimum:
                self.add(path, "is required")
            return []
        if not isinstance(items, list):
            self.add(path, "must be an array")
            return []
        if len(items) > limit:
            self.add(path, f"must have at most {limit} {what} (got {len(items)})")
        if len(items) < minimum:
            self.add(path, f"must have at least {minimum} {what}")
        return items

    # -- composition objects --------------------------------------------------

    def option(self, opt: Any, path: str, *, plain_only: bool) -> None:
        """An option object of a select, overflow, checkboxes or radio group."""
        if not isinstance(opt, dict):
            self.add(path, "must be an option object")
            return
        self.text(opt.get("text"), f"{path}/text", OPTION_TEXT_MAX, plain_only=plain_only)
        value = opt.get("value")
        if value is None:
            self.add(f"{path}/value", "is required")
        else:
            self.max_len(value, OPTION_VALUE_MAX, f"{path}/value")
        self.text(opt.get("description"), f"{path}/description", OPTION_DESCRIPTION_MAX,
                  plain_only=plain_only, required=False)

    def options(self, items: Any, limit: int, path: str, *, plain_only: bool, minimum: int = 1) -> None:
        for i, opt in enumerate(self.count(items, limit, path, "options", minimum=minimum)):
            self.option(opt, f"{path}/{i}", plain_only=plain_only)

    def confirm(self, obj: Any, path: str) -> None:
        """A confirmation dialog object."""
        if obj is None:
            return
        if not isinstance(obj, dict):
            self.add(path, "must be a confirm object")
            return
        self.text(obj.get("title"), f"{path}/title", CONFIRM_TITLE_MAX, plain_only=True)
        self.text(obj.get("text"), f"{path}/text", CONFIRM_TEXT_MAX)
        self.text(obj.get("confirm"), f"{path}/confirm", CONFIRM_BUTTON_MAX, plain_only=True)
        self.text(obj.get("deny"), f"{path}/deny", CONFIRM_BUTTON_MAX, plain_only=True)

    # -- elements -------------------------------------------------------------

    def element(self, el: Any, path: str, allowed: frozenset[str], action_ids: set[str]) -> None:
        """Check one interactive element; `action_ids` detects duplicates within a block."""
        if not isinstance(el, dict):
            self.add(path, "must be an element object")
            return
        kind = el.get("type")
        if kind not in allowed:
            self.add(f"{path}/type", f"element type {kind!r} is not allowed here")
            return
        if kind != "image":
            self.identifier(el, "action_id", path)
            action_id = el.get("action_id")
            if isinstance(action_id, str):
                if action_id in action_ids:
                    self.add(f"{path}/action_id", f"duplicate action_id {action_id!r} in this block")
                action_ids.add(action_id)
        self.text(el.get("placeholder"), f"{path}/placeholder", PLACEHOLDER_MAX,
                  plain_only=True, required=False)
        self.confirm(el.get("confirm"), f"{path}/confirm")
        check = _ELEMENT_CHECKS.get(kind)
        if check:
            check(self, el, path)

    # -- blocks ---------------------------------------------------------------

    def blocks(self, blocks: Any, path: str, limit: int) -> None:
        """Check a list of blocks: count, block ids, and each block by type."""
        for i, block in enumerate(self.count(blocks, limit, path, "blocks")):
            self.block(block, f"{path}/{i}")

    def block(self, block: Any, path: str) -> None:
        if not isinstance(block, dict):
            self.add(path, "must be a block object")
            return
        kind = block.get("type")
        check = _BLOCK_CHECKS.get(kind)
        if check is None:
            self.add(f"{path}/type", f"unknown block type {kind!r}")
            return
        self.identifier(block, "block_id", path)
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            if block_id in self.block_ids:
                self.add(f"{path}/block_id", f"duplicate block_id {block_id!r}")
            self.block_ids.add(block_id)
        check(self, block, path)


# --- element checks -------------------------------------------------------------

def _button(c: _Checker, el: dict, path: str) -> None:
    c.text(el.get("text"), f"{path}/text", BUTTON_TEXT_MAX, plain_only=True)
    c.max_len(el.get("value"), BUTTON_VALUE_MAX, f"{path}/value")
    c.max_len(el.get("url"), URL_MAX, f"{path}/url")
    if el.get("style") not in (None, "primary", "danger"):
        c.add(f"{path}/style", "must be 'primary' or 'danger'")


def _static_select(c: _Checker, el: dict, path: str) -> None:
    if "option_groups" in el:
        groups = c.count(el["option_groups"], SELECT_MAX_OPTIONS, f"{path}/option_groups", "groups")
        for i, group in enumerate(groups):
            gpath = f"{path}/option_groups/{i}"
            c.text(group.get("label") if isinstance(group, dict) else None,
                   f"{gpath}/label", OPTION_TEXT_MAX, plain_only=True)
            if isinstance(group, dict):
                c.options(group.get("options"), SELECT_MAX_OPTIONS, f"{gpath}/options", plain_only=True)
    else:
        c.options(el.get("options"), SELECT_MAX_OPTIONS, f"{path}/options", plain_only=True)


def _overflow(c: _Checker, el: dict, path: str) -> None:
    c.options(el.get("options"), OVERFLOW_MAX_OPTIONS, f"{path}/options", plain_only=True)


def _checkboxes(c: _Checker, el: dict, path: str) -> None:
    c.options(el.get("options"), CHECKBOXES_MAX_OPTIONS, f"{path}/options", plain_only=False)


def _radio_buttons(c: _Checker, el: dict, path: str) -> None:
    c.options(el.get("options"), RADIO_MAX_OPTIONS, f"{path}/options", plain_only=False)


def _plain_text_input(c: _Checker, el: dict, path: str) -> None:
    lengths = {}
    for key in ("min_length", "max_length"):
        value = el.get(key)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            c.add(f"{path}/{key}", "must be a non-negative integer")
        elif value > PLAIN_TEXT_INPUT_MAX_LENGTH:
            c.add(f"{path}/{key}", f"must be at most {PLAIN_TEXT_INPUT_MAX_LENGTH} (got {value})")
        else:
            lengths[key] = value
    if lengths.get("min_length", 0) > lengths.get("max_length", PLAIN_TEXT_INPUT_MAX_LENGTH):
        c.add(f"{path}/min_length", "must not exceed max_length")
    c.max_len(el.get("initial_value"), lengths.get("max_length", PLAIN_TEXT_INPUT_MAX_LENGTH),
              f"{path}/initial_value")


def _image_element(c: _Checker, el: dict, path: str) -> None:
    if not el.get("image_url") and not el.get("slack_file"):
        c.add(f"{path}/image_url", "is required")
    c.max_len(el.get("image_url"), URL_MAX, f"{path}/image_url")
    if not el.get("alt_text"):
        c.add(f"{path}/alt_text", "must be a non-empty string")
    c.max_len(el.get("alt_text"), IMAGE_ALT_TEXT_MAX, f"{path}/alt_text")


_ELEMENT_CHECKS: dict[str, Callable[[_Checker, dict, str], None]] = {
    "button": _button,
    "static_select": _static_select,
    "multi_static_select": _static_select,
    "overflow": _overflow,
    "checkboxes": _checkboxes,
    "radio_buttons": _radio_buttons,
    "plain_text_input": _plain_text_input,
    "image": _image_element,
}

_SELECTS = frozenset({
    "static_select", "external_select", "users_select", "conversations_select", "channels_select",
})
_MULTI_SELECTS = frozenset("multi_" + s for s in _SELECTS)
_PICKERS = frozenset({"datepicker", "timepicker", "datetimepicker"})
_CHOICES = frozenset({"checkboxes", "radio_buttons"})

ACTIONS_ELEMENTS = (frozenset({"button", "overflow", "rich_text_input"})
                    | _SELECTS | _MULTI_SELECTS | _PICKERS | _CHOICES)
ACCESSORY_ELEMENTS = frozenset({"button", "overflow", "image"}) | _SELECTS | _MULTI_SELECTS | _PICKERS | _CHOICES
INPUT_ELEMENTS = (frozenset({"plain_text_input", "email_text_input", "url_text_input", "number_input",
                             "rich_text_input", "file_input"})
                  | _SELECTS | _MULTI_SELECTS | _PICKERS | _CHOICES)


# --- block checks ----------------------------------------------------------------

def _section(c: _Checker, block: dict, path: str) -> None:
    if "text" not in block and "fields" not in block:
        c.add(path, "section needs 'text' or 'fields'")
    if "text" in block:
        c.text(block["text"], f"{path}/text", SECTION_TEXT_MAX)
    fields = c.count(block.get("fields"), SECTION_FIELDS_MAX, f"{path}/fields", "fields")
    for i, field in enumerate(fields):
        c.text(field, f"{path}/fields/{i}", SECTION_FIELD_TEXT_MAX)
    if "accessory" in block:
        c.element(block["accessory"], f"{path}/accessory", ACCESSORY_ELEMENTS, set())


def _header(c: _Checker, block: dict, path: str) -> None:
    c.text(block.get("text"), f"{path}/text", HEADER_TEXT_MAX, plain_only=True)


def _actions(c: _Checker, block: dict, path: str) -> None:
    elements = c.count(block.get("elements"), ACTIONS_MAX_ELEMENTS, f"{path}/elements", "elements", minimum=1)
    action_ids: set[str] = set()
    for i, el in enumerate(elements):
        c.element(el, f"{path}/elements/{i}", ACTIONS_ELEMENTS, action_ids)


def _context(c: _Checker, block: dict, path: str) -> None:
    elements = c.count(block.get("elements"), CONTEXT_MAX_ELEMENTS, f"{path}/elements", "elements", minimum=1)
    for i, el in enumerate(elements):
        epath = f"{path}/elements/{i}"
        if isinstance(el, dict) and el.get("type") == "image":
            _image_element(c, el, epath)
        else:
            c.text(el, epath, SECTION_TEXT_MAX)


def _input(c: _Checker, block: dict, path: str) -> None:
    c.text(block.get("label"), f"{path}/label", INPUT_LABEL_MAX, plain_only=True)
    c.text(block.get("hint"), f"{path}/hint", INPUT_HINT_MAX, plain_only=True, required=False)
    if "element" not in block:
        c.add(f"{path}/element", "is required")
    else:
        c.element(block["element"], f"{path}/element", INPUT_ELEMENTS, set())


def _image_block(c: _Checker, block: dict, path: str) -> None:
    _image_element(c, block, path)
    c.text(block.get("title"), f"{path}/title", IMAGE_ALT_TEXT_MAX, plain_only=True, required=False)


def _no_check(c: _Checker, block: dict, path: str) -> None:
    """Blocks whose content the emulator does not inspect (divider, rich_text, ...)."""


_BLOCK_CHECKS: dict[str, Callable[[_Checker, dict, str], None]] = {
    "section": _section,
    "header": _header,
    "actions": _actions,
    "context": _context,
    "input": _input,
    "image": _image_block,
    "divider": _no_check,
    "rich_text": _no_check,
    "file": _no_check,
    "video": _no_check,
    "markdown": _no_check,
}


# --- public API --------------------------------------------------------------------

def check_message_blocks(blocks: Any) -> list[Problem]:
    """Problems Slack would report for the `blocks` of a message (chat.* / response_url)."""
    if blocks is None:
        return []
    checker = _Checker()
    checker.blocks(blocks, "/blocks", MESSAGE_MAX_BLOCKS)
    return checker.problems


def check_message_text(text: Any) -> list[Problem]:
    """Problems with a message's top-level `text` (only its length is limited)."""
    checker = _Checker()
    checker.max_len(text, MESSAGE_TEXT_MAX, "/text")
    return checker.problems


def check_view(view: Any) -> list[Problem]:
    """Problems Slack would report for a modal or Home tab view (paths relative to the view)."""
    checker = _Checker()
    if not isinstance(view, dict):
        checker.add("", "view must be an object")
        return checker.problems
    kind = view.get("type")
    if kind not in ("modal", "home"):
        checker.add("/type", f"must be 'modal' or 'home' (got {kind!r})")
    if kind == "modal":
        _modal_chrome(checker, view)
    checker.max_len(view.get("private_metadata"), PRIVATE_METADATA_MAX, "/private_metadata")
    checker.max_len(view.get("callback_id"), ID_MAX, "/callback_id")
    checker.max_len(view.get("external_id"), ID_MAX, "/external_id")
    if "blocks" not in view:
        checker.add("/blocks", "is required")
    checker.blocks(view.get("blocks", []), "/blocks", VIEW_MAX_BLOCKS)
    size = len(json.dumps(view, ensure_ascii=False).encode("utf-8"))
    if size > VIEW_JSON_MAX_BYTES:
        checker.add("", f"view JSON must be at most {VIEW_JSON_MAX_BYTES} bytes (got {size})")
    return checker.problems


def _modal_chrome(c: _Checker, view: dict) -> None:
    """A modal's title / submit / close, and the submit button that input blocks need."""
    c.text(view.get("title"), "/title", MODAL_TITLE_MAX, plain_only=True)
    c.text(view.get("submit"), "/submit", MODAL_BUTTON_MAX, plain_only=True, required=False)
    c.text(view.get("close"), "/close", MODAL_BUTTON_MAX, plain_only=True, required=False)
    blocks = view.get("blocks") if isinstance(view.get("blocks"), list) else []
    has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
    if has_input and not view.get("submit"):
        c.add("/submit", "is required when the view contains input blocks")
