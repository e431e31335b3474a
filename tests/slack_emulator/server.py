"""A Slack Web API emulator: a real aiohttp server on 127.0.0.1 for tests.

It speaks the subset of the Web API that Dialoogbot uses, records every call,
enforces Block Kit limits (see `limits.py`) and Slack's rate-limit protocol
(HTTP 429 + integer `Retry-After`), and can inject faults. It also serves the
absolute URLs Slack hands out: `response_url`s and file `upload_url`s.

    async with SlackEmulator() as emu:
        emu.add_user("U1", "ann@example.org", "ann")
        client = AsyncWebClient(token=emu.token, base_url=emu.api_url)
        await client.chat_postMessage(channel="U1", text="hoi")
        assert emu.dm("U1")[-1].text == "hoi"

Notes on how slack_sdk talks to it (the emulator accepts all of these):
- `chat.*` and `views.*` send JSON bodies;
- `users.lookupByEmail`, `users.info`, `conversations.history` are GET requests with a
  query string; `auth.test`, `conversations.open`, `files.*` are POSTs whose
  arguments are in the *query string* (the async client passes them as `params`);
- the `token` may also come as an argument instead of the Authorization header.

Method handlers are plain synchronous functions registered with `@_method(name)`:
they either return the response fields or raise `SlackError`. Because they never
await, each call is applied atomically; a call answered by an injected fault or a
rate limit never reaches its handler, so it changes no state.
"""
from __future__ import annotations

import asyncio
import copy
import itertools
import json
import math
import random
import secrets
import time
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, NamedTuple
from zoneinfo import ZoneInfo

from aiohttp import web

from . import limits

TRIGGER_TTL_SECONDS = 3.0
RESPONSE_URL_MAX_USES = 5
RESPONSE_URL_TTL_SECONDS = 30 * 60
MODAL_STACK_MAX = 3

# Arguments that arrive as JSON strings in form / query bodies, and the error for bad JSON.
_JSON_ARGS = {
    "blocks": "invalid_blocks_format",
    "attachments": "invalid_attachments",
    "view": "invalid_arguments",
    "files": "invalid_arguments",
    "metadata": "invalid_metadata_format",
}


# --- records -------------------------------------------------------------------------

@dataclass
class Call:
    """One request to the emulator, as answered."""

    method: str
    args: dict
    status: int
    response: dict
    at: float  # the emulator's clock (time.monotonic by default)
    note: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        return self.response.get("error")


@dataclass
class Message:
    """A message as it is stored in a conversation; updated in place by chat.update."""

    ts: str
    channel: str
    text: str | None
    blocks: list | None
    metadata: dict | None = None
    thread_ts: str | None = None
    user: str | None = None
    bot_id: str | None = None
    files: list[str] = field(default_factory=list)
    versions: list[dict] = field(default_factory=list)  # every version, oldest first; last == current
    deleted: bool = False

    def snapshot(self) -> dict:
        """The message's current content (one entry of `versions`)."""
        return {"text": self.text, "blocks": copy.deepcopy(self.blocks), "metadata": copy.deepcopy(self.metadata)}

    def as_api(self, team_id: str, app_id: str, include_metadata: bool = True) -> dict:
        """The message as Slack returns it from chat.* and conversations.history."""
        body: dict[str, Any] = {"type": "message", "ts": self.ts, "text": self.text or ""}
        if self.user:
            body["user"] = self.user
        if self.bot_id:
            body.update(bot_id=self.bot_id, app_id=app_id)
        body["team"] = team_id
        optional = {"blocks": self.blocks, "thread_ts": self.thread_ts, "files": self.files or None}
        if include_metadata:
            optional["metadata"] = self.metadata
        body.update({k: v for k, v in optional.items() if v})
        if len(self.versions) > 1:
            body["edited"] = {"user": self.user, "ts": self.ts}
        return body


@dataclass
class Ephemeral:
    """An ephemeral message shown to one user (chat.postEphemeral or a response_url)."""

    message_ts: str
    channel: str
    user: str
    text: str | None
    blocks: list | None
    thread_ts: str | None = None
    source: str = "chat.postEphemeral"


@dataclass
class ResponsePost:
    """One POST to a response_url, accepted or not."""

    url: str
    body: Any
    status: int
    at: float
    error: str | None = None


@dataclass
class Channel:
    id: str
    name: str
    kind: str  # "im" or "channel"
    members: list[str]
    user: str | None = None  # the other party of an im
    archived: bool = False
    private: bool = False  # a private channel ("G..." ids by default): conversations.join refuses it
    messages: list[Message] = field(default_factory=list)


@dataclass
class SocketEnvelope:
    """One Socket Mode envelope sent to the app, and the app's acknowledgement."""

    envelope_id: str
    type: str  # events_api | interactive | slash_commands
    payload: dict
    accepts_response_payload: bool
    acked: asyncio.Event = field(default_factory=asyncio.Event)
    ack: dict | None = None  # {"envelope_id": ..., "payload": ...} as the app sent it


@dataclass
class _Trigger:
    user_id: str
    issued_at: float
    used: bool = False


@dataclass
class _ResponseUrl:
    user_id: str | None
    channel_id: str | None
    message_ts: str | None
    issued_at: float
    uses: int = 0


class _Reply(NamedTuple):
    status: int
    body: dict
    headers: dict


class SlackError(Exception):
    """Raised by a method handler: becomes HTTP 200 {"ok": false, "error": ...}."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.body = {"ok": False, "error": error, **extra}


def _error(error: str, **extra: Any) -> dict:
    return {"ok": False, "error": error, **extra}


# --- rate limits and faults -------------------------------------------------------------

class _TokenBucket:
    """`rate` tokens per second up to `burst`; `take()` returns 0 or the seconds to wait."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float]) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens = burst
        self.updated = clock()

    def take(self) -> float:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


def _ratelimited(retry_after: float) -> _Reply:
    seconds = max(1, math.ceil(retry_after))
    return _Reply(429, _error("ratelimited"), {"Retry-After": str(seconds)})


@dataclass
class _RandomFaults:
    p_ratelimit: float
    p_server_error: float
    retry_after: int
    rng: random.Random
    # Network faults: the connection is reset before or after the call was processed, or
    # the (processed) call's answer is held for `hold_seconds`.
    p_reset_before: float = 0.0
    p_reset_after: float = 0.0
    p_hold: float = 0.0
    hold_seconds: float = 5.0

    def roll_network(self) -> tuple[str, float] | None:
        r = self.rng.random()
        for kind, p in (("reset_before", self.p_reset_before), ("reset_after", self.p_reset_after),
                        ("hold", self.p_hold)):
            if r < p:
                return kind, self.hold_seconds
            r -= p
        return None

    def roll(self) -> _Reply | None:
        r = self.rng.random()
        if r < self.p_ratelimit:
            return _ratelimited(self.retry_after)
        if r < self.p_ratelimit + self.p_server_error:
            return _Reply(500, _error("internal_error"), {})
        return None


