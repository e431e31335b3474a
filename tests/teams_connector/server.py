"""A fake Bot Framework connector for Teams: a real aiohttp server on loopback.

It speaks the subset of the connector REST API the bot uses, records every call,
keeps each conversation's activities (so a PUT really replaces a card), enforces the
message size limit (Teams refuses messages over about 28 KB with 413), checks the
shape of every Adaptive Card, and answers 429 (with Retry-After) or 5xx on cue.
The bot finds it through ``serviceUrl`` in the activities the tests post.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

CARD = "application/vnd.microsoft.card.adaptive"
MAX_BYTES = 28 * 1024


@dataclass
class Call:
    method: str
    path: str
    status: int
    body: Any
    query: dict[str, str]
    authorization: str | None


@dataclass
class Posted:
    """One activity the bot posted, as it is now (a PUT replaces ``activity``)."""

    conversation_id: str  # without ;messageid=
    activity_id: str
    activity: dict
    thread: str | None = None  # root message id for a reply in a channel thread
    reply_to: str | None = None
    targeted: bool = False
    history: list[dict] = field(default_factory=list)

    @property
    def cards(self) -> list[dict]:
        return [a["content"] for a in self.activity.get("attachments") or [] if a.get("contentType") == CARD]

    @property
    def card(self) -> dict | None:
        cards = self.cards
        return cards[0] if cards else None

    @property
    def text(self) -> str:
        """Everything a person can read: summary, text, card texts and button titles."""
        parts = [self.activity.get("summary") or "", self.activity.get("text") or ""]
        for card in self.cards:
            parts += card_texts(card)
        return "\n".join(p for p in parts if p)

    @property
    def attachments(self) -> list[dict]:
        return self.activity.get("attachments") or []


def card_texts(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for key in ("text", "title", "label", "errorMessage", "placeholder"):
            if isinstance(node.get(key), str) and node.get("type") not in ("AdaptiveCard",):
                found.append(node[key])
        for key, value in node.items():
            if key not in ("data", "fallback"):
                found += card_texts(value)
    elif isinstance(node, list):
        for value in node:
            found += card_texts(value)
    return found


def card_actions(card: dict) -> list[dict]:
    """Every button of a card: its actions and those in ActionSets in the body."""
    found: list[dict] = list(card.get("actions") or [])

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "ActionSet":
                found.extend(node.get("actions") or [])
            for key, value in node.items():
                if key != "actions":
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card.get("body") or [])
    return found


def card_inputs(card: dict) -> list[dict]:
    found: list[dict] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input."):
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card.get("body") or [])
    return found


def validate_card(card: Any) -> str | None:
    """What Teams would refuse in an Adaptive Card (a subset of the schema)."""
    if not isinstance(card, dict) or card.get("type") != "AdaptiveCard":
        return "not an AdaptiveCard"
    if not isinstance(card.get("version"), str):
        return "no version"
    if not isinstance(card.get("body", []), list):
        return "body is not a list"
    ids: set[str] = set()
    for element in card_inputs(card):
        if not element.get("id"):
            return "input without id"
        if element["id"] in ids:
            return f"duplicate input id {element['id']}"
        ids.add(element["id"])
        if element["type"] == "Input.ChoiceSet":
            for choice in element.get("choices") or []:
                if not isinstance(choice.get("title"), str) or not isinstance(choice.get("value"), str):
                    return "choice needs a title and a string value"

    def texts_ok(node: Any) -> str | None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock" and (not isinstance(node.get("text"), str) or not node["text"]):
                return "TextBlock without text"
            for value in node.values():
                problem = texts_ok(value)
                if problem:
                    return problem
        elif isinstance(node, list):
            for value in node:
                problem = texts_ok(value)
                if problem:
                    return problem
        return None

    problem = texts_ok(card.get("body") or [])
    if problem:
        return problem
    for action in card_actions(card):
        kind = action.get("type")
        if kind not in ("Action.Execute", "Action.Submit", "Action.OpenUrl", "Action.ShowCard", "Action.ToggleVisibility"):
            return f"unknown action {kind}"
        if not action.get("title"):
            return "action without title"
        if kind == "Action.Execute" and not action.get("verb"):
            return "Action.Execute without verb"
        if kind == "Action.OpenUrl" and not str(action.get("url", "")).startswith(("https://", "http://")):
            return "Action.OpenUrl without an http(s) url"
        fallback = action.get("fallback")
        if isinstance(fallback, dict) and fallback.get("type") != "Action.Submit":
            return "fallback must be an Action.Submit"
    return None


@dataclass
class Fault:
    method: str
    path_contains: str
    status: int
    retry_after: float | None
    code: str
    times: int


class FakeConnector:
    def __init__(self, *, tenant_id: str = "tenant-1", max_bytes: int = MAX_BYTES, require_token: str | None = None):
        self.tenant_id = tenant_id
        self.max_bytes = max_bytes
        self.require_token = require_token
        self.users: dict[str, dict] = {}  # user id (29:...) -> member
        self.teams: dict[str, list[str]] = {}  # team id -> member ids
        self.personal: dict[str, str] = {}  # user id -> 1:1 conversation id
        self.not_installed: set[str] = set()  # users who cannot get a 1:1 chat from the bot
        self.blocked: set[str] = set()  # users who blocked the bot
        self.posted: list[Posted] = []
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self.resets_after_send = 0  # see reset_after_send_next
        self._ids = itertools.count(1000)
        self._server: TestServer | None = None

    # -- set-up -----------------------------------------------------------------------

    async def __aenter__(self) -> "FakeConnector":
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{conv}/activities", self._send)
        app.router.add_post("/v3/conversations/{conv}/activities/{activity}", self._send)
        app.router.add_put("/v3/conversations/{conv}/activities/{activity}", self._update)
        app.router.add_get("/v3/conversations/{conv}/members", self._members)
        app.router.add_get("/v3/conversations/{conv}/pagedmembers", self._paged_members)
        app.router.add_get("/v3/conversations/{conv}/members/{member}", self._member)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()
        return self

    async def __aexit__(self, *exc) -> None:
        if self._server is not None:
            await self._server.close()

    @property
    def url(self) -> str:
        return str(self._server.make_url("/"))

    def add_user(self, user_id: str, name: str, email: str, aad: str | None = None) -> dict:
        member = {
            "id": user_id,
            "name": name,
            "aadObjectId": aad or f"aad-{user_id.split(':')[-1]}",
            "email": email,
            "userPrincipalName": email,
            "tenantId": self.tenant_id,
        }
        self.users[user_id] = member
        return member

    def add_team(self, team_id: str, member_ids: list[str]) -> None:
        self.teams[team_id] = list(member_ids)

    def personal_conversation(self, user_id: str) -> str:
        if user_id not in self.personal:
            self.personal[user_id] = f"a:personal-{user_id.split(':')[-1]}"
        return self.personal[user_id]

    def reset_after_send_next(self, times: int = 1) -> None:
        """The next ``times`` activities are delivered, then the connection drops unanswered."""
        self.resets_after_send += times

    def fail_next(self, method: str, path_contains: str, status: int, *, retry_after: float | None = None,
                  code: str = "", times: int = 1) -> None:
        """The next ``times`` calls whose path (with its query) contains ``path_contains``
        answer ``status`` (with Retry-After when given); status 0 resets the connection."""
        self.faults.append(Fault(method, path_contains, status, retry_after, code, times))

    # -- what the tests read ------------------------------------------------------------

    def to_user(self, user_id: str) -> list[Posted]:
        """What the bot posted in its 1:1 chat with the user (after updates), oldest first."""
        conversation = self.personal.get(user_id)
        return [p for p in self.posted if p.conversation_id == conversation and p.thread is None]

    def in_conversation(self, conversation_id: str) -> list[Posted]:
        return [p for p in self.posted if p.conversation_id == conversation_id.split(";")[0]]

    def replies_to(self, activity_id: str) -> list[Posted]:
        return [p for p in self.posted if p.reply_to == activity_id]

    def calls_to(self, method: str, suffix: str = "") -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path.endswith(suffix)]

    def find(self, activity_id: str) -> Posted | None:
        return next((p for p in self.posted if p.activity_id == activity_id), None)

    # -- handlers -----------------------------------------------------------------------

    def _fault(self, request: web.Request) -> web.Response | None:
        for fault in self.faults:
            if fault.method == request.method and fault.path_contains in request.path_qs and fault.times > 0:
                fault.times -= 1
                if fault.status == 0:  # the connection drops before any answer
                    if request.transport is not None:
                        request.transport.abort()
                    raise asyncio.CancelledError
                headers = {"Retry-After": str(int(fault.retry_after))} if fault.retry_after is not None else {}
                body = {"error": {"code": fault.code or f"Http{fault.status}", "message": "fault injected by the test"}}
                return web.json_response(body, status=fault.status, headers=headers)
        return None

    async def _record(self, request: web.Request, handler) -> web.Response:
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        response = self._fault(request)
        if response is None and self.require_token and request.headers.get("Authorization") != f"Bearer {self.require_token}":
            response = web.json_response({"error": {"code": "Unauthorized", "message": "bad token"}}, status=401)
        if response is None and request.method in ("POST", "PUT") and "/activities" in request.path and len(raw) > self.max_bytes:
            response = web.json_response({"error": {"code": "MessageSizeTooBig", "message": f"{len(raw)} bytes"}}, status=413)
        if response is None:
            response = await handler(request, body)
        self.calls.append(Call(request.method, request.path, response.status, body, dict(request.query), request.headers.get("Authorization")))
        return response

    @staticmethod
    def _bad(message: str, status: int = 400, code: str = "BadArgument") -> web.Response:
        return web.json_response({"error": {"code": code, "message": message}}, status=status)

    def _check_cards(self, activity: dict) -> str | None:
        for attachment in activity.get("attachments") or []:
            if attachment.get("contentType") == CARD:
                problem = validate_card(attachment.get("content"))
                if problem:
                    return problem
        if not activity.get("attachments") and not activity.get("text"):
            return "empty message"
        return None

    async def _create(self, request: web.Request) -> web.Response:
        async def handle(request: web.Request, body: Any) -> web.Response:
            members = (body or {}).get("members") or []
            if len(members) != 1 or not (body or {}).get("bot", {}).get("id"):
                return self._bad("one member and the bot are needed")
            user_id = members[0].get("id")
            if user_id not in self.users:
                return self._bad("User not found in the tenant", 404, "NotFound")
            if user_id in self.not_installed:
                return self._bad("The bot is not part of the conversation roster.", 403, "BotNotInConversationRoster")
            return web.json_response({"id": self.personal_conversation(user_id)}, status=201)

        return await self._record(request, handle)

    async def _send(self, request: web.Request) -> web.Response:
        async def handle(request: web.Request, activity: Any) -> web.Response:
            if not isinstance(activity, dict):
                return self._bad("no activity")
            raw_conversation = request.match_info["conv"]
            conversation, _, thread = raw_conversation.partition(";messageid=")
            user = next((u for u, c in self.personal.items() if c == conversation), None)
            if user in self.blocked:
                return self._bad("The user blocked the conversation with the bot.", 403, "ConversationBlockedByUser")
            problem = self._check_cards(activity)
            if problem:
                return self._bad(problem)
            reply_to = request.match_info.get("activity")
            activity_id = str(next(self._ids))
            posted = Posted(
                conversation_id=conversation,
                activity_id=activity_id,
                activity=activity,
                thread=thread or None,
                reply_to=reply_to,
                targeted=request.query.get("isTargetedActivity") == "true",
            )
            self.posted.append(posted)
            return web.json_response({"id": activity_id}, status=201)

        response = await self._record(request, handle)
        if self.resets_after_send > 0 and response.status == 201:
            # The activity is delivered, the answer never arrives (the bot sees a disconnect).
            self.resets_after_send -= 1
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError
        return response

    async def _update(self, request: web.Request) -> web.Response:
        async def handle(request: web.Request, activity: Any) -> web.Response:
            posted = self.find(request.match_info["activity"])
            if posted is None or posted.conversation_id != request.match_info["conv"].split(";")[0]:
                return self._bad("Activity not found", 404, "NotFound")
            problem = self._check_cards(activity or {})
            if problem:
                return self._bad(problem)
            posted.history.append(posted.activity)
            posted.activity = activity
            return web.json_response({"id": posted.activity_id})

        return await self._record(request, handle)

    async def _members(self, request: web.Request) -> web.Response:
        async def handle(request: web.Request, body: Any) -> web.Response:
            roster = self._roster(request.match_info["conv"].split(";")[0])
            if roster is None:
                return self._bad("Conversation not found", 404, "NotFound")
            return web.json_response(roster)

        return await self._record(request, handle)

    def _roster(self, conversation: str) -> list[dict] | None:
        if conversation in self.teams:
            return [self.users[u] for u in self.teams[conversation] if u in self.users]
        user = next((u for u, c in self.personal.items() if c == conversation), None)
        return [self.users[user]] if user is not None else None

    async def _paged_members(self, request: web.Request) -> web.Response:
        """``pagedmembers?pageSize=&continuationToken=``: up to 500 members a page; the
        token is the offset of the next page (opaque to the bot)."""

        async def handle(request: web.Request, body: Any) -> web.Response:
            roster = self._roster(request.match_info["conv"].split(";")[0])
            if roster is None:
                return self._bad("Conversation not found", 404, "NotFound")
            try:
                size = int(request.query.get("pageSize", "200"))
                start = int(request.query.get("continuationToken", "0"))
            except ValueError:
                return self._bad("bad pageSize or continuationToken")
            if not 1 <= size <= 500 or start < 0:
                return self._bad("pageSize must be 1..500")
            page = {"members": roster[start:start + size]}
            if start + size < len(roster):
                page["continuationToken"] = str(start + size)
            return web.json_response(page)

        return await self._record(request, handle)

    async def _member(self, request: web.Request) -> web.Response:
        async def handle(request: web.Request, body: Any) -> web.Response:
            member = self.users.get(request.match_info["member"])
            if member is None:
                return self._bad("Member not found", 404, "NotFound")
            return web.json_response(member)

        return await self._record(request, handle)
