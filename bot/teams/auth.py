"""Credentials for Teams, from the settings.

Inbound: the Agents SDK's JWT middleware validates the Bot Framework token on
``POST /api/messages`` with an ``AgentAuthConfiguration`` built here.  Outbound:
a *token source* (an async callable returning a bearer token, or ``""``) gives the
token for the connector: MSAL (client secret or certificate) in production, nothing
in anonymous mode, a fixed token in tests.
"""

from __future__ import annotations

import logging
from typing import Awaitable, Callable

from microsoft_agents.hosting.core import AgentAuthConfiguration, AuthTypes

from bot.settings import Settings

log = logging.getLogger("dialoogbot.teams")

TokenSource = Callable[[], Awaitable[str]]

CONNECTOR_RESOURCE = "https://api.botframework.com"
CONNECTOR_SCOPE = "https://api.botframework.com/.default"


def auth_configuration(settings: Settings) -> AgentAuthConfiguration:
    """What the JWT middleware checks: the app id (audience) and tenant; anonymous only on request."""
    if settings.teams_anonymous:
        return AgentAuthConfiguration(anonymous_allowed=True)
    auth_type = AuthTypes.certificate if settings.teams_certificate_file and not settings.teams_app_password else AuthTypes.client_secret
    return AgentAuthConfiguration(
        auth_type=auth_type,
        client_id=settings.teams_app_id,
        tenant_id=settings.teams_tenant_id,
        client_secret=settings.teams_app_password,
        cert_pfx_file=settings.teams_certificate_file,
        anonymous_allowed=False,
    )


async def no_token() -> str:
    return ""


def fixed_token(token: str) -> TokenSource:
    """For tests: every outbound call carries ``Bearer <token>``."""

    async def source() -> str:
        return token

    return source


def msal_token(settings: Settings) -> TokenSource:
    """A token for the Bot Framework connector from Entra ID (MSAL caches and renews it)."""
    from microsoft_agents.authentication.msal import MsalAuth

    provider = MsalAuth(auth_configuration(settings))

    async def source() -> str:
        return await provider.get_access_token(CONNECTOR_RESOURCE, [CONNECTOR_SCOPE])

    return source


def token_source(settings: Settings) -> TokenSource:
    if settings.teams_anonymous:
        return no_token
    return msal_token(settings)


def warn_if_anonymous(settings: Settings) -> None:
    if settings.teams_anonymous:
        banner = "!" * 78
        message = (
            "TEAMS_ANONYMOUS=true: /api/messages accepts requests WITHOUT any token check and the bot sends "
            "without credentials. Only for local tests against an emulator; never expose this to the internet."
        )
        log.warning("%s\n%s\n%s", banner, message, banner)
        print(f"{banner}\nWARNING: {message}\n{banner}", flush=True)


def host_validator(settings: Settings):
    """Which service URLs the bot talks to (and accepts in activities): Microsoft's
    connector hosts and the host of ``TEAMS_SERVICE_URL``, over https.  On in production,
    so an activity cannot steer our token to another host; off in anonymous mode and
    when ``TEAMS_SERVICE_URL`` is a plain-http emulator (tests)."""
    from urllib.parse import urlparse

    from microsoft_agents.hosting.core import OutboundHostValidator

    url = urlparse(settings.teams_service_url)
    enabled = not settings.teams_anonymous and url.scheme == "https"
    return OutboundHostValidator([url.hostname] if url.hostname else None, enabled=enabled)
