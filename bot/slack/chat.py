"""The Slack implementation of the chat port."""

from __future__ import annotations

import asyncio
import json

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.chat import ChatError, FileUpload, MessageRef, OutMessage
from bot.slack.blocks import render

# Errors that will not go away by trying again: the row is marked failed and the
# trekker sees it.  Everything else (5xx, timeouts, auth hiccups) is retried.
PERMANENT = {
    "users_not_found",
    "user_not_found",
    "user_disabled",
    "account_inactive",
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "cannot_dm_bot",
    "invalid_blocks",
    "invalid_arguments",
    "msg_too_long",
    "no_text",
    "message_not_found",
    "cant_update_message",
    "edit_window_closed",
    "file_upload_failed",
    "restricted_action",
}


# Slack refuses the token itself: no call will work until someone fixes the setting.
TOKEN_REFUSED = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
UNREACHABLE = "unreachable"  # no connection to Slack at all (DNS, refused, no network)
# Slack takes the token but will not let this app do the call (users.lookupByEmail's
# documented errors): the same for every person, until the app or workspace is changed.
NOT_ALLOWED = {"missing_scope", "not_allowed_token_type", "no_permission", "ekm_access_denied",
               "team_access_not_granted", "enterprise_is_restricted", "org_login_required"}

OUTBOX_EVENT = "dialoogbot_outbox"  # message metadata: which outbox row a message came from


def _to_chat_error(exc: SlackApiError) -> ChatError:
    response = exc.response
    status = getattr(response, "status_code", 200)
    error = (response.get("error") if hasattr(response, "get") else None) or f"http_{status}"
    if status == 429:
        raw = response.headers.get("Retry-After") or response.headers.get("retry-after") or "1"
        try:
            retry_after = float(raw)
        except ValueError:
            retry_after = 1.0
        return ChatError("ratelimited", permanent=False, retry_after=max(1.0, retry_after))
    if status >= 500:
        return ChatError(f"http_{status}", permanent=False)
    return ChatError(error, permanent=error in PERMANENT)


