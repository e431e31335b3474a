"""The Slack app manifest."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import yaml

from bot.cli import setup_steps
from bot.manifest import build_manifest, manifest_yaml
from bot.settings import load_settings
from tests.conftest import ROOT

URL = "https://dialoog.example.nl"

# Every Slack Web API method the bot calls, and the bot-token scopes it needs
# (docs.slack.dev/reference/methods/<method>, "Scopes").
METHOD_SCOPES = {
    "chat.postMessage": {"chat:write"},
    "chat.update": {"chat:write"},
    "conversations.open": {"im:write"},  # a DM with one person; no group DMs (mpim:write)
    # Crash recovery reads back DMs and status channels (public or private); never group DMs.
    "conversations.history": {"im:history", "channels:history", "groups:history"},
    "conversations.join": {"channels:join"},
    "conversations.list": {"channels:read"},  # public channels only: a "#name" status channel's id
    "auth.test": set(),  # the start-up check of the token
    # users:read.email: Slack grants it only together with users:read.
    "users.lookupByEmail": {"users:read.email", "users:read"},
    "files.getUploadURLExternal": {"files:write"},
    "files.completeUploadExternal": {"files:write"},
    "views.open": set(),
    "views.update": set(),
    "views.publish": set(),
}
PLANNED: set[str] = set()
# Scopes for features rather than methods: the slash command, the message.im event.
FEATURE_SCOPES = {"commands", "im:history"}
CALL_PATTERNS = [
    re.compile(r"""(?:_call|api_call)\(\s*["']([a-z]+\.[A-Za-z]+)["']"""),  # SlackChat._call("chat.update", ...)
    re.compile(r"\bclient\.(?!api_call)([a-z]+)_([A-Za-z]+)\("),  # client.views_open(...)
]
CODE = ["bot", "handlers", "scheduling"]


def called_methods() -> set[str]:
    methods = set()
    for folder in CODE:
        for path in (ROOT / folder).rglob("*.py"):
            if {"teams", "mail"} & set(path.relative_to(ROOT).parts):
                continue  # not Slack: the Teams connector, SMTP
            source = path.read_text(encoding="utf-8")
            for pattern in CALL_PATTERNS:
                for match in pattern.finditer(source):
                    methods.add(".".join(match.groups()))
    return methods


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


def test_events():
    manifest = build_manifest(URL, socket_mode=False)
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == [
        "app_home_opened",
        "message.im",
    ]


def test_the_scopes_are_exactly_what_the_code_calls():
    called = called_methods()
    # The scan finds the calls (else this test proves nothing).
    assert {"chat.postMessage", "conversations.history", "users.lookupByEmail", "views.publish"} <= called
    unknown = called - set(METHOD_SCOPES)
    assert not unknown, f"add these methods and their scopes to METHOD_SCOPES: {sorted(unknown)}"
    needed = set(FEATURE_SCOPES)
    for method in called | PLANNED:
        needed |= METHOD_SCOPES[method]
    scopes = build_manifest(URL, socket_mode=False)["oauth_config"]["scopes"]["bot"]
    assert len(scopes) == len(set(scopes))
    assert set(scopes) == needed


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


def cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_"))}
    clean.update({"SLACK_BOT_TOKEN": "", "SLACK_SIGNING_SECRET": "", "SLACK_APP_TOKEN": "", "PUBLIC_URL": ""})
    clean.update({"PYTHONPATH": str(ROOT), **env})
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=ROOT,
                          env=clean, timeout=60)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_without_public_url_the_steps_and_the_manifest_say_socket_mode(lang):
    result = cli("manifest")
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout)["settings"]["socket_mode_enabled"] is True

    steps = setup_steps(load_settings({}), lang)
    assert "python -m bot manifest" in steps
    assert "Socket Mode" in steps and "connections:write" in steps
    assert "SLACK_APP_TOKEN" in steps and "SLACK_BOT_TOKEN" in steps
    assert "SLACK_SIGNING_SECRET" not in steps and "/slack/events" not in steps
    assert ": SLACK_BOT_TOKEN, SLACK_APP_TOKEN." in steps  # what is missing, for this mode


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_with_public_url_the_steps_and_the_manifest_say_http(lang):
    result = cli("manifest", PUBLIC_URL=URL + "/")
    assert result.returncode == 0, result.stderr
    settings = yaml.safe_load(result.stdout)["settings"]
    assert settings["socket_mode_enabled"] is False
    assert settings["event_subscriptions"]["request_url"] == URL + "/slack/events"

    steps = setup_steps(load_settings({"PUBLIC_URL": URL + "/", "SLACK_BOT_TOKEN": "xoxb-1"}), lang)
    assert "python -m bot manifest" in steps
    assert URL + "/slack/events" in steps
    assert "SLACK_SIGNING_SECRET" in steps and "SLACK_BOT_TOKEN" in steps
    assert "connections:write" not in steps and "SLACK_APP_TOKEN" not in steps
    assert ": SLACK_SIGNING_SECRET." in steps  # the bot token is there already


def test_an_app_level_token_means_socket_mode_as_serve_uses_it():
    result = cli("manifest", PUBLIC_URL=URL, SLACK_APP_TOKEN="xapp-1")
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout)["settings"]["socket_mode_enabled"] is True


@pytest.mark.parametrize("url", ["http://dialoog.example.nl", "dialoog.example.nl", "https://"])
def test_manifest_refuses_a_url_without_https(url):
    result = cli("manifest", "--url", url)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip() == f"Slack wil een adres dat met https:// begint. Dit adres klopt niet: {url}"
    assert "Traceback" not in result.stderr


def test_public_url_without_https_is_refused_for_http_mode_too():
    result = cli("manifest", PUBLIC_URL="http://dialoog.example.nl")
    assert result.returncode == 2
    assert "https://" in result.stderr and result.stdout == ""
