"""Slack test doubles: a Web API emulator and a driver that plays Slack towards the bot.

    from tests.slack_emulator import SlackEmulator, SlackDriver
"""
from . import limits
from .driver import Response, SlackDriver, build_state_values, find_element
from .server import Call, Channel, Ephemeral, Message, ResponsePost, SlackEmulator

__all__ = [
    "SlackEmulator", "SlackDriver", "Response", "Call", "Channel", "Message", "Ephemeral", "ResponsePost",
    "build_state_values", "find_element", "limits",
]
