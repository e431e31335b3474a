"""The Slack app manifest (paste it at https://api.slack.com/apps -> "From a manifest").

In HTTP mode every request URL is ``<public_url>/slack/events`` (events, interactivity
and the slash command share one endpoint).  In Socket Mode the manifest has no URLs
at all: Slack delivers everything over the WebSocket.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import yaml

EVENTS_PATH = "/slack/events"

# Exactly what the bot uses (tests/test_manifest.py derives it from the code):
BOT_SCOPES = [
    "chat:write",  # chat.postMessage, chat.update
    "im:write",  # conversations.open (a DM with one person)
    "im:history",  # conversations.history in DMs (crash recovery), the message.im event
    "channels:history",  # conversations.history in public status channels (crash recovery)
    "groups:history",  # conversations.history in private status channels (crash recovery)
    "channels:join",  # conversations.join: the bot joins a public status channel itself
    "channels:read",  # conversations.list: the id of a public "#name" status channel, to join it
    "users:read",  # Slack grants users:read.email only together with users:read
    "users:read.email",  # users.lookupByEmail
    "files:write",  # files.getUploadURLExternal, files.completeUploadExternal
    "commands",  # the /dialoog slash command
]

BOT_EVENTS = ["app_home_opened", "message.im"]


def uses_socket_mode(public_url: str | None, app_token: str | None = None, socket: bool = False) -> bool:
    """The one rule for the Slack mode, shared by ``manifest`` and the start-up steps:
    Socket Mode when asked for, when an app-level token is set (``serve`` then connects
    over the WebSocket), or when there is no public URL; HTTP otherwise."""
    return socket or bool(app_token) or not public_url


def is_https_url(url: str) -> bool:
    """Slack takes only ``https://`` request URLs (with a host)."""
    parts = urlparse(url)
    return parts.scheme == "https" and bool(parts.hostname)


def events_url(public_url: str) -> str:
    return public_url.rstrip("/") + EVENTS_PATH


def build_manifest(
    public_url: str | None, socket_mode: bool, name: str = "Dialoogbot"
) -> dict[str, Any]:
    """The manifest as a dict.  HTTP mode needs *public_url* (ValueError without)."""
    request_url: str | None = None
    if not socket_mode:
        if not public_url:
            raise ValueError(
                "PUBLIC_URL is needed for the manifest in HTTP mode "
                "(or set SLACK_APP_TOKEN to use Socket Mode)"
            )
        request_url = events_url(public_url)

    def with_url(section: dict[str, Any], key: str = "url") -> dict[str, Any]:
        if request_url:
            section[key] = request_url
        return section

    command = with_url({"command": "/dialoog"})
    command["description"] = "Risicodialoog: uitnodigingen, herinneringen, evaluaties en status"
    command["usage_hint"] = "help | uitnodigen <sessie> | status | herinneren | evaluatie <sessie> | mijn"
    command["should_escape"] = False

    return {
        "display_information": {
            "name": name,
            "description": "Begeleidt de risicodialoog klimaatadaptatie: uitnodigingen, "
            "afspraken, evaluaties en de stand van zaken.",
            "background_color": "#1f5f4a",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": name, "always_online": True},
            "slash_commands": [command],
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": with_url({}, "request_url") | {"bot_events": list(BOT_EVENTS)},
            "interactivity": with_url({"is_enabled": True}, "request_url"),
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }


def manifest_yaml(public_url: str | None, socket_mode: bool, name: str = "Dialoogbot") -> str:
    """The manifest as YAML, in the order Slack's own editor shows it."""
    return yaml.safe_dump(
        build_manifest(public_url, socket_mode, name), sort_keys=False, allow_unicode=True
    )
