"""Slack: App Home and ``/dialoog mijn`` list the open evaluation form, the unread memo
and the sign-off request of the person, each with the button it has elsewhere; the
existing listeners answer those buttons, and the items are gone once done."""

from __future__ import annotations

from bot.identity import slack
from tests.e2e.conftest import texts_of
from tests.e2e.flows import answer_values
from tests.waiting import GGD, LINDE, MEMO_TITLE, SIGN_TITLE, set_the_stage

HEADINGS = ("Evaluaties om in te vullen", "Memo's die je nog niet gelezen hebt", "Vragen om akkoord voor jouw organisatie")


async def home_of(h, email: str) -> dict:
    r = await h.drv.app_home_opened(h.uid(email))
    assert r.status == 200
    return h.emu.home(h.uid(email))


def action_ids(view: dict) -> list[str]:
    return [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]


async def test_home_and_mine_list_what_waits_and_its_buttons_work(harness):
    h = harness
    await h.import_example()
    await set_the_stage(h.ctx, lambda email: slack(h.uid(email)))
    home = await home_of(h, LINDE)
    text = "\n".join(texts_of(home["blocks"]))
    assert all(heading in text for heading in HEADINGS) and MEMO_TITLE in text and SIGN_TITLE in text
    assert {"eval_open", "memo_read", "sign_agree", "sign_decline", "sign_question"} <= set(action_ids(home))
    block_ids = [b["block_id"] for b in home["blocks"] if "block_id" in b]
    assert len(block_ids) == len(set(block_ids))  # Slack refuses a view with a block id twice
    other = "\n".join(texts_of((await home_of(h, GGD))["blocks"]))
    assert not any(heading in other for heading in HEADINGS)

    r = await h.command(LINDE, "mijn")
    mine = h.emu.responses(r.response_url)[-1]
    assert MEMO_TITLE in str(mine["blocks"]) and {"eval_open", "memo_read", "sign_agree"} <= set(action_ids(mine))

    # Pressed in the Home tab, the buttons reach their own listeners.
    assert (await h.drv.click(h.uid(LINDE), home, action_id="eval_open")).status == 200
    assert h.emu.open_views(h.uid(LINDE))[-1]["callback_id"] == "evaluation_modal"
    r = await h.drv.submit_view(h.uid(LINDE), values=answer_values(rating=4, choice="Ja", risico="Geen koele ruimte"))
    assert r.status == 200
    assert (await h.drv.click(h.uid(LINDE), home, action_id="memo_read")).status == 200
    assert (await h.drv.click(h.uid(LINDE), home, action_id="sign_agree")).status == 200

    text = "\n".join(texts_of((await home_of(h, LINDE))["blocks"]))
    assert not any(heading in text for heading in HEADINGS), text
    r = await h.command(LINDE, "mijn")
    assert MEMO_TITLE not in str(h.emu.responses(r.response_url)[-1]["blocks"])
