"""Memo clicks and forms that must be refused politely, field errors on both platforms,
and answers in the acting person's language (signed requests through the real endpoints)."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import select

from bot.models import Memo
from tests.e2e.conftest import TREKKER, dump, example_data, full_text, reply_text
from tests.slack_emulator.driver import VERIFICATION_TOKEN
from tests.teams_connector.harness import *  # noqa: F401,F403  (the th fixture)
from tests.teams_connector.server import card_inputs

pytestmark = pytest.mark.one_database  # how a platform shows it; the rules run on both databases elsewhere


async def open_preview(h) -> dict:
    await h.command(TREKKER, "memo")
    r = await h.drv.submit_view(h.uid(TREKKER), values={"memo_title": "Doel", "memo_body": "Tekst"})
    assert r.json["response_action"] == "update", r.json
    return h.emu.open_views(h.uid(TREKKER))[-1]


async def draft_id(h) -> int:
    async with h.ctx.db.sessionmaker() as s:
        return (await s.execute(select(Memo.id))).scalar_one()


async def crafted_edit(h, memo_id: int, view: dict | None = None, response_url: str | None = None):
    """An "Aanpassen" click Slack never sent: signed, but with a view of our choosing (or none)."""
    uid = h.uid(TREKKER)
    payload = {
        "type": "block_actions", "user": {"id": uid, "username": "trekker", "team_id": "T0001"},
        "api_app_id": h.drv.api_app_id, "token": VERIFICATION_TOKEN, "trigger_id": h.emu.new_trigger_id(uid),
        "team": {"id": "T0001", "domain": "dialoog"},
        "actions": [{"action_id": "memo_edit", "block_id": "memo_preview_edit", "type": "button", "value": str(memo_id),
                     "action_ts": f"{time.time():.6f}"}],
    }
    if view is not None:
        payload.update(container={"type": "view", "view_id": view["id"]}, view=view)
    if response_url is not None:
        payload.update(response_url=response_url, container={"type": "message", "channel_id": "C0GENERAL"},
                       channel={"id": "C0GENERAL", "name": "general"})
    r = await h.drv._post_payload(payload)
    r.response_url = response_url
    return r


async def test_a_crafted_edit_click_is_refused_without_touching_any_view(harness):
    h = harness
    await h.import_example()
    preview = await open_preview(h)
    memo_id = await draft_id(h)

    url = h.emu.new_response_url(h.uid(TREKKER), "C0GENERAL")
    r = await crafted_edit(h, memo_id, response_url=url)  # no view at all
    assert r.status == 200
    assert "Deze memo ken ik niet" in reply_text(h, r)
    assert (await crafted_edit(h, memo_id)).status == 200  # no view and no way to answer
    assert (await crafted_edit(h, memo_id + 1, view=preview)).status == 200  # another memo than the preview's
    assert (await crafted_edit(h, memo_id, view={**preview, "private_metadata": str(memo_id)})).status == 200  # the old format
    form = {**preview, "callback_id": "memo_form_modal"}
    assert (await crafted_edit(h, memo_id, view=form)).status == 200  # not a preview
    await h.emu.wait_for(lambda: len(h.emu.responses(url)) >= 1)
    assert h.emu.calls_to("views.update") == []
    assert h.emu.open_views(h.uid(TREKKER))[-1]["callback_id"] == "memo_preview_modal"

    # The real click still works.
    await h.drv.click(h.uid(TREKKER), preview, text="Aanpassen")
    assert h.emu.open_views(h.uid(TREKKER))[-1]["callback_id"] == "memo_form_modal"
    assert len(h.emu.successful("views.update")) == 1


async def test_nul_characters_are_stripped_or_refused_per_field_in_slack(harness):
    h = harness
    await h.import_example()
    await h.command(TREKKER, "memo")
    r = await h.drv.submit_view(h.uid(TREKKER), values={"memo_title": "\x00", "memo_body": "Tekst\x00 hier"})
    assert r.json["response_action"] == "errors" and set(r.json["errors"]) == {"memo_title_block"}
    assert "Vul dit in" in r.json["errors"]["memo_title_block"]
    r = await h.drv.submit_view(h.uid(TREKKER), values={"memo_title": "Do\x00el", "memo_body": "Tekst\x00 hier"})
    assert r.json["response_action"] == "update"
    async with h.ctx.db.sessionmaker() as s:
        memo = (await s.execute(select(Memo))).scalar_one()
    assert (memo.title, memo.body) == ("Doel", "Tekst hier")


async def test_the_trekker_is_answered_in_their_own_language(harness):
    h = harness
    data = example_data()
    next(p for p in data["people"] if p["email"] == TREKKER)["language"] = "en"
    await h.import_example(text=dump(data))
    await h.command(TREKKER, "memo")
    form = h.emu.open_views(h.uid(TREKKER))[-1]
    assert form["title"]["text"] == "Write a memo"
    r = await h.drv.submit_view(h.uid(TREKKER), values={"memo_title": " ", "memo_body": "Text"})
    assert r.json["errors"]["memo_title_block"] == "Please fill this in."
    preview = await open_preview(h)
    assert "Preview" in full_text({"blocks": preview["blocks"]})
    url = h.emu.new_response_url(h.uid(TREKKER), "C0GENERAL")
    r = await crafted_edit(h, await draft_id(h), response_url=url)
    assert "I don't know this memo" in reply_text(h, r)


# -- Teams ------------------------------------------------------------------------------------

TEAM = [TREKKER, "ambassadeur@ggd.example"]


async def test_teams_memo_card_errors_and_required_inputs(th):
    await th.import_example()
    th.team_of(TEAM)
    await th.koppel(TREKKER)
    r = await th.say(TREKKER, "memo")
    [form] = r.replies
    required = [i for i in card_inputs(form.card) if i.get("isRequired")]
    assert {i["id"] for i in required} >= {"memo_title", "memo_body", "memo_audience"}
    assert all(i.get("errorMessage") for i in required), [i["id"] for i in required if not i.get("errorMessage")]

    await th.teams.execute(th.tid(TREKKER), form, "Bekijk voorbeeld",
                           {"memo_title": "\x00", "memo_body": "x" * 3001, "memo_audience": "all"})
    assert "Vul dit in." in form.text and "Dit is te lang." in form.text
    # A damaged form context: a polite line, nothing saved.
    r = await th.teams.execute(th.tid(TREKKER), form, "Bekijk voorbeeld",
                               {"memo_title": "Doel", "memo_body": "Tekst", "memo_audience": "all"},
                               data={"v": 1, "trajectory_id": "1; drop"})
    assert "Deze memo ken ik niet" in r.message
    async with th.ctx.db.sessionmaker() as s:
        assert (await s.execute(select(Memo))).scalars().all() == []
    r = await th.teams.execute(th.tid(TREKKER), form, "Bekijk voorbeeld",
                               {"memo_title": "Doel", "memo_body": "Tekst", "memo_audience": "all"})
    assert "Voorbeeld." in form.text
    r = await th.teams.execute(th.tid(TREKKER), form, "Aanpassen", data={"memo_id": json.loads("-1")})
    assert "Deze memo ken ik niet" in r.message
