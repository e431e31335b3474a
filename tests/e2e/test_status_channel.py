"""The status channel out of the box: the bot joins a public channel itself; for a
private one (which it cannot join) the trekker is told how to invite it."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import TREKKER, dump, example_data, full_text, messages_containing

pytestmark = pytest.mark.one_database  # how a platform shows it; the rules run on both databases elsewhere

INVITE = "/invite @Dialoogbot"


def summaries(h, channel: str) -> list:
    return [m for m in h.emu.messages(channel) if (m.text or "").startswith("Stand van zaken")]


async def with_status_channel(h, channel: str) -> None:
    data = example_data()
    data["trajectory"]["status_channel"] = channel
    await h.import_example(text=dump(data))


async def test_the_bot_joins_a_public_status_channel_and_posts(harness):
    h = harness
    h.emu.channel("C0HITTEPLAN").members.remove(h.emu.bot_user_id)  # installed, never added to #hitteplan
    await h.import_example()
    await h.command(TREKKER, "status")
    await h.drain()
    assert len(summaries(h, "#hitteplan")) == 1
    assert [c.error for c in h.emu.calls_to("chat.postMessage") if c.args.get("channel") == "#hitteplan"] == [
        "not_in_channel", None]
    [join] = h.emu.calls_to("conversations.join")
    assert join.ok and join.args["channel"] == "C0HITTEPLAN"
    assert h.emu.bot_user_id in h.emu.channel("C0HITTEPLAN").members
    assert messages_containing(h.emu, h.uid(TREKKER), INVITE) == []
    # Once in, the next post goes straight through.
    h.emu.reset_calls()
    await h.command(TREKKER, "status")
    await h.drain()
    assert len(summaries(h, "#hitteplan")) == 2
    assert h.emu.calls_to("conversations.join") == []


@pytest.mark.parametrize("channel", ["#hitte-prive", "G0PRIVE"])
async def test_a_private_status_channel_asks_the_trekker_to_invite_the_bot(harness, channel):
    h = harness
    h.emu.add_channel("G0PRIVE", "hitte-prive", members=[h.uid(TREKKER)], private=True)
    await with_status_channel(h, channel)
    await h.command(TREKKER, "status")
    await h.drain()
    assert summaries(h, "G0PRIVE") == []
    if channel.startswith("G"):  # an id: the bot tries to join, Slack refuses a private channel
        [join] = h.emu.calls_to("conversations.join")
        assert join.error == "method_not_supported_for_channel_type"
    else:  # a name: a private channel the bot is not in is not in conversations.list
        assert h.emu.calls_to("conversations.join") == []
    [notice] = messages_containing(h.emu, h.uid(TREKKER), INVITE)
    text = full_text(notice)
    assert channel in text and "privé" in text
    # The trekker invites the bot; the next summary arrives, and nobody is told again.
    h.emu.join_channel("G0PRIVE")
    await h.command(TREKKER, "status")
    await h.drain()
    assert len(summaries(h, "G0PRIVE")) == 1
    assert len(messages_containing(h.emu, h.uid(TREKKER), INVITE)) == 1