class _Faults:
    """Queued one-shot faults, delays and random faults per method ("*" = any method)."""

    def __init__(self) -> None:
        self.queued: dict[str, deque[_Reply]] = defaultdict(deque)
        self.delays: dict[str, deque[float]] = defaultdict(deque)
        self.random: dict[str, _RandomFaults] = {}
        self.network: dict[str, deque[tuple[str, float]]] = defaultdict(deque)

    def clear(self) -> None:
        self.queued.clear()
        self.delays.clear()
        self.random.clear()
        self.network.clear()

    def take_network(self, method: str) -> tuple[str, float] | None:
        for key in (method, "*"):
            if self.network.get(key):
                return self.network[key].popleft()
        for key in (method, "*"):
            if key in self.random:
                return self.random[key].roll_network()
        return None

    def queue(self, method: str, reply: _Reply, times: int) -> None:
        self.queued[method].extend([reply] * times)

    def take_delay(self, method: str) -> float:
        for key in (method, "*"):
            if self.delays.get(key):
                return self.delays[key].popleft()
        return 0.0

    def take(self, method: str) -> _Reply | None:
        for key in (method, "*"):
            if self.queued.get(key):
                return self.queued[key].popleft()
        for key in (method, "*"):
            if key in self.random:
                return self.random[key].roll()
        return None


# --- the emulator -------------------------------------------------------------------------

_METHODS: dict[str, Callable[["SlackEmulator", dict], dict]] = {}


def _method(name: str) -> Callable:
    """Register a handler for Web API method `name`."""

    def register(fn: Callable) -> Callable:
        _METHODS[name] = fn
        return fn

    return register


