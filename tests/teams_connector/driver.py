"""Drive the real bot as Teams does: post Teams-shaped activities to ``/api/messages``
(messages, ``Action.Submit`` messages, ``adaptiveCard/action`` invokes,
``conversationUpdate`` on install) with ``serviceUrl`` pointing at the fake connector.
Clicking uses the buttons the bot actually sent."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

import aiohttp

from tests.teams_connector.server import FakeConnector, Posted, card_actions

BOT_ID = "28:dialoogbot"
BOT_NAME = "Dialoogbot"


@dataclass
class Response:
    status: int
    body: Any
    replies: list[Posted]  # what the bot posted while handling the request

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.replies)

    @property
    def card(self) -> dict | None:
        """The card an invoke answered with (Teams shows it in place of the clicked one)."""
        if isinstance(self.body, dict) and self.body.get("type") == "application/vnd.microsoft.card.adaptive":
            return self.body.get("value")
        return None

    @property
    def message(self) -> str | None:
        if isinstance(self.body, dict) and self.body.get("type") == "application/vnd.microsoft.activity.message":
            return self.body.get("value")
        return None


class TeamsDriver:
    def __init__(self, url: str, connector: FakeConnector, tenant_id: str = "tenant-1"):
        self.url = url
        self.connector = connector
        self.tenant_id = tenant_id
        self._ids = itertools.count(1)
        self._http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> "TeamsDriver":
        self._http = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc) -> None:
        await self._http.close()

    # -- building activities ------------------------------------------------------------

    def _account(self, user_id: str) -> dict:
        member = self.connector.users.get(user_id, {"id": user_id, "name": "Onbekend"})
        return {"id": user_id, "name": member.get("name"), "aadObjectId": member.get("aadObjectId")}

    def _base(self, user_id: str, kind: str, conversation: dict, **extra: Any) -> dict:
        activity = {
            "type": kind,
            "id": f"in-{next(self._ids)}",
            "channelId": "msteams",
            "serviceUrl": self.connector.url,
            "from": self._account(user_id),
            "recipient": {"id": BOT_ID, "name": BOT_NAME},
            "conversation": conversation,
            "channelData": {"tenant": {"id": self.tenant_id}},
            "locale": "nl-NL",
        }
        activity.update(extra)
        return activity

    def personal(self, user_id: str) -> dict:
        return {"id": self.connector.personal_conversation(user_id), "conversationType": "personal", "tenantId": self.tenant_id}

    def channel(self, channel_id: str, root: str | None = None) -> dict:
        conversation_id = f"{channel_id};messageid={root}" if root else channel_id
        return {"id": conversation_id, "conversationType": "channel", "isGroup": True, "tenantId": self.tenant_id}

    @staticmethod
    def channel_data(team_id: str, channel_id: str, tenant_id: str) -> dict:
        return {
            "tenant": {"id": tenant_id},
            "team": {"id": team_id, "name": "Team hitteplan"},
            "channel": {"id": channel_id, "name": "Algemeen"},
        }

    # -- sending --------------------------------------------------------------------------

    async def post(self, activity: dict, headers: dict[str, str] | None = None) -> Response:
        before = len(self.connector.posted)
        async with self._http.post(self.url, data=json.dumps(activity), headers={"Content-Type": "application/json", **(headers or {})}) as r:
            raw = await r.text()
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw
            return Response(r.status, body, self.connector.posted[before:])

    async def message(self, user_id: str, text: str, *, team: str | None = None, channel: str | None = None) -> Response:
        """A command typed in the personal chat, or in a channel with an @mention."""
        if channel is None:
            return await self.post(self._base(user_id, "message", self.personal(user_id), text=text, textFormat="plain"))
        mention = f"<at>{BOT_NAME}</at>"
        activity = self._base(
            user_id,
            "message",
            self.channel(channel, root=f"root-{next(self._ids)}"),
            text=f"{mention} {text}",
            textFormat="plain",
            entities=[{"type": "mention", "text": mention, "mentioned": {"id": BOT_ID, "name": BOT_NAME}}],
            channelData=self.channel_data(team or channel, channel, self.tenant_id),
        )
        return await self.post(activity)

    async def install(self, user_id: str) -> Response:
        """The person adds the app in Teams: a conversationUpdate in the 1:1 chat."""
        activity = self._base(user_id, "conversationUpdate", self.personal(user_id), membersAdded=[{"id": BOT_ID}])
        return await self.post(activity)

    async def install_in_team(self, user_id: str, team: str) -> Response:
        activity = self._base(
            user_id, "conversationUpdate", self.channel(team), membersAdded=[{"id": BOT_ID}],
            channelData=self.channel_data(team, team, self.tenant_id),
        )
        return await self.post(activity)

    # -- buttons ----------------------------------------------------------------------------

    @staticmethod
    def action(card: dict, title: str) -> dict:
        matches = [a for a in card_actions(card) if a.get("title") == title]
        assert matches, f"no button {title!r} in {[a.get('title') for a in card_actions(card)]}"
        return matches[0]

    def _conversation_of(self, posted: Posted, user_id: str) -> dict:
        if posted.conversation_id.startswith("19:"):
            return self.channel(posted.conversation_id, posted.thread or posted.activity_id)
        # Nobody can press a button in someone else's 1:1 chat: a stranger's attempt is a
        # replay of the card's data from their own chat.
        return self.personal(user_id) if self.connector.personal.get(user_id) != posted.conversation_id and \
            posted.conversation_id in self.connector.personal.values() else \
            {"id": posted.conversation_id, "conversationType": "personal", "tenantId": self.tenant_id}

    async def execute(self, user_id: str, posted: Posted, title: str, inputs: dict | None = None, *,
                      card: dict | None = None, data: dict | None = None) -> Response:
        """Press an ``Action.Execute`` button: an ``adaptiveCard/action`` invoke.  Like
        Teams, a card in the answer replaces the message's card."""
        action = self.action(card or posted.card, title)
        assert action["type"] == "Action.Execute", action
        payload = {**action.get("data", {}), **(inputs or {}), **(data or {})}
        activity = self._base(
            user_id,
            "invoke",
            self._conversation_of(posted, user_id),
            name="adaptiveCard/action",
            replyToId=posted.activity_id,
            value={"action": {"type": "Action.Execute", "verb": action["verb"], "data": payload}, "trigger": "manual"},
        )
        response = await self.post(activity)
        if response.card is not None:
            posted.history.append(posted.activity)
            posted.activity = {**posted.activity, "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": response.card}]}
        return response

    async def submit(self, user_id: str, posted: Posted, title: str, inputs: dict | None = None, *,
                     card: dict | None = None, data: dict | None = None) -> Response:
        """Press the same button on a client without ``Action.Execute``: its
        ``Action.Submit`` fallback, a message whose value holds the data and inputs."""
        action = self.action(card or posted.card, title)
        fallback = action.get("fallback") if action["type"] == "Action.Execute" else action
        assert isinstance(fallback, dict) and fallback.get("type") == "Action.Submit", action
        value = {**fallback.get("data", {}), **(inputs or {}), **(data or {})}
        activity = self._base(user_id, "message", self._conversation_of(posted, user_id), replyToId=posted.activity_id, value=value)
        return await self.post(activity)
