"""The Teams implementation of the chat port: the Bot Framework connector REST API.

Outbound calls go straight to the connector (``{serviceUrl}v3/conversations...``)
with activities built from the Agents SDK's models.  Proactive sending through the
SDK's adapter has pitfalls (see TEAMS-NOTES) and its client drops the response body,
which we need to tell "bot not installed" from "conversation blocked".

References: a ``MessageRef`` is (conversation id, activity id).  A person is reached
by their Teams user id (``29:...``); the stored conversation reference (service URL,
tenant, 1:1 conversation) comes from ``references``; without one the bot creates the
1:1 conversation (possible once the app is installed for the user or in their team).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import mimetypes
from typing import Any, Awaitable, Callable
from urllib.parse import urlencode

import aiohttp
from microsoft_agents.activity import Activity, Attachment, ChannelAccount, ConversationParameters

from bot.chat import ChatError, FileUpload, MessageRef, OutMessage
from bot.teams.auth import TokenSource, no_token
from bot.teams.cards import attachment, render
from bot.teams.roster import Roster

log = logging.getLogger("dialoogbot.teams")

ReferenceLookup = Callable[[str], Awaitable[dict | None]]
ConversationMemo = Callable[[str, str, str], Awaitable[None]]

# Teams answers these with Retry-After (or wants a back-off): try again later.
RETRY_STATUSES = {412, 429, 500, 502, 503, 504}


def retry_after_of(headers: Any) -> float | None:
    raw = headers.get("Retry-After") if headers is not None else None
    if raw is None:
        return None
    try:
        return max(1.0, float(raw))
    except ValueError:
        return 1.0


def _error_code(body: str) -> str:
    try:
        data = json.loads(body)
    except (ValueError, TypeError):
        return ""
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        return f'{error.get("code") or ""} {error.get("message") or ""}'
    return str(data.get("message") or "") if isinstance(data, dict) else ""


def to_chat_error(status: int, body: str, headers: Any, op: str) -> ChatError:
    """A connector error as a ChatError: permanent ones reach the trekker, the rest is retried."""
    detail = _error_code(body).lower()
    retry_after = retry_after_of(headers)
    if status == 429:
        return ChatError("ratelimited", permanent=False, retry_after=retry_after or 1.0)
    if status in RETRY_STATUSES:
        return ChatError(f"http_{status}", permanent=False, retry_after=retry_after)
    if status == 413 or "messagesize" in detail or "too large" in detail:
        return ChatError("message_too_large", permanent=True)
    if "blocked" in detail:
        return ChatError("conversation_blocked", permanent=True)
    if "notinconversationroster" in detail or "not installed" in detail or "botdisabled" in detail:
        return ChatError("bot_not_installed", permanent=True)
    if status == 401:
        return ChatError("unauthorized", permanent=False)
    if status == 403:
        return ChatError("bot_not_installed" if op == "create" else "forbidden", permanent=True)
    if status == 404:
        if op == "create":
            return ChatError("user_not_found" if "user" in detail or "member" in detail else "bot_not_installed", permanent=True)
        return ChatError("message_not_found" if op == "update" else "conversation_not_found", permanent=True)
    if 400 <= status < 500:
        return ChatError(f"http_{status}", permanent=True)
    return ChatError(f"http_{status}", permanent=False)


IMAGE_BYTES = 18_000  # base64 makes it ~24 KB: the message stays under Teams' ~28 KB


def fit_image(content: bytes, limit: int = IMAGE_BYTES) -> bytes:
    """A PNG small enough to travel inline: fewer colours first, then smaller."""
    if len(content) <= limit:
        return content
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(content)).convert("RGB")
    best = content
    for _ in range(8):
        out = io.BytesIO()
        image.quantize(colors=48).save(out, format="PNG", optimize=True)
        best = out.getvalue()
        if len(best) <= limit:
            return best
        image = image.resize((max(1, int(image.width * 0.8)), max(1, int(image.height * 0.8))), Image.LANCZOS)
    return best


def activity_payload(body: dict, activity_id: str | None = None) -> dict:
    activity = Activity(type="message", summary=body.get("summary"), attachments=[Attachment(**attachment(body["card"]))])
    if body.get("text"):
        activity.text = body["text"]
    if activity_id:
        activity.id = activity_id
    return activity.model_dump(by_alias=True, exclude_none=True, mode="json")


def card_payload(card: dict, summary: str | None = None) -> dict:
    return activity_payload({"summary": summary, "card": card})


class TeamsChat:
    platform = "teams"

    def __init__(
        self,
        *,
        app_id: str | None,
        tenant_id: str | None,
        service_url: str,
        tokens: TokenSource = no_token,
        references: ReferenceLookup | None = None,
        remember_conversation: ConversationMemo | None = None,
        known_service_urls: Callable[[], Awaitable[dict[str, str]]] | None = None,
        host_allowed: Callable[[str], bool] | None = None,
        timeout: float = 10.0,
    ):
        self.app_id = app_id
        self.tenant_id = tenant_id
        self.default_service_url = service_url if service_url.endswith("/") else service_url + "/"
        self.tokens = tokens
        self.references = references
        self.remember_conversation = remember_conversation
        self.known_service_urls = known_service_urls
        self.host_allowed = host_allowed
        self.timeout = timeout
        self._service_urls: dict[str, str] = {}
        self._personal: dict[str, str] = {}  # user id -> 1:1 conversation id
        self._http: aiohttp.ClientSession | None = None
        self.roster = Roster(self)  # the roster calls, paced and retried

    # -- plumbing ---------------------------------------------------------------

    @property
    def bot_id(self) -> str:
        return f"28:{self.app_id}" if self.app_id else "28:dialoogbot"

    def remember(self, conversation_id: str, service_url: str | None) -> None:
        """Every inbound activity tells us where its conversation lives."""
        if conversation_id and service_url:
            self._service_urls[conversation_id.split(";")[0]] = service_url if service_url.endswith("/") else service_url + "/"

    def service_url(self, conversation_id: str) -> str:
        return self._service_urls.get(conversation_id.split(";")[0], self.default_service_url)

    async def _service_url_of(self, conversation_id: str) -> str:
        """Memory first, then the stored references, then the default (global) URL."""
        key = conversation_id.split(";")[0]
        if key not in self._service_urls and self.known_service_urls is not None:
            for conversation, url in (await self.known_service_urls()).items():
                self._service_urls.setdefault(conversation, url if url.endswith("/") else url + "/")
        return self.service_url(key)

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def _request(self, method: str, service_url: str, path: str, op: str, payload: dict | None = None) -> Any:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        token = await self.tokens()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        url = service_url + path.lstrip("/")
        if self.host_allowed is not None and not self.host_allowed(url):
            # Never send our token to a host that is not Microsoft's connector.
            raise ChatError("service_url_not_allowed", permanent=True)
        try:
            async with self._http.request(method, url, json=payload, headers=headers) as response:
                body = await response.text()
                if response.status >= 300:
                    raise to_chat_error(response.status, body, response.headers, op)
                return json.loads(body) if body.strip() else {}
        except aiohttp.ClientConnectorError as exc:  # no connection: the request never left
            raise ChatError(type(exc).__name__, permanent=False) from exc
        except (asyncio.TimeoutError, aiohttp.ClientError) as exc:
            # Sent, but no answer: the connector may have delivered it.  The Bot Framework
            # connector has no way to list a conversation's activities, so there is no
            # find_sent here; the dispatcher sends a message in doubt at most once more.
            raise ChatError(type(exc).__name__, permanent=False, unknown=True) from exc

    async def _post_activity(self, service_url: str, conversation_id: str, payload: dict) -> str:
        response = await self._request("POST", service_url, f"v3/conversations/{conversation_id}/activities", "send", payload)
        return str(response.get("id") or "")

    async def _personal_conversation(self, user_id: str) -> tuple[str, str]:
        """(service URL, 1:1 conversation id) for a user; creates the conversation when needed."""
        ref = await self.references(user_id) if self.references is not None else None
        ref = ref or {}
        service_url = ref.get("serviceUrl") or self.default_service_url
        if not service_url.endswith("/"):
            service_url += "/"
        conversation_id = ref.get("conversationId") or self._personal.get(user_id)
        if conversation_id:
            return service_url, conversation_id
        params = ConversationParameters(
            is_group=False,
            agent=ChannelAccount(id=self.bot_id),
            members=[ChannelAccount(id=user_id)],
            tenant_id=ref.get("tenantId") or self.tenant_id,
            channel_data={"tenant": {"id": ref.get("tenantId") or self.tenant_id}},
        )
        body = params.model_dump(by_alias=True, exclude_none=True, mode="json")
        response = await self._request("POST", service_url, "v3/conversations", "create", body)
        conversation_id = response.get("id")
        if not conversation_id:
            raise ChatError("no_conversation", permanent=False)
        self._personal[user_id] = conversation_id
        self.remember(conversation_id, service_url)
        if self.remember_conversation is not None:
            try:
                await self.remember_conversation(user_id, conversation_id, service_url)
            except Exception:  # remembering is an optimisation; the message matters
                log.exception("could not store a personal conversation")
        return service_url, conversation_id

    # -- the chat port ------------------------------------------------------------

    async def lookup_user(self, email: str) -> str | None:
        """Teams has no look-up by e-mail without Graph: people are matched from the
        team roster (``koppel``) or when they first write to the bot."""
        return None

    async def send_direct(self, user_id: str, message: OutMessage) -> MessageRef:
        service_url, conversation_id = await self._personal_conversation(user_id)
        activity_id = await self._post_activity(service_url, conversation_id, activity_payload(render(message)))
        return MessageRef(conversation_id, activity_id)

    async def update(self, ref: MessageRef, message: OutMessage) -> MessageRef:
        payload = activity_payload(render(message), ref.ts)
        service_url = await self._service_url_of(ref.channel)
        await self._request("PUT", service_url, f"v3/conversations/{ref.channel}/activities/{ref.ts}", "update", payload)
        return ref

    async def post_channel(self, channel: str, message: OutMessage, thread: MessageRef | None = None) -> MessageRef:
        channel = channel.removeprefix("teams:")
        conversation = f"{channel};messageid={thread.ts}" if thread is not None else channel
        activity_id = await self._post_activity(self.service_url(channel), conversation, activity_payload(render(message)))
        return MessageRef(channel, activity_id)

    async def send_file(self, target: str, upload: FileUpload, thread: MessageRef | None = None) -> MessageRef:
        """A file as an inline attachment (Teams bots cannot upload to a chat without Graph):
        images show in the message; other files (a calendar entry) open from it."""
        target = target.removeprefix("teams:")
        if target.startswith("19:"):
            service_url, conversation_id = self.service_url(target), target
        else:
            service_url, conversation_id = await self._personal_conversation(target)
        if thread is not None:
            conversation_id = f"{thread.channel};messageid={thread.ts}"
        mime = mimetypes.guess_type(upload.filename)[0] or "application/octet-stream"
        if upload.filename.endswith(".ics"):
            mime = "text/calendar"
        content = fit_image(upload.content) if mime == "image/png" else upload.content
        data_url = f"data:{mime};base64,{base64.b64encode(content).decode('ascii')}"
        activity = Activity(
            type="message",
            text=upload.comment or upload.title,
            attachments=[Attachment(content_type=mime, content_url=data_url, name=upload.filename)],
        )
        payload = activity.model_dump(by_alias=True, exclude_none=True, mode="json")
        activity_id = await self._post_activity(service_url, conversation_id, payload)
        return MessageRef(conversation_id.split(";")[0], activity_id)

    # -- roster -------------------------------------------------------------------

    async def members_page(self, conversation_id: str, service_url: str | None = None,
                           continuation: str | None = None, size: int = 500) -> tuple[list[dict], str | None]:
        """One page of a team's or chat's members (id, aadObjectId, email,
        userPrincipalName, name) and the token of the next page (None: the last).
        The paged call: Teams retires the unpaged ``.../members``."""
        query = urlencode({"pageSize": size, **({"continuationToken": continuation} if continuation else {})})
        path = f"v3/conversations/{conversation_id}/pagedmembers?{query}"
        response = await self._request("GET", service_url or self.service_url(conversation_id), path, "members")
        return list(response.get("members") or []), response.get("continuationToken") or None

    async def member(self, conversation_id: str, user_id: str, service_url: str | None = None) -> dict | None:
        try:
            return await self._request(
                "GET", service_url or self.service_url(conversation_id), f"v3/conversations/{conversation_id}/members/{user_id}", "members"
            )
        except ChatError as exc:
            if exc.permanent:
                return None
            raise