def _as_int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _truthy(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


class SlackEmulator:
    """The fake Slack workspace and its Web API server. See the module docstring."""

    def __init__(self, token: str = "xoxb-test", team_id: str = "T0001", bot_user_id: str = "UBOT",
                 bot_id: str = "B0001", *, app_id: str = "A0001", app_token: str = "xapp-test",
                 team_domain: str = "dialoog", clock: Callable[[], float] = time.monotonic) -> None:
        self.token, self.team_id, self.bot_user_id, self.bot_id = token, team_id, bot_user_id, bot_id
        self.app_id, self.app_token, self.team_domain = app_id, app_token, team_domain
        self.clock = clock
        self.calls: list[Call] = []
        self.response_posts: list[ResponsePost] = []
        self.problems: list[str] = []  # protocol violations seen outside Web API calls
        self.files: dict[str, dict] = {}
        self._ids = itertools.count(1)
        self._last_ts_us = 0
        self._users: dict[str, dict] = {}
        self._users_by_email: dict[str, str] = {}
        self._channels: dict[str, Channel] = {}
        self._dm_by_user: dict[str, str] = {}
        self._ephemerals: list[Ephemeral] = []
        self._views: dict[str, dict] = {}
        self._view_owner: dict[str, str] = {}
        self._modal_stacks: dict[str, list[str]] = defaultdict(list)
        self._homes: dict[str, str] = {}
        self._triggers: dict[str, _Trigger] = {}
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._faults = _Faults()
        self._lookup_faults: dict[str, deque[_Reply]] = defaultdict(deque)  # e-mail -> answers (lookup_fails)
        self._method_limits: dict[str, _TokenBucket] = {}
        self._channel_limit_specs: dict[str, tuple[float, float]] = {}
        self._channel_buckets: dict[tuple[str, str], _TokenBucket] = {}
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self.refused_tokens: dict[str, str] = {}  # token -> error, see refuse_token
        self.socket_envelopes: list[SocketEnvelope] = []
        self.socket_connections = 0  # WebSocket connections opened so far (a reconnect adds one)
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_tickets: set[str] = set()
        self._add_bot_user()

    # -- lifecycle ------------------------------------------------------------------

    async def start(self) -> "SlackEmulator":
        """Start serving on 127.0.0.1 on a free port; sets `base_url` and `api_url`."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        app.router.add_post("/response/{key}", self._handle_response_url)
        app.router.add_get("/socket-mode/{ticket}", self._handle_socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        return self

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "SlackEmulator":
        return await self.start()

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    @property
    def api_url(self) -> str:
        """Base URL for slack_sdk (`AsyncWebClient(base_url=emu.api_url)`)."""
        return f"{self.base_url}/api/"

    # -- workspace setup ----------------------------------------------------------------

    def add_user(self, user_id: str, email: str, name: str, real_name: str | None = None,
                 deleted: bool = False, tz: str = "Europe/Amsterdam") -> dict:
        """Add a workspace member; returns the user object as users.info shows it."""
        real_name = real_name or name
        offset = ZoneInfo(tz).utcoffset(datetime.now())
        user = {
            "id": user_id, "team_id": self.team_id, "name": name, "deleted": deleted,
            "real_name": real_name, "tz": tz, "tz_label": tz,
            "tz_offset": int(offset.total_seconds()) if offset else 0,
            "is_bot": False, "is_admin": False, "is_app_user": False,
            "profile": {"email": email, "real_name": real_name, "real_name_normalized": real_name,
                        "display_name": name, "display_name_normalized": name, "team": self.team_id},
        }
        self._users[user_id] = user
        if email:
            self._users_by_email[email.lower()] = user_id
        return user

    def deactivate_user(self, user_id: str) -> None:
        self._users[user_id]["deleted"] = True

    def user(self, user_id: str) -> dict | None:
        return self._users.get(user_id)

    def add_channel(self, channel_id: str, name: str, members: list[str] | None = None,
                    archived: bool = False, private: bool | None = None) -> Channel:
        """Register a channel. `members` defaults to just the bot; leave the bot
        user out of an explicit list to get `not_in_channel`. `private` defaults to
        a "G..." id (private channels cannot be joined, only invited to)."""
        members = list(members) if members is not None else [self.bot_user_id]
        private = channel_id.startswith("G") if private is None else private
        channel = Channel(channel_id, name.lstrip("#"), "channel", members, archived=archived, private=private)
        self._channels[channel_id] = channel
        return channel

    def join_channel(self, channel_id: str, user_id: str | None = None) -> None:
        """Make `user_id` (default: the bot) a member, as `/invite` does."""
        members = self._channels[channel_id].members
        user_id = user_id or self.bot_user_id
        if user_id not in members:
            members.append(user_id)

    def channel(self, channel_id: str) -> Channel | None:
        """A conversation by id ("C..." or "D..."), or None."""
        return self._channels.get(channel_id)

    def dm_channel_id(self, user_id: str) -> str:
        """The (stable) DM channel id between the bot and `user_id`, created on demand."""
        if user_id not in self._dm_by_user:
            channel_id = self._new_id("D")
            self._dm_by_user[user_id] = channel_id
            self._channels[channel_id] = Channel(channel_id, channel_id, "im",
                                                 [user_id, self.bot_user_id], user=user_id)
        return self._dm_by_user[user_id]

    def add_user_message(self, channel_or_user: str, user_id: str, text: str,
                         thread_ts: str | None = None) -> Message:
        """Store a message a human sent (used by the driver's `dm_message`)."""
        channel = self._channel_for_lookup(channel_or_user, create_dm=True)
        if channel is None:
            channel = self._ensure_channel(channel_or_user)
        return self._store_message(channel, text=text, blocks=None, user=user_id,
                                   bot_id=None, thread_ts=thread_ts)

    # -- transcript ------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def successful(self, method: str) -> list[Call]:
        return [c for c in self.calls_to(method) if c.ok]

    def reset_calls(self) -> None:
        self.calls.clear()

    def messages(self, channel_or_user_id: str) -> list[Message]:
        """Current (not deleted) messages in a conversation, oldest first, replies included.
        A user id means the bot's DM with that user; "#name" a registered channel."""
        channel = self._channel_for_lookup(channel_or_user_id)
        if channel is None:
            return []
        return sorted((m for m in channel.messages if not m.deleted), key=lambda m: float(m.ts))

    def dm(self, user_id: str) -> list[Message]:
        """Messages in the bot's DM with `user_id` (bot and user messages, oldest first)."""
        return self.messages(user_id)

    def message(self, channel_id: str, ts: str) -> Message | None:
        channel = self._channel_for_lookup(channel_id)
        return next((m for m in channel.messages if m.ts == ts), None) if channel else None

    def ephemerals(self, user_id: str) -> list[Ephemeral]:
        return [e for e in self._ephemerals if e.user == user_id]

    def home(self, user_id: str) -> dict | None:
        """The Home tab view currently published for `user_id`, or None."""
        view_id = self._homes.get(user_id)
        return self._views[view_id] if view_id else None

    def open_views(self, user_id: str) -> list[dict]:
        """The user's modal stack, bottom first (`[-1]` is the one on screen)."""
        return [self._views[v] for v in self._modal_stacks.get(user_id, [])]

    def view(self, view_id: str) -> dict | None:
        return self._views.get(view_id)

    def view_owner(self, view_id: str) -> str | None:
        return self._view_owner.get(view_id)

    def responses(self, url: str | None = None) -> list[dict]:
        """Bodies accepted by `url` (a response_url), or by every response_url."""
        return [p.body for p in self.response_posts if p.status == 200 and (url is None or p.url == url)]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 3.0, interval: float = 0.01) -> Any:
        """Poll `predicate` until it returns something truthy (returned) or fail after
        `timeout` seconds. Bolt acks before a listener finishes, so what the bot does
        after `ack()` lands a little later than the driver's response."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout}s; calls: "
                                     f"{[(c.method, c.status, c.error) for c in self.calls[-10:]]}")
            await asyncio.sleep(interval)

    # -- ids handed to the driver ------------------------------------------------------------

    def new_trigger_id(self, user_id: str) -> str:
        """A fresh trigger_id: valid once, for TRIGGER_TTL_SECONDS on the emulator's clock."""
        trigger_id = f"{next(self._ids)}.{self.team_id[1:] or '1'}.{secrets.token_hex(16)}"
        self._triggers[trigger_id] = _Trigger(user_id, self.clock())
        return trigger_id

    def new_response_url(self, user_id: str | None = None, channel_id: str | None = None,
                         message_ts: str | None = None) -> str:
        """A fresh response_url (5 uses, 30 minutes). With `message_ts`, `replace_original`
        and `delete_original` act on that message."""
        key = secrets.token_hex(12)
        self._response_urls[key] = _ResponseUrl(user_id, channel_id, message_ts, self.clock())
        return f"{self.base_url}/response/{key}"

    # -- Socket Mode ------------------------------------------------------------------------------

    @property
    def socket_connected(self) -> bool:
        return any(not ws.closed for ws in self._sockets)

    async def wait_for_socket(self, timeout: float = 5.0) -> None:
        """Wait until the app has a Socket Mode connection open."""
        await self.wait_for(lambda: self.socket_connected, timeout)

    async def socket_send(self, type_: str, payload: dict, *, accepts_response_payload: bool | None = None,
                          retry_attempt: int = 0, retry_reason: str = "") -> SocketEnvelope:
        """Send one envelope (`events_api`, `interactive`, `slash_commands`) over the open
        connection. `accepts_response_payload` defaults to Slack's: True except for events."""
        ws = next((w for w in reversed(self._sockets) if not w.closed), None)
        if ws is None:
            raise AssertionError("the app has no Socket Mode connection open")
        accepts = type_ != "events_api" if accepts_response_payload is None else accepts_response_payload
        envelope = SocketEnvelope(str(uuid.uuid4()), type_, payload, accepts)
        self.socket_envelopes.append(envelope)
        body: dict[str, Any] = {"envelope_id": envelope.envelope_id, "type": type_, "payload": payload,
                                "accepts_response_payload": accepts}
        if type_ == "events_api":
            body.update(retry_attempt=retry_attempt, retry_reason=retry_reason)
        await ws.send_json(body)
        return envelope

    async def socket_request(self, type_: str, payload: dict, timeout: float = 5.0, **options: Any) -> SocketEnvelope:
        """`socket_send` and wait for the app's acknowledgement (Slack wants it within 3 s)."""
        envelope = await self.socket_send(type_, payload, **options)
        try:
            await asyncio.wait_for(envelope.acked.wait(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"no acknowledgement of {type_} envelope {envelope.envelope_id} "
                                 f"within {timeout}s") from None
        return envelope

    async def socket_disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the app to reconnect (Slack does this every few hours): it must call
        apps.connections.open again and open a new connection."""
        for ws in [w for w in self._sockets if not w.closed]:
            await ws.send_json({"type": "disconnect", "reason": reason,
                                "debug_info": {"host": "emulator"}})

    async def _handle_socket(self, request: web.Request) -> web.StreamResponse:
        """The WebSocket behind an apps.connections.open URL (each URL works once)."""
        ticket = request.match_info["ticket"]
        if ticket not in self._socket_tickets:
            self.problems.append(f"socket mode: unknown or reused URL {ticket}")
            return web.Response(status=401, text="invalid_auth")
        self._socket_tickets.discard(ticket)
        ws = web.WebSocketResponse(autoping=True)  # pongs answer the client's "sdk-ping-pong" pings
        await ws.prepare(request)
        self._sockets.append(ws)
        self.socket_connections += 1
        await ws.send_json({"type": "hello", "num_connections": 1,
                            "debug_info": {"host": "emulator", "approximate_connection_time": 18060},
                            "connection_info": {"app_id": self.app_id}})
        try:
            async for msg in ws:
                if msg.type == web.WSMsgType.TEXT:
                    self._socket_ack(msg.data)
        finally:
            self._sockets.remove(ws)
        return ws

    def _socket_ack(self, raw: str) -> None:
        try:
            body = json.loads(raw)
        except json.JSONDecodeError:
            self.problems.append(f"socket mode: not JSON: {raw[:200]}")
            return
        envelope = next((e for e in self.socket_envelopes if e.envelope_id == body.get("envelope_id")), None)
        if envelope is None:
            self.problems.append(f"socket mode: acknowledgement for an unknown envelope: {raw[:200]}")
            return
        if envelope.ack is not None:
            self.problems.append(f"socket mode: envelope {envelope.envelope_id} acknowledged twice")
            return
        if body.get("payload") is not None and not envelope.accepts_response_payload:
            self.problems.append(f"socket mode: payload in the ack of {envelope.type} (not accepted)")
        envelope.ack = body
        envelope.acked.set()

    # -- rate limits and faults -----------------------------------------------------------------

    def set_rate_limit(self, method: str, per_minute: float, burst: float | None = None) -> None:
        """Token bucket for `method` in this workspace: `per_minute` refill, `burst`
        capacity (default `per_minute`, i.e. that many calls back to back)."""
        burst = burst if burst is not None else max(1.0, per_minute)
        self._method_limits[method] = _TokenBucket(per_minute / 60.0, burst, self.clock)

    def set_channel_rate_limit(self, method: str = "chat.postMessage", per_second: float = 1.0,
                               burst: float | None = None) -> None:
        """Token bucket per (method, channel); `burst` defaults to max(1, per_second)."""
        burst = burst if burst is not None else max(1.0, per_second)
        self._channel_limit_specs[method] = (per_second, burst)
        self._channel_buckets = {k: v for k, v in self._channel_buckets.items() if k[0] != method}

    def clear_rate_limits(self) -> None:
        self._method_limits.clear()
        self._channel_limit_specs.clear()
        self._channel_buckets.clear()

    def fail_next(self, method: str, error: str = "channel_not_found", times: int = 1, **extra: Any) -> None:
        """The next `times` calls of `method` ("*" = any) answer HTTP 200 ok:false `error`."""
        self._faults.queue(method, _Reply(200, _error(error, **extra), {}), times)

    def http_error_next(self, method: str, status: int = 500, times: int = 1) -> None:
        """The next `times` calls of `method` answer HTTP `status`."""
        self._faults.queue(method, _Reply(status, _error("internal_error" if status >= 500 else "http_error"), {}),
                           times)

    def ratelimit_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """The next `times` calls of `method` answer 429 with `Retry-After: retry_after`."""
        self._faults.queue(method, _ratelimited(retry_after), times)

    def lookup_fails(self, email: str, times: int = 1, status: int = 429, retry_after: int = 1) -> None:
        """The next `times` users.lookupByEmail calls for `email` answer 429 (with
        `Retry-After: retry_after`) or HTTP `status`; other people's look-ups go through."""
        reply = _ratelimited(retry_after) if status == 429 else _Reply(status, _error("internal_error"), {})
        self._lookup_faults[email.lower()].extend([reply] * times)

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Sleep `seconds` before answering the next `times` calls. The call is then
        handled normally (like real Slack, a client that timed out may still have posted)."""
        self._faults.delays[method].extend([seconds] * times)

    def set_random_faults(self, method: str, p_ratelimit: float = 0.05, p_server_error: float = 0.01,
                          retry_after: int = 1, seed: int = 42, *, p_reset_before: float = 0.0,
                          p_reset_after: float = 0.0, p_hold: float = 0.0, hold_seconds: float = 5.0) -> None:
        """Answer each call of `method` ("*" = any) with 429 or 500 at random (seeded), and
        (optionally) reset the connection before / after processing it or hold its answer."""
        self._faults.random[method] = _RandomFaults(p_ratelimit, p_server_error, retry_after, random.Random(seed),
                                                    p_reset_before, p_reset_after, p_hold, hold_seconds)

    def reset_next(self, method: str, after: bool = False, times: int = 1) -> None:
        """Reset the connection of the next `times` calls of `method`: before the call is
        processed (nothing happens), or `after` it was (like Slack accepting a post and the
        connection dropping before the answer arrives). Recorded with note "reset_before" /
        "reset_after" (status 0 before, the real status after)."""
        self._faults.network[method].extend([("reset_after" if after else "reset_before", 0.0)] * times)

    def hold_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Process the next `times` calls of `method` at once but hold their answers for
        `seconds` (a client with a shorter timeout gives up; the call did happen)."""
        self._faults.network[method].extend([("hold", seconds)] * times)

    def refuse_token(self, token: str | None = None, error: str = "invalid_auth") -> None:
        """Answer every call made with `token` (default: the bot token) with `error`, e.g.
        `account_inactive` or `token_revoked`. An unknown token already gets `invalid_auth`."""
        self.refused_tokens[token or self.token] = error

    def clear_faults(self) -> None:
        self._faults.clear()
        self._lookup_faults.clear()

    # -- request handling --------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            args = await _read_args(request)
        except SlackError as exc:
            args, reply = {}, _Reply(200, exc.body, {})
        else:
            network = self._faults.take_network(method) if method in _METHODS else None
            if network and network[0] == "reset_before":
                self._record(method, args, 0, {}, note="reset_before")
                return _reset(request)
            reply = await self._answer(method, args, request.headers.get("Authorization", ""))
            if network:
                self._record(method, args, reply.status, reply.body, note=network[0])
                if network[0] == "reset_after":
                    return _reset(request)
                await asyncio.sleep(network[1])
                return web.json_response(reply.body, status=reply.status, headers=reply.headers)
        self._record(method, args, reply.status, reply.body)
        return web.json_response(reply.body, status=reply.status, headers=reply.headers)

    async def _answer(self, method: str, args: dict, authorization: str) -> _Reply:
        """Unknown method, auth, delay, injected fault, rate limit, then the handler."""
        handler = _METHODS.get(method)
        if handler is None:
            return _Reply(200, _error("unknown_method"), {})
        auth_error = self._auth_error(method, authorization, args)
        if auth_error:
            return _Reply(200, _error(auth_error), {})
        delay = self._faults.take_delay(method)
        if delay:
            await asyncio.sleep(delay)
        fault = self._faults.take(method) or self._lookup_fault(method, args) or self._rate_limit(method, args)
        if fault:
            return fault
        try:
            return _Reply(200, {"ok": True, **handler(self, args)}, {})
        except SlackError as exc:
            return _Reply(200, exc.body, {})

    def _auth_error(self, method: str, authorization: str, args: dict) -> str | None:
        token = authorization[len("Bearer "):] if authorization.startswith("Bearer ") else args.get("token")
        if not token:
            return "not_authed"
        if token in self.refused_tokens:
            return self.refused_tokens[token]
        expected = self.app_token if method == "apps.connections.open" else self.token
        if token == expected:
            return None
        if token in (self.token, self.app_token):
            return "not_allowed_token_type"
        return "invalid_auth"

    def _lookup_fault(self, method: str, args: dict) -> _Reply | None:
        queued = self._lookup_faults.get(str(args.get("email", "")).lower()) if method == "users.lookupByEmail" else None
        return queued.popleft() if queued else None

    def _rate_limit(self, method: str, args: dict) -> _Reply | None:
        buckets = []
        if method in self._method_limits:
            buckets.append(self._method_limits[method])
        if method in self._channel_limit_specs:
            key = (method, self._channel_key(args.get("channel") or args.get("channel_id")))
            if key not in self._channel_buckets:
                self._channel_buckets[key] = _TokenBucket(*self._channel_limit_specs[method], self.clock)
            buckets.append(self._channel_buckets[key])
        waits = [bucket.take() for bucket in buckets]
        wait = max(waits, default=0.0)
        return _ratelimited(wait) if wait > 0 else None

    def _channel_key(self, ref: Any) -> str:
        """Best-effort channel id for per-channel rate limits (never raises)."""
        ref = str(ref or "")
        channel = self._channels.get(ref)
        if channel is not None and channel.kind == "im":
            return channel.user or ref  # a DM is keyed by its user, whether addressed by U or D id
        if ref.startswith("#"):
            return next((c.id for c in self._channels.values() if c.name == ref[1:]), ref)
        return ref

    def _record(self, method: str, args: dict, status: int, body: dict, note: str | None = None) -> None:
        args = {k: v for k, v in args.items() if k != "token"}
        self.calls.append(Call(method, args, status, copy.deepcopy(body), self.clock(), note))

    # -- state helpers ----------------------------------------------------------------------------

    def _add_bot_user(self) -> None:
        self._users[self.bot_user_id] = {
            "id": self.bot_user_id, "team_id": self.team_id, "name": "dialoogbot", "deleted": False,
            "real_name": "Dialoogbot", "is_bot": True, "is_app_user": False,
            "profile": {"real_name": "Dialoogbot", "display_name": "dialoogbot", "bot_id": self.bot_id,
                        "api_app_id": self.app_id, "team": self.team_id},
        }

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08X}"

    def _new_ts(self) -> str:
        """A unique, increasing message ts like "1700000000.000100" (from the wall clock)."""
        now_us = int(time.time() * 1_000_000)
        self._last_ts_us = max(now_us, self._last_ts_us + 1)
        return f"{self._last_ts_us // 1_000_000}.{self._last_ts_us % 1_000_000:06d}"

    def _channel_for_lookup(self, ref: str, create_dm: bool = False) -> Channel | None:
        """Channel by id, "#name" or user id (their DM); no permission checks."""
        if ref in self._users and ref not in self._channels:
            if ref not in self._dm_by_user and not create_dm:
                return None
            return self._channels[self.dm_channel_id(ref)]
        if ref.startswith("#"):
            return next((c for c in self._channels.values() if c.name == ref[1:]), None)
        return self._channels.get(ref)

    def _ensure_channel(self, channel_id: str) -> Channel:
        """A channel the bot may not be in (e.g. where a slash command was typed)."""
        if channel_id not in self._channels:
            self._channels[channel_id] = Channel(channel_id, channel_id, "channel", [])
        return self._channels[channel_id]

    def _resolve_channel(self, ref: Any, *, allow_user: bool = True) -> Channel:
        """The conversation a chat.* call addresses, with Slack's errors."""
        ref = str(ref or "")
        if allow_user and ref in self._users and ref not in self._channels:
            self._require_active_user(ref)
            return self._channels[self.dm_channel_id(ref)]
        channel = self._channel_for_lookup(ref) if ref and ref not in self._users else None
        if channel is None:
            raise SlackError("channel_not_found")
        if channel.kind == "im":
            self._require_active_user(channel.user or "")
        if channel.archived:
            raise SlackError("is_archived")
        if self.bot_user_id not in channel.members:
            raise SlackError("not_in_channel")
        return channel

    def _require_active_user(self, user_id: str) -> dict:
        user = self._users.get(user_id)
        if user is None or user.get("deleted"):
            raise SlackError("user_not_found")
        return user

    def _store_message(self, channel: Channel, *, text: str | None, blocks: list | None,
                       user: str | None, bot_id: str | None, thread_ts: str | None = None,
                       metadata: dict | None = None, files: list[str] | None = None) -> Message:
        message = Message(self._new_ts(), channel.id, text, _with_ids(blocks), copy.deepcopy(metadata),
                          thread_ts, user, bot_id, files or [])
        message.versions.append(message.snapshot())
        channel.messages.append(message)
        return message

    def _store_bot_message(self, channel: Channel, args: dict) -> Message:
        return self._store_message(channel, text=args.get("text"), blocks=args.get("blocks"),
                                   user=self.bot_user_id, bot_id=self.bot_id, thread_ts=args.get("thread_ts"),
                                   metadata=args.get("metadata"))

    def _api_message(self, message: Message) -> dict:
        return message.as_api(self.team_id, self.app_id)

    # -- HTTP endpoints that are not Web API methods ----------------------------------------------

    async def _handle_upload(self, request: web.Request) -> web.Response:
        """The upload_url from files.getUploadURLExternal: raw bytes (or multipart)."""
        file_id = request.match_info["file_id"]
        data = await _read_upload_bytes(request)
        record = self.files.get(file_id)
        if record is None:
            self._record("(upload)", {"file_id": file_id, "bytes": len(data)}, 404, _error("file_not_found"))
            return web.Response(status=404, text="file_not_found")
        record["bytes"], record["uploaded"] = data, True
        note = None
        if record["length"] != len(data):
            note = f"length mismatch: getUploadURLExternal said {record['length']}, received {len(data)}"
            self.problems.append(f"upload {file_id}: {note}")
        self._record("(upload)", {"file_id": file_id, "bytes": len(data)}, 200, {"ok": True}, note)
        return web.Response(text=f"OK - {len(data)}")

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        """POSTs to a response_url: at most 5, within 30 minutes, Block-Kit-checked."""
        url = f"{self.base_url}{request.path}"
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = (await request.text())[:1000]
        status, error = self._apply_response(request.match_info["key"], body)
        self.response_posts.append(ResponsePost(url, body, status, self.clock(), error))
        if error:
            return web.json_response(_error(error), status=status)
        return web.Response(text="ok")

    def _apply_response(self, key: str, body: Any) -> tuple[int, str | None]:
        """Validate a response_url body and apply its effect; returns (status, error)."""
        target = self._response_urls.get(key)
        if target is None:
            return 404, "no_such_url"
        if self.clock() - target.issued_at > RESPONSE_URL_TTL_SECONDS:
            return 404, "expired_url"
        if target.uses >= RESPONSE_URL_MAX_USES:
            return 404, "used_url"
        if not isinstance(body, dict):
            return 400, "invalid_payload"
        problems = limits.check_message_blocks(body.get("blocks")) + limits.check_message_text(body.get("text"))
        if problems:
            self.problems.extend(f"response_url: {p}" for p in problems)
            return 400, "invalid_blocks"
        if not _truthy(body.get("delete_original")) and not body.get("text") and not body.get("blocks"):
            return 400, "no_text"
        target.uses += 1
        self._response_effect(target, body)
        return 200, None

    def _response_effect(self, target: _ResponseUrl, body: dict) -> None:
        original = self.message(target.channel_id, target.message_ts) if target.channel_id and target.message_ts \
            else None
        if _truthy(body.get("delete_original")):
            if original:
                original.deleted = True
        elif _truthy(body.get("replace_original")) and original:
            _update_message(original, {"text": body.get("text"), "blocks": body.get("blocks", [])})
        elif body.get("response_type") == "in_channel" and target.channel_id:
            channel = self._channel_for_lookup(target.channel_id) or self._ensure_channel(target.channel_id)
            self._store_bot_message(channel, body)
        elif target.user_id:
            self._ephemerals.append(Ephemeral(self._new_ts(), target.channel_id or "", target.user_id,
                                              body.get("text"), body.get("blocks"), body.get("thread_ts"),
                                              source="response_url"))

    # -- view bookkeeping used by the driver --------------------------------------------------------

    def apply_view_response(self, user_id: str, view_id: str, body: dict | None) -> list[str]:
        """Apply a bot's answer to a view_submission the way Slack's client would:
        empty -> close this view; clear -> close all; update -> replace; push -> push;
        errors -> keep. Returns problems (an invalid returned view), also kept in `problems`."""
        action = (body or {}).get("response_action")
        stack = self._modal_stacks[user_id]
        if action == "errors":
            return []
        if action == "clear":
            stack.clear()
            return []
        if action in ("update", "push"):
            view = body.get("view")
            problems = [f"response_action {action}: {p}" for p in limits.check_view(view)]
            if problems:
                self.problems.extend(problems)
                return problems
            if action == "update":
                self._replace_view(view_id, view)
            elif len(stack) >= MODAL_STACK_MAX:
                self.problems.append("response_action push: push_limit_reached")
                return ["push_limit_reached"]
            else:
                self._push_view(user_id, view)
            return []
        self.close_view(user_id, view_id)
        return []

    def close_view(self, user_id: str, view_id: str | None = None) -> None:
        """Close `view_id` (default: the top modal) and everything pushed above it."""
        stack = self._modal_stacks[user_id]
        if view_id in stack:
            del stack[stack.index(view_id):]
        elif view_id is None and stack:
            stack.pop()

    def _make_view(self, view: dict, view_id: str, root_view_id: str | None,
                   previous_view_id: str | None) -> dict:
        stored = copy.deepcopy(view)
        stored["blocks"] = _with_ids(view.get("blocks")) or []
        stored.update({
            "id": view_id, "team_id": self.team_id, "app_id": self.app_id, "bot_id": self.bot_id,
            "app_installed_team_id": self.team_id,
            "private_metadata": view.get("private_metadata", ""), "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""), "state": {"values": {}}, "hash": secrets.token_hex(8),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "root_view_id": root_view_id or view_id, "previous_view_id": previous_view_id,
        })
        return stored

    def _push_view(self, user_id: str, view: dict) -> dict:
        stack = self._modal_stacks[user_id]
        view_id = self._new_id("V")
        root = stack[0] if stack else None
        previous = stack[-1] if stack else None
        self._views[view_id] = self._make_view(view, view_id, root, previous)
        self._view_owner[view_id] = user_id
        stack.append(view_id)
        return self._views[view_id]

    def _replace_view(self, view_id: str, view: dict) -> dict:
        old = self._views[view_id]
        self._views[view_id] = self._make_view(view, view_id, old["root_view_id"], old["previous_view_id"])
        return self._views[view_id]

    def _check_view_args(self, view: Any, own_view_id: str | None = None) -> dict:
        """Limits (-> invalid_arguments with Slack-style messages) and unique external_id."""
        if not isinstance(view, dict):
            raise _invalid_arguments("missing required field: view")
        problems = limits.check_view(view)
        if problems:
            raise _invalid_arguments(*(f"{p.what} [json-pointer:/view{p.path}]" for p in problems))
        external_id = view.get("external_id")
        if external_id and any(v.get("external_id") == external_id and k != own_view_id
                               for k, v in self._views.items()):
            raise SlackError("duplicate_external_id")
        return view

    def _use_trigger(self, trigger_id: Any) -> _Trigger:
        trigger = self._triggers.get(str(trigger_id or ""))
        if trigger is None:
            raise SlackError("invalid_trigger_id")
        if trigger.used or self.clock() - trigger.issued_at > TRIGGER_TTL_SECONDS:
            raise SlackError("expired_trigger_id")
        return trigger

    def _find_view(self, args: dict) -> str:
        view_id = args.get("view_id")
        if not view_id and args.get("external_id"):
            view_id = next((k for k, v in self._views.items() if v.get("external_id") == args["external_id"]), None)
        if not view_id or view_id not in self._views:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != self._views[view_id]["hash"]:
            raise SlackError("hash_conflict")
        return view_id


# --- request parsing ------------------------------------------------------------------------------

def _reset(request: web.Request):
    """Drop the connection without an answer (the client sees a disconnect)."""
    if request.transport is not None:
        request.transport.abort()
    raise asyncio.CancelledError


async def _read_args(request: web.Request) -> dict:
    """Merge query string and body (JSON, urlencoded or multipart); decode JSON-string args."""
    args: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.body_exists:
        args.update(await _read_body(request))
    for name, error in _JSON_ARGS.items():
        if isinstance(args.get(name), str):
            try:
                args[name] = json.loads(args[name]) if args[name] else None
            except json.JSONDecodeError:
                raise SlackError(error) from None
    return args


async def _read_body(request: web.Request) -> dict:
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except json.JSONDecodeError:
            raise SlackError("invalid_json") from None
        if not isinstance(body, dict):
            raise SlackError("invalid_json")
        return body
    form = await request.post()
    return {k: (v if isinstance(v, str) else v.file.read()) for k, v in form.items()}


async def _read_upload_bytes(request: web.Request) -> bytes:
    if request.content_type.startswith("multipart/"):
        form = await request.post()
        for value in form.values():
            if not isinstance(value, str):
                return value.file.read()
        return b""
    return await request.read()


def _check_content(args: dict) -> None:
    """text / blocks of a chat.* call: no_text, msg_too_long, invalid_blocks."""
    text, blocks = args.get("text"), args.get("blocks")
    if not text and not blocks and not args.get("attachments"):
        raise SlackError("no_text")
    if limits.check_message_text(text):
        raise SlackError("msg_too_long")
    problems = limits.check_message_blocks(blocks)
    if problems:
        raise SlackError("invalid_blocks", errors=[str(p) for p in problems],
                         response_metadata={"messages": [f"[ERROR] {p}" for p in problems]})
    metadata = args.get("metadata")
    if metadata is not None and not (isinstance(metadata, dict) and isinstance(metadata.get("event_type"), str)
                                     and isinstance(metadata.get("event_payload", {}), dict)):
        raise SlackError("invalid_metadata_format")


def _update_message(message: Message, changes: dict) -> None:
    """Apply chat.update-style changes (omitted fields keep their value) and add a version."""
    if changes.get("text") is not None:
        message.text = changes["text"]
    if changes.get("blocks") is not None:
        message.blocks = _with_ids(changes["blocks"])
    if changes.get("metadata") is not None:
        message.metadata = copy.deepcopy(changes["metadata"])
    message.versions.append(message.snapshot())


def _with_ids(blocks: list | None) -> list | None:
    """A copy of `blocks` where every block has a block_id and every interactive
    element an action_id, as Slack fills them in when the app leaves them out."""
    if blocks is None:
        return None
    blocks = copy.deepcopy(blocks)
    for block in blocks:
        if not isinstance(block, dict):
            continue
        block.setdefault("block_id", secrets.token_urlsafe(3))
        elements = list(block.get("elements") or []) if block.get("type") == "actions" else []
        elements += [block[k] for k in ("accessory", "element") if isinstance(block.get(k), dict)]
        for element in elements:
            if isinstance(element, dict) and element.get("type") != "image":
                element.setdefault("action_id", secrets.token_urlsafe(3))
    return blocks


def _invalid_arguments(*messages: str) -> SlackError:
    return SlackError("invalid_arguments", response_metadata={"messages": [f"[ERROR] {m}" for m in messages]})


def _require(args: dict, *names: str) -> None:
    for name in names:
        if not args.get(name):
            raise _invalid_arguments(f"missing required field: {name}")


# --- Web API methods --------------------------------------------------------------------------------

@_method("auth.test")
def _auth_test(emu: SlackEmulator, args: dict) -> dict:
    return {"url": f"https://{emu.team_domain}.slack.com/", "team": emu.team_domain, "team_id": emu.team_id,
            "user": emu._users[emu.bot_user_id]["name"], "user_id": emu.bot_user_id, "bot_id": emu.bot_id,
            "is_enterprise_install": False}


@_method("apps.connections.open")
def _apps_connections_open(emu: SlackEmulator, args: dict) -> dict:
    ticket = secrets.token_hex(8)
    emu._socket_tickets.add(ticket)
    return {"url": emu.base_url.replace("http://", "ws://") + f"/socket-mode/{ticket}"}


@_method("users.lookupByEmail")
def _users_lookup_by_email(emu: SlackEmulator, args: dict) -> dict:
    user_id = emu._users_by_email.get(str(args.get("email", "")).lower())
    if user_id is None:
        raise SlackError("users_not_found")
    return {"user": emu._users[user_id]}


@_method("users.info")
def _users_info(emu: SlackEmulator, args: dict) -> dict:
    user = emu._users.get(str(args.get("user", "")))
    if user is None:
        raise SlackError("user_not_found")
    return {"user": user}


@_method("users.list")
def _users_list(emu: SlackEmulator, args: dict) -> dict:
    members = list(emu._users.values())
    start, size = _as_int(args.get("cursor"), 0), _as_int(args.get("limit"), 200) or 200
    next_cursor = str(start + size) if start + size < len(members) else ""
    return {"members": members[start:start + size], "response_metadata": {"next_cursor": next_cursor}}


@_method("conversations.open")
def _conversations_open(emu: SlackEmulator, args: dict) -> dict:
    if args.get("channel"):
        return {"channel": {"id": emu._resolve_channel(args["channel"], allow_user=False).id}}
    users = [u for u in str(args.get("users", "")).split(",") if u]
    if len(users) != 1:
        raise SlackError("invalid_arguments" if not users else "not_implemented")
    emu._require_active_user(users[0])
    already_open = users[0] in emu._dm_by_user
    channel_id = emu.dm_channel_id(users[0])
    return {"no_op": already_open, "already_open": already_open,
            "channel": {"id": channel_id, "is_im": True, "user": users[0]}}


@_method("conversations.info")
def _conversations_info(emu: SlackEmulator, args: dict) -> dict:
    channel = emu._channel_for_lookup(str(args.get("channel", "")))
    if channel is None or str(args.get("channel", "")) in emu._users:
        raise SlackError("channel_not_found")
    return {"channel": _channel_info(emu, channel)}


def _channel_info(emu: SlackEmulator, channel: Channel) -> dict:
    info = {"id": channel.id, "name": channel.name, "is_im": channel.kind == "im",
            "is_channel": channel.kind == "channel" and not channel.private,
            "is_group": channel.kind == "channel" and channel.private, "is_private": channel.private,
            "is_archived": channel.archived, "is_member": emu.bot_user_id in channel.members}
    if channel.user:
        info["user"] = channel.user
    return info


@_method("conversations.list")
def _conversations_list(emu: SlackEmulator, args: dict) -> dict:
    """Public channels, and private ones the bot is in (like Slack with channels:read + groups:read)."""
    types = set(str(args.get("types") or "public_channel").split(","))
    found = [c for c in emu._channels.values() if c.kind == "channel"
             and ("private_channel" in types if c.private else "public_channel" in types)
             and (not c.private or emu.bot_user_id in c.members)
             and not (c.archived and _truthy(args.get("exclude_archived")))]
    start, size = _as_int(args.get("cursor"), 0), _as_int(args.get("limit"), 100) or 100
    next_cursor = str(start + size) if start + size < len(found) else ""
    return {"channels": [_channel_info(emu, c) for c in found[start:start + size]],
            "response_metadata": {"next_cursor": next_cursor}}


@_method("conversations.join")
def _conversations_join(emu: SlackEmulator, args: dict) -> dict:
    """Public channels only (scope channels:join); a private channel needs an /invite."""
    channel = emu._channels.get(str(args.get("channel", "")))
    if channel is None:
        raise SlackError("channel_not_found")
    if channel.kind != "channel" or channel.private:
        raise SlackError("method_not_supported_for_channel_type")
    if channel.archived:
        raise SlackError("is_archived")
    already = emu.bot_user_id in channel.members
    emu.join_channel(channel.id)
    body: dict[str, Any] = {"channel": _channel_info(emu, channel)}
    if already:
        body["warning"] = "already_in_channel"
        body["response_metadata"] = {"warnings": ["already_in_channel"]}
    return body


@_method("conversations.members")
def _conversations_members(emu: SlackEmulator, args: dict) -> dict:
    channel = emu._channel_for_lookup(str(args.get("channel", "")))
    if channel is None:
        raise SlackError("channel_not_found")
    return {"members": list(channel.members), "response_metadata": {"next_cursor": ""}}


@_method("conversations.history")
def _conversations_history(emu: SlackEmulator, args: dict) -> dict:
    channel = emu._resolve_channel(args.get("channel"), allow_user=False)
    oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or "inf")
    top_level = [m for m in channel.messages
                 if not m.deleted and (m.thread_ts in (None, m.ts)) and oldest < float(m.ts) <= latest]
    newest_first = sorted(top_level, key=lambda m: float(m.ts), reverse=True)
    limit = _as_int(args.get("limit"), 100) or 100
    include_metadata = _truthy(args.get("include_all_metadata"))
    return {"messages": [m.as_api(emu.team_id, emu.app_id, include_metadata) for m in newest_first[:limit]],
            "has_more": len(newest_first) > limit, "response_metadata": {"next_cursor": ""}}


