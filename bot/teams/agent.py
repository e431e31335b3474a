"""The Teams side of the process: one Agents SDK ``AgentApplication`` behind the SDK's
``CloudAdapter``, served at ``POST /api/messages`` by an aiohttp sub-application that
carries the SDK's JWT middleware (so the token check guards ``/api/messages`` only,
never ``/healthz`` or ``/slack/events``).

Replies within a turn (answers to commands, card updates after ``Action.Submit``) go
through the SDK's connector client, with the same token source as the outbound
``TeamsChat``.  The bot keeps no conversation state in the SDK: everything lives in the
database, so the turn state has no storage scopes.
"""

from __future__ import annotations

import logging
import uuid
import warnings
from dataclasses import dataclass

from aiohttp import web
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_middleware, start_agent_process
from microsoft_agents.hosting.core import (
    AgentApplication,
    AgentAuthConfiguration,
    AnonymousTokenProvider,
    MemoryStorage,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.connector.client import UserTokenClient
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

from bot.context import Context
from bot.teams.auth import TokenSource
from bot.teams.chat import TeamsChat
from bot.teams.edge import malformed

log = logging.getLogger("dialoogbot.teams")

AGENT_KEY: web.AppKey["TeamsApp"] = web.AppKey("teams_app")


class _Tokens(AnonymousTokenProvider):
    """The SDK's token-provider interface over our token source."""

    def __init__(self, tokens: TokenSource, configuration: AgentAuthConfiguration):
        self._tokens = tokens
        self._configuration = configuration

    @property
    def configuration(self) -> AgentAuthConfiguration:
        return self._configuration

    async def get_access_token(self, resource_url: str, scopes: list[str], force_refresh: bool = False) -> str:
        return await self._tokens()


class _Connections:
    """One connection: ours (the SDK asks a connection manager for token providers)."""

    def __init__(self, provider: _Tokens):
        self._provider = provider

    def get_connection(self, connection_name: str | None = None) -> _Tokens:
        return self._provider

    def get_default_connection(self) -> _Tokens:
        return self._provider

    def get_token_provider(self, claims_identity, service_url: str) -> _Tokens:
        return self._provider

    def get_token_provider_from_activity(self, claims_identity, activity) -> _Tokens:
        return self._provider

    def get_default_connection_configuration(self) -> AgentAuthConfiguration:
        return self._provider.configuration


class _ClientFactory:
    """Connector clients for replies within a turn, with our token."""

    def __init__(self, tokens: TokenSource, app_id: str | None):
        self._tokens = tokens
        self._app_id = app_id or "anonymous"

    async def create_connector_client(self, context, claims_identity, service_url, audience, scopes=None, use_anonymous=False):
        return TeamsConnectorClient(endpoint=service_url, token=await self._tokens())

    async def create_user_token_client(self, context, claims_identity, use_anonymous=False):
        return UserTokenClient(app_id=self._app_id, endpoint="https://api.botframework.com", token="")


@dataclass
class TeamsApp:
    agent: AgentApplication
    adapter: CloudAdapter
    chat: TeamsChat
    auth_config: AgentAuthConfiguration

    def web_subapp(self) -> web.Application:
        """Mounted at ``/api``: ``POST /api/messages`` behind the JWT middleware."""
        sub = web.Application(middlewares=[jwt_authorization_middleware])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", web.NotAppKeyWarning)
            sub["agent_configuration"] = self.auth_config  # the key the SDK's middleware reads
        sub[AGENT_KEY] = self
        sub.router.add_post("/messages", messages_endpoint)
        return sub


async def messages_endpoint(request: web.Request) -> web.StreamResponse:
    teams: TeamsApp = request.app[AGENT_KEY]
    problem = malformed(await request.read())
    if problem is not None:
        log.info("teams request refused (400): %s", problem)
        return web.Response(status=400)
    return await start_agent_process(request, teams.agent, teams.adapter)



def build_teams_app(
    ctx: Context, chat: TeamsChat, tokens: TokenSource, auth_config: AgentAuthConfiguration, register_routes
) -> TeamsApp:
    """The Teams agent; ``register_routes(agent, ctx, chat)`` adds the routes (bot.app
    passes ``handlers.teams.register_all``: the core never imports the adapters)."""
    from bot.teams.auth import host_validator

    provider = _Tokens(tokens, auth_config)
    adapter = CloudAdapter(
        channel_service_client_factory=_ClientFactory(tokens, ctx.settings.teams_app_id),
        host_validator=host_validator(ctx.settings),
    )
    agent = AgentApplication[TurnState](
        storage=MemoryStorage(),
        connection_manager=_Connections(provider),
        start_typing_timer=False,
        remove_recipient_mention=True,
        turn_state_factory=TurnState,
    )

    async def on_turn_error(context: TurnContext, error: Exception) -> None:
        await tell_error(context, error)

    adapter.on_turn_error = on_turn_error
    agent.error(tell_error)
    register_routes(agent, ctx, chat)
    return TeamsApp(agent=agent, adapter=adapter, chat=chat, auth_config=auth_config)


async def tell_error(context: TurnContext, error: Exception) -> None:
    """One error handler: log with a correlation id, tell the user something useful."""
    from bot.teams.cards.common import card, text
    from bot.teams.surface import card_reply
    from bot.teams.text import translator

    code = uuid.uuid4().hex[:8]
    log.error("error %s while handling a Teams %s: %r", code, context.activity.type, error, exc_info=error)
    message = translator("nl")("command.error", code=code)
    try:
        if context.activity.type == "invoke":
            from microsoft_agents.activity import AdaptiveCardInvokeResponse, InvokeResponse

            from bot.teams.text import plain

            body = AdaptiveCardInvokeResponse(status_code=200, type="application/vnd.microsoft.activity.message", value=plain(message))
            await context.send_activity(
                Activity(type="invokeResponse", value=InvokeResponse(status=200, body=body.model_dump(mode="json", by_alias=True, exclude_none=True)))
            )
        else:
            await context.send_activity(card_reply(context, card(text(message)), message))
    except Exception:  # the user could not be told; the log has it
        log.warning("could not tell the Teams user about error %s", code)
