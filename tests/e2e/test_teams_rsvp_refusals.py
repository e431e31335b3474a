"""Teams: a press on someone else's invitation card answers the presser alone, in the
presser's language; the invitee's card is never replaced (no PUT, no card in the
invoke answer)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import AMB_GGD, AMB_LINDE, TREKKER, invitation_of, outbox_snapshot
from tests.e2e.test_rsvp_refusals import LABELS, with_english
from tests.e2e.test_teams_invitations import EVERYONE, invitation
from tests.teams_connector.harness import *  # noqa: F401,F403  (the th fixture)

pytestmark = pytest.mark.one_database  # how a platform shows it; the rules run on both databases elsewhere


async def invited(th, text: str | None = None):
    await th.import_example(text=text)
    th.team_of(EVERYONE)
    await th.koppel(TREKKER)
    await th.say(TREKKER, "uitnodigen start")
    await th.drain()


async def test_a_stranger_is_answered_alone_on_both_kinds_of_button(th):
    await invited(th)
    card = invitation(th, AMB_LINDE)
    shown = card.card
    before = await outbox_snapshot(th)
    for label in LABELS:
        r = await th.teams.execute(th.tid(AMB_GGD), card, label)
        assert r.card is None and "niet jouw uitnodiging" in r.message
        r = await th.teams.submit(th.tid(AMB_GGD), card, label)
        assert "niet jouw uitnodiging" in r.text
    # The picker card, replayed by the stranger: Versturen and Annuleren.
    await th.teams.execute(th.tid(AMB_LINDE), card, "Ik stuur een collega")
    picker = card.card
    for label in ("Versturen", "Annuleren"):
        r = await th.teams.execute(th.tid(AMB_GGD), card, label, {"colleague": "1"}, card=picker)
        assert r.card is None and r.message
        r = await th.teams.submit(th.tid(AMB_GGD), card, label, {"colleague": "1"}, card=picker)
        assert r.text
    assert th.conn.calls_to("PUT") == []
    assert card.card == picker  # only the owner's own press changed what they see
    assert shown != picker
    assert await th.drain() == 0
    assert await outbox_snapshot(th) == before
    assert (await invitation_of(th, "start", AMB_LINDE)).status == "pending"


async def test_an_english_stranger_is_refused_in_english(th):
    await invited(th, with_english(AMB_GGD))
    card = invitation(th, AMB_LINDE)  # a Dutch invitee
    r = await th.teams.execute(th.tid(AMB_GGD), card, "Ik kom")
    assert r.message.startswith("This is not your invitation"), r.message
    r = await th.teams.submit(th.tid(AMB_GGD), card, "Ik kan niet")
    assert "This is not your invitation" in r.text
    assert th.conn.calls_to("PUT") == []


async def test_an_english_invitee_gets_the_picker_and_its_errors_in_english(th):
    await invited(th, with_english(AMB_LINDE))
    [card] = th.cards_with(AMB_LINDE, "Invitation:")
    await th.teams.execute(th.tid(AMB_LINDE), card, "I'll send a colleague")
    assert "Send a colleague" in card.text
    await th.teams.execute(th.tid(AMB_LINDE), card, "Send", {})
    assert "Choose a colleague" in card.text, card.text
    await th.teams.execute(th.tid(AMB_LINDE), card, "Cancel")
    assert "Invitation:" in card.text
