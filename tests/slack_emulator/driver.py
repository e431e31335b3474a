"""SlackDriver: plays Slack towards the bot over signed HTTP.

Every request is signed like Slack signs it (`X-Slack-Request-Timestamp`,
`X-Slack-Signature: v0=HMAC-SHA256(secret, "v0:{ts}:{body}")`). Interactions are
built from what the bot *actually sent* (the emulator's stored messages and
views), so a test clicks the buttons a user would see:

    async with SlackDriver(bot_url, secret, emulator=emu) as drv:
        r = await drv.command("U1", "uitnodigen sessie-1")
        msg = emu.dm("U2")[-1]
        await drv.click("U2", msg, text="Ik kom")
        await drv.submit_view("U2", values={"reden": "ziek"})

Every request method takes keyword-only `timestamp` (int seconds, e.g. ten minutes
old), `signature` (replaces the computed one, e.g. a forgery) and `headers` (extra).

With `socket=True` the same requests go as Socket Mode envelopes over the emulator's
WebSocket instead (`slash_commands`, `interactive`, `events_api`); the Response then
holds the app's acknowledgement (`json` is its `payload`, None when it sent none):

    drv = SlackDriver(None, None, emulator=emu, socket=True)
    await drv.command("U1", "help")
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping
from urllib.parse import urlencode

import aiohttp

from .server import Ephemeral, Message, SlackEmulator

VERIFICATION_TOKEN = "verification-token-unused"

# element type -> (state key, initial-value key, kind of value)
_STATE_SHAPES: dict[str, tuple[str, str, str]] = {
    "plain_text_input": ("value", "initial_value", "text"),
    "email_text_input": ("value", "initial_value", "text"),
    "url_text_input": ("value", "initial_value", "text"),
    "number_input": ("value", "initial_value", "text"),
    "rich_text_input": ("rich_text_value", "initial_value", "rich_text"),
    "static_select": ("selected_option", "initial_option", "option"),
    "radio_buttons": ("selected_option", "initial_option", "option"),
    "external_select": ("selected_option", "initial_option", "external_option"),
    "overflow": ("selected_option", "", "option"),
    "checkboxes": ("selected_options", "initial_options", "options"),
    "multi_static_select": ("selected_options", "initial_options", "options"),
    "multi_external_select": ("selected_options", "initial_options", "external_options"),
    "datepicker": ("selected_date", "initial_date", "text"),
    "timepicker": ("selected_time", "initial_time", "text"),
    "datetimepicker": ("selected_date_time", "initial_date_time", "int"),
    "users_select": ("selected_user", "initial_user", "text"),
    "multi_users_select": ("selected_users", "initial_users", "list"),
    "conversations_select": ("selected_conversation", "initial_conversation", "text"),
    "multi_conversations_select": ("selected_conversations", "initial_conversations", "list"),
    "channels_select": ("selected_channel", "initial_channel", "text"),
    "multi_channels_select": ("selected_channels", "initial_channels", "list"),
}
_NOT_STATEFUL = {"button", "overflow", "image", "file_input"}


@dataclass
class Response:
    """What the bot answered. `json` is the parsed body, or None."""

    status: int
    body_text: str
    json: Any
    headers: dict = field(default_factory=dict)
    elapsed: float = 0.0
    payload: Any = None  # what the driver sent (dict), for debugging
    response_url: str | None = None
    trigger_id: str | None = None
    event_id: str | None = None


# --- finding what the bot sent -------------------------------------------------------------

def _elements(blocks: list | None) -> Iterator[tuple[str, dict]]:
    """(block_id, element) for every interactive element in `blocks`."""
    for block in blocks or []:
        block_id = block.get("block_id", "")
        kind = block.get("type")
        if kind == "actions":
            for element in block.get("elements", []):
                yield block_id, element
        elif kind == "section" and isinstance(block.get("accessory"), dict):
            yield block_id, block["accessory"]
        elif kind == "input" and isinstance(block.get("element"), dict):
            yield block_id, block["element"]


def _describe(blocks: list | None) -> str:
    rows = []
    for _, el in _elements(blocks):
        label = (el.get("text") or {}).get("text") if isinstance(el.get("text"), dict) else None
        rows.append(f"  action_id={el.get('action_id')!r} type={el.get('type')} text={label!r} "
                    f"value={el.get('value')!r}")
    return "\n".join(rows) or "  (no interactive elements)"


def find_element(blocks: list | None, *, action_id: str | None = None, text: str | None = None,
                 value: str | None = None, types: set[str] | None = None) -> tuple[str, dict]:
    """The one (block_id, element) matching all given criteria; AssertionError otherwise."""
    matches = [
        (block_id, el) for block_id, el in _elements(blocks)
        if (types is None or el.get("type") in types)
        and (action_id is None or el.get("action_id") == action_id)
        and (text is None or (el.get("text") or {}).get("text") == text)
        and (value is None or el.get("value") == value)
    ]
    if len(matches) == 1:
        return matches[0]
    wanted = ", ".join(f"{k}={v!r}" for k, v in
                       (("action_id", action_id), ("text", text), ("value", value)) if v is not None)
    problem = "no element" if not matches else f"{len(matches)} elements"
    raise AssertionError(f"{problem} matching {wanted or 'anything'} (types {sorted(types or [])}); "
                         f"the bot sent:\n{_describe(blocks)}")


def _options(element: dict) -> list[dict]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def _find_option(element: dict, wanted: str) -> dict:
    """An option of `element` by value or by visible text."""
    for option in _options(element):
        if option.get("value") == wanted or (option.get("text") or {}).get("text") == wanted:
            return {k: option[k] for k in ("text", "value", "description") if k in option}
    values = [o.get("value") for o in _options(element)]
    raise AssertionError(f"{element.get('action_id')!r} has no option {wanted!r}; options: {values}")


def _external_option(value: Any) -> dict:
    if isinstance(value, dict):
        return value
    return {"text": {"type": "plain_text", "text": str(value)}, "value": str(value)}


def _as_list(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def element_state(element: dict, value: Any = None) -> dict:
    """The `state.values` entry Slack reports for `element` holding `value`
    (None: the element's initial value, if any)."""
    kind = element.get("type", "")
    if kind not in _STATE_SHAPES:
        raise AssertionError(f"element type {kind!r} ({element.get('action_id')!r}) holds no state")
    key, initial_key, shape = _STATE_SHAPES[kind]
    state: dict[str, Any] = {"type": kind}
    if value is None:
        state[key] = element.get(initial_key) if initial_key else None
        if shape in ("options", "external_options", "list") and state[key] is None:
            state[key] = []
        return state
    converters = {
        "text": lambda v: str(v),
        "int": lambda v: int(v),
        "list": _as_list,
        "option": lambda v: _find_option(element, v),
        "external_option": _external_option,
        "options": lambda v: [_find_option(element, x) for x in _as_list(v)],
        "external_options": lambda v: [_external_option(x) for x in _as_list(v)],
        "rich_text": lambda v: {"type": "rich_text", "elements": [
            {"type": "rich_text_section", "elements": [{"type": "text", "text": str(v)}]}]},
    }
    state[key] = converters[shape](value)
    return state


def build_state_values(view: dict, values: Mapping[str, Any] | None = None) -> dict:
    """`view.state.values` for a view, from a simple `{action_id: str | list[str]}`.

    Every stateful element of the view is included (as Slack does); elements not
    mentioned keep their initial value. Unknown action_ids raise AssertionError."""
    values = dict(values or {})
    state: dict[str, dict] = {}
    for block_id, element in _elements(view.get("blocks")):
        if element.get("type") in _NOT_STATEFUL:
            continue
        action_id = element.get("action_id", "")
        state.setdefault(block_id, {})[action_id] = element_state(element, values.pop(action_id, None))
    if values:
        raise AssertionError(f"view {view.get('callback_id')!r} has no input(s) {sorted(values)}; "
                             f"it has:\n{_describe(view.get('blocks'))}")
    return state


def _looks_like_state(values: Mapping[str, Any]) -> bool:
    """True for {block_id: {action_id: {"type": ...}}} (already Slack's state shape)."""
    return bool(values) and all(
        isinstance(inner, dict) and inner and all(isinstance(v, dict) and "type" in v for v in inner.values())
        for inner in values.values())


def client_side_errors(view: dict, state: dict) -> list[str]:
    """What Slack's client would refuse to submit: empty required inputs, text outside
    min_length / max_length. The driver does not enforce these unless asked."""
    errors = []
    for block in view.get("blocks") or []:
        if block.get("type") != "input" or not isinstance(block.get("element"), dict):
            continue
        element = block["element"]
        entry = state.get(block.get("block_id", ""), {}).get(element.get("action_id", ""), {})
        key = _STATE_SHAPES.get(element.get("type", ""), ("value",))[0]
        current = entry.get(key)
        if not block.get("optional") and current in (None, "", []):
            errors.append(f"{block.get('block_id')}: required")
        if isinstance(current, str) and len(current) > element.get("max_length", 3000):
            errors.append(f"{block.get('block_id')}: longer than max_length")
        if isinstance(current, str) and current and len(current) < element.get("min_length", 0):
            errors.append(f"{block.get('block_id')}: shorter than min_length")
    return errors


# --- the driver ------------------------------------------------------------------------------

class SlackDriver:
    """Sends Slack's requests (commands, clicks, view submissions, events) to the bot."""

    def __init__(self, bot_url: str | None, signing_secret: str | None, emulator: SlackEmulator | None = None,
                 team_id: str = "T0001", api_app_id: str | None = None, timeout: float = 10.0,
                 socket: bool = False) -> None:
        if socket and emulator is None:
            raise ValueError("Socket Mode needs the emulator: it owns the WebSocket")
        self.bot_url, self.signing_secret, self.emu = bot_url, signing_secret, emulator
        self.socket = socket
        self.team_id = team_id
        self.api_app_id = api_app_id or (emulator.app_id if emulator else "A0001")
        self.team_domain = emulator.team_domain if emulator else "dialoog"
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> "SlackDriver":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # -- signing and sending ---------------------------------------------------------------

    def sign(self, body: bytes, timestamp: int | str) -> str:
        """Slack's request signature for `body` at `timestamp`."""
        base = b"v0:" + str(timestamp).encode() + b":" + body
        return "v0=" + hmac.new(self.signing_secret.encode(), base, hashlib.sha256).hexdigest()

    async def post(self, body: bytes, content_type: str, *, timestamp: int | None = None,
                   signature: str | None = None, headers: dict | None = None) -> Response:
        """POST a raw body to the bot, signed (or with the given overrides)."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        ts = int(time.time()) if timestamp is None else int(timestamp)
        all_headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": str(ts),
                       "X-Slack-Signature": signature if signature is not None else self.sign(body, ts),
                       "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)", **(headers or {})}
        started = time.monotonic()
        async with self._session.post(self.bot_url, data=body, headers=all_headers) as resp:
            text = await resp.text()
            elapsed = time.monotonic() - started
            return Response(resp.status, text, _parse_json(text), dict(resp.headers), elapsed)

    async def _envelope(self, type_: str, payload: dict) -> Response:
        """Deliver `payload` as a Socket Mode envelope and wait for the acknowledgement."""
        started = time.monotonic()
        envelope = await self.emu.socket_request(type_, payload, timeout=self._timeout.total or 10.0)
        ack = envelope.ack or {}
        return Response(200, json.dumps(ack), ack.get("payload"), {}, time.monotonic() - started, payload)

    async def _post_form(self, fields: dict, **options: Any) -> Response:
        if self.socket:  # a slash command: its fields are the envelope's payload
            return await self._envelope("slash_commands", dict(fields))
        response = await self.post(urlencode(fields).encode(), "application/x-www-form-urlencoded", **options)
        response.payload = fields
        return response

    async def _post_payload(self, payload: dict, **options: Any) -> Response:
        if self.socket:
            return await self._envelope("interactive", payload)
        response = await self._post_form({"payload": json.dumps(payload)}, **options)
        response.payload = payload
        return response

    async def _post_json(self, payload: dict, **options: Any) -> Response:
        if self.socket:
            return await self._envelope("events_api", payload)
        response = await self.post(json.dumps(payload).encode(), "application/json", **options)
        response.payload = payload
        return response

    # -- slash commands ------------------------------------------------------------------------

    async def command(self, user_id: str, text: str, channel_id: str = "C0GENERAL", command: str = "/dialoog",
                      *, timestamp: int | None = None, signature: str | None = None,
                      headers: dict | None = None) -> Response:
        """A slash command typed by `user_id` in `channel_id`. The Response carries the
        `.response_url` and `.trigger_id` that were sent."""
        trigger_id = self._trigger_id(user_id)
        response_url = self._response_url(user_id, channel_id)
        fields = {
            "token": VERIFICATION_TOKEN, "team_id": self.team_id, "team_domain": self.team_domain,
            "channel_id": channel_id, "channel_name": self._channel_name(channel_id), "user_id": user_id,
            "user_name": self._user_name(user_id), "command": command, "text": text,
            "api_app_id": self.api_app_id, "is_enterprise_install": "false",
            "response_url": response_url, "trigger_id": trigger_id,
        }
        response = await self._post_form(fields, timestamp=timestamp, signature=signature, headers=headers)
        response.response_url, response.trigger_id = response_url, trigger_id
        return response

    # -- block actions ---------------------------------------------------------------------------

    async def click(self, user_id: str, message: Message | Ephemeral | dict, action_id: str | None = None,
                    value: str | None = None, text: str | None = None, *, state: Mapping[str, Any] | None = None,
                    timestamp: int | None = None, signature: str | None = None,
                    headers: dict | None = None) -> Response:
        """Click a button the bot sent in `message` (a Message, an Ephemeral, or a view
        dict: Home tab or modal), found by action_id and/or visible text and/or value.
        `state` ({action_id: value}) fills a modal's inputs for the payload's view.state."""
        blocks = self._blocks_of(message)
        block_id, element = find_element(blocks, action_id=action_id, text=text, value=value, types={"button"})
        action = self._action(block_id, element)
        action.update({k: element[k] for k in ("value", "text", "style") if k in element})
        return await self._block_actions(user_id, message, action, state, timestamp, signature, headers)

    async def select(self, user_id: str, message: Message | Ephemeral | dict, action_id: str, selected_value: Any,
                     *, state: Mapping[str, Any] | None = None, timestamp: int | None = None,
                     signature: str | None = None, headers: dict | None = None) -> Response:
        """Choose `selected_value` in a select, overflow, radio, checkbox or picker
        element: an option value (or its text), a user id, a date, or a list for multi."""
        blocks = self._blocks_of(message)
        block_id, element = find_element(blocks, action_id=action_id, types=set(_STATE_SHAPES))
        action = self._action(block_id, element)
        chosen = element_state(element, selected_value)
        chosen.pop("type")
        action.update(chosen)
        return await self._block_actions(user_id, message, action, state, timestamp, signature, headers)

    def _action(self, block_id: str, element: dict) -> dict:
        return {"action_id": element.get("action_id", ""), "block_id": block_id, "type": element.get("type"),
                "action_ts": f"{time.time():.6f}"}

    async def _block_actions(self, user_id: str, source: Any, action: dict, state: Mapping[str, Any] | None,
                             timestamp: int | None, signature: str | None, headers: dict | None) -> Response:
        payload: dict[str, Any] = {
            "type": "block_actions", "user": self._user(user_id), "api_app_id": self.api_app_id,
            "token": VERIFICATION_TOKEN, "trigger_id": self._trigger_id(user_id),
            "team": {"id": self.team_id, "domain": self.team_domain}, "enterprise": None,
            "is_enterprise_install": False, "actions": [action],
        }
        response_url = None
        if isinstance(source, dict):
            view = dict(self._current_view(source))
            view["state"] = {"values": build_state_values(view, state)}
            payload.update(container={"type": "view", "view_id": view["id"]}, view=view)
        else:
            response_url = self._response_url(user_id, source.channel,
                                              source.ts if isinstance(source, Message) else None)
            payload.update(self._message_context(source), response_url=response_url, state={"values": {}})
        response = await self._post_payload(payload, timestamp=timestamp, signature=signature, headers=headers)
        response.response_url, response.trigger_id = response_url, payload["trigger_id"]
        return response

    def _message_context(self, source: Message | Ephemeral) -> dict:
        channel = {"id": source.channel, "name": self._channel_name(source.channel)}
        if isinstance(source, Ephemeral):
            container = {"type": "message", "message_ts": source.message_ts, "channel_id": source.channel,
                         "is_ephemeral": True}
            return {"container": container, "channel": channel}
        if source.deleted:
            raise AssertionError(f"message {source.ts} in {source.channel} was deleted")
        container = {"type": "message", "message_ts": source.ts, "channel_id": source.channel,
                     "is_ephemeral": False}
        message = source.as_api(self.team_id, self.api_app_id)
        return {"container": container, "channel": channel, "message": message}

    def _blocks_of(self, source: Any) -> list:
        if isinstance(source, dict):
            return self._current_view(source).get("blocks") or []
        if isinstance(source, (Message, Ephemeral)):
            return source.blocks or []
        raise TypeError(f"expected a Message, Ephemeral or view dict, got {type(source).__name__}")

    def _current_view(self, view: dict) -> dict:
        """The emulator's current version of `view` (tests may hold an older dict)."""
        current = self.emu.view(view.get("id", "")) if self.emu else None
        return current or view

    # -- views ------------------------------------------------------------------------------------

    async def submit_view(self, user_id: str, view: dict | None = None, values: Mapping[str, Any] | None = None,
                          *, apply: bool = True, client_validation: bool = False, timestamp: int | None = None,
                          signature: str | None = None, headers: dict | None = None) -> Response:
        """Submit a modal (default: the user's top open modal). `values` is either
        Slack's state ({block_id: {action_id: {...}}}) or {action_id: str | list[str]}.
        With `apply`, the bot's answer is applied to the emulator's modal stack.
        With `client_validation`, refuse (AssertionError) what Slack's client would block."""
        view = self._current_view(view) if view is not None else self._top_view(user_id)
        state = dict(values) if values and _looks_like_state(values) else build_state_values(view, values)
        if client_validation and (errors := client_side_errors(view, state)):
            raise AssertionError(f"Slack's client would not submit this view: {errors}")
        payload = {
            "type": "view_submission", "team": {"id": self.team_id, "domain": self.team_domain},
            "user": self._user(user_id), "api_app_id": self.api_app_id, "token": VERIFICATION_TOKEN,
            "trigger_id": self._trigger_id(user_id), "view": {**view, "state": {"values": state}},
            "response_urls": [], "is_enterprise_install": False, "enterprise": None,
        }
        response = await self._post_payload(payload, timestamp=timestamp, signature=signature, headers=headers)
        response.trigger_id = payload["trigger_id"]
        if apply and self.emu and response.status == 200:
            answer = response.json if isinstance(response.json, dict) else None
            self.emu.apply_view_response(user_id, view["id"], answer)
        return response

    async def close_view(self, user_id: str, view: dict | None = None, *, timestamp: int | None = None,
                         signature: str | None = None, headers: dict | None = None) -> Response | None:
        """The user closes a modal. Slack tells the bot (view_closed) only when the view
        has notify_on_close; otherwise this returns None."""
        view = self._current_view(view) if view is not None else self._top_view(user_id)
        if self.emu:
            self.emu.close_view(user_id, view["id"])
        if not view.get("notify_on_close"):
            return None
        payload = {"type": "view_closed", "team": {"id": self.team_id, "domain": self.team_domain},
                   "user": self._user(user_id), "api_app_id": self.api_app_id, "token": VERIFICATION_TOKEN,
                   "view": view, "is_cleared": False, "is_enterprise_install": False, "enterprise": None}
        return await self._post_payload(payload, timestamp=timestamp, signature=signature, headers=headers)

    def _top_view(self, user_id: str) -> dict:
        views = self.emu.open_views(user_id) if self.emu else []
        if not views:
            raise AssertionError(f"{user_id} has no open modal")
        return views[-1]

    # -- events -------------------------------------------------------------------------------------

    async def event(self, event: dict, event_id: str | None = None, retry_num: int | None = None,
                    retry_reason: str = "http_timeout", *, timestamp: int | None = None,
                    signature: str | None = None, headers: dict | None = None) -> Response:
        """Deliver an Events API event; `retry_num` marks it as Slack's n-th redelivery."""
        event_id = event_id or f"Ev{secrets.token_hex(5).upper()}"
        envelope = {
            "token": VERIFICATION_TOKEN, "team_id": self.team_id, "api_app_id": self.api_app_id,
            "event": event, "type": "event_callback", "event_id": event_id, "event_time": int(time.time()),
            "authorizations": [{"enterprise_id": None, "team_id": self.team_id, "user_id": self._bot_user_id(),
                                "is_bot": True, "is_enterprise_install": False}],
            "is_ext_shared_channel": False,
        }
        extra = dict(headers or {})
        if retry_num is not None:
            extra.update({"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason})
        response = await self._post_json(envelope, timestamp=timestamp, signature=signature, headers=extra)
        response.event_id = event_id
        return response

    async def app_home_opened(self, user_id: str, tab: str = "home", **options: Any) -> Response:
        """The user opens the app's Home (or Messages) tab."""
        event: dict[str, Any] = {"type": "app_home_opened", "user": user_id, "channel": self._dm_channel(user_id),
                                 "tab": tab, "event_ts": f"{time.time():.6f}"}
        if self.emu and self.emu.home(user_id):
            event["view"] = self.emu.home(user_id)
        return await self.event(event, **options)

    async def dm_message(self, user_id: str, text: str, **options: Any) -> Response:
        """The user writes `text` in their DM with the bot (a message.im event);
        the message is also stored in the emulator's conversation."""
        channel = self._dm_channel(user_id)
        ts = self.emu.add_user_message(channel, user_id, text).ts if self.emu else f"{time.time():.6f}"
        event = {"type": "message", "channel": channel, "user": user_id, "text": text, "ts": ts,
                 "event_ts": ts, "channel_type": "im", "team": self.team_id, "client_msg_id": str(uuid.uuid4())}
        return await self.event(event, **options)

    async def url_verification(self, challenge: str, **options: Any) -> Response:
        return await self._post_json({"token": VERIFICATION_TOKEN, "challenge": challenge,
                                      "type": "url_verification"}, **options)

    # -- ids and names from the emulator ------------------------------------------------------------

    def _trigger_id(self, user_id: str) -> str:
        return self.emu.new_trigger_id(user_id) if self.emu else f"0.0.{secrets.token_hex(16)}"

    def _response_url(self, user_id: str, channel_id: str, message_ts: str | None = None) -> str:
        if self.emu:
            return self.emu.new_response_url(user_id, channel_id, message_ts)
        return f"https://hooks.slack.invalid/commands/{self.team_id}/{secrets.token_hex(8)}"

    def _dm_channel(self, user_id: str) -> str:
        return self.emu.dm_channel_id(user_id) if self.emu else f"D{user_id[1:]}"

    def _bot_user_id(self) -> str:
        return self.emu.bot_user_id if self.emu else "UBOT"

    def _user_name(self, user_id: str) -> str:
        user = self.emu.user(user_id) if self.emu else None
        return user["name"] if user else user_id.lower()

    def _user(self, user_id: str) -> dict:
        name = self._user_name(user_id)
        return {"id": user_id, "username": name, "name": name, "team_id": self.team_id}

    def _channel_name(self, channel_id: str) -> str:
        if channel_id.startswith("D"):
            return "directmessage"
        info = self.emu.channel(channel_id) if self.emu else None
        return info.name if info else channel_id.lower()


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text) if text.strip()[:1] in ("{", "[") else None
    except json.JSONDecodeError:
        return None
