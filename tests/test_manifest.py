"""The Slack app manifest."""

from __future__ import annotations

import pytest
import yaml

from bot.manifest import build_manifest, manifest_yaml

URL = "https://dialoog.example.nl"


def all_values(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from all_values(value)
    elif isinstance(node, list):
        for value in node:
            yield from all_values(value)
    else:
        yield node


def test_http_mode_points_everything_at_slack_events():
    manifest = build_manifest(URL + "/", socket_mode=False)
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/dialoog"
    assert command["url"] == URL + "/slack/events"
    assert "uitnodigen <sessie>" in command["usage_hint"]
    assert command["usage_hint"].startswith("help | uitnodigen <sessie> | status")
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["request_url"] == URL + "/slack/events"
    assert settings["interactivity"] == {"is_enabled": True, "request_url": URL + "/slack/events"}
    assert settings["socket_mode_enabled"] is False
    assert settings["org_deploy_enabled"] is False
    assert settings["token_rotation_enabled"] is False


def test_events_and_scopes():
    manifest = build_manifest(URL, socket_mode=False)
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == [
        "app_home_opened",
        "message.im",
    ]
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    for scope in ["chat:write", "im:write", "im:history", "users:read", "users:read.email",
                  "files:write", "commands", "channels:read", "groups:read"]:
        assert scope in scopes
    assert "chat:write.public" not in scopes
    assert len(scopes) == len(set(scopes))


def test_features():
    manifest = build_manifest(None, socket_mode=True, name="Klimaatbot")
    assert manifest["display_information"]["name"] == "Klimaatbot"
    assert 0 < len(manifest["display_information"]["description"]) <= 140
    assert manifest["features"]["bot_user"] == {"display_name": "Klimaatbot", "always_online": True}
    assert manifest["features"]["app_home"] == {
        "home_tab_enabled": True,
        "messages_tab_enabled": True,
        "messages_tab_read_only_enabled": False,
    }


def test_socket_mode_has_no_urls():
    manifest = build_manifest(URL, socket_mode=True)
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert not any(isinstance(v, str) and v.startswith("http") for v in all_values(manifest))
    (command,) = manifest["features"]["slash_commands"]
    assert "url" not in command and command["command"] == "/dialoog"
    assert "request_url" not in manifest["settings"]["event_subscriptions"]
    assert manifest["settings"]["interactivity"] == {"is_enabled": True}


def test_http_mode_needs_a_public_url():
    with pytest.raises(ValueError, match="PUBLIC_URL"):
        build_manifest(None, socket_mode=False)


def test_yaml_round_trips_in_order_with_unicode():
    text = manifest_yaml(URL, socket_mode=False, name="Dialoogbot é")
    assert yaml.safe_load(text) == build_manifest(URL, socket_mode=False, name="Dialoogbot é")
    assert "é" in text
    assert text.startswith("display_information:")