@_method("chat.postMessage")
def _chat_post_message(emu: SlackEmulator, args: dict) -> dict:
    channel = emu._resolve_channel(args.get("channel"))
    _check_content(args)
    message = emu._store_bot_message(channel, args)
    return {"channel": channel.id, "ts": message.ts, "message": emu._api_message(message)}


@_method("chat.update")
def _chat_update(emu: SlackEmulator, args: dict) -> dict:
    channel = emu._resolve_channel(args.get("channel"), allow_user=False)
    message = next((m for m in channel.messages if m.ts == args.get("ts") and not m.deleted), None)
    if message is None:
        raise SlackError("message_not_found")
    if message.user != emu.bot_user_id:
        raise SlackError("cant_update_message")
    _check_content(args)
    _update_message(message, args)
    return {"channel": channel.id, "ts": message.ts, "text": message.text or "",
            "message": emu._api_message(message)}


@_method("chat.delete")
def _chat_delete(emu: SlackEmulator, args: dict) -> dict:
    channel = emu._resolve_channel(args.get("channel"), allow_user=False)
    message = next((m for m in channel.messages if m.ts == args.get("ts") and not m.deleted), None)
    if message is None:
        raise SlackError("message_not_found")
    if message.user != emu.bot_user_id:
        raise SlackError("cant_delete_message")
    message.deleted = True
    return {"channel": channel.id, "ts": message.ts}


