"""One whole flow through /slack/events, for the privacy tests: import, invitations
and RSVPs, a memo read, a named evaluation, a commitment marked busy with a note, and
the status summary.  Every personal value it used can then be looked for."""

from __future__ import annotations

from tests.conftest import local
from tests.e2e.conftest import AMB_GGD, AMB_LINDE, TREKKER, bot_messages
from tests.e2e.flows import fill_in, invite_and_answer, jump, to_prompt_time, unpaced
from tests.e2e.test_memos import memo_dms, send_memo

NOTE = "Besproken met MT-lid Jansen-Privé"
ANSWER = "Antwoord van Linde over hitte"


def commitment_reminders(h, email: str) -> list:
    return [m for m in bot_messages(h.emu, h.uid(email)) if "Afspraak van" in (m.text or "")]


async def whole_flow(h) -> None:
    unpaced(h)
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
