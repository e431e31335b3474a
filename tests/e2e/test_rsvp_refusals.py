"""Slack: a press on someone else's invitation answers the presser alone, in the
presser's language; the invitee's message stays as it is."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import (
    AMB_GGD,
    AMB_LINDE,
    TREKKER,
    dump,
    example_data,
    full_text,
    invitation_of,
    invitations_to,
    outbox_snapshot,
    reply_text,
    without_pacing,
)
from tests.e2e.test_rsvp import invited

pytestmark = pytest.mark.one_database  # how a platform shows it; the rules run on both databases elsewhere

LABELS = ("Ik kom", "Ik kan niet", "Misschien", "Ik stuur een collega")


def with_english(*emails: str) -> str:
    data = example_data()
    for person in data["people"]:
        if person["email"] in emails:
            person["language"] = "en"
    return dump(data)


async def test_a_stranger_gets_a_private_refusal_and_the_invitation_is_untouched(harness):
    h = harness
    await invited(h)
    owner, stranger = h.uid(AMB_LINDE), h.uid(AMB_GGD)
    [message] = invitations_to(h.emu, owner)
    before = await outbox_snapshot(h)
    for label in LABELS:
        r = await h.drv.click(stranger, message, text=label)
        [refusal] = h.emu.responses(r.response_url)
        assert "Dit is niet jouw uitnodiging" in full_text(refusal)
        assert refusal.get("replace_original") in (None, False, "false")
    assert await h.drain() == 0
    assert await outbox_snapshot(h) == before
    assert h.emu.calls_to("chat.update") == [] and len(message.versions) == 1


async def test_an_english_stranger_is_refused_in_english(harness):
    h = harness
    without_pacing(h)
    await h.import_example(text=with_english(AMB_GGD))
    await h.command(TREKKER, "uitnodigen start")
    await h.drain()
    [message] = invitations_to(h.emu, h.uid(AMB_LINDE))  # a Dutch invitee
    r = await h.drv.click(h.uid(AMB_GGD), message, text="Ik kom")
    assert "This is not your invitation" in reply_text(h, r)
    assert h.emu.calls_to("chat.update") == []


class TestEnglishInviteeWithAnUnreachableColleague:
    @pytest.fixture
    def unknown_emails(self):
        from tests.e2e.conftest import BESTUUR_LINDE

        return {BESTUUR_LINDE}

    async def test_the_picker_answers_in_english(self, harness):
        h = harness
        without_pacing(h)
        await h.import_example(text=with_english(AMB_LINDE))
        await h.command(TREKKER, "uitnodigen start")
        await h.drain()
        uid = h.uid(AMB_LINDE)
        [message] = invitations_to(h.emu, uid)
        await h.drv.click(uid, message, text="I'll send a colleague")
        [modal] = h.emu.open_views(uid)
        assert modal["title"]["text"] == "Send a colleague"
        r = await h.drv.submit_view(uid, values={"colleague": "Bestuurder De Linde"})
        assert r.json["response_action"] == "errors"
        [error] = r.json["errors"].values()
        assert "can't reach" in error or "cannot reach" in error, error
        assert (await invitation_of(h, "start", AMB_LINDE)).status == "pending"