@_method("chat.getPermalink")
def _chat_get_permalink(emu: SlackEmulator, args: dict) -> dict:
    channel = emu._channel_for_lookup(str(args.get("channel", "")))
    if channel is None or not any(m.ts == args.get("message_ts") for m in channel.messages):
        raise SlackError("message_not_found")
    ts = str(args["message_ts"]).replace(".", "")
    return {"channel": channel.id,
            "permalink": f"https://{emu.team_domain}.slack.com/archives/{channel.id}/p{ts}"}


@_method("chat.postEphemeral")
def _chat_post_ephemeral(emu: SlackEmulator, args: dict) -> dict:
    user_id = str(args.get("user", ""))
    emu._require_active_user(user_id)
    channel = emu._resolve_channel(args.get("channel"))
    if channel.kind == "im" and channel.user != user_id or channel.kind == "channel" and user_id not in channel.members:
        raise SlackError("user_not_in_channel")
    _check_content(args)
    ephemeral = Ephemeral(emu._new_ts(), channel.id, user_id, args.get("text"), copy.deepcopy(args.get("blocks")),
                          args.get("thread_ts"))
    emu._ephemerals.append(ephemeral)
    return {"message_ts": ephemeral.message_ts}


@_method("views.open")
def _views_open(emu: SlackEmulator, args: dict) -> dict:
    trigger = emu._use_trigger(args.get("trigger_id"))
    view = emu._check_view_args(args.get("view"))
    if view.get("type") != "modal":
        raise _invalid_arguments("views.open needs a view of type modal")
    trigger.used = True
    emu._modal_stacks[trigger.user_id].clear()
    return {"view": emu._push_view(trigger.user_id, view)}


