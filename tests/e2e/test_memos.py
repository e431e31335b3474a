"""Memos end to end: the modal with its preview, audiences, Gelezen tracking, the
reminder, hostile text, and a 500-recipient memo that survives a crash exactly once.

Everything goes through the emulator with signed requests; time moves with the
ManualClock (Monday 1 February 2027, 09:00 in Amsterdam at the start)."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from bot.app import bootstrap
from bot.models import Memo, MemoRecipient, OutboxMessage
from scheduling.dispatcher import LEASE
from tests.conftest import local
from tests.e2e.conftest import (
    AMB_GGD,
    AMB_LINDE,
    AMB_THUISZORG,
    AMB_WELZIJN,
    BESTUUR_LINDE,
    BESTUUR_THUISZORG,
    COLLEGA,
    TREKKER,
    add_people,
    bot_messages,
    button_labels,
    dump,
    example_data,
    full_text,
    header_of,
    mrkdwn_of,
    outbox_rows,
    reply_text,
)
from tests.e2e.flows import jump

EVERYONE_BUT_TREKKER = [COLLEGA, AMB_GGD, AMB_LINDE, BESTUUR_LINDE, AMB_THUISZORG, BESTUUR_THUISZORG, AMB_WELZIJN]

HOSTILE_BODY = (
    "*Doel* van het traject: _samen_ afspraken maken.\n"
    "- punt een\n"
    "- punt twee <!channel> <!here> <!everyone>\n"
    "> een citaat\n"
    "Kijk op https://klimaatadaptatienederland.nl en niet op <https://evil.example/login|de officiële site>.\n"
    "Vraag <@U0001> of <#C0GENERAL> of <!subteam^S123|@team>. Ook @channel en @here werken niet.\n"
    "R&D &amp; <b>html</b> 3 < 4 > 2"
)
HOSTILE_TITLE = "Opzet <!channel> & <https://evil.example|klik>"


# -- helpers --------------------------------------------------------------------------------


def memo_dms(h, email: str) -> list:
    """Memo messages (and memo reminders) the bot sent to this person."""
    return [m for m in bot_messages(h.emu, h.uid(email)) if (m.text or "").startswith(("Memo van", "Herinnering: memo"))]


async def open_form(h, email: str = TREKKER, text: str = "memo"):
    r = await h.command(email, text)
    views = h.emu.open_views(h.uid(email))
    return r, (views[-1] if views else None)


async def preview(h, email: str = TREKKER, **values):
    """Fill the open form (values by action_id) and submit it: the preview comes back."""
    fields = {"memo_title": "Doel en opzet", "memo_body": "Dit is het *doel* van het traject."}
    fields.update(values)
    fields = {k: v for k, v in fields.items() if v is not None}
    r = await h.drv.submit_view(h.uid(email), values=fields)
    assert r.status == 200, r.body_text
    return r


async def send_memo(h, email: str = TREKKER, **values):
    """The whole flow: command, form, preview, send, dispatch."""
    await open_form(h, email)
    r = await preview(h, email, **values)
    assert r.json["response_action"] == "update", r.json
    sent = await h.drv.submit_view(h.uid(email))
    assert sent.status == 200 and not sent.body_text, sent.body_text
    await h.drain()
    return r.json["view"]


async def memo_row(h) -> Memo:
    async with h.ctx.db.sessionmaker() as s:
        return (await s.execute(select(Memo).order_by(Memo.id.desc()))).scalars().first()


# -- the modal and its preview ------------------------------------------------------------------


async def test_memo_modal_opens_with_the_commands_trigger_and_previews_before_sending(harness):
    h = harness
    await h.import_example()
    r, form = await open_form(h)
    opened = h.emu.successful("views.open")
    assert opened and opened[-1].args["trigger_id"] == r.trigger_id
    assert form["callback_id"] == "memo_form_modal"
    assert form["title"]["text"] == "Memo schrijven"

    answer = await preview(h, memo_title="Doel en opzet", memo_body="Het *doel*: samen\n- een lijst")
    assert answer.json["response_action"] == "update"
    shown = h.emu.open_views(h.uid(TREKKER))[-1]
    assert shown["callback_id"] == "memo_preview_modal"
    text = full_text(shown)
    assert "Voorbeeld" in text and "Doel en opzet" in text and "Het *doel*: samen\n- een lijst" in text
    assert "Gaat naar *7* mensen van 5 organisaties" in text
    await h.drain()
    assert not any(memo_dms(h, e) for e in EVERYONE_BUT_TREKKER), "nothing goes out before the preview is confirmed"

    # Back to the form ("Aanpassen"): it is filled in with the draft; change the title.
    await h.drv.click(h.uid(TREKKER), shown, text="Aanpassen")
    form = h.emu.open_views(h.uid(TREKKER))[-1]
    assert form["callback_id"] == "memo_form_modal"
    title_input = next(b for b in form["blocks"] if b.get("block_id") == "memo_title_block")
    assert title_input["element"]["initial_value"] == "Doel en opzet"
    await preview(h, memo_title="Doel en opzet (versie 2)", memo_body="Het *doel*: samen\n- een lijst")
    sent = await h.drv.submit_view(h.uid(TREKKER))
    assert sent.status == 200 and not h.emu.open_views(h.uid(TREKKER)), "sending closes the modal"
    await h.drain()

    for email in EVERYONE_BUT_TREKKER:
        [message] = memo_dms(h, email)
        assert header_of(message) == "Doel en opzet (versie 2)"
        assert button_labels(message) == ["Gelezen"]
    assert not memo_dms(h, TREKKER), "the author does not get their own memo"
    confirmation = bot_messages(h.emu, h.uid(TREKKER))[-1]
    assert "gaat naar 7 mensen" in full_text(confirmation)
    async with h.ctx.db.sessionmaker() as s:
        memos = (await s.execute(select(Memo))).scalars().all()
    assert [m.status for m in memos] == ["sent"], "one draft, edited in place, then sent"

    # Pressing "Versturen" twice sends nothing twice.
    again = await h.drv.submit_view(h.uid(TREKKER), view=shown, apply=False)
    assert again.status == 200
    await h.drain()
    assert all(len(memo_dms(h, e)) == 1 for e in EVERYONE_BUT_TREKKER)


async def test_only_a_trekker_can_write_a_memo(harness):
    h = harness
    await h.import_example()
    r, form = await open_form(h, AMB_LINDE)
    assert form is None and not h.emu.calls_to("views.open")
    assert "alleen een trekker" in reply_text(h, r)


async def test_the_server_validates_the_memo_form(harness):
    h = harness
    await h.import_example()
    await open_form(h)

    async def errors(**values) -> dict:
        r = await preview(h, **values)
        assert r.json["response_action"] == "errors", r.json
        return r.json["errors"]

    assert set(await errors(memo_title="  ", memo_body=None)) == {"memo_title_block", "memo_body_block"}
    assert "te lang" in (await errors(memo_body="x" * 3001))["memo_body_block"]
    assert "te lang" in (await errors(memo_title="t" * 151))["memo_title_block"]
    assert "rol" in (await errors(memo_audience="roles"))["memo_roles_block"]
    assert "organisatie" in (await errors(memo_audience="organisations"))["memo_orgs_block"]
    assert "bijeenkomst" in (await errors(memo_audience="session"))["memo_session_block"]
    assert "bijeenkomst" in (await errors(memo_report="before"))["memo_session_block"]
    # An option the form never offered (a forged submission).
    forged = {"memo_audience_block": {"memo_audience": {"type": "radio_buttons", "selected_option": {"value": "admins"}}},
              "memo_title_block": {"memo_title": {"type": "plain_text_input", "value": "t"}},
              "memo_body_block": {"memo_body": {"type": "plain_text_input", "value": "b"}}}
    r = await h.drv.submit_view(h.uid(TREKKER), values=forged)
    assert r.json["response_action"] == "errors" and "memo_audience_block" in r.json["errors"]
    assert h.emu.open_views(h.uid(TREKKER))[-1]["callback_id"] == "memo_form_modal"
    async with h.ctx.db.sessionmaker() as s:
        assert not (await s.execute(select(Memo))).scalars().all(), "an invalid form saves nothing"


# -- audiences ----------------------------------------------------------------------------------


async def test_audience_roles_organisations_and_session_invitees_with_report_back(harness):
    h = harness
    await h.import_example()

    await send_memo(h, memo_title="Aan bestuurders", memo_audience="roles", memo_roles=["bestuurder"])
    got = {e for e in EVERYONE_BUT_TREKKER if memo_dms(h, e)}
    assert got == {BESTUUR_LINDE, BESTUUR_THUISZORG}

    await send_memo(h, memo_title="Aan De Linde", memo_audience="organisations", memo_orgs=["Zorggroep De Linde"])
    linde = {e for e in EVERYONE_BUT_TREKKER if any(header_of(m) == "Aan De Linde" for m in memo_dms(h, e))}
    assert linde == {AMB_LINDE, BESTUUR_LINDE}

    # The invitees of `bestuurlijk` (trekker + bestuurders), as a report before it.
    view = await send_memo(
        h, memo_title="Vooraf", memo_audience="session", memo_session="Bestuurlijke bijeenkomst hitteplan", memo_report="before"
    )
    assert "Gaat naar *2* mensen van 2 organisaties" in full_text(view)
    vooraf = {e: [m for m in memo_dms(h, e) if header_of(m) == "Vooraf"] for e in EVERYONE_BUT_TREKKER}
    assert {e for e, ms in vooraf.items() if ms} == {BESTUUR_LINDE, BESTUUR_THUISZORG}
    assert "Terugkoppeling vóór de bijeenkomst *Bestuurlijke bijeenkomst hitteplan* (dinsdag 13 april 2027, 10:00-11:30)" in full_text(
        vooraf[BESTUUR_LINDE][0]
    )

    # A report after a session to everyone: linked, but the audience is everyone.
    await send_memo(h, memo_title="Achteraf", memo_session="Startbijeenkomst lokaal hitteplan", memo_report="after")
    achteraf = [m for m in memo_dms(h, AMB_GGD) if header_of(m) == "Achteraf"]
    assert "Terugkoppeling na de bijeenkomst *Startbijeenkomst lokaal hitteplan*" in full_text(achteraf[0])
    assert all(any(header_of(m) == "Achteraf" for m in memo_dms(h, e)) for e in EVERYONE_BUT_TREKKER)


async def test_an_audience_nobody_can_be_reached_in_is_refused(harness):
    h = harness
    data = example_data()
    data["people"].append({"name": "Expert Zonder Slack", "email": "expert@nergens.example", "organisation": "ggd", "roles": ["expert"]})
    await h.import_example(text=dump(data))
    await open_form(h)
    r = await preview(h, memo_audience="roles", memo_roles=["expert"])
    assert r.json["response_action"] == "errors"
    assert "bereikbaar" in r.json["errors"]["memo_audience_block"]


# -- Gelezen ---------------------------------------------------------------------------------


async def test_gelezen_is_tracked_per_organisation_and_shown_to_the_trekker(harness):
    h = harness
    await h.import_example()
    await send_memo(h, memo_title="Lees mij")

    for email in (AMB_LINDE, AMB_GGD):
        [message] = memo_dms(h, email)
        r = await h.drv.click(h.uid(email), message, text="Gelezen")
        assert r.status == 200
    await h.drain()
    [read] = memo_dms(h, AMB_LINDE)
    assert "Gelezen op maandag 1 februari 2027, 09:00" in full_text(read)
    assert button_labels(read) == [], "the button makes way for the confirmation"
    assert len(read.versions) == 2, "updated in place (chat.update), not a new message"

    # Somebody pressing a button of a memo that is not theirs changes nothing.
    [someone_elses] = memo_dms(h, AMB_WELZIJN)
    r = await h.drv.click(h.uid(AMB_THUISZORG), someone_elses, text="Gelezen")
    assert "niet aan jou gestuurd" in reply_text(h, r)

    r = await h.command(TREKKER, "memo gelezen")
    overview = reply_text(h, r)
    assert "gelezen door *2* van 7" in overview
    assert "*Zorggroep De Linde*: 1 van 2 gelezen" in overview
    assert "*GGD Regio Voorbeeld*: 1 van 1 gelezen" in overview
    assert "nog niet: Bestuurder De Linde" in overview
    assert "Ambassadeur De Linde" in overview

    # The same overview from the button on the trekker's confirmation.
    confirmation = bot_messages(h.emu, h.uid(TREKKER))[-1]
    r = await h.drv.click(h.uid(TREKKER), confirmation, text="Wie heeft gelezen?")
    assert "gelezen door *2* van 7" in reply_text(h, r)
    r = await h.drv.click(h.uid(AMB_GGD), confirmation, text="Wie heeft gelezen?")
    assert "gelezen door" not in reply_text(h, r)

    r = await h.command(AMB_LINDE, "memo gelezen")
    assert "alleen een trekker" in reply_text(h, r)

    async with h.ctx.db.sessionmaker() as s:
        reads = (await s.execute(select(MemoRecipient).where(MemoRecipient.read_at.is_not(None)))).scalars().all()
    assert len(reads) == 2


async def test_one_reminder_to_non_readers_after_n_days_respecting_quiet_hours(harness):
    h = harness
    await h.import_example()
    # Friday 5 February, 19:00: outside working hours.
    h.clock.set(local(2027, 2, 5, 19, 0))
    view = await send_memo(h, memo_title="Met herinnering", memo_reminder="2")
    assert "Het is nu buiten werktijd" in full_text(view)
    assert not any(memo_dms(h, e) for e in EVERYONE_BUT_TREKKER)
    await jump(h, local(2027, 2, 8, 7, 59))
    assert not any(memo_dms(h, e) for e in EVERYONE_BUT_TREKKER), "quiet until Monday 08:00"
    await h.tick(minutes=1)
    assert all(len(memo_dms(h, e)) == 1 for e in EVERYONE_BUT_TREKKER)

    [message] = memo_dms(h, AMB_LINDE)
    await h.drv.click(h.uid(AMB_LINDE), message, text="Gelezen")
    await h.drain()

    await jump(h, local(2027, 2, 10, 7, 59))
    assert all(len(memo_dms(h, e)) == 1 for e in EVERYONE_BUT_TREKKER), "not before two days have passed"
    await h.tick(minutes=1)
    assert len(memo_dms(h, AMB_LINDE)) == 1, "who has read it gets no reminder"
    for email in set(EVERYONE_BUT_TREKKER) - {AMB_LINDE}:
        reminder = memo_dms(h, email)[-1]
        assert reminder.text.startswith("Herinnering: memo Met herinnering")
        assert button_labels(reminder) == ["Gelezen"]

    # Gelezen on the reminder updates both messages.
    reminder = memo_dms(h, AMB_GGD)[-1]
    await h.drv.click(h.uid(AMB_GGD), reminder, text="Gelezen")
    await h.drain()
    assert all("Gelezen op" in full_text(m) for m in memo_dms(h, AMB_GGD))

    await jump(h, local(2027, 2, 20, 12, 0))
    assert all(len(memo_dms(h, e)) <= 2 for e in EVERYONE_BUT_TREKKER), "one reminder, never more"


# -- hostile text -------------------------------------------------------------------------------


async def test_memo_text_keeps_formatting_but_no_mention_or_disguised_link_goes_live(harness):
    h = harness
    await h.import_example()
    view = await send_memo(h, memo_title=HOSTILE_TITLE, memo_body=HOSTILE_BODY)

    memo = await memo_row(h)
    assert memo.title == HOSTILE_TITLE and memo.body == HOSTILE_BODY, "stored exactly as typed"

    [message] = memo_dms(h, AMB_LINDE)
    for surface in (message.blocks, view["blocks"]):
        live = "\n".join(mrkdwn_of(surface))
        for construct in ("<!", "<@", "<#", "<http", "<b>"):
            assert construct not in live, construct
        assert "&lt;!channel&gt;" in live and "&lt;@U0001&gt;" in live
        assert "&lt;https://evil.example/login|de officiële site&gt;" in live
        assert "*Doel*" in live and "_samen_" in live and "- punt een" in live
        assert "https://klimaatadaptatienederland.nl" in live, "a bare link stays a link"
        assert "\n> een citaat" in live, "a quote stays a quote"
        assert "@channel" not in live and "@here" not in live, "a typed @channel cannot notify"
        assert "R&amp;D &amp;amp; &lt;b&gt;html&lt;/b&gt; 3 &lt; 4 &gt; 2" in live
    assert header_of(message) == HOSTILE_TITLE, "plain text header: shown literally"
    assert "<!channel>" not in message.text and "&lt;!channel&gt;" in message.text, "the notification text is escaped"
    sent = [c for c in h.emu.successful("chat.postMessage") if c.args.get("channel") == h.uid(AMB_LINDE)]
    assert sent and not any("<!channel>" in str(c.args.get("text")) for c in sent)
    assert not h.emu.problems


# -- 500 recipients, a crash halfway ------------------------------------------------------------


class Crash(Exception):
    """The dispatcher's process dies."""


