"""The edge of the Slack HTTP endpoint: what a request must be before Bolt (or any of
the bot's code) sees it.

1. Verified, on the raw bytes, before anything is parsed: a timestamp of plain digits
   within five minutes and Slack's ``v0`` signature, an HMAC-SHA256 of
   ``v0:<timestamp>:<body>``.  (``slack_sdk``'s SignatureVerifier computes the same, but
   raises on a timestamp that is not an integer and on a body that is not UTF-8.)
2. A well-formed body: UTF-8, a JSON object (or form fields) Bolt can parse.
3. The shape every listener relies on: who acted, and for a click at least one action.

Each check answers with a reason (one short log line) or None; nothing here calls out.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any, Mapping

from slack_bolt.request.internals import parse_body

TOLERANCE_SECONDS = 300  # Slack's own advice: refuse requests older than five minutes
TIMESTAMP_DIGITS = 12  # beyond the year 30000; a longer "timestamp" is not one
SIGNATURE_LENGTH = 67  # "v0=" + 64 hex digits
VERIFIED = "dialoogbot_verified"  # set in a Bolt request's context by the endpoint that verified it

_USER_TYPES = ("block_actions", "view_submission", "view_closed", "block_suggestion", "shortcut", "message_action")


def unverified(secret: str, body: bytes, headers: Mapping[str, str], now: float | None = None) -> str | None:
    """Why the request is not verifiably from Slack, or None when it is."""
    timestamp = headers.get("X-Slack-Request-Timestamp") or ""
    signature = headers.get("X-Slack-Signature") or ""
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= TIMESTAMP_DIGITS):
        return "malformed timestamp"
    if abs((time.time() if now is None else now) - int(timestamp)) > TOLERANCE_SECONDS:
        return "stale timestamp"
    if not (signature.isascii() and len(signature) == SIGNATURE_LENGTH):
        return "malformed signature"
    expected = "v0=" + hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        return "bad signature"
    return None


def text_and_payload(body: bytes, content_type: str | None) -> tuple[str, dict] | str:
    """The body as text and the payload Bolt will see, or why it is malformed."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "body not UTF-8"
    kind = (content_type or "").split(";")[0].strip().lower() or None
    try:
        payload = parse_body(text, kind)
    except (ValueError, RecursionError):  # bad JSON, or nested beyond the parser's depth
        return "body not JSON"
    if not isinstance(payload, dict):
        return "body not an object"
    return text, payload


def misshapen(payload: dict) -> str | None:
    """Why a verified payload lacks what every listener relies on, or None."""
    if "ssl_check" in payload or payload.get("type") == "url_verification":
        return None
    if "command" in payload:
        return None if _text(payload.get("user_id")) and _text(payload.get("command")) else "command without user"
    kind = payload.get("type")
    if kind == "event_callback":
        return None if isinstance(payload.get("event"), dict) else "event without event"
    if kind not in _USER_TYPES:
        return "unknown request type"
    user = payload.get("user")
    if not (isinstance(user, dict) and _text(user.get("id"))):
        return f"{kind} without user"
    if kind == "block_actions":
        actions = payload.get("actions")
        if not (isinstance(actions, list) and actions and all(isinstance(a, dict) and _text(a.get("action_id")) for a in actions)):
            return "block_actions without actions"
    if kind in ("view_submission", "view_closed") and not isinstance(payload.get("view"), dict):
        return f"{kind} without view"
    for key in ("view", "container", "channel", "team", "message"):
        if key in payload and not isinstance(payload[key], (dict, type(None))):
            return f"{key} not an object"
    return None


def _text(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 255
