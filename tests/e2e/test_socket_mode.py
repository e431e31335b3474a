"""The bot in Socket Mode, end to end: slack_sdk's own Socket Mode client connects to the
emulator's WebSocket (found through apps.connections.open at SLACK_API_URL) and gets
its interactions and slash commands as envelopes, which it acknowledges."""

from __future__ import annotations

import pytest

from bot.serve import connect_socket_mode
from tests.e2e.conftest import AMB_LINDE, TREKKER, full_text, invitation_of, invitations_to, reply_text
from tests.e2e.test_rsvp import invited, updates_of
from tests.slack_emulator import SlackDriver

pytestmark = pytest.mark.one_database  # how a platform shows it; the rules run on both databases elsewhere


@pytest.fixture
async def socket(harness):
    """The harness's bot, connected in Socket Mode; a driver that speaks over the socket."""
    handler = await connect_socket_mode(harness.bot, harness.emu.app_token)
    try:
        await harness.emu.wait_for_socket()
        async with SlackDriver(None, None, emulator=harness.emu, socket=True) as drv:
            yield drv
    finally:
        await handler.close_async()


async def test_connects_through_the_emulator_with_the_app_token(harness, socket):
    h = harness
    [opened] = h.emu.calls_to("apps.connections.open")
    assert opened.ok and opened.response["url"].startswith(h.emu.base_url.replace("http://", "ws://"))
    assert h.emu.socket_connections == 1 and h.emu.problems == []


async def test_rsvp_click_over_the_socket_is_acknowledged_stored_and_shown(harness, socket):
    h = harness
    await invited(h)
    uid = h.uid(AMB_LINDE)
    [message] = invitations_to(h.emu, uid)
    r = await socket.click(uid, message, text="Ik kom")
    [envelope] = h.emu.socket_envelopes
    assert envelope.type == "interactive" and envelope.ack["envelope_id"] == envelope.envelope_id
    assert r.status == 200
    await h.drain()
    assert (await invitation_of(h, "start", AMB_LINDE)).status == "yes"
    assert len(updates_of(h, message)) == 1
    assert "*Je komt.*" in full_text(h.emu.message(message.channel, message.ts))
    assert h.emu.problems == []


async def test_slash_command_over_the_socket_and_after_a_reconnect(harness, socket):
    h = harness
    await h.import_example()
    r = await socket.command(h.uid(TREKKER), "help")
    [envelope] = h.emu.socket_envelopes
    assert envelope.type == "slash_commands" and envelope.ack is not None
    assert "/dialoog help" in reply_text(h, r)
    # Slack asks for a reconnect now and then: the client opens a fresh connection.
    await h.emu.socket_disconnect()
    await h.emu.wait_for(lambda: h.emu.socket_connections == 2 and h.emu.socket_connected)
    r = await socket.command(h.uid(TREKKER), "status")
    assert "#hitteplan" in reply_text(h, r)
    assert len(h.emu.calls_to("apps.connections.open")) == 2
    assert h.emu.problems == []
