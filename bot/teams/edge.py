"""The edge of ``POST /api/messages``: after the SDK's token check, before the SDK parses
the activity.  A body that is not a JSON object, an activity without a sender, or a card
action without a known verb and object data gets a 400 and one short log line, never a
traceback or a 5xx (the SDK answers 500 for a body it cannot parse or validate, 501
for an invoke nothing handles)."""

from __future__ import annotations

import json
import logging
from typing import Any

from microsoft_agents.activity import Activity
from pydantic import ValidationError

from bot.teams.ids import Verb

CARD_ACTION = "adaptiveCard/action"
_VERBS = frozenset(v.value for v in Verb)


def malformed(body: bytes) -> str | None:
    """Why the activity in ``body`` is malformed, or None."""
    try:
        activity = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested beyond the parser
        return "body not JSON"
    if not isinstance(activity, dict):
        return "activity not an object"
    sdk_log = logging.getLogger(Activity.__module__)
    sdk_log.disabled = True  # it logs every refusal with a traceback; ours is one line
    try:
        Activity.model_validate(activity)  # the SDK's own model: what it would answer with a 500
    except Exception as invalid:  # ValidationError, or the SDK's own checks
        return f"invalid activity ({_fields(invalid)})"
    finally:
        sdk_log.disabled = False
    if not isinstance(activity.get("channelData"), (dict, type(None))):
        return "channelData not an object"
    if activity.get("type") in ("message", "invoke"):
        sender = activity.get("from")
        if not (isinstance(sender, dict) and _text(sender.get("id"))):
            return "activity without sender"
    if activity.get("type") == "invoke" and activity.get("name") == CARD_ACTION:
        return _card_action(activity.get("value"))
    value = activity.get("value")
    if activity.get("type") == "message" and value is not None and not isinstance(value, dict):
        return "submit value not an object"
    return None


def _card_action(value: Any) -> str | None:
    action = value.get("action") if isinstance(value, dict) else None
    if not isinstance(action, dict):
        return "card action without action"
    verb = action.get("verb")
    if not isinstance(verb, str) or verb not in _VERBS:
        return "card action with an unknown verb"
    if not isinstance(action.get("data", {}), (dict, type(None))):
        return "card action data not an object"
    return None


def _fields(invalid: Exception) -> str:
    if isinstance(invalid, ValidationError):
        return ", ".join(sorted({".".join(map(str, e.get("loc", ()))) or "?" for e in invalid.errors()}))[:80]
    return type(invalid).__name__


def _text(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 255