class SlackChat:
    platform = "slack"

    def __init__(self, client: AsyncWebClient, timeout: float = 10.0):
        self.client = client
        self.timeout = timeout
        self._dm: dict[str, str] = {}  # user id -> DM channel id, learnt from posts and conversations.open

    async def _call(self, method: str, **kwargs):
        # slack_sdk sends JSON bodies to chat.* and views.*, form bodies elsewhere.
        body = {"json": kwargs} if method.startswith(("chat.", "views.")) else {"data": kwargs}
        try:
            return await asyncio.wait_for(self.client.api_call(method, **body), self.timeout)
        except SlackApiError as exc:
            raise _to_chat_error(exc) from exc
        except aiohttp.ClientConnectorError as exc:  # no connection: the request never left
            raise ChatError(UNREACHABLE, permanent=False) from exc
        except (asyncio.TimeoutError, aiohttp.ClientError) as exc:
            # Sent, but no answer (timeout, reset, cut-off body): Slack may have carried it out.
            raise ChatError(type(exc).__name__, permanent=False, unknown=True) from exc

    async def check_token(self) -> str:
        """``auth.test``: "ok", the refusal ("invalid_auth", ...) or "unreachable"."""
        try:
            await self._call("auth.test")
        except ChatError as exc:
            if exc.code in TOKEN_REFUSED:
                return exc.code
            return UNREACHABLE if exc.code == UNREACHABLE or not exc.permanent else exc.code
        return "ok"

    async def lookup_user(self, email: str) -> str | None:
        try:
            response = await self._call("users.lookupByEmail", email=email)
        except ChatError as exc:
            if exc.code in ("users_not_found", "user_not_found"):
                return None
            raise
        user = response.get("user") or {}
        if user.get("deleted"):
            return None
        return user.get("id")

    async def send_direct(self, user_id: str, message: OutMessage) -> MessageRef:
        return await self.post_channel(user_id, message)

    async def update(self, ref: MessageRef, message: OutMessage) -> MessageRef:
        body = render(message)
        response = await self._call("chat.update", channel=ref.channel, ts=ref.ts, **body)
        return MessageRef(response.get("channel", ref.channel), response.get("ts", ref.ts))

    async def post_channel(self, channel: str, message: OutMessage, thread: MessageRef | None = None) -> MessageRef:
        body = render(message)
        if thread is not None:
            body["thread_ts"] = thread.ts
        if message.key:
            body["metadata"] = {"event_type": OUTBOX_EVENT, "event_payload": {"key": message.key}}
        try:
            response = await self._call("chat.postMessage", channel=channel, unfurl_links=False, unfurl_media=False, **body)
        except ChatError as exc:
            if exc.code != "not_in_channel" or not await self._join(channel):
                raise
            response = await self._call("chat.postMessage", channel=channel, unfurl_links=False, unfurl_media=False, **body)
        if channel.startswith(("U", "W")):
            self._dm[channel] = response["channel"]
        return MessageRef(response["channel"], response["ts"])

    async def _join(self, channel: str) -> bool:
        """Join a public channel the bot is not in (scope channels:join). False when it
        cannot: a private channel needs an ``/invite @Dialoogbot`` by a member."""
        channel_id = await self._channel_id(channel) if channel.startswith("#") else channel
        if channel_id is None:
            return False
        try:
            await self._call("conversations.join", channel=channel_id)
        except ChatError as exc:
            if exc.permanent or exc.code in ("method_not_supported_for_channel_type", "missing_scope"):
                return False
            raise
        return True

    async def _channel_id(self, name: str) -> str | None:
        """The id of a public channel by "#name" (conversations.list; join needs the id)."""
        cursor = None
        for _ in range(50):  # 50 pages of 200: 10,000 channels
            page = await self._call("conversations.list", types="public_channel", exclude_archived="true",
                                    limit=200, **({"cursor": cursor} if cursor else {}))
            for item in page.get("channels") or []:
                if item.get("name") == name[1:]:
                    return item["id"]
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        return None

    async def find_sent(self, target: str, key: str, pace=None) -> MessageRef | None:
        """The message posted earlier for outbox ``key`` (its metadata), among the newest in
        the conversation.  ``pace(method)`` is awaited before each call (both are Tier 3)."""
        channel = self._dm.get(target)
        if channel is None:
            if pace is not None and target.startswith(("U", "W")):
                await pace("conversations.open")
            channel = await self._channel_for(target)
        if pace is not None:
            await pace("conversations.history")
        response = await self._call("conversations.history", channel=channel, limit=100, include_all_metadata="true")
        for item in response.get("messages") or []:
            metadata = item.get("metadata") or {}
            if metadata.get("event_type") == OUTBOX_EVENT and (metadata.get("event_payload") or {}).get("key") == key:
                return MessageRef(channel, item["ts"])
        return None

    async def _channel_for(self, target: str) -> str:
        if target.startswith(("U", "W")):
            if target not in self._dm:
                response = await self._call("conversations.open", users=target)
                self._dm[target] = response["channel"]["id"]
            return self._dm[target]
        return target

    async def send_file(self, target: str, upload: FileUpload, thread: MessageRef | None = None) -> MessageRef:
        """File upload v2: get an upload URL, POST the bytes, complete into the channel."""
        channel = thread.channel if thread is not None else await self._channel_for(target)
        ticket = await self._call("files.getUploadURLExternal", filename=upload.filename, length=len(upload.content), **({"alt_txt": upload.alt_text} if upload.alt_text else {}))
        try:
            async with aiohttp.ClientSession() as http:
                async with http.post(ticket["upload_url"], data=upload.content, timeout=aiohttp.ClientTimeout(total=self.timeout)) as resp:
                    if resp.status != 200:
                        raise ChatError(f"upload_http_{resp.status}", permanent=resp.status < 500)
        except (asyncio.TimeoutError, aiohttp.ClientError) as exc:
            raise ChatError(type(exc).__name__, permanent=False) from exc
        args = {"files": json.dumps([{"id": ticket["file_id"], "title": upload.title}]), "channel_id": channel}
        if upload.comment:
            args["initial_comment"] = upload.comment
        if thread is not None:
            args["thread_ts"] = thread.ts
        await self._call("files.completeUploadExternal", **args)
        return MessageRef(channel, ticket["file_id"])

