"""The Slack app manifest (paste it at https://api.slack.com/apps -> "From a manifest").

In HTTP mode every request URL is ``<public_url>/slack/events`` (events, interactivity
and the slash command share one endpoint).  In Socket Mode the manifest has no URLs
at all: Slack delivers everything over the WebSocket.
"""

from __future__ import annotations

from typing import Any

import yaml

EVENTS_PATH = "/slack/events"

BOT_SCOPES = [
    "chat:write",
    "im:write",
    "im:history",
    "users:read",
    "users:read.email",
    "files:write",
    "commands",
    "channels:read",
    "channels:join",
    "groups:read",
]

BOT_EVENTS = ["app_home_opened", "message.im"]


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
        request_url = public_url.rstrip("/") + EVENTS_PATH

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