@_method("views.push")
def _views_push(emu: SlackEmulator, args: dict) -> dict:
    trigger = emu._use_trigger(args.get("trigger_id"))
    view = emu._check_view_args(args.get("view"))
    if len(emu._modal_stacks[trigger.user_id]) >= MODAL_STACK_MAX:
        raise SlackError("push_limit_reached")
    trigger.used = True
    return {"view": emu._push_view(trigger.user_id, view)}


@_method("views.update")
def _views_update(emu: SlackEmulator, args: dict) -> dict:
    view_id = emu._find_view(args)
    view = emu._check_view_args(args.get("view"), own_view_id=view_id)
    return {"view": emu._replace_view(view_id, view)}


@_method("views.publish")
def _views_publish(emu: SlackEmulator, args: dict) -> dict:
    user_id = str(args.get("user_id", ""))
    emu._require_active_user(user_id)
    view = emu._check_view_args(args.get("view"), own_view_id=emu._homes.get(user_id))
    if view.get("type") != "home":
        raise _invalid_arguments("views.publish needs a view of type home")
    current = emu._homes.get(user_id)
    if current and args.get("hash") and args["hash"] != emu._views[current]["hash"]:
        raise SlackError("hash_conflict")
    view_id = current or emu._new_id("V")
    emu._views[view_id] = emu._make_view(view, view_id, None, None)
    emu._view_owner[view_id] = user_id
    emu._homes[user_id] = view_id
    return {"view": emu._views[view_id]}


