"""Answering an invitation: the buttons, the colleague picker, and the trekker's overview."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import (
    AMB_GGD,
    AMB_LINDE,
    AMB_THUISZORG,
    AMB_WELZIJN,
    BESTUUR_LINDE,
    BUTTONS,
    COLLEGA,
    TREKKER,
    buttons_of,
    full_text,
    header_of,
    invitation_of,
    invitations_to,
    outbox_snapshot,
    posts_to,
    reply_text,
    without_pacing,
)


async def invited(h, session: str = "start"):
    without_pacing(h)  # every answer is an update: Tier 3 pacing would make each wait
    await h.import_example()
    r = await h.command(TREKKER, f"uitnodigen {session}")
    assert "nieuw verstuurd" in reply_text(h, r)
    await h.drain()


def style_of(message, label: str) -> str | None:
    return next(b for b in buttons_of(message) if b["text"]["text"] == label).get("style")


def updates_of(h, message) -> list:
    return [c for c in h.emu.successful("chat.update")
            if c.args.get("ts") == message.ts and c.args.get("channel") == message.channel]


async def test_each_answer_updates_the_invitation_in_place_and_can_be_changed(harness):
    h = harness
    await invited(h)
    uid = h.uid(AMB_LINDE)
    [message] = invitations_to(h.emu, uid)
    original_ts = message.ts
    assert "Kom je? Kies hieronder." in full_text(message)

    steps = [
        ("Ik kom", "yes", "*Je komt.*"),
        ("Ik kan niet", "no", "*Je kunt niet komen.*"),
        ("Misschien", "maybe", "*Misschien.*"),
        ("Ik kom", "yes", "*Je komt.*"),
    ]
    for number, (label, status, shown) in enumerate(steps, start=1):
        r = await h.drv.click(uid, message, text=label)
        assert r.status == 200
        assert h.emu.responses(r.response_url) == []  # no extra chatter: the message itself changes
        await h.drain()
        assert len(updates_of(h, message)) == number
        assert message.ts == original_ts and len(message.versions) == number + 1
        text = full_text(message)
        assert shown in text and "Je kunt je antwoord hieronder" in text
        # The person can still change the answer: all buttons are there, the chosen one stands out.
        assert [b["text"]["text"] for b in buttons_of(message)][:4] == BUTTONS
        assert style_of(message, label) == "primary"
        assert [b.get("style") for b in buttons_of(message)[:3]].count("primary") == 1
        # The facts of the session stay in the message.
        assert "dinsdag 9 maart 2027, 14:00-16:30" in text
        assert (await invitation_of(h, "start", AMB_LINDE)).status == status

    # Still one message: nothing new was posted to the invitee.
    assert len(invitations_to(h.emu, uid)) == 1
    assert len(posts_to(h.emu, uid)) == 1


async def test_the_same_answer_twice_updates_once(harness):
    h = harness
    await invited(h)
    uid = h.uid(AMB_GGD)
    [message] = invitations_to(h.emu, uid)
    await h.drv.click(uid, message, text="Ik kan niet")
    await h.drain()
    before = await outbox_snapshot(h)
    await h.drv.click(uid, message, text="Ik kan niet")
    assert await h.drain() == 0
    assert await outbox_snapshot(h) == before
    assert len(updates_of(h, message)) == 1


async def test_a_click_by_someone_else_changes_nothing(harness):
    h = harness
    await invited(h)
    owner, intruder = h.uid(AMB_LINDE), h.uid(AMB_GGD)
    [message] = invitations_to(h.emu, owner)
    before = await outbox_snapshot(h)

    for label in ("Ik kom", "Ik kan niet", "Misschien", "Ik stuur een collega"):
        r = await h.drv.click(intruder, message, text=label)
        assert r.status == 200
        [refusal] = h.emu.responses(r.response_url)
        assert "Dit is niet jouw uitnodiging" in full_text(refusal)
        assert refusal.get("replace_original") in (None, False, "false")
        assert refusal.get("response_type", "ephemeral") == "ephemeral"

    assert await h.drain() == 0
    assert len(message.versions) == 1
    assert h.emu.calls_to("chat.update") == []
    assert h.emu.calls_to("views.open") == []
    assert await outbox_snapshot(h) == before
    assert (await invitation_of(h, "start", AMB_LINDE)).status == "pending"


async def test_sending_a_colleague(harness):
    h = harness
    await invited(h)
    uid, colleague = h.uid(AMB_LINDE), h.uid(BESTUUR_LINDE)
    [message] = invitations_to(h.emu, uid)
    assert invitations_to(h.emu, colleague) == []  # bestuurders are not invited to `start`

    r = await h.drv.click(uid, message, text="Ik stuur een collega")
    assert r.status == 200
    [opened] = h.emu.successful("views.open")
    assert opened.args["trigger_id"] == r.trigger_id
    [modal] = h.emu.open_views(uid)
    assert modal["callback_id"] == "delegate_modal"
    assert modal["title"]["text"] == "Stuur een collega"
    assert "Zorggroep De Linde" in full_text(modal)
    select = next(b["element"] for b in modal["blocks"] if b.get("type") == "input")
    # Only colleagues of the same organisation, not the invitee.
    assert [o["text"]["text"] for o in select["options"]] == ["Bestuurder De Linde"]

    r = await h.drv.submit_view(uid, values={"colleague": "Bestuurder De Linde"})
    assert r.status == 200
    assert not (r.json or {}).get("response_action")
    assert h.emu.open_views(uid) == []  # the modal closed
    await h.drain()

    [theirs] = invitations_to(h.emu, colleague)
    text = full_text(theirs)
    assert header_of(theirs) == "Uitnodiging: Startbijeenkomst lokaal hitteplan"
    assert "Hallo Bestuurder De Linde, Ambassadeur De Linde stuurt jou naar deze bijeenkomst" in text
    assert "dinsdag 9 maart 2027, 14:00-16:30" in text
    assert [b["text"]["text"] for b in buttons_of(theirs)][:4] == BUTTONS

    # The original message shows the delegation, in place.
    assert len(message.versions) == 2
    assert "*Je stuurt Bestuurder De Linde.*" in full_text(message)
    assert len(invitations_to(h.emu, uid)) == 1
    mine = await invitation_of(h, "start", AMB_LINDE)
    assert mine.status == "delegated" and mine.delegated_to_id is not None
    assigned = await invitation_of(h, "start", BESTUUR_LINDE)
    assert assigned.status == "pending" and assigned.delegated_from_id == mine.person_id

    # The colleague answers their own invitation.
    await h.drv.click(colleague, theirs, text="Ik kom")
    await h.drain()
    assert "*Je komt.*" in full_text(theirs)
    assert (await invitation_of(h, "start", BESTUUR_LINDE)).status == "yes"

    r = await h.command(TREKKER, "status start")
    text = reply_text(h, r)
    assert "Een collega gestuurd: 1" in text
    assert "Zorggroep De Linde" not in text.split("Nog niemand van:*")[1].split("\n")[0]


class TestUnreachableColleague:
    @pytest.fixture
    def unknown_emails(self):
        return {BESTUUR_LINDE}

    async def test_picking_a_colleague_slack_does_not_know_is_refused_in_the_form(self, harness):
        h = harness
        await invited(h)
        uid = h.uid(AMB_LINDE)
        [message] = invitations_to(h.emu, uid)
        await h.drv.click(uid, message, text="Ik stuur een collega")
        [modal] = h.emu.open_views(uid)
        before = await outbox_snapshot(h)

        r = await h.drv.submit_view(uid, values={"colleague": "Bestuurder De Linde"})
        assert r.status == 200
        assert r.json["response_action"] == "errors"
        [(block_id, error)] = r.json["errors"].items()
        assert block_id == next(b["block_id"] for b in modal["blocks"] if b.get("type") == "input")
        assert "kan ik niet bereiken" in error
        assert [v["id"] for v in h.emu.open_views(uid)] == [modal["id"]]  # the form stays open

        assert await h.drain() == 0
        assert await outbox_snapshot(h) == before
        assert len(message.versions) == 1
        assert (await invitation_of(h, "start", AMB_LINDE)).status == "pending"


async def test_status_counts_answers_and_names_organisations_with_nobody_coming(harness):
    h = harness
    without_pacing(h)
    await h.import_example()
    r = await h.command(TREKKER, "status start")
    assert "nog niet verstuurd" in reply_text(h, r)

    await h.command(TREKKER, "uitnodigen start")
    await h.drain()
    answers = {TREKKER: "Ik kom", AMB_THUISZORG: "Ik kom", AMB_GGD: "Ik kan niet", AMB_LINDE: "Misschien"}
    for email, label in answers.items():
        [message] = invitations_to(h.emu, h.uid(email))
        await h.drv.click(h.uid(email), message, text=label)
    await h.drain()

    r = await h.command(TREKKER, "status start")
    [body] = h.emu.responses(r.response_url)
    text = full_text(body)
    assert "Wie komt er naar Startbijeenkomst lokaal hitteplan?" in text
    assert "Komt: *2*" in text
    assert "Misschien: *1*" in text
    assert "Kan niet: *1*" in text
    assert "Nog geen antwoord: *2*" in text
    missing = next(line for line in text.splitlines() if "Nog niemand van:" in line)
    for name in ("GGD Regio Voorbeeld", "Zorggroep De Linde", "Stichting Welzijn Voorbeeldstad"):
        assert name in missing
    for name in ("Gemeente Voorbeeldstad", "Thuiszorg Aan Huis"):
        assert name not in missing
    pending = next(line for line in text.splitlines() if "Nog geen antwoord:*" in line)
    assert "Collega Gemeente" in pending and "Ambassadeur Welzijn" in pending
    assert "Niet bezorgd" not in text
    assert body.get("response_type", "ephemeral") == "ephemeral"

    # Only a trekker sees the overview.
    r = await h.command(AMB_WELZIJN, "status start")
    assert "alleen een trekker" in reply_text(h, r)
    assert "Komt:" not in reply_text(h, r)
    # Nobody was told anything by the status command.
    assert await h.drain() == 0
    assert len(invitations_to(h.emu, h.uid(COLLEGA))) == 1
