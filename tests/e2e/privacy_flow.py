"""One whole flow, for the privacy tests: import, invitations and RSVPs, a memo read, a
named evaluation, a commitment marked busy with a note, and the status summary; in
Slack (``whole_flow``, through /slack/events) or by e-mail (``whole_mail_flow``: the
mails' links and the personal pages).  Every personal value it used can then be
looked for (``assert_logs_name_nobody``)."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import Person, Session
from tests.conftest import SIGNING_SECRET, TOKEN, example, local
from tests.e2e.conftest import AMB_GGD, AMB_LINDE, TREKKER, bot_messages
from tests.e2e.flows import fill_in, invite_and_answer, jump, to_prompt_time
from tests.e2e.mail_pages import on_email
from tests.e2e.test_memos import memo_dms, send_memo

NOTE = "Besproken met MT-lid Jansen-Privé"
ANSWER = "Antwoord van Linde over hitte"
ON_MAIL = (AMB_LINDE, AMB_GGD)


def commitment_reminders(h, email: str) -> list:
    return [m for m in bot_messages(h.emu, h.uid(email)) if "Afspraak van" in (m.text or "")]


async def whole_flow(h) -> None:
    await h.import_example()
    await invite_and_answer(h, {AMB_LINDE: "Ik kom", AMB_GGD: "Ik kom"})
    await send_memo(h, memo_title="Lees mij")
    [memo] = memo_dms(h, AMB_LINDE)
    await h.drv.click(h.uid(AMB_LINDE), memo, text="Gelezen")
    await to_prompt_time(h)
    await fill_in(h, AMB_LINDE, rating=4, choice="Ja", risico=ANSWER)
    await jump(h, local(2027, 3, 30, 9, 0))
    message = commitment_reminders(h, AMB_LINDE)[-1]
    await h.drv.click(h.uid(AMB_LINDE), message, text="Bezig")
    r = await h.drv.submit_view(h.uid(AMB_LINDE), values={"note": NOTE})
    assert r.status == 200, r.body_text
    await h.command(TREKKER, "status")
    await h.drain()


def hitteplan_on_email(text: str | None = None) -> str:
    return on_email(text or example("hitteplan.yaml").read_text(encoding="utf-8"), ON_MAIL)


async def whole_mail_flow(h, pages, text: str | None = None) -> None:
    """The same flow with De Linde's and GGD's ambassadors on ``platform: email``
    (``text``: another trajectory file; they are put on e-mail in it)."""
    await h.import_example(text=hitteplan_on_email(text))
    await h.command(TREKKER, "uitnodigen start")
    await h.drain()
    for email in ON_MAIL:
        await pages.answer(email, "rsvp", {"answer": "yes"}, choice="yes")
    await send_memo(h, memo_title="Lees mij")
    await pages.answer(AMB_LINDE, "memo", {})
    await to_prompt_time(h)
    await pages.answer(AMB_LINDE, "evaluation", {"answer:waarde": "4", "answer:doelen": "Ja", "answer:risico": ANSWER})
    await jump(h, local(2027, 3, 30, 9, 0))
    await pages.answer(AMB_LINDE, "commitment", {"to": "busy", "note": NOTE}, choice="busy", containing="Hitteprotocol")
    await h.command(TREKKER, "status")
    await h.drain()
    assert h.emu.dm(h.uid(AMB_LINDE)) == [], "all of it by mail"


async def assert_logs_name_nobody(h, logged: str, extra=()) -> None:
    """No name, e-mail address, platform id, calendar token, secret, the flow's note or
    answer, nor any of ``extra`` (e.g. the personal links' tokens) in ``logged``."""
    async with h.ctx.db.sessionmaker() as s:
        people = (await s.execute(select(Person))).scalars().all()
        tokens = [x.ics_token for x in (await s.execute(select(Session))).scalars()]
    secrets = {TOKEN, SIGNING_SECRET, NOTE, ANSWER, h.bot.settings.secret_key, *tokens, *extra}
    for p in people:
        secrets |= {p.name, p.email, p.slack_user_id, p.teams_user_id}
    leaked = sorted(s for s in secrets if s and s in logged)
    assert not leaked, leaked