@_method("files.getUploadURLExternal")
def _files_get_upload_url(emu: SlackEmulator, args: dict) -> dict:
    _require(args, "filename", "length")
    length = _as_int(args.get("length"), -1)
    if length < 0:
        raise SlackError("invalid_arguments")
    file_id = emu._new_id("F")
    emu.files[file_id] = {"id": file_id, "filename": args["filename"], "length": length, "title": None,
                          "alt_txt": args.get("alt_txt"), "snippet_type": args.get("snippet_type"),
                          "bytes": None, "uploaded": False, "completed": False, "channel_id": None,
                          "initial_comment": None, "thread_ts": None}
    return {"upload_url": f"{emu.base_url}/upload/{file_id}", "file_id": file_id}


@_method("files.completeUploadExternal")
def _files_complete_upload(emu: SlackEmulator, args: dict) -> dict:
    entries = args.get("files")
    if not isinstance(entries, list) or not entries:
        raise SlackError("invalid_arguments")
    records = [_uploaded_file(emu, entry) for entry in entries]
    channel_ref = args.get("channel_id") or (str(args.get("channels", "")).split(",")[0] or None)
    channel = emu._resolve_channel(channel_ref) if channel_ref else None
    for entry, record in zip(entries, records):
        record.update(title=entry.get("title") or record["filename"], completed=True,
                      channel_id=channel.id if channel else None, initial_comment=args.get("initial_comment"),
                      thread_ts=args.get("thread_ts"))
    if channel:
        emu._store_message(channel, text=args.get("initial_comment") or "", blocks=args.get("blocks"),
                           user=emu.bot_user_id, bot_id=emu.bot_id, thread_ts=args.get("thread_ts"),
                           files=[r["id"] for r in records])
    return {"files": [{"id": r["id"], "title": r["title"], "name": r["filename"], "size": len(r["bytes"])}
                      for r in records]}


def _uploaded_file(emu: SlackEmulator, entry: Any) -> dict:
    record = emu.files.get(entry.get("id")) if isinstance(entry, dict) else None
    if record is None:
        raise SlackError("file_not_found")
    if not record["uploaded"]:
        raise SlackError("file_upload_failed")
    if record["completed"]:
        raise SlackError("file_already_completed")
    return record