def big_trajectory(h, count: int) -> str:
    data = example_data()
    orgs = [o["key"] for o in data["organisations"]]
    extra = [
        {"name": f"Deelnemer {i:03d}", "email": f"deelnemer{i:03d}@groot.example", "organisation": orgs[i % len(orgs)], "roles": ["deelnemer"]}
        for i in range(count)
    ]
    data["people"] += extra
    add_people(h, [(p["email"], p["name"]) for p in extra])
    return dump(data)


async def test_a_500_recipient_memo_is_one_command_and_a_crash_halfway_sends_nobody_twice(harness):
    h = harness
    await h.import_example(text=big_trajectory(h, 493))  # 493 + the 7 others = 500 recipients
    d = h.bot.dispatcher

    await open_form(h)
    r = await preview(h, memo_title="Aan iedereen")
    assert "Gaat naar *500* mensen" in full_text(r.json["view"])
    sent = await h.drv.submit_view(h.uid(TREKKER))
    assert sent.status == 200

    rows = [row for row in await outbox_rows(h) if row.key.startswith("memo:")]
    assert len(rows) == 500 and len({row.key for row in rows}) == 500

    # The dispatcher process dies after 250 recorded sends: messages already posted to
    # Slack but not yet recorded stay "sending"; nothing after the crash is recorded.
    state = {"recorded": 0, "dead": False, "inflight": 0}
    real_send, real_record = d._send, d._record

    async def send(row):
        if state["dead"]:
            raise Crash()
        state["inflight"] += 1
        try:
            return await real_send(row)
        except BaseException:
            state["inflight"] -= 1
            raise

    async def record(row, outcome):
        try:
            if state["dead"] or state["recorded"] >= 250:
                state["dead"] = True
                raise Crash()
            state["recorded"] += 1
            await real_record(row, outcome)
        finally:
            state["inflight"] -= 1

    d._send, d._record = send, record
    with pytest.raises(Crash):
        await d.drain()
    await h.emu.wait_for(lambda: state["inflight"] == 0)
    posted = Counter(c.args.get("channel") for c in h.emu.successful("chat.postMessage"))
    async with h.ctx.db.sessionmaker() as s:
        statuses = Counter((await s.execute(select(OutboxMessage.status).where(OutboxMessage.key.like("memo:%")))).scalars())
    assert statuses["sent"] == 250 and statuses["sending"] >= 1
    assert sum(posted.values()) > 250, "some messages went out without being recorded: the hard case"

    # A new process takes over once the leases have run out.
    h.clock.advance(LEASE * 2)
    restarted = bootstrap(h.bot.settings, clock=h.clock)
    restarted.dispatcher.pacer = d.pacer
    try:
        await restarted.dispatcher.drain()
    finally:
        await restarted.ctx.db.dispose()

    per_person = Counter()
    for email, user_id in h.users.items():
        if email == TREKKER:
            continue
        per_person[email] = len(memo_dms(h, email))
    recipients = [e for e in per_person if e.endswith("@groot.example")] + EVERYONE_BUT_TREKKER
    assert len(recipients) == 500
    assert all(per_person[e] == 1 for e in recipients), Counter(per_person[e] for e in recipients)
    async with h.ctx.db.sessionmaker() as s:
        statuses = Counter((await s.execute(select(OutboxMessage.status).where(OutboxMessage.key.like("memo:%")))).scalars())
    assert statuses == {"sent": 500}
    assert h.emu.successful("conversations.history"), "the restarted dispatcher checked before resending"
